"""Hypothesis strategies: small random histories (any values) for cross-checking the checkers."""
from __future__ import annotations

from hypothesis import strategies as st

from distlab.sim.history import History, Op

FS = {"register": ("read", "write"), "cas-register": ("read", "write", "cas"), "kv": ("get", "put", "append")}


@st.composite
def small_histories(draw, model: str = "cas-register", max_ops: int = 6, max_processes: int = 3):
    n = draw(st.integers(1, max_ops))
    clock: dict = {}
    ident = list(range(max_processes))
    ops = []
    values = st.integers(0, 2)
    for _ in range(n):
        p = draw(st.integers(0, max_processes - 1))
        start = clock.get(p, 0) + draw(st.integers(0, 4))
        dur = draw(st.integers(0, 6))
        f = draw(st.sampled_from(FS[model]))
        key = draw(st.sampled_from(["a", "b"])) if model == "kv" else None
        status = draw(st.sampled_from(["ok", "ok", "ok", "info", "fail"]))
        if f in ("read", "get"):
            value = None
            result = (draw(st.one_of(st.none(), values)) if model != "kv"
                      else draw(st.sampled_from(["", "x", "xy", "y"])))
        elif f == "cas":
            value, result = (draw(st.one_of(st.none(), values)), draw(values)), None
        elif model == "kv":
            value, result = draw(st.sampled_from(["x", "y"])), None
        else:
            value, result = draw(values), None
        complete = None if status == "info" else float(start + dur)
        ops.append(Op(ident[p], f, value, key, invoke=float(start), complete=complete, status=status,
                      result=result if status == "ok" else None))
        clock[p] = start + dur + 1
        if status == "info":              # a client that timed out continues as a new process
            ident[p] += max_processes
    return History.of(ops)
