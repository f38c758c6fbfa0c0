"""check_laws: ours pass, and a merge that breaks each law is caught and explained.

The OR-Set merge becomes a graded exercise; these mutants are the kind of mistakes it must catch.
"""
import pytest

from distlab.geo.crdt_dots import merge_stores
from distlab.geo.crdts import KINDS, LAWS, GCounter, ORSet, TwoPSet, check_laws, check_states, run_crdt


@pytest.mark.parametrize("name", list(KINDS))
def test_our_merges_pass(name):
    report = check_laws(lambda a, b: a.merge(b), name, examples=150)
    assert report.passed and report.law is None
    assert str(report) == f"{name}: all 5 laws hold ({', '.join(LAWS)}) on 150 random scripts"


def _sum_merge(a, b):  # adds the entries: counts an increment twice
    return GCounter({n: a.counts.get(n, 0) + b.counts.get(n, 0) for n in {*a.counts, *b.counts}})


def _average_merge(a, b):  # commutative and idempotent, but the order of merges shows
    nodes = sorted({*a.counts, *b.counts})
    return GCounter({n: v for n in nodes if (v := (a.counts.get(n, 0) + b.counts.get(n, 0) + 1) // 2)})


def _union_merge(a, b):  # forgets that a dot seen and gone was removed: removed items come back
    dots = {n: dict(d) for n, d in a.dots.items()}
    for n, d in b.dots.items():
        dots.setdefault(n, {}).update(d)
    return ORSet(dots, a.context.merge(b.context))


def _keep_mine(a, b):
    return a


def _forget_tombstones(a, b):
    return TwoPSet(a.added | b.added, a.removed)


@pytest.mark.parametrize("merge, kind, law", [
    (_sum_merge, "g-counter", "idempotent"),
    (_keep_mine, "or-set", "commutative"),
    (_union_merge, "or-set", "spec"),
    (_forget_tombstones, "2p-set", "commutative"),
    (lambda a, b: None, "or-set", "idempotent"),
    (lambda a, b: a.dots["Z"], "or-set", "raises"),
])
def test_a_broken_merge_is_caught_with_a_readable_counterexample(merge, kind, law):
    report = check_laws(merge, kind)
    assert not report.passed and report.law == law
    text = str(report)
    assert text.startswith(f"{kind}: {law} broken on script {report.example} of 200")
    assert f"script: {report.script}" in text and report.shown


def test_associativity_is_checked():
    a, b, c = GCounter({"A": 4}), GCounter(), GCounter()
    broken = check_states(_average_merge, a, b, c)
    assert broken.law == "associative" and broken.shown[3] == ("merge(merge(a, b), c)", GCounter({"A": 1}))
    assert check_states(GCounter.merge, a, b, c) is None
    assert not check_laws(_average_merge, "g-counter").passed


def test_counterexamples_are_small_and_the_report_is_the_same_every_run():
    first = check_laws(_union_merge, "or-set")
    assert len(first.script.steps) <= 8
    assert str(first) == str(check_laws(_union_merge, "or-set"))
    assert "removed" not in str(check_laws(_keep_mine, "or-set"))


def test_a_correct_learner_merge_written_from_the_rule_passes():
    def merge(a, b):
        return ORSet(merge_stores(a.dots, a.context, b.dots, b.context), a.context.merge(b.context))
    assert check_laws(merge, "or-set").passed


def test_a_stub_is_not_attempted():
    def stub(a, b):
        raise NotImplementedError
    with pytest.raises(NotImplementedError):
        check_laws(stub, "or-set")


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "or_set"}, r"kind must be one of \["),
    ({"examples": 0}, "examples must be an integer from 1 to 1000000, got 0"),
    ({"seed": -1}, "seed must be an integer from 0 to"),
    ({"replicas": 9}, "replicas must be an integer from 1 to 8, got 9"),
    ({"max_steps": True}, "max_steps must be an integer from 1 to 10000"),
])
def test_bad_settings_are_refused_by_name(kwargs, message):
    args = {"kind": "or-set", **kwargs}
    with pytest.raises(ValueError, match=message):
        check_laws(ORSet.merge, **args)


def test_run_crdt_is_what_a_type_dropdown_shows():
    run = run_crdt(kind="or-set", replicas=3, steps=12, seed=2)
    assert run == run_crdt(kind="or-set", replicas=3, steps=12, seed=2)
    assert run.value == run.spec == run.merged.value() and len(run.script.steps) == 12
    assert set(run.finals) == {"A", "B", "C"}
    for kind in KINDS:
        r = run_crdt(kind=kind, seed=1)
        assert r.value == r.spec
    with pytest.raises(ValueError, match="steps must be an integer from 0 to 10000, got -1"):
        run_crdt(steps=-1)
    with pytest.raises(ValueError, match=r"kind must be one of \["):
        run_crdt(kind="OR-Set")
