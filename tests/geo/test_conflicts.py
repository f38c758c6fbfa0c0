"""One schedule, three policies: LWW's losses against a reference computation of happens-before,
version vectors that never lose a write, the Dynamo cart, CRDTs that lose nothing."""
import doctest
import functools
import itertools

import pytest

import distlab.geo.conflicts
from distlab.geo.conflicts import POLICIES, WORKLOADS, PlannedWrite, dynamo_cart, run_conflicts, run_plan
from distlab.geo.conflicts_outcome import CONCURRENT, LATER
from distlab.geo.crdts import Update


def reference_happened_before(run):
    """Lamport's relation from the schedule alone: a replica knows its own writes, and everything
    the sender knew when it sent a state that was delivered before now (no vector clocks)."""
    @functools.cache
    def known(replica, t):
        mine = {w.seq for w in run.writes if w.replica == replica and w.time <= t}
        for m in run.messages:
            if m.dst == replica and m.delivered < t:
                mine |= known(m.src, m.sent)
        return frozenset(mine)

    return lambda a, b: a.seq != b.seq and a.seq in known(b.replica, b.time)


def reference_lww(run):
    """The write LWW must keep, and the writes it must lose, by reason."""
    hb = reference_happened_before(run)
    winner = max(run.writes, key=lambda w: (w.stamp, w.replica))
    lost = [w for w in run.writes if w is not winner and not hb(w, winner)]
    later = {w.seq for w in lost if hb(winner, w)}
    return winner.seq, {w.seq for w in lost} - later, later


GRID = list(itertools.product(range(12), (0.0, 0.05, 0.2, 0.5), (2, 3, 4)))


@pytest.mark.parametrize("seed, skew, replicas", GRID)
def test_lww_losses_match_the_reference(seed, skew, replicas):
    run = run_conflicts(replicas=replicas, writes=10, skew=skew, seed=seed)
    winner, concurrent, later = reference_lww(run)
    lww = run.outcome("lww")
    assert lww.kept == (winner,)
    assert set(lww.lost_writes(CONCURRENT)) == concurrent
    assert set(lww.lost_writes(LATER)) == later
    hb = reference_happened_before(run)
    assert all(run.happened_before(a.seq, b.seq) == hb(a, b) for a in run.writes for b in run.writes)


def test_without_skew_lww_never_drops_a_causally_later_write_and_with_skew_it_does():
    def later(skew):
        return sum(len(run_conflicts(writes=10, skew=skew, seed=s).outcome("lww").lost_writes(LATER))
                   for s in range(40))
    assert later(0.0) == 0
    assert later(0.3) >= 5


@pytest.mark.parametrize("workload", list(WORKLOADS))
@pytest.mark.parametrize("seed", range(15))
def test_version_vectors_never_lose_a_write_and_crdts_keep_the_intent(workload, seed):
    run = run_conflicts(workload=workload, replicas=3, writes=12, skew=0.3, seed=seed)
    hb = reference_happened_before(run)
    vv = run.outcome("version-vectors")
    assert vv.lost == ()
    assert set(vv.kept) | set(vv.superseded) == {w.seq for w in run.writes}
    maximal = {w.seq for w in run.writes if not any(hb(w, v) for v in run.writes)}
    assert set(vv.kept) == maximal                     # siblings: exactly the concurrent latest writes
    crdt = run.outcome("crdt")
    assert crdt.lost == () and crdt.value == crdt.intended and not crdt.missing and not crdt.extra
    assert all(run.outcome(p).converged for p in POLICIES)
    if workload == "counter":
        assert crdt.value == len(run.writes)


def test_the_dynamo_cart_brings_the_deleted_item_back():
    run = dynamo_cart()
    vv, crdt, lww = (run.outcome(p) for p in ("version-vectors", "crdt", "lww"))
    assert vv.siblings == (frozenset({"milk"}), frozenset({"milk", "eggs", "bread"}))
    assert vv.value == {"milk", "eggs", "bread"} and vv.extra == {"eggs"} and vv.lost == ()
    assert crdt.value == {"milk", "bread"} == crdt.intended
    assert lww.value == {"milk", "eggs", "bread"} and lww.lost_writes(CONCURRENT) == (2,)  # B's remove
    behind = dynamo_cart(offsets=(0.0, 0.1, 0.0)).outcome("lww")                       # B's clock ahead
    assert behind.value == {"milk"} and behind.missing == {"bread"}


def test_a_schedule_is_its_seed_and_skew_only_moves_the_timestamps():
    a, b = run_conflicts(workload="cart", writes=10, seed=7), run_conflicts(workload="cart", writes=10, seed=7)
    assert str(a) == str(b)
    skewed = run_conflicts(workload="cart", writes=10, seed=7, skew=0.4)
    assert skewed.messages == a.messages
    assert [(w.time, w.replica, w.update) for w in skewed.writes] == [(w.time, w.replica, w.update) for w in a.writes]
    assert [w.stamp for w in skewed.writes] != [w.stamp for w in a.writes]


def test_rows_give_each_policys_verdict():
    run = run_conflicts(skew=0.2, seed=4)
    rows = run.rows()
    assert [r.write.seq for r in rows] == list(range(8))
    assert [r.lww for r in rows][-3:] == ["lost (causally later)"] * 3
    assert {r.version_vectors for r in rows} == {"kept", "superseded"}
    assert "lww: reads {C5}; 3 writes lost (3 causally later)" in str(run)


def test_docstring_examples():
    result = doctest.testmod(distlab.geo.conflicts)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"skew": -0.1}, r"skew must be a number of seconds in \[0.0, 60.0\], got -0.1"),
    ({"replicas": 0}, "replicas must be an integer from 1 to 8, got 0"),
    ({"writes": -1}, "writes must be an integer from 0 to 1000"),
    ({"workload": "set"}, r"workload must be one of \['register', 'cart', 'counter'\], got 'set'"),
    ({"duration": 0}, r"duration must be a number of seconds in \(0.0, 3600.0\]"),
    ({"seed": -3}, "seed must be an integer"),
    ({"latency": (0.2, 0.1)}, r"latency high must be a number of seconds in \[0.2, 10.0\]"),
    ({"latency": 0.1}, r"latency must be a pair \(low, high\)"),
])
def test_bad_settings_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_conflicts(**kwargs)


def test_bad_policy_offsets_and_plans_are_refused():
    with pytest.raises(ValueError, match=r"policy must be one of \['lww', 'version-vectors', 'crdt'\], got 'LWW'"):
        run_conflicts().outcome("LWW")
    with pytest.raises(ValueError, match="offsets must be 3 numbers of seconds"):
        run_plan([], offsets=(0.0, 0.1))
    with pytest.raises(ValueError, match=r"plan's replicas must be among \['A', 'B'\], got 'C'"):
        run_plan([PlannedWrite(0.1, "C", Update("write", "x"))], replicas=2)
