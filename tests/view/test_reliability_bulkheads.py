"""The bulkhead panel: what its text says each size does, and why its upper half redraws without a run.

A bulkhead holds a slot only while its caller's worker waits on the call, so one at least as large as
every caller's pool never fills: that run is exactly the run without bulkheads, and the panel serves
it from one cached simulation instead of one per slider value (the redraw budget, `bench_view_reliability`).
"""
from __future__ import annotations

import math

import pytest

from distlab.view import reliability as rv, reliability_patterns as rp
from distlab.view.reliability_axes import forget_all


def _series(r):
    """Every per-bin series of a run, comparable with == (a bin with no success has NaN percentiles)."""
    def p(xs):
        return [None if math.isnan(x) else x for x in xs]
    return (r.arrivals, r.successes, p(r.latency_p50), p(r.latency_p99), r.calls, r.queue, r.by_kind,
            {k: tuple(v) for k, v in r.kind_bins.items()})


@pytest.mark.parametrize("gateway", [10, 40])
def test_a_bulkhead_no_caller_can_fill_is_exactly_no_bulkhead(gateway):
    largest = rp._largest_caller_pool(gateway)
    assert largest == max(gateway, 20)  # the gateway's pool, or checkout's and catalog's 20
    none = rp._bulkhead_sim.__wrapped__({"bulkhead_size": 0, "gateway_pool": gateway, "seed": 1})
    for size in (largest, largest + 17):
        same = rp._bulkhead_sim.__wrapped__({"bulkhead_size": size, "gateway_pool": gateway, "seed": 1})
        assert same.config.bulkheads and _series(same) == _series(none)
    if gateway == 40:  # one less than the gateway's pool, and it binds (a smaller pool upstream may hide that)
        smaller = rp._bulkhead_sim.__wrapped__({"bulkhead_size": 39, "gateway_pool": gateway, "seed": 1})
        assert _series(smaller) != _series(none)


def test_the_upper_half_of_the_slider_runs_one_simulation(monkeypatch):
    """Seen failing before the change: sizes 40 to 80 ran 41 simulations of 12 s each."""
    runs = []
    real = rp.simulate_cascade
    monkeypatch.setattr(rp, "simulate_cascade", lambda cfg: runs.append(cfg) or real(cfg))
    forget_all()
    p = rv.bulkhead_panel(bulkhead_size=0, gateway_pool=40)
    for size in (40, 55, 80, 41):
        p.controls["bulkhead_size"].value = size
        assert "no bulkhead at all" in p.figure.axes[0].get_title()
    assert len(runs) == 1  # the size-0 run, drawn first, serves every size >= 40


def test_each_size_does_what_the_notebook_says():
    """Notebook 05 section 6: size 1 costs every kind requests (analytics too), size 2 gives analytics
    back but still starves checkout and browse, from 5 up browse and analytics keep >= 97 %, and from
    the gateway's 40 it is no bulkhead at all.  (The text used to say size 2 starved every kind; the
    panel showed analytics at 97 %.)"""
    def shares(size):
        r = rp._bulkhead_run({"bulkhead_size": size, "gateway_pool": 40, "seed": 0})
        return {k: ok / n for k, (n, ok) in r.by_kind.items()}

    one, two, none = shares(1), shares(2), shares(0)
    assert max(one.values()) < 0.9
    assert two["analytics"] >= 0.95 and two["checkout"] < 0.5 and two["browse"] < 0.8
    for size in (5, 10, 20, 39):
        s = shares(size)
        assert s["browse"] >= 0.97 and s["analytics"] >= 0.97 and s["checkout"] < 0.9
    assert shares(40) == none and none["browse"] < 0.8


def test_the_bars_say_what_they_count_and_nothing_about_priority():
    p = rv.bulkhead_panel(bulkhead_size=5)
    ax = p.figure.axes[0]
    assert "priority" not in ax.get_xlabel() and "whole run" in ax.get_xlabel()
    assert "from 2 to 7 s of 9 s" in ax.get_title()
