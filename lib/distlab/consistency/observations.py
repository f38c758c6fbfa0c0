"""Who saw what: effective operations, program order and the *reads-from* relation.

The rungs below sequential consistency reason about which write each read observed. When every
write puts a value no other write to that key puts (*unique values* -- what Jepsen's register tests
generate), that is unambiguous: a read of 3 observed *the* write of 3, and a read of the initial
value observed no write. When values repeat, we cannot know, and those checkers answer ``unknown``.

* ``fail`` operations never happened and are dropped; indeterminate reads tell nothing and are
  dropped; an indeterminate write counts only if some read observed it (then it did take effect).
* A ``cas`` that succeeded both read (its expected value) and wrote (its new value).
* Appends build values out of several writes, so reads-from is undefined for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from distlab.consistency.specs import Model
from distlab.sim.history import History, Op

__all__ = ["Observations", "observe", "NotUnique"]


class NotUnique(Exception):
    """The history breaks the unique-values assumption; the message says how."""


class ThinAir(Exception):
    """A read returned a value that no write wrote: no consistency model allows that."""


def _written(op: Op) -> Any:
    return op.value[1] if op.f == "cas" else op.value


def _observed(op: Op, model: Model) -> Any:
    """The value an ok read (or ok cas) observed, as a state."""
    if op.f == "cas":
        return op.value[0]
    return model.read_value(op.result)


def is_write(op: Op) -> bool:
    """Everything that is not a read writes (``write``, ``put``, ``append``, ``cas``)."""
    return not op.is_read


@dataclass
class Observations:
    """Effective operations (positions ``0..n-1``), per-process program order, and reads-from."""

    ops: list[Op]
    rf: dict[int, int | None]                      # reader position -> writer position (None = initial)
    by_process: dict[Any, list[int]] = field(default_factory=dict)
    writes: list[int] = field(default_factory=list)

    def reads_of(self, process: Any) -> list[int]:
        """Positions of ``process``'s operations that observed a write (reads, ok cas), in program order."""
        return [i for i in self.by_process[process] if i in self.rf]


def observe(history: History, model: Model) -> Observations:
    """Build :class:`Observations`; raises :class:`NotUnique` or :class:`ThinAir`."""
    if any(o.f == "append" and o.status != "fail" for o in history):
        raise NotUnique("appends combine several writes into one value, so which write a read "
                        "observed is not defined; only linearizability and sequential consistency "
                        "are checked for append histories")
    cand = [o for o in history if o.status == "ok" or (o.status == "info" and not o.is_read)]
    writer_of: dict[tuple[Any, Any], Op] = {}      # (key, written value) -> the write
    for o in cand:
        if is_write(o):
            k = (o.key, _written(o))
            if k[1] == model.init:
                raise NotUnique(f"{model.describe_operation(o)} writes the initial value {model.describe_state(k[1])}, "
                                "so a read of it is ambiguous")
            if k in writer_of:
                raise NotUnique(f"value {model.describe_state(k[1])} is written to "
                                f"{'the register' if o.key is None else repr(o.key)} twice "
                                f"({model.describe_operation(writer_of[k])} and {model.describe_operation(o)}); "
                                "these checkers assume each written value is unique per key")
            writer_of[k] = o
    readers = [o for o in cand if o.status == "ok" and (o.is_read or o.f == "cas")]
    observed_writers: dict[int, Op | None] = {}
    used_info: set[int] = set()
    while readers:                   # an observed indeterminate cas also read: close transitively
        more = []
        for r in readers:
            v = _observed(r, model)
            if v == model.init:
                observed_writers[r.index] = None
                continue
            w = writer_of.get((r.key, v))
            if w is None:
                raise ThinAir(f"{model.describe_operation(r)} observed {model.describe_state(v)}, "
                              "which no operation ever wrote")
            observed_writers[r.index] = w
            if w.status == "info" and w.index not in used_info:
                used_info.add(w.index)
                if w.f == "cas":
                    more.append(w)
        readers = more
    eff = [o for o in cand if o.status == "ok" or o.index in used_info]
    pos = {o.index: i for i, o in enumerate(eff)}
    rf = {pos[r]: (None if w is None else pos[w.index]) for r, w in observed_writers.items()}
    by_process: dict[Any, list[int]] = {}
    for i in sorted(range(len(eff)), key=lambda i: (eff[i].invoke, eff[i].index)):
        by_process.setdefault(eff[i].process, []).append(i)
    return Observations(eff, rf, by_process, [i for i, o in enumerate(eff) if is_write(o)])
