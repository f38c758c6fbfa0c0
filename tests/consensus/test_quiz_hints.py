"""Chapter 2's quiz helps after a first wrong try: every question carries a hint that points back to
the section that shows the answer, without naming it (a bare "not quite -- try again" teaches
nothing; the explanation would give the answer away)."""
from __future__ import annotations

import pytest

from distlab.consensus.quiz import QUIZ
from distlab.view import consensus as cv


@pytest.mark.parametrize("number", range(len(QUIZ)))
def test_every_question_has_a_hint_that_does_not_name_the_answer(number: int) -> None:
    question = QUIZ[number]
    hint = question.get("hint", "")
    assert len(hint) > 20, f"Q{number + 1} has no hint"
    answer = question["answer"]
    right = str(answer) if question["kind"] == "numeric" else question["options"][answer]
    assert right.lower() not in hint.lower()


@pytest.mark.parametrize("number", range(len(QUIZ)))
def test_a_first_wrong_try_shows_the_hint(number: int) -> None:
    widget = cv.quiz().questions[number]
    question = QUIZ[number]
    if question["kind"] == "numeric":
        widget.input.value = question["answer"] + 1
    else:
        widget.input.value = next(i for i in range(len(question["options"])) if i != question["answer"])
    feedback = widget.check()
    assert feedback.correct is False
    assert question["hint"].split(":")[0][:30].replace("'", "&#x27;") in widget.feedback.value
