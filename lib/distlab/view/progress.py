"""`sweep`: run a long experiment (a parameter sweep, a thousand trials) with a progress bar,
stoppable with the kernel's interrupt button (■) without losing what was already computed.

DESIGN.md: work longer than a second shows a progress bar and can be interrupted.  A running cell
cannot receive widget clicks, so "stop" is Jupyter's own interrupt: it raises `KeyboardInterrupt`
inside the loop, and `sweep` catches it, marks the bar "stopped" and returns the partial results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import ipywidgets as widgets


class SweepResult(list[object]):
    """The results computed so far; ``complete`` is False when the run was interrupted."""

    complete: bool = True


def sweep(fn: Callable[[object], object], items: Iterable[object], *, description: str = "running",
          show: bool = True, bar: widgets.IntProgress | None = None) -> SweepResult:
    """``[fn(x) for x in items]`` with a progress bar; an interrupt returns the partial list."""
    items = list(items)
    bar = bar or widgets.IntProgress(value=0, min=0, max=max(1, len(items)),
                                     description=description)
    bar.max = max(1, len(items))
    if show:
        _display(bar)
    results = SweepResult()
    step = max(1, len(items) // 100)  # at most ~100 front-end updates
    try:
        for i, item in enumerate(items, 1):
            results.append(fn(item))
            if i % step == 0 or i == len(items):
                bar.value = i
    except KeyboardInterrupt:
        results.complete = False
        bar.value = len(results)
        bar.bar_style = "danger"
        bar.description = f"stopped {len(results)}/{len(items)}"
        return results
    bar.bar_style = "success"
    bar.description = f"done {len(items)}/{len(items)}"
    return results


def _display(bar: widgets.Widget) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(bar)
    except ImportError:  # pragma: no cover
        pass
