"""The cluster drawing never prints one word across another: message labels keep clear of the servers,
the words under them and each other (the review saw "followappended · T2" on a crashed server)."""
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from distlab.view import consensus as cv
from distlab.view.cluster_labels import Box, label_spots, text_box
from distlab.view.raft_lab import ClusterLab

SCRIPT = [("request", None), ("crash", "leader"), ("request", None), ("request", None), ("run", None),
          ("request", None), ("restart", "old"), ("request", None)]


def _lab(nodes, seed):
    lab = ClusterLab(nodes=nodes, seed=seed)
    old = lab.cluster.leader()
    for action, who in SCRIPT:
        lab.act(action, {"leader": old, "old": old}.get(who))
    return lab


def _overlapping_texts(fig):
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.subfigs[0].axes[0].texts if t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:] if ba.overlaps(bb)]


@pytest.mark.parametrize("nodes, seed", [(3, 0), (5, 0), (7, 1)])
def test_no_text_in_the_cluster_picture_overlaps_another(nodes, seed):
    lab = _lab(nodes, seed)
    fig = None
    for frame in lab.frames[::2]:
        fig = cv.render_frame(frame, fig=fig)
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        assert _overlapping_texts(fig) == [], frame["time"]


def test_a_label_with_no_free_corner_is_left_out_and_the_first_free_corner_wins():
    unit = 0.01
    everything = [Box(-10, -10, 10, 10)]
    assert label_spots([(0.0, 0.0)], ["append"], everything, unit) == [None]
    above_right = text_box(0.05, 0.05, "append", 7.0, "left", "bottom", unit)
    spots = label_spots([(0.0, 0.0)], ["append"], [above_right], unit)
    assert spots[0] is not None and (spots[0].ha, spots[0].va) == ("right", "bottom")
    assert label_spots([(0.0, 0.0)], [""], [], unit) == [None]
