"""`Replay`: step through a recorded run -- a `Player`, one reused figure and invariant badges.

Frames are whatever the chapter recorded (snapshots, `ClusterPicture` objects, ...); `render`
draws one frame into a figure and the optional `invariants` function returns the badge results
for a frame (e.g. ``lambda snap: snap.invariants.evaluate(snap)``).  Moving the player redraws
the figure and the badges; "fork here" calls ``on_fork(index, frame)``, and if that returns a
new list of frames the replay switches to it (the what-if run), staying at the same step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from .badges import Badges
from .panel import ConfigRender, Panel
from .player import Player


class Replay:
    """Step through recorded frames: a `Player`, one figure redrawn by ``render(frame, fig=...)``
    on every move, and, given `invariants`, badges for the frame on screen.

    "fork here" calls ``on_fork(index, frame)``; frames it returns replace the current ones (the
    what-if run, shown from the same step), None keeps them."""

    def __init__(self, frames: Sequence[Any], render: ConfigRender[object], *,
                 invariants: Callable[[Any], Mapping[str, object]] | None = None,
                 on_fork: Callable[[int, Any], Sequence[Any] | None] | None = None,
                 interval_ms: int = 400) -> None:
        if not frames:
            raise ValueError("frames must contain at least one frame")
        self.frames = list(frames)
        self.invariants = invariants
        self.user_fork = on_fork
        self.badges = Badges({})
        self.panel = Panel(lambda index, fig=None: render(self.frames[index], fig=fig), {},
                           make_config=lambda: self.player.index, draw_now=False)
        self.panel.on_redraw(self._update_badges)
        self.player = Player(len(self.frames), self._show, interval_ms=interval_ms,
                             on_fork=self._fork if on_fork is not None else None)
        self.panel.redraw()
        parts = [self.player.widget, self.panel.output]
        if invariants is not None:
            parts.insert(1, self.badges.widget)
        self.widget = widgets.VBox(parts)

    @property
    def frame(self) -> Any:
        """The frame on screen."""
        return self.frames[self.player.index]

    def _show(self, index: int) -> None:
        if hasattr(self, "player"):  # the Player calls show(0) while it is being built
            self.panel.redraw()

    def _update_badges(self, panel: Panel) -> None:
        if self.invariants is not None and panel.last_error is None:
            self.badges.update(self.invariants(self.frame))

    def _fork(self, index: int) -> Sequence[Any] | None:
        if self.user_fork is None:  # not reached: the player has a fork button only with on_fork
            return None
        new_frames = self.user_fork(index, self.frames[index])
        if new_frames is not None:
            if not new_frames:
                raise ValueError("on_fork must return None or at least one frame")
            self.frames = list(new_frames)
            self.player.set_length(len(self.frames))
            self.panel.redraw()
        return new_frames

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)
