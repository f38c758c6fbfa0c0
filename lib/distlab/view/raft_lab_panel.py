"""The widgets over chapter 2's live cluster (`raft_lab.ClusterLab`): settings sliders,
a column of buttons per server (crash / restart / isolate / reconnect), actions for the whole
cluster (client request, minority partition, heal, run on), sharing (export the run on screen as
a short string, import one), a status line, and a `distlab.view.Replay` of the recorded frames
with play / step / seek, "fork here" and badges.

Every control calls the plain-Python lab and then shows its frames, redrawing exactly once.  A bad
imported string only writes what is wrong in the status line: nothing else changes.  A settings
slider starts a new run; once the run holds actions, the panel asks first (`raft_lab_boxes`).
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .panel import Panel
from .raft_lab import (
    LATENCY_BOUNDS_MS,
    LOSS_BOUNDS,
    NODE_CHOICES,
    TIMEOUT_BOUNDS_MS,
    ClusterLab,
    RunFormatError,
    Settings,
    render_frame,
)
from .raft_lab_boxes import ConfirmBox, ShareBox
from .raft_lab_inputs import parse_run
from .replay import Replay

SLIDER_TIMEOUT_MS = (TIMEOUT_BOUNDS_MS[0], 500)   #: the election timeout slider's range (ms)
SLIDER_LATENCY_MS = (LATENCY_BOUNDS_MS[0], 50)    #: the latency slider's range (whole ms)


def panel_refusal(s: Settings) -> str | None:
    """Why the panel's sliders cannot show settings `s` (None when they can): the plain lab
    accepts longer timeouts and latencies, and fractions of a millisecond, than the sliders do."""
    if s.timeout_ms[1] > SLIDER_TIMEOUT_MS[1]:
        return (f"the election timeout slider reaches {SLIDER_TIMEOUT_MS[1]} ms and this run's is "
                f"{list(s.timeout_ms)} ms; ClusterLab.from_json(...) loads it without the panel")
    if s.latency_ms > SLIDER_LATENCY_MS[1] or not float(s.latency_ms).is_integer():
        return (f"the latency slider takes whole milliseconds up to {SLIDER_LATENCY_MS[1]} and this run's "
                f"is {s.latency_ms} ms; ClusterLab.from_json(...) loads it without the panel")
    return None


def counted(n: int, word: str) -> str:
    """``1 action``, ``2 actions``: `n` and `word`, plural unless `n` is 1."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _settings_controls(s: Settings) -> dict[str, Any]:
    style = {"description_width": "initial"}
    return {
        "nodes": widgets.SelectionSlider(options=list(NODE_CHOICES), value=s.nodes,
                                         description="servers", style=style,
                                         continuous_update=False),
        "timeout_ms": widgets.IntRangeSlider(value=list(s.timeout_ms), min=SLIDER_TIMEOUT_MS[0],
                                             max=SLIDER_TIMEOUT_MS[1], step=1,
                                             description="election timeout (ms)",
                                             style=style, continuous_update=False),
        "latency_ms": widgets.IntSlider(value=int(s.latency_ms), min=SLIDER_LATENCY_MS[0],
                                        max=SLIDER_LATENCY_MS[1], description="latency (ms)",
                                        style=style, continuous_update=False),
        "loss": widgets.FloatSlider(value=s.loss, min=LOSS_BOUNDS[0], max=LOSS_BOUNDS[1], step=0.05,
                                    description="loss", style=style, continuous_update=False),
    }


class ClusterLabView:
    """The widgets over a `ClusterLab`: settings, per-server buttons, actions, sharing, and the
    replay."""

    def __init__(self, lab: ClusterLab) -> None:
        problem = panel_refusal(lab.settings)
        if problem is not None:
            raise ValueError(problem)
        self.lab = lab
        self._syncing = False  # True while a loaded run sets the sliders: they must not rebuild it
        self.controls = _settings_controls(lab.settings)
        for control in self.controls.values():
            control.observe(self._on_setting, names="value")
        self.status = widgets.HTML()
        self.confirm = ConfirmBox()
        self.node_buttons = widgets.HBox()
        self._node_columns: dict[int, widgets.VBox] = {}
        actions = []
        for label, action in (("client request", "request"),
                              ("partition leader + 1 | rest", "split"), ("heal", "heal"),
                              ("run 0.5 s", "run")):
            b = widgets.Button(description=label, tooltip=f"{action} at the frame on screen",
                               layout={"width": "auto"})
            b.on_click(lambda _b, a=action: self.press(a))
            actions.append(b)
        self.share = ShareBox()
        self.share.export_button.on_click(lambda _b: self.export_run())
        self.share.import_button.on_click(lambda _b: self.import_run())
        self.replay = Replay(lab.frames, render_frame, invariants=lambda f: f["invariants"],
                             on_fork=lambda i, f: self._fork(i))
        self._build_node_buttons()
        self.replay.player.seek(lab.shown)
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.node_buttons,
                                    widgets.HBox(actions), self.share.widget, self.status,
                                    self.confirm.widget, self.replay.widget])

    @property
    def panel(self) -> Panel:
        """The replay's panel (its figure, last PNG and render count)."""
        return self.replay.panel

    @property
    def settings(self) -> dict[str, Any]:
        """The lab's settings, as a dict."""
        return self.lab.settings._asdict()

    def _build_node_buttons(self) -> None:
        """One column of buttons per server; a server's column is built once and kept, so a
        settings change rebuilds nothing (the buttons act on whatever run the lab holds)."""
        columns = [self._node_column(p) for p in self.lab.cluster.pids]
        if list(self.node_buttons.children) != columns:
            self.node_buttons.children = columns

    def _node_column(self, p: int) -> widgets.VBox:
        if p not in self._node_columns:
            col = []
            for label, action in (("crash", "crash"), ("restart", "restart"),
                                  ("isolate", "isolate"), ("reconnect", "reconnect")):
                b = widgets.Button(description=f"{label} {p}", layout={"width": "112px"})
                b.on_click(lambda _b, a=action, q=p: self.press(a, q))
                col.append(b)
            self._node_columns[p] = widgets.VBox(col)
        return self._node_columns[p]

    def _on_setting(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        if not self.lab.actions:
            self._new_run()
            return
        self.confirm.ask(f"<b>A new setting starts a new run from t = 0:</b> this run's "
                         f"{counted(len(self.lab.actions), 'action')} would be discarded "
                         f"('export run' keeps a copy).", self._new_run, self._keep_run)

    def _new_run(self) -> None:
        """Start a new run with the sliders' settings (the old run's frames and actions go)."""
        values = {k: (tuple(c.value) if k == "timeout_ms" else c.value)
                  for k, c in self.controls.items()}
        dropped = len(self.lab.actions)
        try:
            self.lab.configure(**values)
        except ValueError as exc:
            self.status.value = f"<b>Refused:</b> {exc}"
            return
        self.status.value = (f"new run with these settings; the previous run's "
                             f"{counted(dropped, 'action')} were discarded" if dropped else "")
        self._build_node_buttons()
        self._show(len(self.lab.frames) - 1)

    def _keep_run(self) -> None:
        """Keep the run on screen: the sliders go back to its settings."""
        self._sync_controls()
        self.status.value = "kept this run: the sliders show its settings again"

    def press(self, action: str, pid: int | None = None) -> str:
        """What a button does: fork at the frame on screen if needed, then act there (a settings
        question still pending is answered 'keep this run')."""
        if self.confirm.pending:
            self.confirm.answer(False)
        if self.replay.player.index < len(self.lab.frames) - 1:
            self.lab.fork(self.replay.player.index)
        what = self.lab.act(action, pid)
        self.status.value = what
        self._show(len(self.lab.frames) - 1)
        return what

    def export_run(self) -> str:
        """The run on screen as a short string (`ClusterLab.to_json` at the player's frame), put in
        the export box; "" with the reason in the status line if it cannot be shared."""
        try:
            text = self.lab.to_json(frame=self.replay.player.index)
        except RunFormatError as exc:
            self.status.value = f"<b>Not exported:</b> {html.escape(str(exc))}"
            return ""
        self.share.show(text)
        self.status.value = (f"exported this run ({counted(len(self.lab.actions), 'action')}, on frame "
                             f"{self.replay.player.index}) as {len(text)} characters: copy them from "
                             f"the box; 'import run' or cv.cluster_lab(run=...) replays it exactly")
        return text

    def import_run(self, text: str | None = None) -> bool:
        """Replay a shared run (`text`, default the import box's) from its seed and show the frame
        its sender had on screen.  A bad string changes nothing but the status line, which says
        what is wrong; returns whether the run was loaded."""
        raw = self.share.import_box.value if text is None else text
        try:
            run = parse_run(raw)
            problem = panel_refusal(run.settings)
            if problem is not None:
                raise RunFormatError(problem)
        except RunFormatError as exc:
            self.status.value = f"<b>Not imported:</b> {html.escape(str(exc))}"
            return False
        self.lab = ClusterLab.from_run(run)  # built aside, then swapped in: never half-loaded
        self._sync_controls()
        self._build_node_buttons()
        self._show(self.lab.shown)
        self.status.value = (f"imported a run of {counted(run.frames, 'frame')} and "
                             f"{counted(len(run.actions), 'action')}, "
                             f"replayed from seed {run.settings.seed}: on its sender's frame {run.frame}")
        return True

    def _sync_controls(self) -> None:
        """Set the sliders to the lab's settings without rebuilding the run."""
        s = self.lab.settings
        self._syncing = True
        try:
            for name, value in (("nodes", s.nodes), ("timeout_ms", s.timeout_ms),
                                ("latency_ms", int(s.latency_ms)), ("loss", s.loss)):
                self.controls[name].value = value
        finally:
            self._syncing = False

    def _fork(self, index: int) -> list[dict[str, Any]]:
        frames = self.lab.fork(index)
        self.share.show("")
        self.status.value = f"forked at t = {frames[-1]['time']:.2f} s: act from here"
        return frames

    def _show(self, index: int) -> None:
        """Swap in the lab's frames and show `index`, redrawing exactly once; an exported string
        no longer describes the run, so the export box is cleared."""
        self.share.show("")
        replay, player = self.replay, self.replay.player
        count = replay.panel.render_count
        replay.frames = self.lab.frames
        n = len(self.lab.frames)
        for w in (player.play, player.slider):
            w.max = max(w.max, n - 1)
        player.slider.value = index
        for w in (player.slider, player.play):
            w.max = n - 1
        if replay.panel.render_count == count:
            replay.panel.redraw()

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)


def cluster_lab(nodes: int | None = None, timeout_ms: tuple[int, int] | None = None,
                latency_ms: float | None = None, loss: float | None = None, seed: int | None = None, *,
                run: str | None = None) -> ClusterLabView:
    """The chapter's live cluster: `ClusterLabView(ClusterLab(...))`, with the lab's defaults (5
    servers, election timeout 150-300 ms, 5 ms latency, no loss, seed 0) for the settings left out.
    With `run`, a string from "export run" (or `ClusterLab.to_json`), that run instead, replayed
    exactly and shown on the frame its sender had on screen; the run carries its own settings, so
    a setting passed with it is a `ValueError` rather than silently ignored."""
    given: dict[str, Any] = {name: value for name, value in (
        ("nodes", nodes), ("timeout_ms", timeout_ms), ("latency_ms", latency_ms), ("loss", loss),
        ("seed", seed)) if value is not None}
    if run is None:
        return ClusterLabView(ClusterLab(**given))
    if given:
        raise ValueError(f"the run carries its own settings (its seed too): pass cluster_lab(run=...) "
                         f"alone, without {', '.join(given)}")
    return ClusterLabView(ClusterLab.from_json(run))
