"""The latency model: percentile curves drawn through the kernel's latency interface, how the gaps
are filled, determinism, and bad input."""
import doctest
import math
import random
import statistics

import pytest

from distlab.geo import latency as latency_module
from distlab.geo.latency import LatencyModel, PercentileCurve, default_model, fill_curve, pooled
from distlab.geo.latency_data import CROSS_ZONE, PERCENTILES, SAME_ZONE, PairRtt, load_rtt
from distlab.geo.world import REGIONS, fibre_rtt_ms, region
from distlab.sim import Latency, Process, Simulation


def test_doctests():
    assert doctest.testmod(latency_module).failed == 0


def test_a_curve_is_a_kernel_latency_and_its_draws_follow_the_knots():
    curve = PercentileCurve((0.0, 0.5, 0.9, 1.0), (1.0, 2.0, 4.0, 10.0))
    assert isinstance(curve, Latency)
    rng = random.Random(3)
    draws = sorted(curve.sample(rng) for _ in range(40_000))
    assert draws[0] >= 1.0 and draws[-1] <= 10.0
    assert statistics.median(draws) == pytest.approx(2.0, abs=0.03)
    assert draws[int(0.9 * len(draws))] == pytest.approx(4.0, abs=0.1)
    assert statistics.fmean(draws) == pytest.approx(curve.mean, rel=0.01)
    assert curve.mean == pytest.approx(0.5 * 1.5 + 0.4 * 3.0 + 0.1 * 7.0)
    assert curve.quantile(0.25) == 1.5 and curve.quantile(1.0) == 10.0 and curve.median == 2.0


@pytest.mark.parametrize(("quantiles", "values", "message"), [
    ((0.0, 1.0), (1.0,), "equal length"),
    ((0.1, 1.0), (1.0, 2.0), "rise strictly from 0 to 1"),
    ((0.0, 0.5, 0.5, 1.0), (1.0, 2.0, 3.0, 4.0), "rise strictly"),
    ((0.0, 1.0), (2.0, 1.0), "non-decreasing"),
    ((0.0, 1.0), (-1.0, 1.0), ">= 0"),
    ((0.0, 1.0), (1.0, math.inf), "finite"),
])
def test_a_malformed_curve_is_refused(quantiles, values, message):
    with pytest.raises(ValueError, match=message):
        PercentileCurve(quantiles, values)
    with pytest.raises(ValueError, match="p must be between 0 and 1"):
        PercentileCurve((0.0, 1.0), (1.0, 2.0)).quantile(1.5)


def test_each_directed_pair_keeps_its_measured_percentiles_and_the_one_way_delay_is_half():
    model, table = default_model(), load_rtt()
    for a in REGIONS:
        for b in REGIONS:
            if a == b:
                continue
            measured = table.pair(region(a).node, region(b).node)
            curve = model.rtt(a, b)
            assert [curve.quantile(p) for p in PERCENTILES] == pytest.approx(measured.values)
            assert curve.quantile(1.0) == measured.values[-1]       # flat above p99.999
            one_way = model.one_way(a, b)
            assert one_way.median == pytest.approx(measured.median / 2 / 1000)
    assert model.median_rtt_ms("virginia", "oregon") == 80.9
    assert model.median_rtt_ms("singapore", "ireland") != model.median_rtt_ms("ireland", "singapore")


def test_below_the_median_the_floor_keeps_the_measured_mean_and_stays_above_the_physical_minimum():
    model, table = default_model(), load_rtt()
    clamped = []
    for a in REGIONS:
        for b in REGIONS:
            if a == b:
                continue
            curve, fill = model.rtt(a, b), model.fills[(a, b, False)]
            measured = table.pair(region(a).node, region(b).node)
            assert fibre_rtt_ms(a, b) <= fill.floor <= measured.median
            assert fill.floor >= measured.median / 2
            assert curve.quantile(0.0) == fill.floor
            if fill.clamped:
                clamped.append((a, b))
            else:
                assert curve.mean == pytest.approx(measured.mean, rel=1e-9)
    assert clamped == [("singapore", "sydney"), ("sydney", "singapore")]


def test_fill_curve_clamps_to_the_physical_minimum_and_to_the_median():
    spread = PairRtt(0, 1, (100.0, 101.0, 105.0, 110.0, 120.0, 130.0, 140.0), 60.0)  # mean far below
    curve, fill = fill_curve(spread, minimum=70.0)
    assert fill.clamped and fill.floor == 70.0 and curve.quantile(0.0) == 70.0
    heavy = PairRtt(0, 1, (100.0, 101.0, 105.0, 110.0, 120.0, 130.0, 140.0), 150.0)  # mean far above
    curve, fill = fill_curve(heavy, minimum=10.0)
    assert fill.clamped and fill.floor == 100.0


def test_within_a_region_replicas_use_the_zone_rows_and_a_client_the_host_rows():
    model, table = default_model(), load_rtt()
    cross, same = pooled(table, CROSS_ZONE), pooled(table, SAME_ZONE)
    for r in REGIONS:
        assert model.median_rtt_ms(r, r) == pytest.approx(cross.median)
        assert model.median_rtt_ms(r, r, same_zone=True) == pytest.approx(same.median)
    assert 1.0 < cross.median < 2.0 and 0.35 < same.median < 0.45
    assert model.rtt("tokyo", "oregon", same_zone=True) is model.rtt("tokyo", "oregon")  # only within a region


def test_the_model_is_a_link_latency_function_for_other_experiments():
    model = default_model()
    assert model("ireland", "tokyo") is model.one_way("ireland", "tokyo")


@pytest.mark.parametrize(("src", "dst", "name"), [("mars", "tokyo", "src"), ("tokyo", "Tokyo", "dst"),
                                                  (3, "tokyo", "src")])
def test_an_unknown_region_names_the_parameter_and_the_valid_ones(src, dst, name):
    with pytest.raises(ValueError, match=f"{name} must be one of virginia, oregon, california, ireland"):
        default_model().one_way(src, dst)


class Pinger(Process):
    """Sends one ping to every other process at start; records when each arrives."""

    def __init__(self, pid, log):
        super().__init__(pid)
        self.log = log

    def on_start(self):
        for p in self.peers:
            self.send(p, "ping")

    def on_message(self, src, msg):
        self.log.append((round(self.now, 12), src, self.pid))


def arrivals(seed: int) -> list:
    sim, log = Simulation(seed, trace=False), []
    model = LatencyModel()
    for r in ("virginia", "tokyo", "sydney"):
        sim.add(Pinger(r, log))
    for a in ("virginia", "tokyo", "sydney"):
        for b in ("virginia", "tokyo", "sydney"):
            if a != b:
                sim.network.set_link(a, b, latency=model.one_way(a, b))
    sim.run(until=2.0)
    return log


def test_delays_on_the_kernel_depend_only_on_the_seed():
    assert arrivals(5) == arrivals(5)
    assert arrivals(5) != arrivals(6)
    times = {(src, dst): t for t, src, dst in arrivals(5)}
    assert 0.09 < times[("virginia", "tokyo")] < 0.2       # half of a ~203 ms round trip
