"""A 2PC participant (a resource manager): prepare, vote, wait in doubt, learn the outcome.

Durable log (``self.stable["log"]``, records ``(kind, time, source)``): ``yes`` when prepared,
then ``commit`` or ``abort`` with who told it (``coordinator``, ``peer <pid>``, ``vote no`` or
``unilateral: <why>``). Everything else is rebuilt in ``on_start`` from that log.

The rules of the lecture:

* a participant that has **not** voted yes may abort on its own (``abort_unilaterally``): no
  PREPARE within ``prepare_timeout``, its work lost in a crash, or asked by an in-doubt peer;
* one that **voted yes may not**: it holds its row lock and waits, asking the coordinator every
  ``inquiry_interval`` -- and, with the cooperative termination protocol, the other participants
  too (``handle_decision_request``: whoever knows the outcome tells it; whoever has not voted
  aborts and says so).
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from .config import TwoPCConfig
from .crash_points import CrashHook
from .locks import LockStats, RowLock
from .messages import ABORT, Ack, Decision, DecisionRequest, Prepare, Vote

TX = "T1"


class Participant(CrashHook):
    """Participant ``index`` (pid ``p<index>``) of transaction ``T1``."""

    # volatile state, rebuilt from the log by on_start; before the first start nothing is voted or
    # known (the invariants, checked after every step, may look before every process has started)
    voted_yes = False
    outcome: str | None = None
    in_doubt_since: float | None = None

    def __init__(self, index: int, config: TwoPCConfig, coordinators: list[Hashable]) -> None:
        super().__init__(f"p{index}")
        self.me = index
        self.cfg = config
        self.coordinators = list(coordinators)
        self.others = [p for p in config.participant_pids if p != self.pid]
        slow = config.slow_delay if config.slow_participant == index else 0.0
        self.work_time = config.prepare_time + slow
        self.votes_no = index in config.no_voters
        self.stats = LockStats()  # the observer's record: survives crashes

    # ------------------------------------------------------------------ state from the log
    def on_start(self) -> None:
        """Rebuild volatile state from the durable log (a prepared transaction stays prepared)."""
        st = self.stable
        log: list[tuple[str, float, str]] = st.setdefault("log", [])
        self.voted_yes = any(kind == "yes" for kind, _, _ in log)
        self.outcome = next((k for k, _, _ in reversed(log) if k != "yes"), None)
        self.preparing = False
        self.in_doubt_since = None
        self.prepare_from: Hashable = self.coordinators[0]
        self.lock = RowLock(self.stats)
        if self.outcome is None and self.voted_yes:
            self.lock.acquire(TX, self.now)  # re-taken at recovery
            self.in_doubt_since = self.now
            self.set_timer("inquire", self.cfg.decision_timeout)
        elif self.outcome is None and st.get("began"):
            self.abort_unilaterally("work lost in a crash")
        elif self.outcome is None:
            st["began"] = True
            self.set_timer("prepare_timeout", self.cfg.prepare_timeout)
        if self.cfg.workload_interval is not None:
            self.set_timer("arrival", self.cfg.workload_interval)

    @property
    def log(self) -> list[tuple[str, float, str]]:
        """The durable log's records ``(kind, time, source)``."""
        records: list[tuple[str, float, str]] = self.stable.setdefault("log", [])
        return records

    @property
    def in_doubt(self) -> bool:
        """Voted yes and does not know the outcome."""
        return self.up and self.voted_yes and self.outcome is None

    # ------------------------------------------------------------------ kernel hooks
    def on_message(self, src: Hashable, msg: Any) -> None:
        """Dispatch one message to its handler."""
        kind = type(msg)
        if kind is Prepare:
            self.handle_prepare(src)
        elif kind is Decision:
            self.handle_decision(src, msg)
        elif kind is DecisionRequest:
            self.handle_decision_request(src)

    def on_timer(self, name: str, data: Any) -> None:
        """Timers: prepared (work done), prepare_timeout, inquire, arrival (workload)."""
        if name == "prepared":
            self.vote()
        elif name == "prepare_timeout":
            if self.outcome is None and not self.voted_yes and not self.preparing:
                self.abort_unilaterally("no PREPARE in time")
        elif name == "inquire":
            self.inquire()
        elif name == "arrival" and self.cfg.workload_interval is not None:
            self.lock.arrive(self.now)
            self.set_timer("arrival", self.cfg.workload_interval)

    # ------------------------------------------------------------------ phase 1
    def handle_prepare(self, src: Hashable) -> None:
        """PREPARE: do the work (``work_time``), then vote; answer duplicates from the log."""
        if self.outcome is not None or self.voted_yes:
            self.send(src, Vote(TX, self.outcome != ABORT))
            return
        if self.preparing or self.crash_here("on_prepare"):
            return
        self.preparing = True
        self.prepare_from = src
        self.cancel_timer("prepare_timeout")
        self.set_timer("prepared", self.work_time)

    def vote(self) -> None:
        """Work done: log "prepared" and vote yes (locking the row), or abort and vote no."""
        self.preparing = False
        if self.outcome is not None or self.votes_no:
            if self.outcome is None:
                self.learn(ABORT, "vote no")
            self.send(self.prepare_from, Vote(TX, False))
            return
        self.log.append(("yes", self.now, ""))
        self.voted_yes = True
        self.lock.acquire(TX, self.now)
        self.in_doubt_since = self.now
        self.stats.doubt_since = self.now
        self.record(state="prepared")
        if self.crash_here("after_log_yes"):
            return
        self.send(self.prepare_from, Vote(TX, True))
        if self.crash_here("after_vote"):
            return
        self.set_timer("inquire", self.cfg.decision_timeout)

    # ------------------------------------------------------------------ phase 2
    def handle_decision(self, src: Hashable, msg: Decision) -> None:
        """The outcome: log it, release the lock, acknowledge the coordinator."""
        from_coordinator = src in self.coordinators
        if self.outcome is None:
            if self.crash_here("on_decision"):
                return
            self.learn(msg.outcome, "coordinator" if from_coordinator else f"peer {src}")
            if self.crash_here("after_log_outcome"):
                return
        if from_coordinator:
            self.send(src, Ack(TX))

    def learn(self, outcome: str, source: str) -> None:
        """Log the outcome (the fsync), end the doubt, release the row."""
        self.log.append((outcome, self.now, source))
        self.outcome = outcome
        self.cancel_timer("inquire")
        stats = self.stats
        if stats.doubt_since is not None:
            stats.doubt.append((stats.doubt_since, self.now))
            stats.doubt_since = None
        self.lock.release(self.now)
        self.record(state=outcome, source=source)

    def abort_unilaterally(self, why: str) -> None:
        """Abort without being told: allowed only before voting yes."""
        self.learn(ABORT, f"unilateral: {why}")

    # ------------------------------------------------------------------ in doubt
    def inquire(self) -> None:
        """Ask the coordinator (and, with termination, every other participant) for the outcome."""
        if not self.in_doubt:
            return
        asked = self.coordinators + (self.others if self.cfg.termination else [])
        for dst in asked:
            self.send(dst, DecisionRequest(TX))
        self.set_timer("inquire", self.cfg.inquiry_interval)

    def handle_decision_request(self, src: Hashable) -> None:
        """Cooperative termination: tell the outcome if known; if not voted yet, abort and say so;
        if in doubt too, stay silent."""
        if self.outcome is None and not self.voted_yes and self.cfg.termination \
                and src in self.others:
            self.preparing = False
            self.cancel_timer("prepared")
            self.abort_unilaterally(f"asked by in-doubt {src}")
        if self.outcome is not None:
            self.send(src, Decision(TX, self.outcome))
