"""The world of chapter 4: eight EC2 regions, where they are, and the speed-of-light bound between them.

The regions are the eight of Bailis's 2013 measurements (``latency_data``), named by slug:

>>> REGIONS
('virginia', 'oregon', 'california', 'ireland', 'singapore', 'tokyo', 'sydney', 'saopaulo')
>>> round(great_circle_km("virginia", "ireland"))
5462
>>> round(fibre_rtt_ms("virginia", "ireland"), 1)
54.6

**Where a region is.** ``data/regions.tsv`` gives each region a place and its coordinates (degrees,
rounded to 0.01°; city coordinates as Wikipedia's article on each place gives them): the town where
the region's data centres are reported to be where that is known (us-east-1: Ashburn, Virginia, in
the Washington metropolitan area; us-west-2: Boardman, Oregon), else the metropolitan area AWS
names (San Jose for Northern California, Dublin, Singapore, Tokyo, Sydney, São Paulo).

**The physical minimum.** The shortest path over the Earth's surface is the great circle (haversine
formula, mean Earth radius 6371.0 km). Light in optical fibre travels at about c / 1.47 -- ~204 km
per millisecond; we use the round 200 km/ms, so a round trip cannot take less than
``2 * distance / 200`` ms. Real cables are longer than great circles and routers queue, which is why
measured medians are 1.4-4.3 times this bound (``world_bound``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import NamedTuple

__all__ = ["EARTH_RADIUS_KM", "FIBRE_KM_PER_MS", "REGIONS", "Region", "check_region", "check_regions",
           "distinct", "fibre_rtt_ms", "great_circle_km", "haversine_km", "region", "regions"]

EARTH_RADIUS_KM = 6371.0
#: light in fibre, one way: ~2/3 of c (refractive index ~1.47 gives 204 km/ms; rounded down)
FIBRE_KM_PER_MS = 200.0


class Region(NamedTuple):
    """One EC2 region: its ``slug``, its ``node`` index in Bailis's file, the EC2 name, the place
    whose coordinates stand for it, and those coordinates in degrees (north and east positive)."""

    slug: str
    node: int
    ec2_region: str
    place: str
    lat: float
    lon: float


@cache
def regions() -> tuple[Region, ...]:
    """Every region, in the order of the measurement file's node indices (read once from
    ``data/regions.tsv``)."""
    text = resources.files("distlab.geo").joinpath("data/regions.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines()[1:] if line.strip()]
    return tuple(Region(slug, int(index), ec2, place, float(lat), float(lon))
                 for slug, index, ec2, place, lat, lon in rows)


REGIONS: tuple[str, ...] = tuple(r.slug for r in regions())


def check_region(name: str, value: object) -> str:
    """``value`` if it is a region slug, else a ``ValueError`` naming the parameter ``name`` and the
    valid slugs."""
    if not isinstance(value, str) or value not in REGIONS:
        raise ValueError(f"{name} must be one of {', '.join(REGIONS)}; got {value!r}")
    return value


def check_regions(name: str, values: object, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A sequence of region slugs as a tuple (repeats kept), else a ``ValueError`` naming ``name``:
    not a sequence of strings, empty (unless ``allow_empty``), or naming an unknown region."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a list of region names from {', '.join(REGIONS)}; got {values!r}")
    out = tuple(values)
    if not out and not allow_empty:
        raise ValueError(f"{name} must name at least one region (from {', '.join(REGIONS)}); got none")
    for i, value in enumerate(out):
        check_region(f"{name}[{i}]", value)
    return out


def region(slug: str) -> Region:
    """The :class:`Region` called ``slug`` (a ``ValueError`` naming the valid slugs otherwise)."""
    return regions()[REGIONS.index(check_region("region", slug))]


def great_circle_km(a: str, b: str) -> float:
    """Great-circle distance in km between two regions' places (haversine formula)."""
    ra, rb = region(a), region(b)
    return haversine_km(ra.lat, ra.lon, rb.lat, rb.lon)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def fibre_rtt_ms(a: str, b: str) -> float:
    """The physical minimum round trip in ms between two regions: there and back along the great
    circle at light's speed in fibre (0 within a region: the bound says nothing there)."""
    return 2 * great_circle_km(a, b) / FIBRE_KM_PER_MS


def distinct(values: Iterable[str]) -> list[str]:
    """``values`` without repeats, first occurrence first (never a set: its order varies)."""
    return list(dict.fromkeys(values))
