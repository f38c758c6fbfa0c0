"""What every history reader shares: the error it raises, the checks on each field, and the
pairing of Jepsen-style invoke/completion events into operations.

Jepsen records two *events* per operation, an ``:invoke`` and a completion (``:ok``, ``:fail`` or
``:info``), paired by process. :func:`pair_events` pairs them into one
:class:`~distlab.sim.history.Op`. A completion of ``:info`` -- or no completion at all -- leaves
the operation open: it may have taken effect at any time after its invocation, or never, so its
``complete`` is ``None``.

Field checks (:func:`check_process`, :func:`check_value`, :func:`check_time`) turn anything that
cannot be a process id, a value or a time into a :class:`HistoryFormatError` naming the line,
so that no malformed input reaches a checker (where it would end in a traceback or, worse, a
wrong verdict). Values are *frozen*: lists become tuples, so every value is hashable.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from distlab.consistency.edn import Keyword, Symbol, dumps
from distlab.sim.history import History, Op

__all__ = ["HistoryFormatError", "RawEvent", "REGISTER_FS", "KV_FS", "TYPES", "check_process", "check_value",
           "check_time", "check_kv_value", "pair_events", "ops_history", "show"]

REGISTER_FS = ("read", "write", "cas")
KV_FS = ("get", "put", "append")
TYPES = ("invoke", "ok", "fail", "info")


class HistoryFormatError(ValueError):
    """A history file could not be read; ``line`` is 1-based (0 when not tied to a line)."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


@dataclass(slots=True)
class RawEvent:
    """One invoke or completion event as read, before pairing; ``seq`` is its position."""

    line: int
    process: Any
    type: str
    f: str
    value: Any
    key: Any
    time: float
    seq: int = 0


def show(value: Any, limit: int = 40) -> str:
    """A short printable form of a value read from a history, for error messages."""
    try:
        text = dumps(value)
    except ValueError:
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


_SCALARS = frozenset({int, str, bool, type(None), Keyword, Symbol})
_NAMES = frozenset({int, str, Keyword, Symbol})


def check_value(line: int, field: str, v: Any) -> Any:
    """``v`` frozen to a hashable value -- nil, a boolean, number, string, keyword or symbol, or a
    vector/list (a tuple) or set of those -- or a :class:`HistoryFormatError` naming ``field``.
    A map is refused (it is no register value), and so is NaN (not equal to itself: no read
    could ever match it)."""
    t = type(v)
    if t in _SCALARS:
        return v
    if t is float:
        if v != v:
            raise HistoryFormatError(line, f"{field} is NaN, which no read can match (it is not equal to itself)")
        return v
    if t is tuple or t is list:
        return tuple([check_value(line, field, x) for x in v])
    if t is frozenset:
        for x in v:
            check_value(line, field, x)
        return v
    kind = "a map" if isinstance(v, dict) else f"a {t.__name__}"
    raise HistoryFormatError(line, f"{field} {show(v)} is {kind}; a value must be nil, a boolean, number, string, "
                                   "keyword, or a vector or set of those")


def check_process(line: int, v: Any) -> Any:
    """``v`` as a process id: an integer or a name (string, keyword, symbol), or a vector of those."""
    t = type(v)
    if t in _NAMES:
        return v
    if (t is tuple or t is list) and v:
        return tuple([check_process(line, x) for x in v])
    raise HistoryFormatError(line, f"process must be an integer or a name (string or keyword), got {show(v)}")


def check_time(line: int, field: str, v: Any) -> float:
    """``v`` as a time: a finite number, not negative (a position or Jepsen's nanoseconds)."""
    if type(v) is int or type(v) is float:
        try:
            t = float(v)
        except OverflowError:
            t = math.inf
        if t >= 0 and t != math.inf:
            return t if type(v) is float else int(v)
    raise HistoryFormatError(line, f"{field} must be a finite number, not negative; got {show(v)}")


def check_kv_value(line: int, f: str, field: str, v: Any) -> None:
    """Key-value operations hold strings (the ``kv`` model appends them): ``v`` must be one, or nil."""
    if v is not None and not isinstance(v, str):
        raise HistoryFormatError(line, f"{field} of a :{f} must be a string or nil (key-value values are strings), "
                                       f"got {show(v)}")


def pair_events(events: Iterable[RawEvent]) -> History:
    """Pair invoke/completion events by process into operations."""
    open_: dict[Any, RawEvent] = {}
    pairs: list[tuple[RawEvent, RawEvent | None]] = []
    for seq, e in enumerate(events):
        e.seq = seq
        if e.type == "invoke":
            if e.process in open_:
                prev = open_[e.process]
                raise HistoryFormatError(e.line, f"process {show(e.process)} invokes again while its "
                                                 f"operation from line {prev.line} is still open")
            open_[e.process] = e
            continue
        inv = open_.pop(e.process, None)
        if inv is None:
            raise HistoryFormatError(e.line, f"':{e.type}' for process {show(e.process)} without an ':invoke'")
        if e.f != inv.f:
            raise HistoryFormatError(e.line, f"completion function :{e.f} does not match :{inv.f} "
                                             f"invoked on line {inv.line}")
        if e.time < inv.time:
            raise HistoryFormatError(e.line, f"completion time {e.time} is before its invocation {inv.time} "
                                             f"(line {inv.line})")
        pairs.append((inv, e))
    pairs.extend((inv, None) for inv in open_.values())
    pairs.sort(key=lambda p: (p[0].time, p[0].seq))     # ties in time keep the order of invocation
    return ops_history([_make_op(inv, done, i) for i, (inv, done) in enumerate(pairs)])


def ops_history(ops: list[Op], **meta: Any) -> History:
    """``History.of(ops, **meta)`` for ops already in invocation order and numbered 0, 1, ..."""
    return History(tuple(ops), dict(meta))


def _make_op(inv: RawEvent, done: RawEvent | None, index: int) -> Op:
    status = "info" if done is None else done.type
    key = inv.key if inv.key is not None else (done.key if done else None)
    value, result = inv.value, None
    if inv.f in ("read", "get"):
        value = None
        if done is not None and status == "ok":
            result = done.value
    elif done is not None and status == "ok" and done.value is not None and inv.value is None:
        value = done.value
    complete = None if done is None or status == "info" else done.time
    return Op(inv.process, inv.f, value, key, invoke=inv.time, complete=complete, status=status,
              result=result, index=index)
