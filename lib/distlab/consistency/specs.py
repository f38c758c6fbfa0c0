"""Sequential specifications: what a single, unreplicated object would answer.

A consistency model says *which orders* of the operations are acceptable; the sequential
specification says *what each order means*. Each model here is a pure function
``step(state, op) -> (legal, new_state)``:

* ``register``      -- ``read``/``write``; a register never written reads ``None`` (Jepsen's nil);
* ``cas-register``  -- adds ``cas`` with value ``(expected, new)``: it succeeds only if the register
  holds ``expected``. An ``ok`` cas means it did; an indeterminate (``info``) cas either swapped or
  did nothing, which is the same as never happening;
* ``kv``            -- string values per key: ``get``/``put``/``append``; an absent key reads ``""``
  and an append to it starts from ``""``. A kv history is checked key by key.

Only ``ok`` operations constrain results; ``info`` operations contribute their effect (if any).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from distlab.consistency.verdict import describe
from distlab.sim.history import History, Op

__all__ = ["Model", "MODELS", "get_model", "infer_model", "one_at_a_time"]


@dataclass(frozen=True)
class Model:
    """A sequential object: its name, initial state, functions, and ``step``.

    ``step(state, op) -> (legal, new_state)`` must be pure, and **states must be hashable** (and
    equal exactly when they are the same state): the searches memoise on them -- ``(linearized set,
    state)`` pairs in both linearizability searches, sets of the states the object could be in for
    the explanations, per-key state tuples in the serialization search. Use numbers, strings,
    tuples or frozensets, not lists or dicts (an unhashable state raises ``TypeError`` mid-search);
    two equal states that compare unequal are not wrong, only slower.

    ``describe_operation(op)`` and ``describe_state(state)`` say how explanations print an operation
    and a state (Porcupine's ``DescribeOperation`` and ``DescribeState``). Defaults:
    :func:`~distlab.consistency.verdict.describe` (``#12 p3 read→2``) and ``repr``.
    """

    name: str
    init: Any
    functions: tuple[str, ...]
    step: Callable[[Any, Op], tuple[bool, Any]]
    per_key: bool = False
    describe_operation: Callable[[Op], str] = describe
    describe_state: Callable[[Any], str] = repr

    def validate(self, history: History) -> None:
        """Raise ``ValueError`` if an operation's function does not belong to this model."""
        for o in history:
            if o.f not in self.functions:
                raise ValueError(f"model {self.name!r} supports functions {self.functions}; "
                                 f"operation {o.index} (process {o.process!r}) is {o.f!r}")
            if o.f == "cas" and o.status != "fail" and not (isinstance(o.value, tuple) and len(o.value) == 2):
                raise ValueError(f"cas value must be a pair (expected, new); operation {o.index} has {o.value!r}")

    def read_value(self, result: Any) -> Any:
        """What a read result means as a state (kv: a missing value is the empty string)."""
        return self.init if result is None else result


def _register_step(state: Any, op: Op) -> tuple[bool, Any]:
    """One operation on a single register holding ``state`` (``None`` before the first write):
    is it legal there, and what does the register hold after it?"""
    f = op.f
    if f == "read":  # a read must return what the register holds (one that never completed: anything)
        return (op.status != "ok" or op.result == state), state
    if f == "write":  # a write always succeeds and replaces the value
        return True, op.value
    if f == "cas":  # compare-and-set (not used in this chapter): swap only if the register holds `expected`
        expected, new = op.value
        if state == expected:
            return True, new
        return False, state
    raise ValueError(f"register model has no function {f!r}")


def _kv_step(state: Any, op: Op) -> tuple[bool, Any]:
    f = op.f
    if f == "get":
        result = "" if op.result is None else op.result
        return (op.status != "ok" or result == state), state
    if f == "put":
        return True, op.value
    if f == "append":
        return True, state + op.value
    raise ValueError(f"kv model has no function {f!r}")


MODELS = {
    "register": Model("register", None, ("read", "write"), _register_step),
    "cas-register": Model("cas-register", None, ("read", "write", "cas"), _register_step),
    "kv": Model("kv", "", ("get", "put", "append"), _kv_step, per_key=True),
}


def get_model(name: str | Model) -> Model:
    """The model named ``name`` (one of :data:`MODELS`), or ``name`` itself if it is a :class:`Model`."""
    if isinstance(name, Model):
        return name
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}") from None


def infer_model(history: History) -> Model:
    """``kv`` if any operation is get/put/append, otherwise ``cas-register``."""
    if any(o.f in ("get", "put", "append") for o in history):
        return MODELS["kv"]
    return MODELS["cas-register"]


def one_at_a_time(history: History) -> History:
    """Check that each process issues one operation at a time; return the history to check.

    Overlapping operations of one process are malformed (``ValueError``). A process that carries
    on after an indeterminate (``info``) operation is, as in Jepsen, a *new* process from then on
    -- the old operation may still take effect later -- so its later operations are given the
    process id ``(p, n)`` for its n-th restart.
    """
    from dataclasses import replace

    last: dict[Hashable, Op] = {}          # process -> its latest operation
    restarts: dict[Hashable, int] = {}     # process -> how many times it restarted after an info
    renamed = []
    changed = False
    for o in history:
        if o.status != "info" and o.complete is None:
            raise ValueError(f"operation #{o.index} is {o.status!r} but has no completion time; "
                             "only an indeterminate ('info') operation may lack one")
        p = o.process
        prev = last.get(p)
        if prev is not None and prev.status != "info" and prev.complete is not None and o.invoke < prev.complete:
            raise ValueError(f"process {p!r} has overlapping operations #{prev.index} and #{o.index}: "
                             "a process issues one operation at a time")
        if prev is not None and prev.status == "info":
            restarts[p] = restarts.get(p, 0) + 1
        last[p] = o
        if restarts.get(p):
            renamed.append(replace(o, process=(p, restarts[p])))
            changed = True
        else:
            renamed.append(o)
    return History(tuple(renamed), dict(history.meta)) if changed else history
