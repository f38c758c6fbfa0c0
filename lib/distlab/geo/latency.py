"""The world's latency: Bailis's measured round trips (``latency_data``) as link delays on the kernel.

>>> model = default_model()
>>> model.median_rtt_ms("virginia", "oregon")
80.9
>>> link = model.one_way("virginia", "oregon")     # a distlab.sim Latency, in seconds
>>> import random; 0.039 < link.sample(random.Random(1)) < 0.207
True

**One-way delay = RTT / 2.** Each direction of a link draws from its own measured curve
(``src -> dst`` was measured from ``src``), halved; a request and its reply add up to a round trip.
Draws come from the network's seeded stream, so delays depend only on the seed.

**The curve.** :class:`PercentileCurve` is a quantile function, linear between knots: the file's
percentiles p50, p75, p95, p99, p99.9, p99.99, p99.999, plus two knots the file lacks --

* **above p99.999** (1 draw in 100,000) the curve stays at the p99.999 value: nothing in the file
  says how far the extreme tail goes, so none is invented;
* **below the median** the file has nothing but the mean (``avg``). The lower half is a straight
  line from a floor at q = 0 to the median at q = 0.5, and the floor is chosen so that the curve's
  mean equals the measured mean: ``floor = 4 * (avg - U) - median``, U being the upper half's
  integral. Why the mean: it is the one measurement that constrains the lower half. A fixed
  spread would contradict it where the route changed during the week (Singapore-Sydney: median
  269 ms, mean 243 ms -- many pings took a faster path), and the fibre bound as floor would put a
  quarter of Virginia-Oregon's draws below 58 ms although its mean sits 1.7 ms *above* its median.
  The floor is clamped to [max(physical minimum, median / 2), median]: never faster than light in
  fibre over the great circle (``world.fibre_rtt_ms``), and never below half the median, a guard
  against reading a heavy tail as a fast lower half. Inter-region, 54 of the 56 floors land inside
  (at 0.87-1.00 of the median); Singapore<->Sydney is held at half the median (the mean asks for
  107 ms). Within a region the tail (p99.999 at 170-340x the median) carries so much of the mean
  that the lines drawn between tail knots, not the lower half, would decide the match, so those
  floors sit at half the median too. ``LatencyModel.fills`` records each floor and whether it was
  clamped (its curve's mean then differs from the file's).

**Within a region** the only data are us-east's: three availability zones (nodes 8-10) and three
hosts in one zone (11-13). Within any region, links between *replicas* use the cross-zone curve
(replicas sit in different zones, so one zone's loss is survivable), and a *client* talks to a
server of its own region over the same-zone curve (an application server beside its database),
``same_zone=True``. Each is the six directed pairs pooled by averaging their percentiles (and
means) knot by knot -- a typical pair, with the measured shape. Assumed: every region's data
centres are like us-east's.
"""
from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import NamedTuple

from distlab.sim.latency import Latency

from .latency_data import CROSS_ZONE, PERCENTILES, SAME_ZONE, PairRtt, RttTable, default_table
from .world import REGIONS, check_region, fibre_rtt_ms, regions

__all__ = ["Fill", "LatencyModel", "PercentileCurve", "default_model", "fill_curve", "pooled"]


@dataclass(frozen=True)
class PercentileCurve(Latency):
    """A delay distribution given by its quantile function, linear between knots: ``quantiles``
    from 0 to 1 (increasing) and the delay ``values`` there (non-decreasing, seconds -- or any unit,
    for a curve that is only looked at). A draw is one ``rng.random()`` read through the curve."""

    quantiles: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        q, v = tuple(map(float, self.quantiles)), tuple(map(float, self.values))
        if len(q) < 2 or len(q) != len(v):
            raise ValueError(f"quantiles and values must be two sequences of equal length >= 2, got {q!r}, {v!r}")
        if q[0] != 0.0 or q[-1] != 1.0 or any(b <= a for a, b in pairwise(q)):
            raise ValueError(f"quantiles must rise strictly from 0 to 1, got {q!r}")
        if any(not math.isfinite(x) or x < 0 for x in v) or any(b < a for a, b in pairwise(v)):
            raise ValueError(f"values must be finite, >= 0 and non-decreasing, got {v!r}")
        object.__setattr__(self, "quantiles", q)
        object.__setattr__(self, "values", v)

    def quantile(self, p: float) -> float:
        """The delay at probability ``p`` (0 <= p <= 1)."""
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be between 0 and 1, got {p!r}")
        q, v = self.quantiles, self.values
        i = min(bisect.bisect_right(q, p) - 1, len(q) - 2)
        return v[i] + (v[i + 1] - v[i]) * (p - q[i]) / (q[i + 1] - q[i])

    def sample(self, rng: random.Random) -> float:
        return self.quantile(rng.random())

    @property
    def mean(self) -> float:
        q, v = self.quantiles, self.values
        return sum((q[i + 1] - q[i]) * (v[i] + v[i + 1]) / 2 for i in range(len(q) - 1))

    @property
    def median(self) -> float:
        """The delay at p = 0.5."""
        return self.quantile(0.5)

    def scaled(self, factor: float) -> PercentileCurve:
        """The same curve with every value multiplied by ``factor`` (e.g. RTT ms -> one-way s)."""
        return PercentileCurve(self.quantiles, tuple(x * factor for x in self.values))


class Fill(NamedTuple):
    """How one measured curve was completed below its median: the floor at q = 0 (ms), the
    physical minimum it was held above, and whether it had to be clamped (then the curve's mean
    differs from the measured one)."""

    floor: float
    minimum: float
    clamped: bool


def fill_curve(pair: PairRtt, minimum: float) -> tuple[PercentileCurve, Fill]:
    """The full round-trip curve (ms) for one measured pair: the file's percentiles, flat above
    p99.999, and below the median a line from the floor that keeps the measured mean, clamped to
    [max(``minimum``, median / 2), median] (module docstring)."""
    knots = (*PERCENTILES, 1.0)
    values = (*pair.values, pair.values[-1])
    upper = sum((knots[i + 1] - knots[i]) * (values[i] + values[i + 1]) / 2 for i in range(len(knots) - 1))
    wanted = 4 * (pair.mean - upper) - pair.median
    floor = min(pair.median, max(minimum, pair.median / 2, wanted))
    clamped = not math.isclose(floor, wanted, rel_tol=1e-9, abs_tol=1e-9)
    return PercentileCurve((0.0, *knots), (floor, *values)), Fill(floor, minimum, clamped)


def pooled(table: RttTable, nodes: tuple[int, ...]) -> PairRtt:
    """The directed pairs among ``nodes`` averaged knot by knot (and their means): one typical pair."""
    rows = [table.pair(a, b) for a in nodes for b in nodes if a != b]
    values = tuple(sum(r.values[k] for r in rows) / len(rows) for k in range(len(PERCENTILES)))
    return PairRtt(nodes[0], nodes[-1], values, sum(r.mean for r in rows) / len(rows))


class LatencyModel:
    """Round-trip curves for every ordered pair of regions and within a region, built once from a
    checked :class:`RttTable` (default: Bailis's file). Region arguments are slugs
    (:data:`distlab.geo.world.REGIONS`); an unknown one is a ``ValueError`` naming the valid ones."""

    def __init__(self, table: RttTable | None = None) -> None:
        self.table = table if table is not None else default_table()
        self._rtt: dict[tuple[str, str, bool], PercentileCurve] = {}
        self._one_way: dict[tuple[str, str, bool], PercentileCurve] = {}
        self.fills: dict[tuple[str, str, bool], Fill] = {}
        index = {r.slug: r.node for r in regions()}
        for a in REGIONS:
            for b in REGIONS:
                if a != b:
                    self._add(a, b, False, self.table.pair(index[a], index[b]), fibre_rtt_ms(a, b))
        cross, same = pooled(self.table, CROSS_ZONE), pooled(self.table, SAME_ZONE)
        for a in REGIONS:
            self._add(a, a, False, cross, 0.0)
            self._add(a, a, True, same, 0.0)

    def _add(self, a: str, b: str, same_zone: bool, pair: PairRtt, minimum: float) -> None:
        curve, fill = fill_curve(pair, minimum)
        self._rtt[(a, b, same_zone)] = curve
        self._one_way[(a, b, same_zone)] = curve.scaled(0.5 / 1000.0)
        self.fills[(a, b, same_zone)] = fill

    def _key(self, src: str, dst: str, same_zone: bool) -> tuple[str, str, bool]:
        check_region("src", src)
        check_region("dst", dst)
        return src, dst, bool(same_zone) and src == dst

    def rtt(self, src: str, dst: str, *, same_zone: bool = False) -> PercentileCurve:
        """The round-trip curve in **milliseconds** measured from ``src`` to ``dst`` (``src == dst``:
        within a region, across zones -- or between hosts of one zone with ``same_zone``)."""
        return self._rtt[self._key(src, dst, same_zone)]

    def one_way(self, src: str, dst: str, *, same_zone: bool = False) -> PercentileCurve:
        """The one-way delay ``src -> dst`` in **seconds** (half the round-trip curve): the latency of
        a kernel link, ``sim.network.set_link(a, b, latency=model.one_way(ra, rb))``."""
        return self._one_way[self._key(src, dst, same_zone)]

    def __call__(self, src_region: str, dst_region: str) -> Latency:
        """``one_way(src, dst)``: a model is a ``(src region, dst region) -> Latency`` function."""
        return self.one_way(src_region, dst_region)

    def median_rtt_ms(self, src: str, dst: str, *, same_zone: bool = False) -> float:
        """The measured median round trip from ``src`` to ``dst``, ms."""
        return self.rtt(src, dst, same_zone=same_zone).median

    def pair_rtt_ms(self, a: str, b: str, *, same_zone: bool = False) -> float:
        """The median round trip between ``a`` and ``b``, the two directions averaged, ms."""
        return (self.median_rtt_ms(a, b, same_zone=same_zone) + self.median_rtt_ms(b, a, same_zone=same_zone)) / 2


@cache
def default_model() -> LatencyModel:
    """The model of the shipped measurements (built once per process)."""
    return LatencyModel()
