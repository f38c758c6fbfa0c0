import pytest

from distlab.view.cluster_drawing import ClusterPicture, NodePic, render_cluster
from distlab.view.replay import Replay


def frames(n_nodes_per_step):
    return [ClusterPicture([NodePic(f"n{i}", up=(i != 0 or k < 2)) for i in range(n)],
                           title=f"step {k}") for k, n in enumerate(n_nodes_per_step)]


def crashed(pic):
    down = [n.id for n in pic.nodes if not n.up]
    return {"all_up": True if not down else f"{', '.join(down)} crashed"}


def test_stepping_redraws_the_frame_and_its_badges():
    r = Replay(frames([3, 3, 4, 5]), render_cluster, invariants=crashed)
    assert r.panel.last_config == 0 and r.panel.figure.axes[0].get_title() == "step 0"
    assert "holds" in r.badges.widget.value
    r.player.next_button.click()
    r.player.next_button.click()
    assert r.panel.last_config == 2 and r.panel.figure.axes[0].get_title() == "step 2"
    assert "n0 crashed" in r.badges.widget.value
    r.player.play.value = 3
    assert r.panel.figure.axes[0].get_title() == "step 3"
    assert r.panel.render_count == 4


def test_fork_replaces_the_run_and_keeps_the_step():
    forks = []

    def fork(index, frame):
        forks.append((index, frame.title))
        return frames([2, 2, 2, 2, 2, 2])

    r = Replay(frames([3, 3, 3]), render_cluster, on_fork=fork)
    r.player.seek(1)
    r.player.fork_button.click()
    assert forks == [(1, "step 1")]
    assert r.player.n_frames == 6 and r.player.index == 1
    assert len(r.frame.nodes) == 2 and r.panel.last_config == 1
    with pytest.raises(ValueError, match="frames"):
        Replay([], render_cluster)
