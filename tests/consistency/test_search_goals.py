"""The search's prunings and the violation-first pass (thin air, stale reads) are sound: on every
small history Hypothesis can think of -- key-value ones whose values split into the writes they are
made of, in one way or several, and register ones with unique values -- each search, and the whole
check, agrees with brute force; a history the violation-first pass calls violated is never
linearizable."""
from hypothesis import given, settings, strategies as st

from distlab.consistency import check_linearizable
from distlab.consistency.jit import linearize_ops
from distlab.consistency.keyprep import prepare
from distlab.consistency.kvtokens import split_value, tokens_of
from distlab.consistency.readgoals import thin_air
from distlab.consistency.specs import get_model
from distlab.consistency.stale import stale_read
from distlab.consistency.wgl import wgl_ops
from distlab.consistency.workloads import kv_clients_history, thin_air_history
from distlab.sim.history import History, Op
from tests.consistency.oracle import brute_linearizable


@st.composite
def kv_histories(draw, max_writes: int = 4, max_gets: int = 3, delimited: bool = True):
    """One key; every put and append writes a fresh value (``<n>``, or bare digits, which can
    split in several ways); each get returns a few written values run together, often in the
    order they were written. Writes are drawn first, so gets can hold any of them."""
    n_writes, n_gets = draw(st.integers(1, max_writes)), draw(st.integers(1, max_gets))
    written = [f"<{n}>" if delimited else str(n) for n in range(1, n_writes + 1)]
    kinds = [draw(st.sampled_from(["put", "append", "append"])) for _ in written] + ["get"] * n_gets
    ops, clock, ident = [], {}, [0, 1, 2]
    for n, f in enumerate(kinds):
        p = draw(st.integers(0, 2))
        start = clock.get(p, 0) + draw(st.integers(0, 3))
        complete = start + draw(st.integers(0, 5))
        status = draw(st.sampled_from(["ok", "ok", "ok", "info", "fail"]))
        value = written[n] if f != "get" else None
        puts = [v for v, kind in zip(written, kinds) if kind == "put"]
        result = draw(_plausible(written, puts)) if f == "get" and status == "ok" else None
        ops.append(Op(ident[p], f, value, "k", float(start), None if status == "info" else float(complete),
                      status, result))
        clock[p] = complete + 1
        if status == "info":
            ident[p] += 3
    return History.of(ops)


@st.composite
def register_histories(draw, max_ops: int = 6):
    """Unique written values; reads and cas mostly expect a value written earlier (so chains of
    cas form), sometimes nothing or a value never written."""
    ops, clock, ident, written = [], {}, [0, 1, 2], [None]
    for n in range(1, draw(st.integers(1, max_ops)) + 1):
        p = draw(st.integers(0, 2))
        start = clock.get(p, 0) + draw(st.integers(0, 3))
        complete = start + draw(st.integers(0, 5))
        f = draw(st.sampled_from(["read", "read", "write", "cas", "cas"]))
        status = draw(st.sampled_from(["ok", "ok", "ok", "info", "info", "fail"]))
        seen = st.one_of(st.sampled_from(written), st.sampled_from(written), st.integers(1, max_ops + 1))
        value = None if f == "read" else (n if f == "write" else (draw(seen), n))
        result = draw(seen) if f == "read" and status == "ok" else None
        ops.append(Op(ident[p], f, value, None, float(start), None if status == "info" else float(complete),
                      status, result))
        if f != "read":
            written.append(n)
        clock[p] = complete + 1
        if status == "info":
            ident[p] += 3
    return History.of(ops)


def _plausible(written: list[str], puts: list[str]) -> st.SearchStrategy[str]:
    """A get's result: nothing or a put's value, then appended values in the order they were
    written (a value a linearizable history may well read) -- or any written values run together."""
    if not written:
        return st.just("")
    appends = [v for v in written if v not in puts]
    ordered = st.tuples(st.sampled_from([""] + puts), st.lists(st.sampled_from(appends), max_size=3, unique=True)
                        if appends else st.just([])).map(
        lambda parts: parts[0] + "".join(sorted(parts[1], key=written.index)))
    anyhow = st.lists(st.sampled_from(written), max_size=3).map("".join)
    return st.one_of(ordered, ordered, anyhow)


def _agree(h: History, model: str) -> None:
    m = get_model(model)
    expected = brute_linearizable(h, model)
    ops = [o for o in h if o.status != "fail"]
    assert (wgl_ops(ops, m) is not None) == expected
    assert linearize_ops(ops, m, prepared=prepare(ops, m)).ok == expected
    assert (check_linearizable(h, model).status == "holds") == expected
    live = prepare(ops, m).live
    if thin_air(live, m) is not None or stale_read(live, m) is not None:
        assert not expected, "the violation-first pass called a linearizable history violated"


@settings(max_examples=500, deadline=None)
@given(kv_histories())
def test_kv_searches_agree_with_brute_force(h):
    _agree(h, "kv")


@settings(max_examples=200, deadline=None)
@given(kv_histories(delimited=False))
def test_kv_searches_agree_with_brute_force_when_values_split_several_ways(h):
    _agree(h, "kv")


@settings(max_examples=500, deadline=None)
@given(register_histories())
def test_register_searches_agree_with_brute_force(h):
    _agree(h, "cas-register")


def test_values_split_into_the_writes_they_are_made_of():
    ops = [Op(0, "put", "p", "k"), Op(1, "append", "1", "k"), Op(2, "append", "12", "k"),
           Op(3, "append", "2", "k")]
    tokens = tokens_of(ops)
    assert tokens is not None and not tokens.prefix_free
    assert split_value("p12", tokens).ways == 2            # p + 12, or p + 1 + 2
    assert split_value("p2", tokens).parts == [(0, False), (3, True)]
    assert split_value("2p", tokens).ways == 0              # a put only at the start
    assert tokens_of([Op(0, "append", "x", "k"), Op(1, "append", "x", "k")]) is None   # written twice


def test_a_read_no_write_explains_is_violated_without_search():
    v = check_linearizable(thin_air_history(4999), "register")
    assert v.status == "violated" and v.details["without_search"]
    assert v.window is not None and [o.index for o in v.window] == [4999]


def test_a_kv_read_holding_a_value_twice_is_thin_air():
    h = History.of([Op(0, "append", "x", "k", 0, 1, "ok"),
                    Op(1, "get", None, "k", 2, 3, "ok", result="xx")])
    v = check_linearizable(h, "kv")
    assert v.status == "violated" and v.details["without_search"]
    from distlab.consistency.explain import thin_air_verdict
    from distlab.consistency.readgoals import thin_air
    found = thin_air(list(h), get_model("kv"))
    assert found is not None and "twice" in thin_air_verdict(found[0], found[1], "k", get_model("kv")).explanation


def test_a_read_overwritten_before_it_began_is_stale_without_search():
    h = History.of([Op(0, "write", 1, None, 0, 1, "ok"), Op(0, "write", 2, None, 2, 3, "ok"),
                    Op(1, "read", None, None, 4, 5, "ok", result=1)])
    v = check_linearizable(h, "register")
    assert v.status == "violated" and v.details["without_search"]
    stale = stale_read(list(h), get_model("register"))
    assert stale is not None and stale.overwrite.index == 1 and stale.base is not None and stale.base.index == 0


def test_porcupine_style_histories_are_decided():
    assert check_linearizable(kv_clients_history(1), "kv").status == "holds"
    bad = check_linearizable(kv_clients_history(1, stale_reads=1), "kv")
    assert bad.status == "violated" and bad.window


def test_the_pass_explains_when_the_search_would_cost_too_much(monkeypatch):
    import distlab.consistency.explain as explain
    monkeypatch.setattr(explain, "FALLBACK_STEPS", 1)
    h = History.of([Op(0, "write", 1, None, 0, 1, "ok"), Op(0, "write", 2, None, 2, 3, "ok"),
                    Op(1, "read", None, None, 4, 5, "ok", result=1)])
    v = check_linearizable(h, "register")
    assert v.status == "violated" and "found without search" in v.explanation
    assert [o.index for o in v.window or []] == [0, 1, 2]
