"""The bank checker (after Jepsen's bank test): what a money-transfer service must never do.

Given what the clients saw -- a :class:`~distlab.sim.history.History` of ``transfer`` operations
(``value = (key, source, target, amount_cents)``; ``result`` ``"applied"``, ``"duplicate"`` or
``"refused"``) and ``read`` operations (``result`` maps every account to its balance) -- and what the
service's stores hold at the end (:class:`BankRecord`: the ledger's applied transfers, the sagas'
states, the notifications delivered), :func:`check_bank` reports every violation of:

* ``money``       -- every read of all balances sums to the initial total;
* ``overdraft``   -- no balance below zero (for a joint group: no group sum below zero);
* ``applied twice`` -- no idempotency key applied by the ledger more than once;
* ``lost``        -- a transfer the client was told succeeded is in the ledger;
* ``phantom``     -- a transfer the client was told failed moved no money;
* ``saga``        -- every saga ended (completed or compensated);
* ``notification`` -- every applied transfer notified exactly once after dedup, and nothing else.

Each :class:`Violation` names the operations that caused it: for a bad read, the transfers that
completed since the last good read (the window in which the money appeared or vanished). Jepsen's
bank test checks the first two from reads alone; the rest need the stores, which a simulation has.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from distlab.sim.history import History, Op

__all__ = ["MOVED", "TERMINAL_SAGA_STATES", "Applied", "BankRecord", "BankVerdict", "Violation", "check_bank"]

TERMINAL_SAGA_STATES = frozenset({"completed", "compensated"})
#: what an ``ok`` transfer's result says when money moved (``"refused"`` means it did not)
MOVED = frozenset({"applied", "duplicate"})


class Applied(NamedTuple):
    """One transfer the ledger applied: its id, the idempotency key it came with, and its amount."""

    id: str
    key: str
    source: str
    target: str
    amount_cents: int


class BankRecord(NamedTuple):
    """Everything the checker reads: the clients' history and the stores' final contents."""

    history: History
    total_cents: int
    applied: Sequence[Applied] = ()
    groups: Mapping[str, str] = {}  # account -> joint group (absent: the account stands alone)
    sagas: Mapping[str, str] = {}  # saga id (a transfer key) -> its final state
    notifications: Sequence[str] = ()  # transfer ids, one per notification the consumer applied


class Violation(NamedTuple):
    """One broken rule: its kind, what happened, and the operations (by history index) behind it."""

    kind: str
    message: str
    ops: tuple[int, ...] = ()
    time: float = float("inf")


class BankVerdict(NamedTuple):
    """The checker's answer: every violation, earliest first, and how many operations it read."""

    violations: tuple[Violation, ...]
    checked_ops: int

    @property
    def ok(self) -> bool:
        """True when nothing was violated."""
        return not self.violations

    @property
    def first(self) -> Violation | None:
        """The earliest violation, or None."""
        return self.violations[0] if self.violations else None


def _below_zero(balances: Mapping[str, int], groups: Mapping[str, str]) -> list[str]:
    sums: dict[str, int] = defaultdict(int)
    bad = []
    for account, cents in balances.items():
        group = groups.get(account)
        if group is None:
            if cents < 0:
                bad.append(f"{account} at {cents}")
        else:
            sums[group] += cents
    return bad + [f"group {g} at {s}" for g, s in sorted(sums.items()) if s < 0]


def _reads(record: BankRecord) -> Iterable[Violation]:
    """Money and overdraft, read by read, blaming the transfers completed since the last good read."""
    since: list[int] = []
    for op in record.history:
        if op.f == "transfer" and op.status == "ok":
            since.append(op.index)
        if op.f != "read" or op.status != "ok" or not isinstance(op.result, Mapping):
            continue
        total = sum(op.result.values())
        problems = []
        if total != record.total_cents:
            change = "created" if total > record.total_cents else "destroyed"
            problems.append(Violation("money", f"read {op.index} sums to {total} cents, not {record.total_cents}: "
                                               f"{abs(total - record.total_cents)} cents {change}",
                                      (*since, op.index), op.end))
        negative = _below_zero(op.result, record.groups)
        if negative:
            problems.append(Violation("overdraft", f"read {op.index} sees {', '.join(negative)}",
                                      (*since, op.index), op.end))
        yield from problems
        if not problems:
            since = []


def _keys(record: BankRecord) -> Iterable[Violation]:
    """Applied twice, lost and phantom transfers, by idempotency key."""
    by_key: dict[str, list[Applied]] = defaultdict(list)
    for applied in record.applied:
        by_key[applied.key].append(applied)
    ops_by_key: dict[str, list[Op]] = defaultdict(list)
    for op in record.history:
        if op.f == "transfer" and isinstance(op.value, Sequence) and op.value:
            ops_by_key[str(op.value[0])].append(op)
    for key, rows in by_key.items():
        if len(rows) > 1:
            ops = ops_by_key.get(key, [])
            yield Violation("applied twice", f"key {key} applied {len(rows)} times "
                                             f"(ledger ids {', '.join(r.id for r in rows)})",
                            tuple(o.index for o in ops), min((o.end for o in ops), default=float("inf")))
    for key, ops in ops_by_key.items():
        told_ok = [o for o in ops if o.status == "ok" and o.result in MOVED]
        if told_ok and not by_key.get(key):
            yield Violation("lost", f"key {key}: the client was told it succeeded, the ledger never applied it",
                            tuple(o.index for o in told_ok), told_ok[0].end)
        denied = [o for o in ops if o.status == "fail" or (o.status == "ok" and o.result not in MOVED)]
        if by_key.get(key) and len(denied) == len(ops):
            yield Violation("phantom", f"key {key}: every attempt was reported failed or refused, yet the ledger "
                                       "applied it", tuple(o.index for o in ops), ops[-1].end)


def _stores(record: BankRecord) -> Iterable[Violation]:
    """Sagas that never ended, and notifications lost, doubled or for nothing."""
    for saga, state in sorted(record.sagas.items()):
        if state not in TERMINAL_SAGA_STATES:
            yield Violation("saga", f"saga {saga} ended the run {state!r}, not completed or compensated")
    sent = Counter(record.notifications)
    for applied in record.applied:
        count = sent.pop(applied.id, 0)
        if count != 1:
            yield Violation("notification", f"transfer {applied.id} (key {applied.key}) was notified {count} times, "
                                            "not once")
    for transfer_id, count in sorted(sent.items()):
        yield Violation("notification", f"{count} notification(s) for transfer {transfer_id}, which the ledger "
                                        "never applied")


def check_bank(record: BankRecord) -> BankVerdict:
    """Every violation in ``record``, earliest first (see the module docstring)."""
    if not isinstance(record.history, History):
        raise TypeError(f"history must be a History, got {type(record.history).__name__}")
    if isinstance(record.total_cents, bool) or not isinstance(record.total_cents, int):
        raise TypeError(f"total_cents must be whole cents (an int), got {record.total_cents!r}")
    found = [*_reads(record), *_keys(record), *_stores(record)]
    found.sort(key=lambda v: v.time)
    return BankVerdict(tuple(found), len(record.history))
