"""Sloppy quorums, hinted handoff, read repair and anti-entropy: what each buys and what each costs."""
from dataclasses import replace

import pytest

from distlab.geo.quorum import HashRing, Outage, QuorumConfig, run_quorum

# one key on five nodes: its owners a, b, c and the substitutes d, e that come next on the ring
ONE_KEY = QuorumConfig(n=3, w=2, r=2, nodes=5, keys=1, clients=1, ops_per_client=60, read_fraction=0.8,
                       timeout=0.5, retry_after=0.1, handoff_interval=1.5)
SEEDS = range(12)


def handoff_scenario(seed):
    """Owners a and b are down for the first second; then they return and c goes down for a second.
    Hints are offered back every 1.5 s, so between t = 1 and 1.5 the substitutes still hold them."""
    a, b, c, _, _ = HashRing(ONE_KEY.node_names, vnodes=ONE_KEY.vnodes, seed=seed).walk("k0")
    return replace(ONE_KEY, seed=seed, outages=(Outage(a, 0, 1.0), Outage(b, 0, 1.0), Outage(c, 1.0, 2.0)))


def test_sloppy_quorums_break_the_guarantee_under_failures():
    """R + W > N, yet a read after the owners came back misses writes that went to substitutes as hints:
    the read quorum {a, b} and the write quorum {c, substitute} never met."""
    stale_runs = 0
    for seed in SEEDS:
        cfg = handoff_scenario(seed)
        strict, sloppy = run_quorum(cfg), run_quorum(cfg, sloppy=True)
        assert strict.stale_reads == 0                          # strict: unavailable instead of wrong
        assert sloppy.availability("put") >= strict.availability("put")
        for i in sloppy.stale:                                  # every stale read is in the hand-off gap
            assert 1.0 <= sloppy.ops[i].start < 1.5 + cfg.timeout
        if sloppy.stale_reads:
            stale_runs += 1
            assert sloppy.check("linearizable").status == "violated"     # and chapter 1's checker agrees
    assert stale_runs >= len(SEEDS) // 2


def test_sloppy_writes_are_available_while_owners_are_down_strict_ones_are_not():
    kw = {"n": 3, "w": 3, "r": 1, "nodes": 5, "failed": ("n2",), "ops_per_client": 20, "timeout": 0.3,
          "retry_after": 0.05, "seed": 2}
    strict, sloppy = run_quorum(**kw), run_quorum(**kw, sloppy=True)
    assert strict.availability("put") < 1.0
    assert sloppy.availability("put") == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_hinted_handoff_returns_every_hint_to_its_owner(seed):
    """Two nodes down for the whole workload: their writes go to substitutes as hints, which are handed
    back once the owners recover -- the replicas converge and no hint is left behind."""
    res = run_quorum(n=3, w=2, r=2, nodes=5, sloppy=True, failed=("n1", "n3"), seed=seed)
    assert res.converged and not any(res.hints.values())
    strict = run_quorum(n=3, w=2, r=2, nodes=5, failed=("n1", "n3"), seed=seed)
    assert not strict.converged                      # strict, no repair: the owners that were down stay behind


@pytest.mark.parametrize("seed", range(6))
def test_anti_entropy_converges_replicas_after_failures_heal(seed):
    kw = {"n": 3, "w": 2, "r": 2, "nodes": 5, "failed": ("n1", "n3"), "seed": seed}
    assert run_quorum(**kw, anti_entropy=True).converged
    assert not run_quorum(**kw).converged


# a replica down early in a read-heavy workload over six keys: few keys are written again after it returns
READ_HEAVY = {"n": 3, "w": 2, "r": 2, "nodes": 4, "keys": 6, "ops_per_client": 60, "read_fraction": 0.85,
              "outages": (Outage("n1", 0.0, 0.4),)}


def test_read_repair_converges_replicas_that_reads_touch():
    repaired = [run_quorum(**READ_HEAVY, read_repair=True, seed=s) for s in range(10)]
    plain = [run_quorum(**READ_HEAVY, seed=s) for s in range(10)]
    assert all(r.converged for r in repaired)
    assert sum(not r.converged for r in plain) >= 3
    assert all(r.stale_reads == 0 for r in repaired + plain)      # r + w > n either way
    assert all(r.messages > p.messages for r, p in zip(repaired, plain))  # repair costs messages


def test_summary_has_what_a_panel_plots():
    s = run_quorum(n=3, w=1, r=1, seed=0).summary()
    assert set(s) >= {"read_availability", "write_availability", "stale_reads", "stale_read_rate",
                      "read_latency_ms", "write_latency_ms", "converged", "hinted_writes"}
    assert s["read_latency_ms"][50] < s["read_latency_ms"][99]
