from distlab.view.quiz import Quiz

DATA = [
    {"kind": "choice", "prompt": "How many crashes does a 5-node Raft cluster survive?",
     "options": ["1", "2", "3"], "answer": 1, "explanation": "2f+1 = 5 gives f = 2.",
     "why": ["too cautious", "right", "then only 2 remain"], "hint": "Count what a majority of 5 needs."},
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
    assert single.last.correct is False and "try again" in single.feedback.value
    assert "not quite Not quite" not in single.feedback.value  # the status word is said once
    assert "Count what a majority of 5 needs." in single.feedback.value  # the hint, not the answer
    assert "then only 2 remain" not in single.feedback.value and "2f+1 = 5" not in single.feedback.value
    single.input.value = 0
    single.check_button.click()  # a second, different wrong try: now the why and the explanation
    assert "too cautious" in single.feedback.value and "2f+1 = 5" in single.feedback.value
    single.input.value = 1
    single.check_button.click()
    assert "✓</b> Correct." in single.feedback.value and "correct Correct" not in single.feedback.value
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


def test_a_first_wrong_try_does_not_give_the_answer_away():
    quiz = Quiz.from_data(DATA)
    single, multi, numeric = quiz.questions
    for _ in range(2):  # checking the same wrong option again is not a second try
        single.input.value = 2
        single.check_button.click()
        assert "try again" in single.feedback.value and "Why" not in single.feedback.value
    assert "2f+1 = 5" not in single.feedback.value
    multi.boxes[1].value = True
    multi.check_button.click()
    assert "1 ticked option is wrong" in multi.last.message and "try again" in multi.last.message
    numeric.input.value = 100.0
    numeric.check_button.click()
    assert "too low -- try again" in numeric.last.message and "33,000 km" not in numeric.feedback.value
    numeric.input.value = 200.0
    numeric.check_button.click()
    assert "too high" in numeric.last.message and "33,000 km" in numeric.feedback.value


def test_a_right_first_answer_shows_the_explanation():
    single = Quiz.from_data(DATA).questions[0]
    single.input.value = 1
    single.check_button.click()
    assert "✓</b> Correct." in single.feedback.value and "2f+1 = 5" in single.feedback.value
