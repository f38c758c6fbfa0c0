"""Measured round trips against the speed-of-light bound, pair by pair.

>>> row = pair_bound("virginia", "oregon")
>>> round(row.distance_km), round(row.fibre_rtt_ms, 1), row.median_rtt_ms, round(row.ratio, 2)
(3503, 35.0, 80.9, 2.31)

``ratio`` is the measured median round trip (the two directions averaged) over the physical minimum
(:func:`distlab.geo.world.fibre_rtt_ms`): how far real routes and routers are from a straight fibre
along the great circle. Across the 28 pairs of the 2013 data it runs from 1.38 (California-Singapore)
to 4.27 (Singapore-Sydney, whose traffic then took a long way round).
"""
from __future__ import annotations

from typing import NamedTuple

from .latency import LatencyModel, default_model
from .world import REGIONS, check_regions, fibre_rtt_ms, great_circle_km

__all__ = ["PairBound", "bound_table", "format_bound_table", "pair_bound"]


class PairBound(NamedTuple):
    """One pair of regions: great-circle distance, the fibre round-trip bound, the measured median
    round trip (both directions averaged) and their ratio (measured / bound)."""

    a: str
    b: str
    distance_km: float
    fibre_rtt_ms: float
    median_rtt_ms: float
    ratio: float


def pair_bound(a: str, b: str, model: LatencyModel | None = None) -> PairBound:
    """The bound and the measurement for regions ``a`` and ``b`` (two different regions)."""
    check_regions("regions", (a, b))
    if a == b:
        raise ValueError(f"b must be a region other than a ({a!r}): within a region the bound is 0")
    m = model if model is not None else default_model()
    bound = fibre_rtt_ms(a, b)
    measured = m.pair_rtt_ms(a, b)
    return PairBound(a, b, great_circle_km(a, b), bound, measured, measured / bound)


def bound_table(regions: tuple[str, ...] = REGIONS, model: LatencyModel | None = None) -> list[PairBound]:
    """Every unordered pair of distinct ``regions``, in the order given (28 rows for all eight)."""
    names = list(dict.fromkeys(check_regions("regions", regions)))
    return [pair_bound(a, b, model) for i, a in enumerate(names) for b in names[i + 1:]]


def format_bound_table(rows: list[PairBound]) -> str:
    """The rows as a Markdown table (distance, bound, measured median, ratio)."""
    lines = ["| pair | great circle (km) | fibre bound RTT (ms) | measured median RTT (ms) | ratio |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {r.a}-{r.b} | {r.distance_km:,.0f} | {r.fibre_rtt_ms:.1f} | {r.median_rtt_ms:.1f} | "
              f"{r.ratio:.2f} |" for r in rows]
    return "\n".join(lines)
