"""Probabilistically bounded staleness: the WARS Monte Carlo and the closed form (Bailis et al., VLDB 2012).

**The WARS model.** A write goes from its coordinator to each of ``n`` replicas (delay ``W``) and is
acknowledged (``A``); it commits at ``w_t``, the ``w``-th fastest ``W + A``. A read starting ``t`` ms
after commit goes to every replica (``R``) and back (``S``) and uses the first ``r`` answers by
``R + S``. Replica ``i`` answers with the new version if the write reached it before the read did:
``W[i] <= w_t + t + R[i]``. The read is consistent if any of its ``r`` answers is. Every draw is
independent, so a trial is a handful of array operations and a million trials take a fraction of a
second (numpy, ``numpy.random.default_rng(seed)``).

Rather than draw afresh for every ``t``, :func:`simulate` computes, per trial, the smallest ``t`` that
makes it consistent (``min over the read's r replicas of W[i] - w_t - R[i]``); the probability of a
consistent read at any ``t`` is then the fraction of trials needing at most ``t`` -- one set of draws
gives the whole curve, which therefore never decreases in ``t``.

**The closed form.** If nothing propagates beyond the write quorum (``propagate=False``: only the
``w`` replicas that acknowledged have the write), a read is stale exactly when its ``r`` replicas
avoid the ``w``: ``p_s = C(n - w, r) / C(n, r)`` (the paper's §3.1; ``k`` versions: ``p_s ** k``).
The gap between that and the Monte Carlo with propagation is how much anti-entropy-free Dynamo gains
from writes that keep arriving after commit.

>>> round(p_stale_closed_form(3, 1, 1), 4)
0.6667
>>> res = simulate("LNKD-DISK", t_ms=(0, 10), trials=20_000, seed=1)
>>> [round(p, 2) for p in res.p_consistent]
[0.44, 0.93]
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from distlab.geo.pbs_fits import FITS, PUBLISHED, Mixture, WarsFit
from distlab.transactions.checks import check_int

__all__ = ["simulate", "sweep", "p_stale_closed_form", "PBSResult", "FITS", "PUBLISHED", "WarsFit", "Mixture",
           "MAX_N", "MAX_TRIALS", "CHUNK"]

#: the largest replication factor :func:`simulate` accepts
MAX_N = 100
#: the most trials :func:`simulate` draws (a billion: minutes, not hours)
MAX_TRIALS = 10**9
#: trials drawn per batch (bounds memory at ~50 MB for n = 3; results depend on it, so it is fixed)
CHUNK = 250_000
#: latency percentiles reported by :class:`PBSResult`
LATENCY_PERCENTILES = (50.0, 99.0, 99.9)


def _check_nrw(n: int, r: int, w: int) -> None:
    check_int("n", n, 1, MAX_N)
    check_int("r", r, 1, n)
    check_int("w", w, 1, n)


def p_stale_closed_form(n: int, r: int, w: int, k: int = 1) -> float:
    """The chance a read of ``r`` random replicas misses all ``w`` that hold the write, for each of the
    last ``k`` writes: ``(C(n - w, r) / C(n, r)) ** k`` (0 when ``r + w > n``)."""
    _check_nrw(n, r, w)
    check_int("k", k, 1, 1000)
    return (math.comb(n - w, r) / math.comb(n, r)) ** k


@dataclass(frozen=True, eq=False)
class PBSResult:
    """The probability of a consistent read at each ``t_ms`` after commit, and the operation latencies.

    ``p_consistent[i]`` is a fraction for ``t_ms[i]``; ``needed_ms`` holds, per trial, the smallest
    ``t`` that makes that trial's read consistent (``inf`` if none would), so :meth:`at` and
    :meth:`t_visibility` answer for any ``t`` or probability without drawing again.
    """

    fit: str
    n: int
    r: int
    w: int
    trials: int
    seed: int
    propagate: bool
    t_ms: tuple[float, ...]
    p_consistent: tuple[float, ...]
    read_latency_ms: dict[float, float]
    write_latency_ms: dict[float, float]
    needed_ms: np.ndarray

    def at(self, t_ms: float) -> float:
        """The fraction of consistent reads ``t_ms`` after commit."""
        _check_times((t_ms,))
        return float(np.count_nonzero(self.needed_ms <= t_ms)) / self.trials

    def percent(self) -> tuple[float, ...]:
        """``p_consistent`` in percent (what the paper prints)."""
        return tuple(100.0 * p for p in self.p_consistent)

    def t_visibility(self, p: float = 0.999) -> float:
        """The smallest ``t`` (ms) after which a read is consistent with probability ``p`` (``inf`` if never).
        (The paper's Table 4 took this from 50,000 samples; compare probabilities at a fixed ``t``.)"""
        if not 0.0 < p <= 1.0:
            raise ValueError(f"p must be a probability in (0, 1], got {p!r}")
        ordered = np.sort(self.needed_ms)
        value = float(ordered[min(self.trials - 1, math.ceil(p * self.trials) - 1)])
        return max(0.0, value)


def _check_times(t_ms: Iterable[float]) -> tuple[float, ...]:
    times = tuple(t_ms)
    for t in times:
        if not (isinstance(t, (int, float)) and not isinstance(t, bool) and 0 <= t < math.inf):
            raise ValueError(f"t_ms must be times >= 0 ms, got {t!r}")
    return tuple(float(t) for t in times)


def _fit(fit: str | WarsFit) -> WarsFit:
    if isinstance(fit, WarsFit):
        return fit
    if fit not in FITS:
        raise ValueError(f"fit must be one of {sorted(FITS)} or a WarsFit, got {fit!r}")
    return FITS[fit]


def _draw(model: WarsFit, rng: np.random.Generator, shape: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """One batch of W, A, R, S delays (ms), with the WAN's remote delay added where it applies."""
    w_, a_, r_, s_ = (mix.sample(rng, shape) for mix in (model.w, model.ars, model.ars, model.ars))
    if model.remote_ms:
        trials, n = shape
        column = np.arange(n)
        remote_write = column != rng.integers(0, n, trials)[:, None]   # replicas away from the writer's DC
        remote_read = column != rng.integers(0, n, trials)[:, None]
        w_ += model.remote_ms * remote_write
        a_ += model.remote_ms * remote_write
        r_ += model.remote_ms * remote_read
        s_ += model.remote_ms * remote_read
    return w_, a_, r_, s_


def _batch(model: WarsFit, rng: np.random.Generator, trials: int, n: int, r: int, w: int,
           propagate: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One batch of trials: (t needed per trial, read latency, write latency), all in ms."""
    w_, a_, r_, s_ = _draw(model, rng, (trials, n))
    write_rtt, read_rtt = w_ + a_, r_ + s_
    commit = np.partition(write_rtt, w - 1, axis=1)[:, w - 1]
    needed = w_ - commit[:, None] - r_                        # t at which replica i would answer fresh
    if not propagate:                                         # only the write quorum ever gets the write
        in_quorum = write_rtt <= commit[:, None]
        needed = np.where(in_quorum, needed, np.inf)
    first = np.argpartition(read_rtt, r - 1, axis=1)[:, :r]     # the r fastest answers, in any order
    needed_by_read = np.take_along_axis(needed, first, axis=1).min(axis=1)
    read_latency = np.take_along_axis(read_rtt, first, axis=1).max(axis=1)
    return needed_by_read, read_latency, commit


def simulate(fit: str | WarsFit = "LNKD-DISK", *, n: int = 3, r: int = 1, w: int = 1,
             t_ms: Sequence[float] = (0.0,), trials: int = 100_000, seed: int = 0,
             propagate: bool = True) -> PBSResult:
    """The WARS Monte Carlo for one fit (a name in :data:`FITS` or a :class:`WarsFit`): the probability
    of a consistent read at each ``t_ms`` after commit. Same arguments, same numbers."""
    model = _fit(fit)
    _check_nrw(n, r, w)
    times = _check_times(t_ms)
    check_int("trials", trials, 1, MAX_TRIALS)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(seed)
    parts = [_batch(model, rng, min(CHUNK, trials - done), n, r, w, propagate) for done in range(0, trials, CHUNK)]
    needed, reads, writes = (np.concatenate(column) for column in zip(*parts))
    needed = np.maximum(needed, 0.0)
    ordered = np.sort(needed)
    p = tuple(float(np.searchsorted(ordered, t, side="right")) / trials for t in times)
    return PBSResult(model.name, n, r, w, trials, seed, propagate, times, p,
                     _percentiles(reads), _percentiles(writes), needed)


def _percentiles(values: np.ndarray) -> dict[float, float]:
    return {q: float(v) for q, v in zip(LATENCY_PERCENTILES, np.percentile(values, LATENCY_PERCENTILES))}


def sweep(fits: Iterable[str | WarsFit] = tuple(FITS), *, t_ms: Sequence[float] = (0, 1, 2, 5, 10, 20, 50, 100, 200),
          n: int = 3, r: int = 1, w: int = 1, trials: int = 100_000, seed: int = 0,
          propagate: bool = True) -> dict[str, PBSResult]:
    """:func:`simulate` for several fits at the same settings, by fit name."""
    results = {}
    for fit in fits:
        res = simulate(fit, n=n, r=r, w=w, t_ms=t_ms, trials=trials, seed=seed, propagate=propagate)
        results[res.fit] = res
    return results
