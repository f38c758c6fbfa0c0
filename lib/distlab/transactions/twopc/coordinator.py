"""The 2PC coordinator (the transaction manager), with presumed abort.

Durable log (``self.stable["log"]``, records ``(kind, time, detail)``): the decision (``commit``
or ``abort``) and ``end`` once every participant acknowledged it. Phase 1 sends PREPARE and
collects votes (``handle_vote``); any no vote, or a vote still missing after ``vote_timeout``,
decides abort; all yes decides commit. ``decide`` logs the decision *before* sending it -- the
commit point -- and resends it every ``retry_interval`` until every participant acknowledged.

**Recovery** (``on_start`` after a crash): a logged decision without ``end`` is sent again; with
no decision record the transaction is **presumed aborted** -- any vote or inquiry about it is
answered "abort" (the votes were in memory and are gone, so it could never commit now).
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from .config import TwoPCConfig
from .crash_points import COORDINATOR, CrashHook
from .messages import ABORT, COMMIT, Ack, Decision, DecisionRequest, Prepare, Vote
from .participant import TX


def send_prepares(node: Any) -> bool:
    """PREPARE to every participant in order; False if ``node`` crashed on the way (at
    ``before_prepare`` or ``after_prepare``) -- the one or the replicated coordinator."""
    if node.crash_here("before_prepare"):
        return False
    for i, pid in enumerate(node.participants, start=1):
        node.send(pid, Prepare(TX))
        if node.crash_here("after_prepare", i):
            return False
    return True


def send_to_unacknowledged(node: Any) -> bool:
    """Send ``node.decision`` to each participant that has not acknowledged it, in order; False if
    ``node`` crashed at ``after_decision_sent`` on the way (the one or the replicated coordinator)."""
    assert node.decision is not None
    for i, pid in enumerate(node.participants, start=1):
        if not node.acked.get(pid):
            node.send(pid, Decision(TX, node.decision))
            if node.crash_here("after_decision_sent", i):
                return False
    return True


class Coordinator(CrashHook):
    """The coordinator of transaction ``T1`` (pid ``c``); ``begin()`` starts phase 1."""

    def __init__(self, config: TwoPCConfig, pid: Hashable = "c") -> None:
        super().__init__(pid)
        self.me = COORDINATOR
        self.cfg = config
        self.participants = config.participant_pids

    # ------------------------------------------------------------------ state from the log
    def on_start(self) -> None:
        """Recovery: resend a logged decision that is not ended; otherwise presume abort."""
        log = self.log
        self.collecting = False
        self.votes: dict[Hashable, bool] = {}
        self.acked: dict[Hashable, bool] = {}
        self.decision: str | None = next((k for k, _, _ in log if k in (COMMIT, ABORT)), None)
        self.ended = any(kind == "end" for kind, _, _ in log)
        if self.decision is not None and not self.ended:
            self.send_decision()

    @property
    def log(self) -> list[tuple[str, float, str]]:
        """The durable log's records ``(kind, time, detail)``."""
        records: list[tuple[str, float, str]] = self.stable.setdefault("log", [])
        return records

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Dispatch one message to its handler."""
        kind = type(msg)
        if kind is Vote:
            self.handle_vote(src, msg)
        elif kind is Ack:
            self.handle_ack(src)
        elif kind is DecisionRequest:
            self.handle_decision_request(src)

    def on_timer(self, name: str, data: Any) -> None:
        """Timers: vote_timeout (abort), resend (PREPARE or the decision)."""
        if name == "vote_timeout" and self.collecting:
            self.decide(ABORT, "vote timeout")
        elif name == "resend":
            self.resend()

    # ------------------------------------------------------------------ phase 1
    def begin(self) -> None:
        """Start the transaction: PREPARE to every participant, then wait for votes."""
        if not self.up or self.decision is not None:
            return
        self.collecting = True
        if send_prepares(self):
            self.set_timer("vote_timeout", self.cfg.vote_timeout)
            self.set_timer("resend", self.cfg.retry_interval)

    def handle_vote(self, src: Hashable, vote: Vote) -> None:
        """Count a vote; a no aborts at once, the last yes commits. Late votes get the outcome."""
        if not self.collecting:
            self.send(src, Decision(TX, self.decision or ABORT))  # presumed abort if none
            return
        if not vote.yes:
            self.decide(ABORT, f"{src} voted no")
            return
        self.votes[src] = True
        if len(self.votes) == len(self.participants):
            if self.crash_here("after_votes"):
                return
            self.decide(COMMIT, "all voted yes")

    # ------------------------------------------------------------------ phase 2
    def decide(self, outcome: str, why: str) -> None:
        """Log the decision (the commit point), then send it."""
        self.collecting = False
        self.cancel_timer("vote_timeout")
        self.log.append((outcome, self.now, why))
        self.decision = outcome
        self.record(decision=outcome, why=why)
        if self.crash_here("after_decision_logged"):
            return
        self.send_decision()

    def send_decision(self) -> None:
        """Send the decision to every participant that has not acknowledged it."""
        if send_to_unacknowledged(self):
            self.set_timer("resend", self.cfg.retry_interval)

    def handle_ack(self, src: Hashable) -> None:
        """One more participant logged the outcome; with all of them, log ``end``."""
        if self.decision is None or self.ended:
            return
        self.acked[src] = True
        if all(self.acked.get(p) for p in self.participants):
            self.log.append(("end", self.now, ""))
            self.ended = True
            self.cancel_timer("resend")

    def handle_decision_request(self, src: Hashable) -> None:
        """An in-doubt participant asks: answer with the decision, or (no record, not collecting)
        with abort -- presumed abort. While still collecting votes, say nothing yet."""
        if self.decision is not None:
            self.send(src, Decision(TX, self.decision))
        elif not self.collecting:
            self.send(src, Decision(TX, ABORT))

    def resend(self) -> None:
        """PREPARE to participants that have not voted, or the decision to those not acked."""
        if self.collecting:
            for pid in self.participants:
                if pid not in self.votes:
                    self.send(pid, Prepare(TX))
        elif self.decision is not None and not self.ended:
            for pid in self.participants:
                if not self.acked.get(pid):
                    self.send(pid, Decision(TX, self.decision))
        else:
            return
        self.set_timer("resend", self.cfg.retry_interval)
