import ipywidgets as widgets

from distlab.view.progress import sweep


def test_sweep_computes_everything_and_fills_the_bar():
    bar = widgets.IntProgress()
    out = sweep(lambda x: x * x, range(250), show=False, bar=bar)
    assert out == [x * x for x in range(250)] and out.complete
    assert bar.value == bar.max == 250 and bar.description == "done 250/250"


def test_an_interrupt_keeps_the_partial_results():
    def slow(x):
        if x == 7:
            raise KeyboardInterrupt  # what Jupyter's stop button does mid-loop
        return -x

    bar = widgets.IntProgress()
    out = sweep(slow, range(20), show=False, bar=bar)
    assert out == [0, -1, -2, -3, -4, -5, -6] and not out.complete
    assert bar.value == 7 and bar.bar_style == "danger" and bar.description == "stopped 7/20"
