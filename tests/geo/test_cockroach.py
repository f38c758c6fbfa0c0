"""CockroachDB's uncertainty restarts: with them, and the clocks within the maximum offset, every
history is linearizable (single-key: no stale reads) over many seeds, skews and placements, and every
write's HLC timestamp stays within the clocks' offsets of true time; without
them skewed clocks give stale reads chapter 1's checker rejects; beyond the maximum offset the
guarantee goes. Bad input names the parameter."""
import doctest

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import cockroach as cockroach_module
from distlab.geo.clocks import micros
from distlab.geo.cockroach import run_cockroach
from distlab.geo.spanner import REGIONAL

GEO = ("virginia", "oregon", "ireland")


def test_doctests():
    assert doctest.testmod(cockroach_module).failed == 0


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_skipping_the_uncertainty_restart_gives_a_stale_read(seed):
    run = run_cockroach(skew=0.004, max_offset=0.01, uncertainty=False, seed=seed)
    assert run.offset_within_bound and run.restarts == 0
    assert run.stale_reads > 0
    assert run.check().status == "violated"


@st.composite
def within_bound(draw):
    """Restarts on, the clocks' spread (at most 2 x skew) within the maximum offset."""
    geo = draw(st.booleans())
    skew = draw(st.sampled_from([0.0, 0.001, 0.004, 0.02] + ([0.1] if geo else [])))
    return {"skew": skew, "max_offset": 2 * skew * draw(st.sampled_from([1.0, 1.5, 5.0])),
            "replicas": GEO if geo else REGIONAL, "clients": (GEO if geo else REGIONAL)[:draw(st.integers(2, 3))],
            "keys": draw(st.integers(1, 2)), "ops_per_client": 15, "seed": draw(st.integers(0, 10**6))}


@settings(max_examples=150)
@given(within_bound())
def test_with_uncertainty_restarts_every_history_is_linearizable(kwargs):
    run = run_cockroach(uncertainty=True, **kwargs)
    assert run.offset_within_bound
    assert run.stale_reads == 0, [run.records[i] for i in run.stale()]
    assert run.check().status == "holds"
    low, high = min(run.offsets.values()), max(run.offsets.values())
    for r in run.records:       # an HLC timestamp stays within the clocks' offsets of true time
        if r.f == "put":
            assert micros(r.start + low) - 1 <= r.version[0] <= micros(r.end + high) + 1, r


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_clocks_beyond_the_maximum_offset_break_the_guarantee(seed):
    run = run_cockroach(skew=0.01, max_offset=0.002, uncertainty=True, seed=seed)
    assert not run.offset_within_bound
    assert run.stale_reads > 0 and run.check().status == "violated"


def test_restarts_cost_reads_a_round_trip_and_grow_with_the_maximum_offset():
    tight = run_cockroach(skew=0.004, max_offset=0.008, seed=2, ops_per_client=40)
    loose = run_cockroach(skew=0.004, max_offset=0.5, seed=2, ops_per_client=40)
    assert 0 < tight.restarts <= loose.restarts
    restarted = [r for r in loose.records if r.restarts]
    plain = [r for r in loose.records if r.f == "get" and not r.restarts]
    assert min(r.latency for r in restarted) > min(r.latency for r in plain)
    summary = loose.summary()
    assert summary["reads_restarted"] == len(restarted) and summary["stale_reads"] == 0


def test_same_seed_same_run():
    assert run_cockroach(skew=0.01, seed=3).records == run_cockroach(skew=0.01, seed=3).records


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_offset": -0.1}, "max_offset must be a number of seconds in"),
    ({"skew": -0.001}, "skew must be a number of seconds in"),
    ({"uncertainty": 1}, "uncertainty must be True or False"),
    ({"replicas": ("mars",)}, r"replicas\[0\] must be one of virginia"),
    ({"ops_per_client": -1}, "ops_per_client must be an integer from 0"),
    ({"seed": 1.5}, "seed must be an integer"),
])
def test_bad_input_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_cockroach(**kwargs)
