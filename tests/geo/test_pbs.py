"""PBS reproduced: the WARS Monte Carlo against the paper's published probabilities, and against the
closed form when nothing propagates beyond the write quorum (every N <= 5, every R and W)."""
import doctest
import math

import numpy as np
import pytest

from distlab.geo import pbs
from distlab.geo.pbs import FITS, PUBLISHED, Mixture, WarsFit, p_stale_closed_form, simulate, sweep

TRIALS = 200_000


def test_doctests():
    assert doctest.testmod(pbs).failed == 0


@pytest.mark.parametrize("fit, t_ms", sorted(PUBLISHED))
def test_published_probabilities_within_one_and_a_half_points(fit, t_ms):
    """Bailis et al. 2012, N = 3, R = W = 1: LNKD-SSD 97.4 %, LNKD-DISK 43.9 % (92.5 % at 10 ms),
    YMMR 89.3 %, WAN 33 % of reads consistent t ms after commit."""
    res = simulate(fit, n=3, r=1, w=1, t_ms=(t_ms,), trials=TRIALS, seed=2012)
    assert abs(100 * res.p_consistent[0] - PUBLISHED[(fit, t_ms)]) <= 1.5


def test_published_latencies_and_replica_counts():
    """The same fits give the paper's other published figures: LNKD-SSD's median operation latency
    (.489 ms) and 99.9th percentile write (.657 ms), LNKD-DISK's median write (1.50 ms), and
    LNKD-DISK with 2 and 10 replicas at t = 0 (57.5 % and 21.1 %)."""
    ssd = simulate("LNKD-SSD", trials=TRIALS, seed=1)
    assert ssd.read_latency_ms[50.0] == pytest.approx(0.489, abs=0.01)
    assert ssd.write_latency_ms[99.9] == pytest.approx(0.657, abs=0.02)
    assert simulate("LNKD-DISK", trials=TRIALS, seed=1).write_latency_ms[50.0] == pytest.approx(1.50, abs=0.03)
    assert 100 * simulate("LNKD-DISK", n=2, trials=TRIALS, seed=1).p_consistent[0] == pytest.approx(57.5, abs=1.5)
    assert 100 * simulate("LNKD-DISK", n=10, trials=TRIALS, seed=1).p_consistent[0] == pytest.approx(21.1, abs=1.5)


# the closed form does not depend on the latencies (only on which replicas are fastest), so the check
# runs every (N, R, W) on one fit; 200,000 trials put 0.5 points at >= 4.5 standard errors
CLOSED_FORM_CASES = [(n, r, w) for n in range(1, 6) for r in range(1, n + 1) for w in range(1, n + 1)]


@pytest.mark.parametrize("n, r, w", CLOSED_FORM_CASES)
def test_without_propagation_the_monte_carlo_is_the_closed_form(n, r, w):
    res = simulate("LNKD-SSD", n=n, r=r, w=w, trials=TRIALS, seed=n * 100 + r * 10 + w, propagate=False)
    stale = 1.0 - res.p_consistent[0]
    assert abs(stale - p_stale_closed_form(n, r, w)) <= 0.005
    if r + w > n:
        assert stale == 0.0                                   # strict quorums: never, not just rarely


def test_propagation_is_the_lesson():
    """N = 3, R = W = 1: the closed form says 2/3 of reads are stale; with writes propagating (the
    WARS model) LNKD-DISK is stale 56 % of the time at commit and almost never 20 ms later."""
    assert p_stale_closed_form(3, 1, 1) == pytest.approx(2 / 3)
    res = simulate("LNKD-DISK", t_ms=(0, 20), trials=TRIALS, seed=3)
    assert 1 - res.p_consistent[0] < 2 / 3 - 0.05
    assert res.p_consistent[1] > 0.98
    off = simulate("LNKD-DISK", t_ms=(0, 20), trials=TRIALS, seed=3, propagate=False)
    assert off.p_consistent[0] == off.p_consistent[1]          # without propagation, waiting does not help


def test_the_curve_never_falls_and_at_agrees_with_the_grid():
    res = simulate("YMMR", t_ms=(0, 1, 5, 50, 500), trials=50_000, seed=4)
    assert list(res.p_consistent) == sorted(res.p_consistent)
    assert [res.at(t) for t in res.t_ms] == list(res.p_consistent)
    assert res.at(res.t_visibility(0.999)) >= 0.999
    assert res.percent()[0] == pytest.approx(100 * res.p_consistent[0])


def test_same_seed_same_numbers():
    a = simulate("WAN", t_ms=(0, 100), trials=30_000, seed=9)
    b = simulate("WAN", t_ms=(0, 100), trials=30_000, seed=9)
    assert a.p_consistent == b.p_consistent and np.array_equal(a.needed_ms, b.needed_ms)
    assert simulate("WAN", t_ms=(0, 100), trials=30_000, seed=10).p_consistent != a.p_consistent


def test_sweep_runs_every_fit():
    res = sweep(t_ms=(0, 10), trials=10_000)
    assert list(res) == list(FITS)
    assert all(len(r.p_consistent) == 2 for r in res.values())


def test_pareto_is_sampled_as_xm_over_u_to_the_one_over_alpha():
    mix = Mixture(1.0, 2.0, 3.0, 1.0)                        # all Pareto: x_m = 2, alpha = 3
    draws = mix.sample(np.random.default_rng(0), (200_000,))
    assert draws.min() >= 2.0
    assert np.median(draws) == pytest.approx(2.0 * 2 ** (1 / 3), rel=0.01)     # x_m * 2^(1/alpha)
    assert mix.mean == pytest.approx(3.0)
    expo = Mixture(0.0, 1.0, 1.0, 0.5).sample(np.random.default_rng(0), (200_000,))
    assert expo.mean() == pytest.approx(2.0, rel=0.02)


def test_custom_fits_reproduce_the_papers_synthetic_sweep():
    """Exponential W against A = R = S = 1 ms (the paper's Figure on write latency): W four times faster
    gives 94 % consistent at commit; W ten times slower gives 41 % at commit and 99.9 % after 65 ms."""
    ars = Mixture(0.0, 1.0, 1.0, 1.0)                        # pareto_weight 0: a pure exponential
    fast = simulate(WarsFit("W mean .25 ms", w=Mixture(0.0, 1.0, 1.0, 4.0), ars=ars), trials=TRIALS, seed=0)
    assert 100 * fast.p_consistent[0] == pytest.approx(94, abs=1.5)
    slow = simulate(WarsFit("W mean 10 ms", w=Mixture(0.0, 1.0, 1.0, 0.1), ars=ars), t_ms=(0, 65), trials=TRIALS,
                    seed=0)
    assert 100 * slow.p_consistent[0] == pytest.approx(41, abs=1.5)
    assert 100 * slow.p_consistent[1] == pytest.approx(99.9, abs=0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, r"n must be an integer from 1 to 100"),
    ({"r": 4}, r"r must be an integer from 1 to 3"),
    ({"r": 0}, r"r must be an integer from 1 to 3"),
    ({"w": 4}, r"w must be an integer from 1 to 3"),
    ({"t_ms": (-1,)}, r"t_ms must be times >= 0 ms"),
    ({"t_ms": (math.inf,)}, r"t_ms must be times >= 0 ms"),
    ({"trials": 0}, r"trials must be an integer from 1 to 1000000000"),
    ({"seed": -1}, r"seed must be an integer >= 0"),
    ({"fit": "LNKD-TAPE"}, r"fit must be one of \['LNKD-DISK', 'LNKD-SSD', 'WAN', 'YMMR'\]"),
])
def test_bad_input_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate(**kwargs)


def test_bad_closed_form_and_fit_input():
    with pytest.raises(ValueError, match=r"w must be an integer from 1 to 3"):
        p_stale_closed_form(3, 1, 5)
    with pytest.raises(ValueError, match="k must be an integer from 1 to 1000"):
        p_stale_closed_form(3, 1, 1, k=0)
    with pytest.raises(ValueError, match=r"pareto_weight must be in \[0, 1\]"):
        Mixture(1.5, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        Mixture(0.5, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="remote_ms must be a finite number >= 0 ms"):
        WarsFit("x", FITS["LNKD-SSD"].w, FITS["LNKD-SSD"].ars, remote_ms=-1)
    with pytest.raises(ValueError, match=r"p must be a probability in \(0, 1\]"):
        simulate(trials=10).t_visibility(0)
