"""Chapter 4's five-question quiz as widgets (the questions are data in `distlab.geo.quiz`)."""

from __future__ import annotations

from distlab.geo.quiz import QUIZ

from ..quiz import Quiz


def quiz() -> Quiz:
    """The chapter's five questions, with instant feedback and no sign-in."""
    return Quiz.from_data(QUIZ, title="Chapter 4: quick check")
