"""Seeded histories for tests, benchmarks and the notebook: honest ones and planted anomalies.

:func:`linearizable_history` simulates clients of a *single, atomic* object: each operation takes
effect at one random instant inside its invocation–completion interval, so the recorded history is
linearizable by construction (and every weaker rung holds). Some operations end indeterminate
(``info``: they took effect or not, and the client gave up -- it then continues under a fresh
process id, as Jepsen does); failed cas operations did not take effect.

The ``plant_*`` functions append a small scene at the end of a history that breaks one guarantee --
the user-visible bugs of the lecture:

* :func:`plant_stale_read` -- a read returns a value overwritten before it began (linearizability);
* :func:`plant_lost_write` -- "I saved it and it vanished" (read-your-writes);
* :func:`plant_out_of_order_session` -- a reader sees a session's second write, then its first
  (monotonic writes);
* :func:`plant_answer_before_question` -- a reply is visible, the message it answers is not
  (writes-follow-reads, causal, consistent prefix).
"""
from __future__ import annotations

import random
from typing import Any

from distlab.consistency.specs import get_model
from distlab.sim.history import History, Op
from distlab.validate import flag, integer, number

__all__ = ["linearizable_history", "plant_stale_read", "plant_lost_write", "plant_out_of_order_session",
           "plant_answer_before_question", "ANOMALIES"]


def linearizable_history(seed: int | random.Random = 0, n_ops: int = 50, n_processes: int = 5,
                         model: str = "cas-register", keys: int = 1, p_info: float = 0.05,
                         unique: bool = True) -> History:
    """A linearizable history of ``n_ops`` operations from ``n_processes`` concurrent clients."""
    if not isinstance(seed, random.Random):
        integer("seed", seed, low=None)
    for name, count, low in (("n_ops", n_ops, 0), ("n_processes", n_processes, 1), ("keys", keys, 1)):
        integer(name, count, low=low)
    number("p_info", p_info, low=0.0, high=1.0)
    flag("unique", unique)
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    m = get_model(model)
    kv = m.name == "kv"
    key_names = [f"k{i}" for i in range(keys)] if (kv or keys > 1) else [None]
    fs = ("get", "put", "append") if kv else (("read", "write", "cas") if m.name == "cas-register"
                                               else ("read", "write"))
    plans = []                                   # (lin point, invoke, complete, process, f, key, arg)
    clock = [0.0] * n_processes
    ident = list(range(n_processes))
    for counter in range(1, n_ops + 1):
        c = rng.randrange(n_processes)
        invoke = clock[c] + rng.uniform(0.0, 2.0)
        lin = invoke + rng.uniform(0.0, 3.0)
        complete = lin + rng.uniform(0.0, 3.0)
        clock[c] = complete
        f, key = rng.choice(fs), rng.choice(key_names)
        arg = _argument(f, counter, rng, unique, kv)
        info = rng.random() < p_info and f not in ("read", "get")
        plans.append([lin, invoke, complete, ident[c], f, key, arg, info])
        if info:
            ident[c] += n_processes              # a client that timed out continues as a new process
    state: dict[Any, Any] = {}
    ops = []
    for _lin, invoke, complete, proc, f, key, arg, info in sorted(plans, key=lambda p: p[0]):
        cur = state.get(key, m.init)
        if f == "cas":
            arg = (cur if rng.random() < 0.5 else arg[0], arg[1])
        probe = Op(proc, f, arg, key, invoke=invoke, complete=complete, status="ok", result=cur)
        legal, new = m.step(cur, probe)
        if info:
            if rng.random() < 0.5 and legal:
                state[key] = new
            ops.append(Op(proc, f, arg, key, invoke=invoke, complete=None, status="info"))
        elif not legal:
            ops.append(Op(proc, f, arg, key, invoke=invoke, complete=complete, status="fail"))
        else:
            state[key] = new
            result = cur if f in ("read", "get") else None
            ops.append(Op(proc, f, None if f in ("read", "get") else arg, key, invoke=invoke,
                          complete=complete, status="ok", result=result))
    return History.of(ops)


def _argument(f: str, n: int, rng: random.Random, unique: bool, kv: bool) -> Any:
    v: Any = n if unique else rng.randrange(5)
    if kv:
        v = f"{v}," if f == "append" else f"v{v}"
    if f == "cas":
        return (rng.randrange(5) if not unique else -1, v)
    return v


def _tail(history: History) -> tuple[float, Any]:
    end = max([o.end for o in history if o.complete is not None] + [o.invoke for o in history] + [0.0])
    return end + 1.0, len(history.processes()) + 1000


def _ops_key(history: History) -> tuple[Any, bool]:
    kv = any(o.f in ("get", "put", "append") for o in history)
    keys = [k for k in history.keys() if k is not None]  # noqa: SIM118 - History.keys(), not a dict
    return (keys[0] if keys else ("k0" if kv else None)), kv


def _w(kv: bool) -> str:
    return "put" if kv else "write"


def _r(kv: bool) -> str:
    return "get" if kv else "read"


def _fresh(kv: bool, tag: str) -> str:
    return f"planted-{tag}"


def plant_stale_read(history: History) -> History:
    """Writer A writes x then y (both complete); later reader B reads x: stale."""
    t, p = _tail(history)
    key, kv = _ops_key(history)
    a, b = _fresh(kv, "old"), _fresh(kv, "new")
    extra = [Op(p, _w(kv), a, key, t, t + 1, "ok"), Op(p, _w(kv), b, key, t + 2, t + 3, "ok"),
             Op(p + 1, _r(kv), None, key, t + 4, t + 5, "ok", result=a)]
    return History.of([*history, *extra])


def plant_lost_write(history: History) -> History:
    """A client saves a, then b, then reads back a: its own latest save vanished."""
    t, p = _tail(history)
    key, kv = _ops_key(history)
    a, b = _fresh(kv, "saved-1"), _fresh(kv, "saved-2")
    extra = [Op(p, _w(kv), a, key, t, t + 1, "ok"), Op(p, _w(kv), b, key, t + 2, t + 3, "ok"),
             Op(p, _r(kv), None, key, t + 4, t + 5, "ok", result=a)]
    return History.of([*history, *extra])


def plant_out_of_order_session(history: History) -> History:
    """Session A writes 1st then 2nd; reader B sees 2nd, then 1st."""
    t, p = _tail(history)
    key, kv = _ops_key(history)
    a, b = _fresh(kv, "first"), _fresh(kv, "second")
    extra = [Op(p, _w(kv), a, key, t, t + 1, "ok"), Op(p, _w(kv), b, key, t + 2, t + 3, "ok"),
             Op(p + 1, _r(kv), None, key, t + 4, t + 5, "ok", result=b),
             Op(p + 1, _r(kv), None, key, t + 6, t + 7, "ok", result=a)]
    return History.of([*history, *extra])


def plant_answer_before_question(history: History) -> History:
    """Q posts a question; A reads it and answers; C sees the answer, then no question at all."""
    t, p = _tail(history)
    key, kv = _ops_key(history)
    qkey, akey = (f"{key}-question", f"{key}-answer") if kv else (key, key)
    q, a = _fresh(kv, "question"), _fresh(kv, "answer")
    m = get_model("kv" if kv else "register")
    extra = [Op(p, _w(kv), q, qkey, t, t + 1, "ok"),
             Op(p + 1, _r(kv), None, qkey, t + 2, t + 3, "ok", result=q),
             Op(p + 1, _w(kv), a, akey, t + 4, t + 5, "ok"),
             Op(p + 2, _r(kv), None, akey, t + 6, t + 7, "ok", result=a)]
    # C then finds no question at all: the question key still reads as never written
    extra.append(Op(p + 2, _r(kv), None, qkey, t + 8, t + 9, "ok", result=None if not kv else m.init))
    return History.of([*history, *extra])


ANOMALIES = {
    "stale read": (plant_stale_read, "linearizable"),
    "lost write": (plant_lost_write, "read-your-writes"),
    "out-of-order session": (plant_out_of_order_session, "monotonic-writes"),
    "answer before question": (plant_answer_before_question, "writes-follow-reads"),
}
