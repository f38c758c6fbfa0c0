from distlab.view.quiz import Quiz

DATA = [
    {"kind": "choice", "prompt": "How many crashes does a 5-node Raft cluster survive?",
     "options": ["1", "2", "3"], "answer": 1, "explanation": "2f+1 = 5 gives f = 2.",
     "why": ["too cautious", "right", "then only 2 remain"]},
    {"kind": "choice", "prompt": "Which are session guarantees?",
     "options": ["read-your-writes", "linearizability", "monotonic reads"], "answer": [0, 2]},
    {"kind": "numeric", "prompt": "Round trip at 2/3 c over 16,500 km?", "answer": 165,
     "tolerance": 15, "unit": "ms", "explanation": "33,000 km / 200,000 km/s."},
]


def test_quiz_gives_instant_feedback_and_keeps_score():
    quiz = Quiz.from_data(DATA)
    single, multi, numeric = quiz.questions
    assert "0 of 3 correct" in quiz.score.value
    single.check_button.click()
    assert "no answer" in single.feedback.value
    single.input.value = 2
    single.check_button.click()
    assert single.last.correct is False and "then only 2 remain" in single.feedback.value
    assert "2f+1 = 5" in single.feedback.value  # explanation after an attempt
    single.input.value = 1
    single.check_button.click()
    assert "✓ correct" in single.feedback.value
    multi.boxes[0].value = True
    multi.check_button.click()
    assert multi.last.correct is False and "1 correct option not ticked" in multi.last.message
    multi.boxes[2].value = True
    multi.check_button.click()
    assert multi.last.correct
    numeric.check_button.click()
    assert numeric.last.correct is None  # untouched is not "0"
    numeric.input.value = 150.0
    numeric.check_button.click()
    assert numeric.last.correct
    assert "3 of 3 correct" in quiz.score.value
