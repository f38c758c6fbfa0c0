"""Regions, great-circle distances, the fibre bound and the measured / bound table; the coastline
conversion and the shipped coastlines."""
import doctest
import math
import struct

import pytest

from distlab.geo import world, world_bound, world_coast
from distlab.geo.world import (
    EARTH_RADIUS_KM,
    REGIONS,
    check_regions,
    fibre_rtt_ms,
    great_circle_km,
    haversine_km,
    region,
    regions,
)
from distlab.geo.world_bound import bound_table, format_bound_table, pair_bound
from distlab.geo.world_coast import coastlines
from distlab.geo.world_coast_build import build, chain, coast_edges, read_rings, simplify


def test_doctests():
    for module in (world, world_bound, world_coast):
        assert doctest.testmod(module).failed == 0


def test_the_regions_are_the_files_nodes_in_order_with_plausible_coordinates():
    assert REGIONS == ("virginia", "oregon", "california", "ireland", "singapore", "tokyo", "sydney", "saopaulo")
    assert [r.node for r in regions()] == list(range(8))
    assert region("sydney").lat < 0 < region("tokyo").lat and region("saopaulo").lon < 0 < region("singapore").lon
    assert region("ireland").ec2_region == "eu-west-1" and "Dublin" in region("ireland").place


def test_haversine_on_known_distances():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(10, 20, 10, 20) == 0
    assert great_circle_km("tokyo", "sydney") == pytest.approx(great_circle_km("sydney", "tokyo"))
    assert 5_400 < great_circle_km("virginia", "ireland") < 5_500


def test_the_fibre_bound_is_two_distances_at_200_km_per_ms():
    assert fibre_rtt_ms("virginia", "ireland") == pytest.approx(2 * great_circle_km("virginia", "ireland") / 200)
    assert fibre_rtt_ms("tokyo", "tokyo") == 0


def test_nothing_measured_beats_light_in_fibre_and_the_table_covers_every_pair():
    rows = bound_table()
    assert len(rows) == 28
    assert all(1.3 < r.ratio < 4.5 for r in rows)
    worst = max(rows, key=lambda r: r.ratio)
    best = min(rows, key=lambda r: r.ratio)
    assert (worst.a, worst.b) == ("singapore", "sydney") and (best.a, best.b) == ("california", "singapore")
    row = pair_bound("virginia", "oregon")
    assert row.median_rtt_ms == 80.9 and row.ratio == pytest.approx(80.9 / row.fibre_rtt_ms)
    assert len(bound_table(("tokyo", "sydney", "tokyo"))) == 1
    table = format_bound_table(rows)
    assert table.count("\n") == 29 and "| virginia-oregon | 3,503 | 35.0 | 80.9 | 2.31 |" in table


def test_bad_regions_name_the_parameter_and_the_valid_values():
    with pytest.raises(ValueError, match=r"region must be one of virginia, .*saopaulo; got 'paris'"):
        region("paris")
    with pytest.raises(ValueError, match=r"replicas\[1\] must be one of virginia"):
        check_regions("replicas", ["tokyo", "mars"])
    with pytest.raises(ValueError, match="replicas must name at least one region"):
        check_regions("replicas", [])
    with pytest.raises(ValueError, match="replicas must be a list of region names"):
        check_regions("replicas", "tokyo")
    with pytest.raises(ValueError, match="b must be a region other than a"):
        pair_bound("tokyo", "tokyo")


def shapefile(path, polygons):
    """A minimal ESRI shapefile of polygons (each a list of rings) -- what read_rings reads."""
    body = b""
    for n, rings in enumerate(polygons, start=1):
        points = [p for ring in rings for p in ring]
        starts, at = [], 0
        for ring in rings:
            starts.append(at)
            at += len(ring)
        content = struct.pack("<i4d2i", 5, 0, 0, 0, 0, len(rings), len(points))
        content += struct.pack(f"<{len(starts)}i", *starts)
        content += b"".join(struct.pack("<2d", *p) for p in points)
        body += struct.pack(">2i", n, len(content) // 2) + content
    path.write_bytes(b"\0" * 100 + body)


def test_the_conversion_drops_land_borders_and_keeps_coasts(tmp_path):
    west = [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]      # two countries sharing the border x = 1
    east = [(1, 0), (1, 1), (2, 1), (2, 0), (1, 0)]
    path = tmp_path / "two.shp"
    shapefile(path, [[west], [east]])
    rings = read_rings(path)
    assert rings == [[tuple(map(float, p)) for p in west], [tuple(map(float, p)) for p in east]]
    edges = coast_edges(rings)
    assert len(edges) == 6 and ((1.0, 1.0), (1.0, 0.0)) not in edges
    lines = chain(edges)
    assert sum(len(line) - 1 for line in lines) == 6
    content = build(path)
    assert content["licence"].startswith("Public domain") and content["lines"]


def test_simplify_keeps_the_ends_and_the_far_points():
    line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (3.0, 2.0), (4.0, 0.0)]
    assert simplify(line, 0.1) == [(0.0, 0.0), (2.0, 0.0), (3.0, 2.0), (4.0, 0.0)]
    assert simplify(line[:2], 0.1) == line[:2]


def test_the_shipped_coastlines_cover_the_world():
    lines = coastlines()
    lons = [x for lon, _ in lines for x in lon]
    lats = [y for _, lat in lines for y in lat]
    assert 100 < len(lines) < 400 and 1_500 < len(lons) < 5_000
    assert min(lons) == pytest.approx(-180, abs=1) and max(lons) == pytest.approx(180, abs=1)
    assert min(lats) < -50 and max(lats) > 80
