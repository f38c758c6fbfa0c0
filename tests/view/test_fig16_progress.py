"""The notebook's Figure 16 cell (several seconds) shows a progress bar, and its numbers are the sweep's."""
from distlab.consensus.raft import figure16
from distlab.view import consensus as cv, progress


def test_fig16_data_shows_a_progress_bar_counting_every_trial(monkeypatch):
    shown = []
    monkeypatch.setattr(progress, "_display", shown.append)
    data = cv.fig16_data(scale=0.01, seed=0)
    assert len(shown) == 1
    bar = shown[0]
    trials = sum(len(v) for v in data.values())
    assert (bar.value, bar.max) == (trials, trials) and bar.description == f"done {trials}/{trials}"


def test_fig16_data_is_the_sweep_in_the_same_order():
    data = cv.fig16_data(scale=0.01, seed=3, progress=False)
    assert data == figure16.sweep(seed=3, scale=0.01)
    assert list(data) == list(figure16.RANGES_MS)
