"""Spanner's commit wait: with it (and TrueTime's promise kept) every history is linearizable --
chapter 1's checker and the ground truth agree, over many seeds, skews, epsilons and placements --
without it skewed clocks give stale reads the checker rejects, and with a broken promise (skew above
epsilon) commit wait no longer helps. A commit waits 2 epsilon, hidden behind a WAN majority."""
import doctest
import statistics

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import spanner as spanner_module
from distlab.geo.spanner import REGIONAL, run_spanner
from distlab.sim import Constant, ms

GEO = ("virginia", "oregon", "ireland")


def test_doctests():
    assert doctest.testmod(spanner_module).failed == 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_without_commit_wait_skewed_clocks_give_a_history_the_checker_rejects(seed):
    run = run_spanner(epsilon=0.004, skew=0.004, commit_wait=False, seed=seed)
    assert run.truetime_holds                      # the clocks are fine; skipping the wait is the fault
    assert run.stale_reads > 0
    verdict = run.check()
    assert verdict.status == "violated", verdict


@st.composite
def kept_promises(draw):
    """Commit wait on, every clock within epsilon: any epsilon up to 10 ms, skew up to it, one region
    or three, 1-2 keys, 2-4 clients."""
    epsilon = draw(st.sampled_from([0.0, 0.0005, 0.002, 0.004, 0.007, 0.01]))
    geo = draw(st.booleans())
    return {"epsilon": epsilon, "skew": epsilon * draw(st.sampled_from([0.0, 0.3, 0.8, 1.0])),
            "replicas": GEO if geo else REGIONAL, "clients": (GEO if geo else REGIONAL)[:draw(st.integers(2, 3))]
            + ("virginia",) * draw(st.integers(0, 1)), "keys": draw(st.integers(1, 2)),
            "ops_per_client": 15, "seed": draw(st.integers(0, 10**6))}


@settings(max_examples=150)
@given(kept_promises())
def test_with_commit_wait_every_history_is_linearizable(kwargs):
    run = run_spanner(commit_wait=True, **kwargs)
    assert run.truetime_holds
    assert run.stale_reads == 0, [run.records[i] for i in run.stale()]
    assert run.check().status == "holds"


@pytest.mark.parametrize("seed", [2, 4, 5])
def test_a_broken_promise_breaks_external_consistency_even_with_commit_wait(seed):
    run = run_spanner(epsilon=0.001, skew=0.004, commit_wait=True, seed=seed)
    assert not run.truetime_holds
    assert run.stale_reads > 0 and run.check().status == "violated"


@settings(max_examples=30)
@given(st.integers(0, 10**6), st.sampled_from([0.0, 0.003, 0.01]))
def test_the_checker_agrees_with_the_ground_truth(seed, skew):
    run = run_spanner(epsilon=0.003, skew=skew, commit_wait=False, seed=seed, ops_per_client=12)
    if run.stale_reads:
        assert run.check().status == "violated"
    if skew == 0.0:                                # exact clocks need no commit wait
        assert run.stale_reads == 0 and run.check().status == "holds"


@pytest.mark.parametrize("epsilon", [0.001, 0.004, 0.007])
def test_a_commit_waits_two_epsilon(epsilon):
    run = run_spanner(epsilon=epsilon, skew=epsilon / 2, seed=1)
    for wait in run.commit_waits_ms():
        assert 2000 * epsilon <= wait <= 2000 * epsilon + 0.01
    assert run.percentiles_ms("put")[50] >= 2000 * epsilon        # one region: the wait dominates


def test_across_regions_the_majority_round_trip_hides_commit_wait():
    waits = run_spanner(epsilon=0.007, replicas=GEO, clients=GEO, seed=3)
    none = run_spanner(epsilon=0.007, commit_wait=False, replicas=GEO, clients=GEO, seed=3)
    with_wait, without = waits.percentiles_ms("put")[50], none.percentiles_ms("put")[50]
    assert with_wait > 80 and abs(with_wait - without) / without < 0.1
    assert waits.summary()["mean_commit_wait_ms"] == pytest.approx(14.0, abs=0.01)


def test_link_latency_hook_and_determinism():
    run = run_spanner(epsilon=0.002, link_latency=lambda a, b: Constant(ms(1)), seed=4)
    # 1 ms to the leader, max(2 ms Paxos round trip, 4 ms commit wait), 1 ms back
    assert statistics.median(run.latencies_ms("put")) == pytest.approx(6.0, abs=0.01)
    assert run_spanner(skew=0.003, seed=7).records == run_spanner(skew=0.003, seed=7).records
    assert run.summary()["operations"] == 60 and run.availability() == 1.0
    stale = run_spanner(epsilon=0.004, skew=0.004, commit_wait=False, seed=2)
    assert sum(row.stale for row in stale.rows()) == stale.stale_reads > 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"epsilon": -0.001}, "epsilon must be a number of seconds in"),
    ({"skew": -0.001}, "skew must be a number of seconds in"),
    ({"commit_wait": "yes"}, "commit_wait must be True or False"),
    ({"replicas": ("virginia", "atlantis")}, r"replicas\[1\] must be one of virginia"),
    ({"clients": ()}, "clients must name at least one region"),
    ({"keys": 0}, "keys must be an integer from 1"),
    ({"read_fraction": 2}, "read_fraction must be a number in"),
    ({"link_latency": lambda a, b: 0.01}, "link_latency must return"),
])
def test_bad_input_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_spanner(**kwargs)
