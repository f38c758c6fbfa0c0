"""Client-operation histories: what clients asked, when, and what they were told.

A history is the raw material of every consistency checker (chapter 1). Each operation has an
invocation and, usually, a completion; its status says what the client learned:

* ``ok``   -- it took effect, and ``result`` is what it returned (for a read, the value read);
* ``fail`` -- it definitely did not take effect (adds no constraint, as in Jepsen and Knossos);
* ``info`` -- indeterminate: it may have taken effect at any point after its invocation, or never.
  An operation that never completed is ``info`` with ``complete = None``.

Vocabulary follows Jepsen: ``f`` is the function (``read``/``write``/``cas`` for registers,
``get``/``put``/``append`` for key-value maps), ``value`` the argument (``cas`` takes
``(expected, new)``), ``result`` what an ok operation returned.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

STATUSES = ("ok", "fail", "info")


@dataclass(frozen=True)
class Op:
    """One client operation. ``invoke``/``complete`` are times or positions (only order matters)."""

    process: Hashable
    f: str
    value: Any = None
    key: Any = None
    invoke: float = 0.0
    complete: float | None = None
    status: str = "info"
    result: Any = None
    index: int = 0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.complete is not None and self.complete < self.invoke:
            raise ValueError(
                f"complete ({self.complete}) must not be before invoke ({self.invoke}) for op {self.index}"
            )

    @property
    def is_read(self) -> bool:
        """A ``read`` (register) or ``get`` (key-value): it observes state and changes none."""
        return self.f in ("read", "get")

    @property
    def end(self) -> float:
        """Completion time, or +inf for an operation that never returned."""
        return float("inf") if self.complete is None else self.complete

    def precedes(self, other: Op) -> bool:
        """Real-time order: this op completed before ``other`` was invoked."""
        return self.complete is not None and self.complete < other.invoke


@dataclass(frozen=True)
class History:
    """An immutable, ordered collection of operations (ordered by invocation)."""

    ops: tuple[Op, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __iter__(self) -> Iterator[Op]:
        return iter(self.ops)

    def __len__(self) -> int:
        return len(self.ops)

    def __getitem__(self, i: int) -> Op:
        return self.ops[i]

    @classmethod
    def of(cls, ops: Iterable[Op], **meta: Any) -> History:
        """A history of ``ops`` in any order: sorted by invocation and renumbered (``index`` 0, 1, ...)."""
        ordered = sorted(ops, key=lambda o: (o.invoke, o.index))
        return cls(tuple(replace(o, index=i) for i, o in enumerate(ordered)), dict(meta))

    def processes(self) -> list[Hashable]:
        """The processes that appear, in a stable order."""
        return sorted({o.process for o in self.ops}, key=repr)

    def keys(self) -> list[Hashable]:
        """The keys operated on (None for a single-register history), in a stable order."""
        return sorted({o.key for o in self.ops}, key=repr)

    def by_process(self, process: Hashable) -> list[Op]:
        """One process's operations in invocation order (its session, for the session guarantees)."""
        return [o for o in self.ops if o.process == process]


class HistoryRecorder:
    """Records client operations as they happen, stamping them with a clock (e.g. ``sim.now``).

    >>> t = [0.0]
    >>> rec = HistoryRecorder(lambda: t[0])
    >>> op = rec.invoke("c1", "write", 1); t[0] = 2.0; rec.ok(op)
    >>> rec.history()[0].status
    'ok'
    """

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._open: dict[int, Op] = {}
        self._done: list[Op] = []
        self._next = 0
        self._busy: dict[Hashable, int] = {}

    def invoke(self, process: Hashable, f: str, value: Any = None, key: Any = None) -> int:
        """Open an operation now and return its id for :meth:`ok`/:meth:`fail`/:meth:`info`; a process
        with an operation still open is a ``ValueError`` (a client issues one operation at a time)."""
        if process in self._busy:
            raise ValueError(
                f"process {process!r} already has operation {self._busy[process]} open; "
                "a process issues one operation at a time (start a new process id after an info)"
            )
        op_id = self._next
        self._next += 1
        self._open[op_id] = Op(process, f, value, key, invoke=self._clock(), index=op_id)
        self._busy[process] = op_id
        return op_id

    def _finish(self, op_id: int, status: str, result: Any) -> Op:
        try:
            op = self._open.pop(op_id)
        except KeyError:
            raise ValueError(f"op_id {op_id} is not an open operation") from None
        del self._busy[op.process]
        done = replace(op, complete=self._clock(), status=status, result=result)
        self._done.append(done)
        return done

    def ok(self, op_id: int, result: Any = None) -> Op:
        """The operation took effect and returned ``result`` (for a read, the value read)."""
        return self._finish(op_id, "ok", result)

    def fail(self, op_id: int, result: Any = None) -> Op:
        """The operation definitely did not take effect."""
        return self._finish(op_id, "fail", result)

    def info(self, op_id: int, result: Any = None) -> Op:
        """The client gave up without learning the outcome (e.g. a timeout)."""
        return self._finish(op_id, "info", result)

    def history(self) -> History:
        """All operations so far; those still open are indeterminate (``info``, never completed)."""
        return History.of([*self._done, *self._open.values()])
