import pytest
from hypothesis import given, settings, strategies as st

from distlab.view.cluster_drawing import (
    ClusterPicture,
    MsgPic,
    NodePic,
    classify_links,
    cluster_panel,
    example_picture,
    layout,
    message_position,
    render_cluster,
)
from distlab.view.style import figure_png

IDS = [f"n{i}" for i in range(1, 8)]


@st.composite
def pictures(draw):
    n = draw(st.integers(1, 7))
    ids = IDS[:n]
    pairs = [(a, b) for a in ids for b in ids if a != b]
    blocked = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    return ClusterPicture([NodePic(i) for i in ids], frozenset(blocked))


@settings(max_examples=60)
@given(pictures())
def test_every_pair_is_drawn_exactly_once_in_the_right_style(pic):
    open_, both, one_way = classify_links(pic)
    n = len(pic.nodes)
    unordered = [frozenset(p) for p in open_ + both + one_way]
    assert len(unordered) == len(set(unordered)) == n * (n - 1) // 2
    for a, b in open_:
        assert (a, b) not in pic.blocked and (b, a) not in pic.blocked
    for a, b in both:
        assert (a, b) in pic.blocked and (b, a) in pic.blocked
    for a, b in one_way:  # the arrow points the way messages are dropped
        assert (a, b) in pic.blocked and (b, a) not in pic.blocked


@settings(max_examples=40)
@given(n=st.integers(2, 7), progress=st.floats(0, 1))
def test_messages_sit_on_the_line_between_sender_and_receiver(n, progress):
    pic = ClusterPicture([NodePic(i) for i in IDS[:n]])
    pos = layout(pic)
    m = MsgPic("n1", IDS[n - 1], progress=progress)
    x, y = message_position(pos, m)
    (x0, y0), (x1, y1) = pos["n1"], pos[IDS[n - 1]]
    assert abs((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)) < 1e-9  # collinear
    assert min(x0, x1) - 1e-9 <= x <= max(x0, x1) + 1e-9
    if progress == 0:
        assert (x, y) == pytest.approx((x0, y0))


def test_picture_validation_names_the_problem():
    with pytest.raises(ValueError, match="distinct ids"):
        ClusterPicture([NodePic("a"), NodePic("a")])
    with pytest.raises(ValueError, match="blocked"):
        ClusterPicture([NodePic("a"), NodePic("b")], {("a", "zz")})
    with pytest.raises(ValueError, match="in_flight"):
        ClusterPicture([NodePic("a")], in_flight=[MsgPic("a", "q")])
    with pytest.raises(ValueError, match=r"progress must be in \[0, 1\]"):
        MsgPic("a", "b", progress=1.5)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_render_shows_roles_crashes_partitions_and_messages():
    pic = ClusterPicture(
        [NodePic("a", "leader", "term 2"), NodePic("b", "candidate"), NodePic("c", up=False),
         NodePic("d", paused=True), NodePic("e", "learner")],
        blocked={("a", "b"), ("b", "a"), ("c", "d")},
        in_flight=[MsgPic("a", "e", "heartbeat", 0.5)], title="demo cluster")
    fig = render_cluster(pic)
    ax = fig.axes[0]
    assert ax.get_title() == "demo cluster"
    texts = _texts(fig)
    assert "c✗" in texts and "d‖" in texts and "heartbeat" in texts
    assert "leader · term 2" in texts and "follower · crashed" in texts
    assert "learner" in texts  # an unknown role still gets its word
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    for word in ("leader", "candidate", "follower", "learner", "✗ crashed", "‖ paused",
                 "partitioned link", "message in flight"):
        assert word in legend
    assert any(w.startswith("one-way cut") for w in legend)


def test_same_picture_gives_the_same_png():
    a = figure_png(render_cluster(example_picture(6, seed=3, fault="partition")))
    b = figure_png(render_cluster(example_picture(6, seed=3, fault="partition")))
    assert a == b
    assert example_picture(6, seed=3) == example_picture(6, seed=3)
    assert example_picture(6, seed=3) != example_picture(6, seed=4)


def test_panel_node_slider_redraws_the_cluster():
    p = cluster_panel(nodes=3)
    p.controls["nodes"].value = 8
    assert p.last_config["nodes"] == 8
    texts = _texts(p.figure)
    assert sum(t.startswith("n") and t[1:].isdigit() for t in texts) == 8
    assert p.figure.axes[0].get_title().startswith("8-node cluster")
    p.controls["fault"].value = "crash"
    assert sum("✗" in t for t in _texts(p.figure)) == 1
    legend = [t.get_text() for t in p.figure.legends[0].get_texts()]
    assert "in flight:\nAppendEntries ×7" in legend  # 7 messages: counted, not labelled
    assert "AppendEntries" not in _texts(p.figure)
    p.controls["nodes"].value = 42  # clamped by the slider, never invalid
    assert p.last_config["nodes"] == 9


def test_redrawing_into_a_reused_figure_equals_a_fresh_drawing():
    from matplotlib.figure import Figure

    used = Figure(figsize=(6.4, 4.4), dpi=80)
    render_cluster(example_picture(9, seed=1, fault="one-way partition"), fig=used)
    render_cluster(example_picture(4, seed=2, fault="crash"), fig=used)
    fresh = Figure(figsize=(6.4, 4.4), dpi=80)
    render_cluster(example_picture(4, seed=2, fault="crash"), fig=fresh)
    assert len(used.axes) == 1 and len(used.legends) == 1
    assert figure_png(used) == figure_png(fresh)


@pytest.mark.parametrize("fault", ["one-way partition", "pause", "crash"])
def test_update_cluster_only_moves_labels_and_messages_and_equals_a_fresh_drawing(fault):
    from dataclasses import replace

    from matplotlib.figure import Figure

    from distlab.view.cluster_drawing import update_cluster

    base = example_picture(5, seed=1, fault=fault)
    used = Figure(figsize=(6.4, 4.4), dpi=80)
    update_cluster(base, used)
    ax = used.axes[0]
    # same servers, roles and links; other labels, 0..6 messages (labelled, then counted)
    for k, count in enumerate([6, 0, 2, 5, 5, 1]):
        pic = replace(base, nodes=[replace(n, label=f"term {k}") for n in base.nodes],
                      in_flight=[replace(m, progress=(0.1 * (i + k)) % 1)
                                 for i, m in enumerate(example_picture(5, seed=1, fault=fault,
                                                                       n_messages=count).in_flight)])
        update_cluster(pic, used)
        assert used.axes == [ax] and len(used.legends) == 1
        fresh = Figure(figsize=(6.4, 4.4), dpi=80)
        render_cluster(pic, fig=fresh)
        assert figure_png(used) == figure_png(fresh), count
    render_cluster(example_picture(5, seed=2, fault=fault), fig=used)  # another drawing between
    update_cluster(pic, used)
    assert figure_png(used) == figure_png(fresh)
