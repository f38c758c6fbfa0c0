"""Chapter 3's five-question quiz as widgets (the questions are data in `distlab.transactions.quiz`)."""

from __future__ import annotations

from distlab.transactions.quiz import QUIZ

from ..quiz import Quiz


def quiz() -> Quiz:
    """The chapter's five questions, with instant feedback and no sign-in."""
    return Quiz.from_data(QUIZ, title="Chapter 3: quick check")
