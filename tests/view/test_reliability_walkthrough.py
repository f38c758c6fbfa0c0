"""Chapter 5 worked through as a learner (issue 12): what a panel said or
allowed that taught the wrong thing, each pinned here.  Every test failed on the code before its fix."""
from __future__ import annotations

import pytest

from distlab.view import reliability as rv
from distlab.view.reliability_limiters import strategies_run


@pytest.mark.parametrize("window", [0.5, 1.0, 1.4, 1.5, 2.3, 3.0, 3.5, 4.5, 5.0])
def test_the_burst_aimed_at_a_window_boundary_meets_one_at_every_window_length(window):
    """The fixed window's 2x shows at every window the slider reaches: the clock used to start at
    1000 s, which is no multiple of 1.5 s or 3 s, so the aimed burst missed the boundary there and the
    fixed window looked nearly safe (13 of a limit of 10 at 1.4 s, 20 at 1 s)."""
    runs = strategies_run({"amount": 10, "window": window, "burstiness": 20, "seed": 0})["runs"]
    assert runs["fixed-window"].max_in_any_window == 20
    assert runs["sliding-log"].max_in_any_window == 10


def test_the_strategies_panel_says_what_its_window_slider_changes():
    p = rv.strategies_panel(window=1.0)
    heights = [b.get_height() for b in p.figure.axes[0].patches]
    p.controls["window"].value = 3.5
    assert [b.get_height() for b in p.figure.axes[0].patches] == heights
    assert "only rescales time" in " ".join(t.get_text() for t in p.figure.texts)


def test_the_shedding_shares_cannot_add_up_to_more_than_all_the_traffic():
    """The two share sliders each reach 1.0, so the panel could be put in a state it can only refuse
    ("Cannot draw this"); now the other slider makes room, with one redraw."""
    p = rv.shedding_panel(checkout_share=0.3, analytics_share=0.2)
    before = p.render_count
    p.controls["checkout_share"].value = 1.0
    assert p.last_error is None and p.values()["analytics_share"] == 0.0 and p.render_count == before + 1
    p.controls["analytics_share"].value = 0.35
    assert p.last_error is None and p.values()["checkout_share"] == pytest.approx(0.65)
    with pytest.raises(ValueError, match="checkout_share \\+ analytics_share"):
        rv.shedding_panel(checkout_share=0.9, analytics_share=0.2)


def test_a_kind_nobody_asked_for_is_not_drawn_as_failing():
    """At checkout share 0 the panel drew checkout as a red bar, '0% of 0': failing, though none came."""
    p = rv.shedding_panel(checkout_share=0.0, analytics_share=0.2, shedding=True)
    texts = [t.get_text() for t in p.figure.axes[0].texts]
    assert texts[0] == "none offered" and p.figure.axes[0].patches[0].get_height() == 0


def test_counts_read_in_the_right_number():
    assert rv.bucket_panel(bucket=1).figure.axes[0].get_title().startswith("Token bucket: 1 token,")
    title = rv.breaker_panel(threshold=5, probes=1).figure.axes[0].get_title()
    assert "(s)" not in title and "4 probes in 4 half-open spells" in title
    assert "no breaker, so no probe calls" in rv.breaker_panel(threshold=0).figure.axes[0].get_title()


def test_the_cascade_plot_shows_the_queue_where_the_requests_pile_up():
    """Section 6 says the gateway's workers all wait on checkout; its plot showed the queue at payments
    (11 at most: payments only gets slow).  The notebook now draws the gateway's queue, which fills."""
    import json
    import pathlib

    r = rv.compare_scenario("slow dependency", {"none": {}})["none"]
    assert max(r.queue["gateway"]) >= 10 * max(r.queue["payments"])
    notebook = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "05_reliability.ipynb"
    sources = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    slow_plots = [s for s in sources if "render_cascade(slow" in s]
    assert len(slow_plots) == 2 and all('queue_of="gateway"' in s for s in slow_plots)
