"""Chapter 2's feedback is shown as plain text (HTML-escaped): no markdown emphasis may reach the screen
as literal asterisks -- exercise hints, check messages for known-wrong answers, and the quiz."""
import re

import pytest

from distlab.consensus.quiz import QUIZ
from distlab.grading import consensus as gc, registry
from tests.grading.solutions.consensus import MUTATIONS

EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,2}\w[^*_]*[*_]{1,2}(?!\w)")


def _quiz_texts():
    for q in QUIZ:
        yield q["prompt"]
        yield q.get("explanation", "")
        yield from q.get("options", [])
        yield from q.get("why", [])


def _check_messages():
    for exercise_id, wrongs in MUTATIONS.items():
        check = registry.get(exercise_id).check_fn
        for wrong in wrongs.values():
            got = check(wrong)
            if isinstance(got, str):
                yield got


def _texts():
    yield from (hint for _, hint in gc.VOTE_TRAPS)
    for ex in registry.exercises_for(gc.NOTEBOOK):
        yield ex.title
        yield from ex.hints
    yield from _check_messages()
    yield from _quiz_texts()


@pytest.mark.parametrize("text", list(_texts()))
def test_no_markdown_emphasis_in_plain_text_feedback(text):
    assert not EMPHASIS.search(text), text
