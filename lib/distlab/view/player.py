"""`Player`: play / step / seek over a sequence of frames, plus a "fork here" hook.

A frame is whatever the caller says it is -- a snapshot of the simulation after step *i*
(DESIGN.md principle 12: plain, cloneable state with a snapshot per step).  The player only deals
in frame *indices*: every time the position changes it calls ``show(index)``, and the caller
draws frame ``index`` however it likes (usually by setting a `Panel` control or calling a render).

Controls: ``⏮ first``, ``◀ step``, a `Play` widget (animates in the browser), a seek slider,
``step ▶``, ``last ⏭`` and, when `on_fork` is given, ``fork here`` which calls
``on_fork(index)`` -- the caller typically clones the snapshot, applies a fault and calls
`set_length` with the new trace's length.  The Play widget and the slider are linked kernel-side
(`ipywidgets.link`), so tests can drive either one without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets


class Player:
    """Navigate frames ``0 .. n_frames-1``; `index` is always within range."""

    def __init__(self, n_frames: int, show: Callable[[int], object], *, interval_ms: int = 400,
                 on_fork: Callable[[int], object] | None = None, description: str = "step") -> None:
        _check_length(n_frames)
        if not callable(show):
            raise ValueError(f"show must be callable, got {show!r}")
        if not isinstance(interval_ms, int) or not 20 <= interval_ms <= 10_000:
            raise ValueError(f"interval_ms must be an integer in [20, 10000], got {interval_ms!r}")
        self.show = show
        self.on_fork = on_fork
        self.shown: list[int] = []  # every index handed to show(), in order (tests read this)
        self.play = widgets.Play(value=0, min=0, max=n_frames - 1, step=1, interval=interval_ms,
                                 description="play")
        self.slider = widgets.IntSlider(value=0, min=0, max=n_frames - 1, description=description,
                                        continuous_update=True)
        self._link = widgets.link((self.play, "value"), (self.slider, "value"))
        self.first_button = widgets.Button(description="first", icon="fast-backward", tooltip="go to the first frame")
        self.back_button = widgets.Button(description="back", icon="step-backward", tooltip="one frame back")
        self.next_button = widgets.Button(description="step", icon="step-forward", tooltip="one frame forward")
        self.last_button = widgets.Button(description="last", icon="fast-forward", tooltip="go to the last frame")
        self.first_button.on_click(lambda _b: self.seek(0))
        self.back_button.on_click(lambda _b: self.step(-1))
        self.next_button.on_click(lambda _b: self.step(+1))
        self.last_button.on_click(lambda _b: self.seek(self.n_frames - 1))
        buttons = [self.first_button, self.back_button, self.play, self.slider, self.next_button,
                   self.last_button]
        self.fork_button: widgets.Button | None = None
        if on_fork is not None:
            if not callable(on_fork):
                raise ValueError(f"on_fork must be callable, got {on_fork!r}")
            self.fork_button = widgets.Button(description="fork here", icon="code-branch",
                                              tooltip="start a what-if run from this frame")
            self.fork_button.on_click(lambda _b: self.fork())
            buttons.append(self.fork_button)
        self.slider.observe(self._on_change, names="value")
        self.widget = widgets.HBox(buttons)
        self._notify(0)

    @property
    def index(self) -> int:
        """The frame on screen (the slider's value)."""
        return int(self.slider.value)

    @property
    def n_frames(self) -> int:
        """How many frames there are (the slider's maximum + 1)."""
        return int(self.slider.max) + 1

    def seek(self, index: int) -> None:
        """Go to frame `index`; out-of-range indices raise `ValueError`."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.n_frames:
            raise ValueError(f"index must be an integer in [0, {self.n_frames - 1}], got {index!r}")
        self.slider.value = index

    def step(self, delta: int = 1) -> None:
        """Move `delta` frames, stopping at either end (no wrap-around)."""
        self.slider.value = min(max(self.index + delta, 0), self.n_frames - 1)

    def fork(self) -> object:
        """Call the fork hook with the current index; returns what it returned."""
        if self.on_fork is None:
            raise ValueError("this player was built without on_fork")
        return self.on_fork(self.index)

    def set_length(self, n_frames: int) -> None:
        """Change the number of frames (after a fork extends or replaces the trace), keeping the
        current index when it still exists."""
        _check_length(n_frames)
        keep = min(self.index, n_frames - 1)
        if keep != self.index:
            self.slider.value = keep
        for w in (self.slider, self.play):
            w.max = n_frames - 1

    def _on_change(self, change: Mapping[str, Any]) -> None:
        self._notify(change["new"])

    def _notify(self, index: int) -> None:
        self.shown.append(index)
        self.show(index)

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)


def _check_length(n_frames: object) -> None:
    if isinstance(n_frames, bool) or not isinstance(n_frames, int) or n_frames < 1:
        raise ValueError(f"n_frames must be an integer >= 1, got {n_frames!r}")
