"""The bank's customers and its auditor, as the checker sees them: every attempt is an operation.

A :class:`Client` makes ``transfers`` transfers one after another, each between two random accounts
for a random amount, with an idempotency key of its own (``c3-7``: client 3's eighth transfer).
Each attempt is one operation of the history (Jepsen's client semantics):

* a reply ``ok`` completes it ``ok`` with the result (``applied`` or ``refused``);
* a reply ``fail`` (rate limited, shed, invalid) completes it ``fail``: it did not happen;
* ``busy`` (the key is being worked on) and a timeout complete it ``info``: it may yet happen.

After a ``fail`` or an ``info`` the client retries the same key (chapter 5's policy: backoff with
full jitter, ``max_attempts``, and -- with the safeguard on -- a retry budget shared by every
client, as gRPC throttles the retries of one channel). An invalid request is not retried.

The :class:`Auditor` reads every balance every ``audit_interval_s`` (Jepsen's bank-test read).
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from distlab.reliability.retry import Backoff, RetryBudget, RetryPolicy
from distlab.sim import HistoryRecorder, Process

from .config import BankConfig
from .messages import BUSY, FAIL, OK, ReadReply, ReadRequest, Reply, TransferRequest

__all__ = ["REQUESTS_PER_CLIENT", "Auditor", "Client", "retry_policy"]

REQUESTS_PER_CLIENT = 1_000_000  # request numbers are client index * this + attempt count: unique in a run


def retry_policy(config: BankConfig, budget: RetryBudget | None) -> RetryPolicy:
    """The clients' policy: ``max_attempts``, full jitter from ``backoff_base_s`` to ``backoff_cap_s``."""
    return RetryPolicy(max_attempts=config.max_attempts, budget=budget,
                       backoff=Backoff(base=config.backoff_base_s, cap=config.backoff_cap_s, jitter="full"))


class Client(Process):
    """One customer (see the module docstring); ``start_s`` delays its first transfer."""

    def __init__(self, index: int, name: str, config: BankConfig, recorder: HistoryRecorder,
                 policy: RetryPolicy, *, transfers: int, start_s: float = 0.0, think_s: float | None = None) -> None:
        super().__init__(name)
        self.index, self.config, self.recorder, self.policy = index, config, recorder, policy
        self.transfers, self.start_s = transfers, start_s
        self.think_s = config.think_s if think_s is None else think_s
        self.done = False
        self.made = 0  # transfers begun
        self.sent = 0  # attempts sent
        self.op: int | None = None
        self.request = -1

    def on_start(self) -> None:
        """Begin after ``start_s``."""
        self.set_timer("next", self.start_s)

    def _next_transfer(self) -> None:
        if self.made >= self.transfers:
            self.done = True
            return
        accounts = self.config.account_names
        source, target = self.rng.sample(accounts, 2)
        small = self.rng.random() < 0.7
        high = min(self.config.fallback_limit_cents, self.config.max_amount_cents) if small else \
            self.config.max_amount_cents
        self.current = (f"{self.pid}-{self.made}", source, target, self.rng.randint(1, max(1, high)))
        self.made += 1
        self.failures = 0
        self._attempt()

    def _attempt(self) -> None:
        key, source, target, cents = self.current
        self.request = self.index * REQUESTS_PER_CLIENT + self.sent
        self.sent += 1
        self.op = self.recorder.invoke(self.pid, "transfer", self.current)
        self.send("gateway", TransferRequest(self.request, key, source, target, cents, str(self.pid)))
        self.set_timer("timeout", self.config.client_timeout_s)

    def on_message(self, src: Hashable, msg: Any) -> None:
        """A reply to the current attempt (a late reply to an earlier one is ignored)."""
        if not isinstance(msg, Reply) or msg.request != self.request or self.op is None:
            return
        self.cancel_timer("timeout")
        op, self.op = self.op, None
        if msg.status == OK:
            self.recorder.ok(op, msg.result)
            if self.policy.budget is not None:
                self.policy.budget.on_success()
            self.set_timer("next", self.rng.expovariate(1 / self.think_s))
        elif msg.status == FAIL:
            self.recorder.fail(op, msg.result)
            self._retry(msg.result != "invalid")
        else:
            assert msg.status == BUSY
            self.recorder.info(op, "busy")
            self._retry(True)

    def on_timer(self, name: str, data: Any) -> None:
        """The next transfer, a retry, or the current attempt timing out."""
        if name == "next":
            self._next_transfer()
        elif name == "retry":
            self._attempt()
        elif name == "timeout" and self.op is not None:
            op, self.op = self.op, None
            self.recorder.info(op, "timeout")
            self._retry(True)

    def _retry(self, retriable: bool) -> None:
        self.failures += 1
        if self.policy.budget is not None:
            self.policy.budget.on_failure()
        wait = self.policy.next_delay(self.failures, self.rng, idempotent=retriable)
        if wait is None:
            self.set_timer("next", self.rng.expovariate(1 / self.think_s))  # give up on this transfer
        else:
            self.set_timer("retry", wait)


class Auditor(Process):
    """Reads every balance every ``audit_interval_s`` (one read at a time; a lost read times out)."""

    def __init__(self, config: BankConfig, recorder: HistoryRecorder) -> None:
        super().__init__("auditor")
        self.config, self.recorder = config, recorder
        self.op: int | None = None
        self.request = 0

    def on_start(self) -> None:
        """First read at once."""
        self.set_timer("read", 0.0)

    def on_timer(self, name: str, data: Any) -> None:
        """Send a read, or give up on one that did not come back."""
        if self.op is not None:
            op, self.op = self.op, None
            self.recorder.info(op, None)
        if name == "read":
            self.request += 1
            self.op = self.recorder.invoke(self.pid, "read")
            self.send("service", ReadRequest(self.request))
            self.set_timer("read", self.config.audit_interval_s)

    def on_message(self, src: Hashable, msg: Any) -> None:
        """The balances, if they answer the current read."""
        if isinstance(msg, ReadReply) and msg.request == self.request and self.op is not None:
            op, self.op = self.op, None
            self.recorder.ok(op, msg.balances)
