"""Deliberately broken 2PC processes: each breaks one rule, and the checkers must catch it."""
from __future__ import annotations

from collections.abc import Hashable

from distlab.transactions.twopc import Coordinator, Participant


class ImpatientParticipant(Participant):
    """Gives up waiting in doubt after its first inquiry and aborts on its own (breaks the yes
    vote's promise)."""

    def inquire(self) -> None:
        if self.in_doubt and self.stable.get("asked"):
            self.learn("abort", "unilateral: tired of waiting")
            return
        self.stable["asked"] = True
        super().inquire()


class SilentParticipant(Participant):
    """Ignores its peers' questions: with termination on, in-doubt peers stay blocked though it
    knows the outcome."""

    def handle_decision_request(self, src: Hashable) -> None:
        if src in self.coordinators:
            super().handle_decision_request(src)


class EagerCoordinator(Coordinator):
    """Sends the decision before logging it: a crash in between loses the commit point, and the
    recovered coordinator presumes abort for a transaction some participants committed."""

    def decide(self, outcome: str, why: str) -> None:
        self.collecting = False
        self.cancel_timer("vote_timeout")
        self.decision = outcome
        self.send_decision()
        if self.up:
            self.log.append((outcome, self.now, why))
