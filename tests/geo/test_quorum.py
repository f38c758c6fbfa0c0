"""Dynamo-style quorums: the intersection guarantee over many seeded schedules with random crashes,
stale reads when quorums need not meet, chapter 1's checker agreeing, and bad input refused."""
import doctest

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import quorum as quorum_module, quorum_overlap
from distlab.geo.quorum import Outage, QuorumConfig, overlap, run_grid, run_quorum
from distlab.sim import Constant, ms


def test_doctests():
    assert doctest.testmod(quorum_module).failed == 0
    assert doctest.testmod(quorum_overlap).failed == 0


@st.composite
def strict_schedules(draw):
    """A strict quorum with r + w > n, a cluster of n..6 nodes, 0-3 random outages, random mechanisms."""
    n = draw(st.integers(1, 5))
    w = draw(st.integers(1, n))
    r = draw(st.integers(n - w + 1, n))
    nodes = draw(st.integers(n, 6))
    outages = tuple(Outage(f"n{draw(st.integers(0, nodes - 1))}", start, start + length)
                    for start, length in draw(st.lists(st.tuples(st.floats(0, 0.6), st.floats(0.02, 0.6)),
                                                       max_size=3)))
    return QuorumConfig(n=n, w=w, r=r, nodes=nodes, outages=outages, clients=draw(st.integers(1, 4)),
                        keys=draw(st.integers(1, 3)), ops_per_client=25, timeout=0.3,
                        read_repair=draw(st.booleans()), anti_entropy=draw(st.booleans()),
                        seed=draw(st.integers(0, 10**6)))


@settings(max_examples=300)
@given(strict_schedules())
def test_strict_quorums_never_miss_a_completed_write(cfg):
    """R + W > N: every read quorum meets every write quorum, so no read misses a write acknowledged
    before it began -- whatever crashed when, with or without repair."""
    res = run_quorum(cfg)
    assert res.stale_reads == 0, [res.ops[i] for i in res.stale]
    assert len(res.ops) == cfg.clients * cfg.ops_per_client
    assert res.history.processes() and len(res.history) == len(res.ops)


STALE_SEEDS = range(10)
#: one replica down for the first 0.3 s of a read-heavy workload over six keys
DOWN_EARLY = {"nodes": 3, "keys": 6, "read_fraction": 0.8, "outages": (Outage("n0", 0.0, 0.3),), "ops_per_client": 60}


@pytest.mark.parametrize("seed", STALE_SEEDS)
def test_partial_quorums_return_stale_reads(seed):
    """R + W <= N: a replica that was down misses writes and, with no repair, answers old values;
    with R = W = 1 a read that asks it alone is stale (deterministic for these seeds)."""
    res = run_quorum(n=3, w=1, r=1, **DOWN_EARLY, seed=seed)
    assert res.stale_reads > 0
    assert res.availability() == 1.0                 # partial quorums stay available: that is their point
    # chapter 1's checker agrees: a history with a stale read is not linearizable
    assert res.check("linearizable").status == "violated"


def test_the_same_schedule_with_overlapping_quorums_is_fresh():
    for seed in STALE_SEEDS:
        res = run_quorum(n=3, w=2, r=2, **DOWN_EARLY, seed=seed)
        assert res.stale_reads == 0


def test_stale_reads_are_counted_against_completed_writes_only():
    res = run_quorum(n=3, w=1, r=1, **DOWN_EARLY, seed=1)
    for i in res.stale:
        read = res.ops[i]
        newer = [o for o in res.ops if o.f == "put" and o.status == "ok" and o.key == read.key
                 and o.end < read.start and o.version > read.version]
        assert newer, read


def test_same_seed_same_result_and_the_checker_reads_the_history():
    a, b = run_quorum(n=3, w=2, r=2, seed=5), run_quorum(n=3, w=2, r=2, seed=5)
    assert a.ops == b.ops and a.summary() == b.summary()
    assert run_quorum(n=3, w=2, r=2, seed=6).ops != a.ops
    assert {o.f for o in a.history} == {"get", "put"}
    assert a.check("linearizable").status in ("holds", "violated")


def test_latency_follows_the_regions():
    """Replicas a continent away make every quorum pay a wide-area round trip; a local quorum does not."""
    far = run_quorum(n=3, w=2, r=2, nodes=3, regions=("virginia", "ireland", "tokyo"),
                     client_regions=("virginia",), clients=1,
                     link_latency=lambda a, b: Constant(ms(1)) if a == b else Constant(ms(40)))
    # w = 2 of {virginia, ireland, tokyo}: one local (2 ms RTT) and one remote (80 ms RTT) answer
    assert far.percentiles_ms("put")[50] == pytest.approx(80.0)
    near = run_quorum(n=3, w=1, r=1, nodes=3, regions=("virginia", "ireland", "tokyo"),
                      client_regions=("virginia",), clients=1,
                      link_latency=lambda a, b: Constant(ms(1)) if a == b else Constant(ms(40)))
    assert near.percentiles_ms("get")[50] == pytest.approx(2.0)


def test_a_region_outage_costs_availability_of_strict_quorums_not_sloppy_ones():
    kw = {"n": 3, "w": 2, "r": 2, "nodes": 6, "regions": ("a", "a", "b", "b", "c", "c"), "failed": ("a", "b"),
          "ops_per_client": 20, "timeout": 0.3, "retry_after": 0.05, "seed": 4}
    strict, sloppy = run_quorum(**kw), run_quorum(**kw, sloppy=True)
    assert strict.availability() < 0.5
    assert sloppy.availability() == 1.0
    assert sloppy.summary()["hinted_writes"] > 0       # writes that counted a substitute in their quorum


@pytest.mark.parametrize("kwargs, message", [
    ({"w": 4}, r"w must be an integer from 1 to 3"),
    ({"w": 0}, r"w must be an integer from 1 to 3"),
    ({"r": 4}, r"r must be an integer from 1 to 3"),
    ({"r": 0}, r"r must be an integer from 1 to 3"),
    ({"n": 0}, r"n must be an integer from 1 to 5"),
    ({"n": 6}, r"n must be an integer from 1 to 5"),
    ({"nodes": 0}, r"nodes must be an integer from 1 to 10000"),
    ({"failed": ("n9",)}, r"failed must name a node or a region, one of \['n0', 'n1', 'n2', 'n3', 'n4', 'local'\]"),
    ({"outages": (Outage("n1"), Outage("mars"))}, r"outages\[1\].target must name a node or a region"),
    ({"regions": ("a", "b")}, r"regions must name one region per node \(5\)"),
    ({"client_regions": ("x", "x", "x")}, r"client_regions must be among the nodes' regions \['local'\]"),
    ({"timeout": -1.0}, r"timeout must be a number of seconds in \(0.0, 3600.0\]"),
    ({"settle": -1.0}, r"settle must be a number of seconds in \[0.0, 3600.0\]"),
    ({"failure_window": (-1.0, None)}, r"start must be a number of seconds in \[0.0, 3600.0\]"),
    ({"read_fraction": 1.5}, r"read_fraction must be in \[0, 1\]"),
    ({"seed": -1}, r"seed must be an integer >= 0"),
    ({"local_latency": 0.001}, r"local_latency must be a distlab.sim.latency distribution"),
])
def test_bad_settings_name_the_parameter_and_its_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_quorum(**kwargs)


@pytest.mark.parametrize("args, message", [
    (("n1", -0.5, 1.0), r"start must be a number of seconds in \[0.0, 3600.0\]"),
    (("n1", 1.0, 0.5), r"end must be a number of seconds in \(1.0, 3600.0\]"),
])
def test_bad_outages(args, message):
    with pytest.raises(ValueError, match=message):
        Outage(*args)


def test_a_link_latency_function_must_return_a_latency():
    with pytest.raises(ValueError, match=r"link_latency must return a distlab\.sim\.latency distribution"):
        run_quorum(link_latency=lambda a, b: 0.01)


@pytest.mark.parametrize("n", range(1, 7))
def test_overlap_intersects_exactly_when_r_plus_w_exceeds_n(n):
    from math import comb
    for w in range(1, n + 1):
        for r in range(1, n + 1):
            o = overlap(n, w, r)
            assert len(o.write_quorums) == comb(n, w) and len(o.read_quorums) == comb(n, r)
            assert o.always_intersect == (r + w > n)
            assert o.miss_fraction == pytest.approx(comb(n - w, r) / comb(n, r))
            for i, j in o.disjoint:
                assert not set(o.write_quorums[i]) & set(o.read_quorums[j])


@pytest.mark.parametrize("args, message", [
    ((0, 1, 1), r"n must be an integer from 1 to 10"),
    ((11, 1, 1), r"n must be an integer from 1 to 10"),
    ((3, 4, 1), r"w must be an integer from 1 to 3"),
    ((3, 1, 0), r"r must be an integer from 1 to 3"),
])
def test_overlap_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        overlap(*args)
    with pytest.raises(ValueError, match="replicas must be 3 distinct names"):
        overlap(3, 1, 1, replicas=("a", "a", "b"))


def test_the_w_r_grid_under_a_region_outage():
    """One region of three down: the (w, r) table shows the trade -- quorums that need the lost replica
    fail, those with r + w > n that avoid it stay fresh, partial ones may be stale."""
    grid = run_grid(n=3, nodes=3, regions=("virginia", "ireland", "tokyo"), failed=("tokyo",), timeout=0.5,
                    ops_per_client=20, seed=1)
    assert sorted(grid) == [(w, r) for w in (1, 2, 3) for r in (1, 2, 3)]
    assert grid[(3, 1)].availability("put") == 0.0 and grid[(1, 3)].availability("get") == 0.0
    assert grid[(2, 2)].availability() == 1.0 and grid[(2, 2)].stale_reads == 0
    assert all(res.stale_reads == 0 for (w, r), res in grid.items() if r + w > 3)
    assert grid[(1, 1)].percentiles_ms("put")[50] < grid[(2, 2)].percentiles_ms("put")[50]
