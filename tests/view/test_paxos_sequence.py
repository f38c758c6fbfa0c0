"""The Paxos sequence diagram stays readable: a long span draws at most `MAX_ARROWS` messages and says
how much of the run is drawn and what happened over all of it."""
import pytest
from matplotlib.text import Annotation

from distlab.view import consensus as cv
from distlab.view.consensus_paxos import MAX_ARROWS


def _arrows(fig):
    return [t for t in fig.axes[0].texts if isinstance(t, Annotation)]


@pytest.mark.parametrize("until_ms", [200, 2000])
def test_a_long_duel_draws_a_readable_part_and_says_so(until_ms):
    fig = cv.render_sequence(proposers=2, until_ms=until_ms, timeout_ms=15, second_start_ms=7.5)
    assert len(_arrows(fig)) <= MAX_ARROWS
    title = fig.axes[0].get_title()
    assert f"nothing chosen in {until_ms} ms" in title and "ballots" in title and "drawn" in title
    bottom, _top = fig.axes[0].get_ylim()
    assert bottom < until_ms                      # the axis ends where the drawing does


def test_the_notebooks_short_spans_are_drawn_whole():
    one = cv.render_sequence(proposers=1, until_ms=22, timeout_ms=50)
    duel = cv.render_sequence(proposers=2, until_ms=40, timeout_ms=15, second_start_ms=7.5)
    assert "(first 22 ms)" in one.axes[0].get_title() and "(first 40 ms)" in duel.axes[0].get_title()
    assert len(_arrows(duel)) == 68


def test_the_diagram_names_every_role_and_shows_the_learners():
    fig = cv.render_sequence(proposers=1, until_ms=22, timeout_ms=50)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "0\nproposer +\nacceptor"                       # why a proposer receives Prepare
    assert all(t.endswith("acceptor") for t in ticks) and "learner" in ax.get_xlabel()
    stars = [ln for ln in ax.lines if ln.get_label() == "learned the value"]
    assert len(stars) == 1 and len(stars[0].get_xdata()) == 5           # all five servers learned v0
    assert "learned the value" in [t.get_text() for t in ax.get_legend().get_texts()]
