"""How ``data/coastlines-110m.json`` was made, once, from Natural Earth's 1:110m countries.

The input is ``naturalearth_lowres.shp`` as bundled in the ``geopandas`` 0.14.4 wheel from PyPI
(``geopandas/datasets/naturalearth_lowres/``: Natural Earth's ``ne_110m_admin_0_countries``, public
domain). Nothing here runs at import or at run time; to rebuild::

    pip download --no-deps geopandas==0.14.4 && unzip geopandas-0.14.4-*.whl 'geopandas/datasets/*'
    python -m distlab.geo.world_coast_build geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Steps: read every polygon ring of the shapefile (the ESRI format's polygon records, read with
``struct``: no GIS library); drop each edge that two rings share -- a land border between two
countries -- so what is left is coast; chain the remaining edges into polylines; simplify them
(Douglas-Peucker, 0.3°) and store them in tenths of a degree. The result is a few hundred polylines,
enough for a world map a few inches wide.
"""
from __future__ import annotations

import json
import math
import struct
import sys
from itertools import pairwise
from pathlib import Path

from .world_coast import COAST_FILE, LICENCE, PRECISION, SOURCE

__all__ = ["Point", "build", "chain", "coast_edges", "read_rings", "simplify"]

Point = tuple[float, float]  # (lon, lat), degrees
POLYGON = 5  # the shapefile's shape type for polygons
TOLERANCE = 0.3  # degrees: Douglas-Peucker tolerance


def read_rings(path: Path) -> list[list[Point]]:
    """Every ring of every polygon record of an ESRI shapefile (main file, ``.shp``)."""
    data = path.read_bytes()
    rings: list[list[Point]] = []
    pos = 100  # the fixed-size file header
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">i", data[pos + 4: pos + 8])  # 16-bit words, big-endian
        body = data[pos + 8: pos + 8 + 2 * length]
        pos += 8 + 2 * length
        (kind,) = struct.unpack("<i", body[:4])
        if kind != POLYGON:
            continue
        parts, points = struct.unpack("<2i", body[36:44])
        starts = list(struct.unpack(f"<{parts}i", body[44: 44 + 4 * parts])) + [points]
        base = 44 + 4 * parts
        xy = struct.unpack(f"<{2 * points}d", body[base: base + 16 * points])
        for a, b in pairwise(starts):
            rings.append([(xy[2 * i], xy[2 * i + 1]) for i in range(a, b)])
    return rings


def _key(p: Point) -> tuple[int, int]:
    return round(p[0] * 1e6), round(p[1] * 1e6)


def coast_edges(rings: list[list[Point]]) -> list[tuple[Point, Point]]:
    """The ring edges that belong to one ring only (an edge two rings share is a land border)."""
    count: dict[tuple[tuple[int, int], tuple[int, int]], int] = {}
    edges: list[tuple[Point, Point]] = []
    for ring in rings:
        for a, b in pairwise(ring):
            if _key(a) == _key(b):
                continue
            k = min((_key(a), _key(b)), (_key(b), _key(a)))
            count[k] = count.get(k, 0) + 1
            edges.append((a, b))
    return [(a, b) for a, b in edges if count[min((_key(a), _key(b)), (_key(b), _key(a)))] == 1]


def chain(edges: list[tuple[Point, Point]]) -> list[list[Point]]:
    """Join edges end to start into polylines (each edge used once, in its ring's direction)."""
    starting: dict[tuple[int, int], list[int]] = {}
    for i, (a, _) in enumerate(edges):
        starting.setdefault(_key(a), []).append(i)
    used = [False] * len(edges)
    lines: list[list[Point]] = []
    for i, (a, b) in enumerate(edges):
        if used[i]:
            continue
        used[i] = True
        line = [a, b]
        while True:
            nxt = [j for j in starting.get(_key(line[-1]), []) if not used[j]]
            if not nxt:
                break
            used[nxt[0]] = True
            line.append(edges[nxt[0]][1])
        lines.append(line)
    return lines


def simplify(line: list[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Douglas-Peucker: keep the ends and every point farther than ``tolerance`` from the chord."""
    if len(line) < 3:
        return list(line)
    (x0, y0), (x1, y1) = line[0], line[-1]
    dx, dy = x1 - x0, y1 - y0
    norm = math.hypot(dx, dy)
    def dist(p: Point) -> float:
        if norm == 0:
            return math.hypot(p[0] - x0, p[1] - y0)
        return abs(dy * (p[0] - x0) - dx * (p[1] - y0)) / norm
    far = max(range(1, len(line) - 1), key=lambda i: dist(line[i]))
    if dist(line[far]) <= tolerance:
        return [line[0], line[-1]]
    return simplify(line[: far + 1], tolerance)[:-1] + simplify(line[far:], tolerance)


def build(shp: Path) -> dict[str, object]:
    """The coastline file's content from a Natural Earth countries shapefile."""
    lines = [simplify(line) for line in chain(coast_edges(read_rings(shp)))]
    scale = round(1 / PRECISION)
    packed = [[v for p in line for v in (round(p[0] * scale), round(p[1] * scale))]
              for line in lines if len(line) >= 2]
    return {"source": SOURCE, "licence": LICENCE, "precision_degrees": PRECISION, "lines": packed}


if __name__ == "__main__":  # pragma: no cover - the one-off conversion
    out = Path(__file__).with_name(COAST_FILE.split("/")[0]) / COAST_FILE.split("/")[1]
    out.write_text(json.dumps(build(Path(sys.argv[1])), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out}")
