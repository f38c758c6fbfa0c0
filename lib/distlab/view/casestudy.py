"""Chapter 6 views: the money-transfer service's dashboard, replayed by a Player, and the final quiz.

``dashboard()`` runs the chapter's chaos run (or takes a :class:`~distlab.casestudy.run.BankRun`
you made) and shows one figure of four stacked time axes -- every read's total against the money in
the bank (each account's balance behind it), success rate and retries, latency p50/p99, the
gateway's refusals with the breaker's state -- with the faults and crashes marked
(:mod:`distlab.view.casestudy_board`). The :class:`~distlab.view.player.Player` replays the run:
frame ``k`` shows everything up to the end of time bin ``k``, so a learner watches the chaos unfold.
The series is computed once (:func:`~distlab.casestudy.series.bank_series`) and what never moves is
drawn once, as a picture; a step only moves artists and re-rasterises.

``quiz()`` is the course's final five questions (the data lives in :mod:`distlab.casestudy.quiz`).
"""
from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from distlab.casestudy.config import BankConfig
from distlab.casestudy.quiz import QUIZ, TITLE
from distlab.casestudy.run import BankRun, run_bank
from distlab.casestudy.schedules import chaos_for
from distlab.casestudy.series import BankSeries, bank_series

from .casestudy_board import FIGSIZE, cursor_time, render_dashboard
from .casestudy_ledger import contention_table, demo_ledger, isolation_table, try_amounts
from .casestudy_toggles import toggles_panel
from .panel import Panel
from .player import Player
from .quiz import Quiz

__all__ = ["Dashboard", "chaos_run", "contention_table", "dashboard", "demo_ledger", "isolation_table", "quiz",
           "render_dashboard", "toggles_panel", "try_amounts"]


def chaos_run(seed: int = 0) -> BankRun:
    """The chapter's chaos run: the default service (every safeguard on) under the notebook's chaos
    schedule of ``seed`` (:func:`~distlab.casestudy.schedules.chaos_for`), on fresh embedded engines."""
    config = BankConfig(seed=seed)
    return run_bank(config, chaos_for(seed, config))


class Dashboard:
    """A run's dashboard: a `Player` over its time bins above one `Panel` figure.

    ``run`` and ``series`` are what it shows; ``player.seek(k)`` (or the widgets) shows frame ``k``;
    ``panel.last_png`` / ``panel.last_render_ms`` are the last frame and how long it took."""

    def __init__(self, run: BankRun, series: BankSeries, *, interval_ms: int = 300) -> None:
        self.run, self.series = run, series
        self.panel = Panel(self._render, {}, make_config=self._index, figsize=FIGSIZE, draw_now=False)
        self.player = Player(series.bins, self._show, interval_ms=interval_ms, description="time bin")
        self.panel.redraw()
        self.widget = widgets.VBox([self.player.widget, self.panel.output])

    @property
    def figure(self) -> Figure:
        """The one figure every frame is drawn into."""
        return self.panel.figure

    @property
    def now(self) -> float:
        """The simulated time the frame on screen shows up to."""
        return cursor_time(self.series, self.player.index)

    def _index(self) -> int:
        return self.player.index

    def _render(self, index: int, fig: Figure | None = None) -> Figure:
        return render_dashboard(self.series, index, fig=fig, freeze=True)

    def _show(self, index: int) -> None:
        if hasattr(self, "player"):  # the Player shows frame 0 while it is being built
            self.panel.redraw()

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)


def dashboard(run: BankRun | None = None, *, seed: int = 0, bin_s: float = 0.25, interval_ms: int = 300) -> Dashboard:
    """The dashboard of ``run`` (the chapter's chaos run drawn from ``seed`` when None), in time
    bins of ``bin_s`` seconds (0.01 to 60), played at one bin per ``interval_ms`` milliseconds."""
    if run is not None and not isinstance(run, BankRun):
        raise ValueError(f"run must be a BankRun (from run_bank) or None, got {type(run).__name__}")
    chosen = chaos_run(seed) if run is None else run
    return Dashboard(chosen, bank_series(chosen, bin_s), interval_ms=interval_ms)


def quiz() -> Quiz:
    """The course's final quiz: five questions, one per chapter, with instant feedback and no sign-in."""
    return Quiz.from_data(QUIZ, title=TITLE)
