"""The messages of two-phase commit (Gray & Lamport 2006, section 2; Bernstein, Hadzilacos &
Goodman 1987, ch. 7).

=====================  ======================================================================
``Prepare``             coordinator -> participant: phase 1, "can you commit?"
``Vote``                participant -> coordinator: yes (prepared) or no (aborted)
``Decision``            the outcome, ``"commit"`` or ``"abort"`` (phase 2, and every answer to
                        a ``DecisionRequest`` from someone who knows it)
``Ack``                 participant -> coordinator: the outcome is in my log
``DecisionRequest``     an in-doubt participant asks the coordinator (and, with the cooperative
                        termination protocol, the other participants) for the outcome
=====================  ======================================================================
"""
from __future__ import annotations

from typing import NamedTuple

COMMIT, ABORT = "commit", "abort"
OUTCOMES = (COMMIT, ABORT)


class Prepare(NamedTuple):
    """Phase 1: the coordinator asks a participant to prepare transaction ``tx``."""

    tx: str


class Vote(NamedTuple):
    """A participant's vote on ``tx``: ``yes`` True means prepared (and bound to wait)."""

    tx: str
    yes: bool


class Decision(NamedTuple):
    """The outcome of ``tx`` (``"commit"`` or ``"abort"``), from whoever knows it."""

    tx: str
    outcome: str


class Ack(NamedTuple):
    """A participant has logged the outcome of ``tx``; the coordinator may stop resending it."""

    tx: str


class DecisionRequest(NamedTuple):
    """An in-doubt participant asks for the outcome of ``tx``."""

    tx: str
