"""Coastlines for the world map: Natural Earth's 1:110m data, converted once and shipped.

``data/coastlines-110m.json`` holds polylines of (longitude, latitude) in tenths of a degree, made by
:mod:`distlab.geo.world_coast_build` from Natural Earth's ``ne_110m_admin_0_countries`` as bundled
in the ``geopandas`` 0.14.4 wheel (land borders removed, simplified to 0.3°). Natural Earth is in
the public domain ("Made with Natural Earth. Free vector and raster map data @
naturalearthdata.com"). Nothing is downloaded at run time.

>>> lines = coastlines()
>>> len(lines) > 100, all(len(lon) == len(lat) >= 2 for lon, lat in lines)
(True, True)
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = ["COAST_FILE", "LICENCE", "PRECISION", "SOURCE", "Polyline", "coastlines"]

COAST_FILE = "data/coastlines-110m.json"
PRECISION = 0.1  # degrees per stored unit
SOURCE = ("Natural Earth 1:110m Admin 0 countries (ne_110m_admin_0_countries), as bundled in the geopandas "
          "0.14.4 wheel (naturalearth_lowres); land borders removed, simplified to 0.3 degrees "
          "(distlab.geo.world_coast_build)")
LICENCE = ("Public domain. Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com "
           "(terms of use: naturalearthdata.com/about/terms-of-use)")

#: one coastline: its longitudes and its latitudes, degrees
Polyline = tuple[tuple[float, ...], tuple[float, ...]]


@cache
def coastlines() -> tuple[Polyline, ...]:
    """Every coastline polyline as (longitudes, latitudes), read once from the shipped file."""
    text = resources.files("distlab.geo").joinpath(COAST_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    scale = float(data["precision_degrees"])
    return tuple((tuple(v * scale for v in line[0::2]), tuple(v * scale for v in line[1::2]))
                 for line in data["lines"])
