"""The world map drawings: arcs, bands, the placement picture -- drawn into a matplotlib Axes."""
import math

import pytest
from matplotlib.figure import Figure

from distlab.geo.placement_raft import run_placement
from distlab.geo.world import region
from distlab.geo.world_map import RATIO_BANDS, band_of, draw_base_map, draw_ratio_map, great_circle
from distlab.geo.world_map_placement import draw_placement_map, majority_followers


def axes():
    return Figure(figsize=(6.4, 3.2)).add_subplot()


def test_a_great_circle_ends_at_both_places_and_splits_at_the_date_line():
    a, b = region("oregon"), region("tokyo")
    lons, lats = great_circle(a.lon, a.lat, b.lon, b.lat)
    assert (lons[0], lats[0]) == pytest.approx((a.lon, a.lat))
    assert (lons[-1], lats[-1]) == pytest.approx((b.lon, b.lat))
    assert sum(math.isnan(x) for x in lons) == 1                        # crosses the Pacific
    v, i = region("virginia"), region("ireland")
    lons, lats = great_circle(v.lon, v.lat, i.lon, i.lat)
    assert not any(math.isnan(x) for x in lons) and max(lats) > max(v.lat, i.lat)  # bows north
    assert great_circle(1, 2, 1, 2, steps=4) == (pytest.approx([1.0] * 5), pytest.approx([2.0] * 5))


def test_bands_cover_every_ratio():
    assert band_of(1.2) is RATIO_BANDS[0] and band_of(2.31) is RATIO_BANDS[2] and band_of(9) is RATIO_BANDS[-1]
    assert band_of(0.5) is RATIO_BANDS[0]


def test_the_ratio_map_draws_one_line_per_band_over_the_coast_and_grid():
    ax = axes()
    rows = draw_ratio_map(ax, label_ratios=True)
    assert len(rows) == 28
    assert len(ax.lines) == 2 + len(RATIO_BANDS) + 8      # grid, coast, bands, region points
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [b.label for b in RATIO_BANDS]
    assert len(ax.texts) == 28 + 8 and ax.get_title() == "measured median RTT / fibre bound"
    ax.clear()
    rows = draw_ratio_map(ax, around="tokyo", coast=False, legend=False, title=None)
    assert len(rows) == 7 and all("tokyo" in (r.a, r.b) for r in rows) and ax.get_legend() is None
    with pytest.raises(ValueError, match="around must be one of"):
        draw_ratio_map(axes(), around="atlantis")


def test_the_base_map_fixes_the_extent():
    ax = axes()
    draw_base_map(ax, coast=False)
    assert ax.get_xlim() == (-180, 180) and len(ax.lines) == 1


def test_the_placement_map_before_and_after_an_outage():
    result = run_placement(writes=3, seed=2, failed="virginia", clients=("virginia", "tokyo", "saopaulo"))
    ax = axes()
    draw_placement_map(ax, result)
    words = " ".join(t.get_text() for t in ax.texts)
    assert ax.get_title() == "leader in virginia: median commit latency per client region"
    assert "leader virginia" in words and "saopaulo\ncommit" in words and "failed" not in words
    ax.clear()
    draw_placement_map(ax, result, after=True)
    words = " ".join(t.get_text() for t in ax.texts)
    new = result.outage.new_leader
    assert ax.get_title().startswith(f"virginia failed: new leader in {new} after ")
    assert "virginia: failed" in words and f"leader {new}" in words


def test_majority_followers_are_the_nearest():
    assert majority_followers("virginia", ("virginia", "oregon", "ireland", "tokyo", "sydney"))[:2] == \
        ["oregon", "ireland"]
