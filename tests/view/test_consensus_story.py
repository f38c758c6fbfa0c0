"""Chapter 2's stories as a learner reads them: the text, the plot and the checks' reports of one run
agree on every number."""
import re

import pytest
from matplotlib.patches import Rectangle

from distlab.view import consensus as cv


@pytest.fixture(scope="module")
def story():
    return cv.fencing_story("", seed=0)


def printed_times(text):
    return [float(t) for t in re.findall(r"t=\s*(\d+\.\d+) s", text)]


@pytest.mark.parametrize("fenced", [False, True])
def test_fencing_text_and_verdicts_use_one_clock(story, fenced):
    text = cv.fencing_text(story[fenced])
    story_lines = [ln for ln in text.splitlines() if ln.startswith("t=")]
    told = printed_times("\n".join(story_lines))
    assert told[0] == 0.0 and told[1] == 0.0               # A takes the lock and pauses at t = 0
    for t in printed_times("\n".join(ln for ln in text.splitlines() if ln.startswith("  "))):
        assert any(abs(t - s) < 0.006 for s in told), (t, told)   # a verdict's time is one the story told
    assert all(w.time <= told[-1] + 1e-9 for w in story[fenced].writes)


def test_fencing_plot_shows_the_pause_where_the_text_starts_it(story):
    fig = cv.render_fencing(story)
    for ax, fenced in zip(fig.axes, (False, True)):
        r = story[fenced]
        bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
        frozen = next(p for p in bars if p.get_hatch())
        pause, wake = r.timeline[1].time, r.timeline[-1].time
        assert frozen.get_x() == pytest.approx(pause) and frozen.get_x() + frozen.get_width() == pytest.approx(wake)
        y0, y1 = frozen.get_y(), frozen.get_y() + frozen.get_height()
        for other in bars:   # nothing drawn over the frozen bar hides where the pause starts
            if other is frozen:
                continue
            overlap_y = min(y1, other.get_y() + other.get_height()) - max(y0, other.get_y())
            overlap_x = min(frozen.get_x() + frozen.get_width(), other.get_x() + other.get_width()) - \
                max(frozen.get_x(), other.get_x())
            assert overlap_y <= 0 or overlap_x <= 0, other
