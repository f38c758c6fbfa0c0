"""Each rung on small histories that separate it from its neighbours on the ladder."""
import pytest

from distlab.consistency import check, classify
from distlab.sim.history import History, Op


def W(p, v, t0, t1, key=None):
    return Op(p, "write", v, key, invoke=t0, complete=t1, status="ok")


def R(p, v, t0, t1, key=None):
    return Op(p, "read", None, key, invoke=t0, complete=t1, status="ok", result=v)


def status(h, rung):
    return check(h, rung, "register").status


def test_sequential_but_not_linearizable():
    h = History.of([W(0, 1, 0, 1), R(1, None, 2, 3)])        # the read "happened before" the write
    assert status(h, "linearizable") == "violated" and status(h, "sequential") == "holds"


def test_causal_but_not_sequential():
    # two writers, two readers who disagree on the order of the concurrent writes
    h = History.of([W(0, 1, 0, 1), W(1, 2, 0, 1),
                    R(2, 1, 2, 3), R(2, 2, 4, 5), R(3, 2, 2, 3), R(3, 1, 4, 5)])
    assert status(h, "sequential") == "violated"
    assert status(h, "causal") == "holds"


def test_pram_but_not_causal():
    # p1 reads 1 then writes 2; p2 sees 2 and then the older 1 (the cause after its effect)
    h = History.of([W(0, 1, 0, 1), R(1, 1, 2, 3), W(1, 2, 4, 5), R(2, 2, 6, 7), R(2, 1, 8, 9)])
    assert status(h, "causal") == "violated"
    # PRAM and writes-follow-reads each have a view; causality needs one view for both at once
    assert status(h, "pram") == "holds" and status(h, "writes-follow-reads") == "holds"


def test_writes_follow_reads_violation_answer_before_question():
    h = History.of([W(0, "Q", 0, 1, "q"), R(1, "Q", 2, 3, "q"), W(1, "A", 4, 5, "a"),
                    R(2, "A", 6, 7, "a"), R(2, None, 8, 9, "q")])
    assert status(h, "writes-follow-reads") == "violated"
    assert status(h, "pram") == "holds" and status(h, "causal") == "violated"


def test_monotonic_reads_violation_refresh_travels_back_in_time():
    h = History.of([W(0, 1, 0, 1), W(1, 2, 0, 1), R(2, 1, 2, 3), R(2, 2, 4, 5), R(2, 1, 6, 7)])
    assert status(h, "monotonic-reads") == "violated"
    assert status(h, "read-your-writes") == "holds" and status(h, "monotonic-writes") == "holds"
    v = check(h, "monotonic-reads", "register")
    assert "process 2" in v.explanation and "#4" in v.explanation


def test_read_your_writes_violation():
    h = History.of([W(0, 1, 0, 1), R(0, None, 2, 3)])
    assert status(h, "read-your-writes") == "violated"
    assert status(h, "monotonic-reads") == "holds" and status(h, "monotonic-writes") == "holds"


def test_monotonic_writes_violation():
    h = History.of([W(0, 1, 0, 1), W(0, 2, 2, 3), R(1, 2, 4, 5), R(1, 1, 6, 7)])
    assert status(h, "monotonic-writes") == "violated"
    assert status(h, "monotonic-reads") == "holds" and status(h, "read-your-writes") == "holds"


def test_consistent_prefix_violation_and_hold():
    # question (key q) strictly before answer (key a) in real time; reader sees answer, not question
    h = History.of([W(0, "Q", 0, 1, "q"), W(1, "A", 2, 3, "a"),
                    R(2, "A", 4, 5, "a"), R(2, None, 6, 7, "q")])
    assert status(h, "consistent-prefix") == "violated"
    ok = History.of([W(0, "Q", 0, 1, "q"), W(1, "A", 2, 3, "a"), R(2, None, 4, 5, "a"), R(2, "Q", 6, 7, "q")])
    assert status(ok, "consistent-prefix") == "holds"


def test_value_reuse_makes_weak_rungs_unknown_but_not_linearizability():
    h = History.of([W(0, 1, 0, 1), W(1, 1, 2, 3), R(2, 1, 4, 5)])
    for rung in ("causal", "pram", "monotonic-reads", "consistent-prefix"):
        v = check(h, rung, "register")
        assert v.status == "unknown" and "unique" in v.explanation
    assert status(h, "linearizable") == "holds" and status(h, "sequential") == "holds"


def test_thin_air_read_violates_every_rung():
    h = History.of([W(0, 1, 0, 1), R(1, 7, 2, 3)])
    c = classify(h, "register")
    assert all(v == "violated" for v in c.rungs.values()) and c.strongest == []


def test_append_histories_weak_rungs_unknown_with_reason():
    h = History.of([Op(0, "append", "x", "k", 0, 1, "ok"), Op(1, "get", None, "k", 2, 3, "ok", result="x")])
    v = check(h, "causal")
    assert v.status == "unknown" and "append" in v.explanation


def test_unknown_rung_name_is_rejected():
    with pytest.raises(ValueError, match="rung must be one of"):
        check(History.of([]), "eventual")


def test_sequential_and_prefix_violations_name_the_first_breaking_operation():
    h = History.of([W(0, 1, 0, 1), W(1, 2, 0, 1), R(2, 1, 2, 3), R(2, 2, 4, 5), R(3, 2, 2, 3),
                    R(3, 1, 4, 5), W(4, 9, 10, 11)])
    v = check(h, "sequential", "register")
    assert v.status == "violated" and v.details["failed_op"] == 5 and "#5" in v.explanation
    assert 9 not in [o.value for o in v.window]            # the later, unrelated write is not blamed
    cp = History.of([W(0, "Q", 0, 1, "q"), W(1, "A", 2, 3, "a"), R(2, "A", 4, 5, "a"),
                     R(2, None, 6, 7, "q"), W(0, "Z", 8, 9, "z")])
    v = check(cp, "consistent-prefix", "register")
    assert v.details["failed_op"] == 3 and len(v.window) == 4
