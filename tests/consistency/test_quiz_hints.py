"""Chapter 1's quiz after a first wrong answer (issue #12): 'not quite -- try again' alone gave the
learner nothing to go on, since no question carried a hint; each now does, without naming the answer."""
from __future__ import annotations

from distlab.consistency.quiz import QUIZ
from distlab.grading.quiz import judge, quiz_from_data


def _a_wrong_response(q):
    if isinstance(q.answer, int):
        return (q.answer + 1) % len(q.options)
    return set(range(len(q.options))) - set(q.answer)


def test_every_question_answers_a_first_wrong_try_with_a_hint_that_names_no_option():
    for q in quiz_from_data(QUIZ):
        assert q.hint, q.prompt
        right = [q.options[i] for i in ([q.answer] if isinstance(q.answer, int) else q.answer)]
        assert not any(option.lower() in q.hint.lower() for option in right), q.hint
        feedback = judge(q, _a_wrong_response(q), 0)
        assert feedback.correct is False and q.hint in feedback.message and q.explanation not in feedback.message
