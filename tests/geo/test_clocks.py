"""Logical clocks: Lamport respects happened-before, vector clocks characterise it exactly (against a
reference computed from the message log), and the hybrid logical clock keeps its invariants --
monotone, causal, never behind the physical clock and never more than the clocks' spread ahead --
under skewed and stepped-back clocks; bad input names the parameter."""
import doctest
import itertools

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import clocks as clocks_module, clocks_sim
from distlab.geo.clocks import HLC, LamportClock, physical_reading
from distlab.geo.clocks_sim import ClocksRun, run_clocks


def test_doctests():
    assert doctest.testmod(clocks_module).failed == 0
    assert doctest.testmod(clocks_sim).failed == 0


def reference_happened_before(run: ClocksRun) -> set[tuple[int, int]]:
    """Happened-before from first principles: each node's events in order, each send before its
    receipt, closed transitively (no clock involved)."""
    succ: dict[int, set[int]] = {e.id: set() for e in run.events}
    last: dict[str, int] = {}
    for e in run.events:
        if e.node in last:
            succ[last[e.node]].add(e.id)
        last[e.node] = e.id
        if e.sent_by is not None:
            succ[e.sent_by].add(e.id)
    pairs = set()
    for start in succ:
        stack, seen = list(succ[start]), set()
        while stack:
            x = stack.pop()
            if x not in seen:
                seen.add(x)
                stack.extend(succ[x])
        pairs |= {(start, x) for x in seen}
    return pairs


runs = st.builds(lambda nodes, events, skew, step, res, seed: run_clocks(
    nodes=nodes, events=events, skew=skew, step_back=step, resolution=res, seed=seed),
    st.integers(1, 5), st.integers(0, 40), st.floats(0.0, 0.5), st.sampled_from([0.0, 0.05, 0.3]),
    st.sampled_from([1, 1000, 10_000]), st.integers(0, 10**6))


@settings(max_examples=60)
@given(runs)
def test_lamport_and_vector_clocks_against_the_reference(run):
    """a -> b implies L(a) < L(b) (Lamport 1978); a -> b iff V(a) < V(b) (Fidge, Mattern 1988)."""
    hb = reference_happened_before(run)
    n = len(run.events)
    for a in range(n):
        for b in range(n):
            causal = (a, b) in hb
            assert run.happened_before(a, b) == causal, (run.events[a], run.events[b])
            if causal:
                assert run.events[a].lamport < run.events[b].lamport


@settings(max_examples=80)
@given(runs)
def test_hlc_invariants_hold_under_skew_and_a_stepped_back_clock(run):
    """Monotone at every node, a send below its receipt, and 0 <= wall - physical <= epsilon (the
    clocks' spread plus one tick): Kulkarni et al. 2014, Theorems 1-2."""
    assert run.hlc_violations() == []
    assert run.summary()["hlc_violations"] == 0


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(-10**6, 10**6), st.none() | st.tuples(st.integers(-10**6, 10**6),
                                                                         st.integers(0, 50))), max_size=40))
def test_hlc_rules_by_hand(steps):
    """Any sequence of local events and receipts, with any physical readings (even going backwards):
    each new timestamp is above the last and above a received one, and never below the reading."""
    ts = HLC(-(10**7))
    for physical, sent in steps:
        new = ts.tick(physical) if sent is None else ts.receive(physical, HLC(*sent))
        assert new > ts and new.wall >= physical
        if sent is not None:
            assert new > HLC(*sent)
        ts = new


def test_skew_puts_receipts_before_their_sends_and_lamport_orders_concurrent_events():
    exact = run_clocks(events=40, skew=0.0, seed=3)
    skewed = run_clocks(events=40, skew=0.2, seed=3)
    assert exact.physical_inversions() == []
    assert skewed.physical_inversions()                      # a message "arrives before it was sent"
    assert skewed.concurrent_pairs() > 0                     # Lamport orders them anyway
    for send, receipt in skewed.physical_inversions():
        assert send.hlc < receipt.hlc and send.lamport < receipt.lamport


def test_a_stepped_back_clock_runs_backwards_but_its_hlc_does_not():
    run = run_clocks(nodes=2, events=60, step_back=0.3, seed=5)
    a = [e for e in run.events if e.node == "A"]
    assert any(y.physical < x.physical for x, y in itertools.pairwise(a))
    assert all(x.hlc < y.hlc for x, y in itertools.pairwise(a))
    assert run.summary()["max_hlc_lead_us"] > 200_000        # the HLC waits for the clock to catch up
    assert run.hlc_violations() == []


def test_a_coarse_clock_makes_the_logical_counter_count():
    assert run_clocks(events=60, resolution=100_000, seed=1).summary()["max_logical"] > 0
    assert physical_reading(0.123456, 1000) == 123000
    assert LamportClock(4).receive(9) == LamportClock(10)


def test_same_seed_same_run():
    assert run_clocks(skew=0.1, seed=9) == run_clocks(skew=0.1, seed=9)
    assert str(run_clocks(events=3, seed=1)).count("\n") >= 2


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"skew": -0.1}, "skew"), ({"step_back": -1.0}, "step_back"), ({"nodes": 0}, "nodes"),
    ({"events": -1}, "events"), ({"resolution": 0}, "resolution"), ({"send_fraction": 1.5}, "send_fraction"),
    ({"latency": (0.2, 0.1)}, "latency high"), ({"seed": -1}, "seed"), ({"duration": 0}, "duration"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        run_clocks(**kwargs)
