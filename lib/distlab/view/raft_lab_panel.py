"""The widgets over chapter 2's live cluster (`raft_lab.ClusterLab`): settings sliders,
a column of buttons per server (crash / restart / isolate / reconnect), actions for the whole
cluster (client request, minority partition, heal, run on), a status line, and a
`distlab.view.Replay` of the recorded frames with play / step / seek, "fork here" and badges.

Every control calls the plain-Python lab and then shows its frames, redrawing exactly once.
"""
from __future__ import annotations

import ipywidgets as widgets

from .raft_lab import LATENCY_BOUNDS_MS, NODE_CHOICES, TIMEOUT_BOUNDS_MS, ClusterLab, render_frame
from .replay import Replay


class ClusterLabView:
    """The widgets over a `ClusterLab`: settings, per-server buttons, actions, and the replay."""

    def __init__(self, lab: ClusterLab):
        self.lab = lab
        s = lab.settings
        style = {"description_width": "initial"}
        self.controls = {
            "nodes": widgets.SelectionSlider(options=list(NODE_CHOICES), value=s.nodes,
                                             description="servers", style=style,
                                             continuous_update=False),
            "timeout_ms": widgets.IntRangeSlider(value=list(s.timeout_ms), min=TIMEOUT_BOUNDS_MS[0],
                                                 max=500, step=1, description="election timeout (ms)",
                                                 style=style, continuous_update=False),
            "latency_ms": widgets.IntSlider(value=int(s.latency_ms), min=LATENCY_BOUNDS_MS[0], max=50,
                                            description="latency (ms)", style=style,
                                            continuous_update=False),
            "loss": widgets.FloatSlider(value=s.loss, min=0.0, max=0.5, step=0.05,
                                        description="loss", style=style, continuous_update=False),
        }
        for control in self.controls.values():
            control.observe(self._on_setting, names="value")
        self.status = widgets.HTML()
        self.node_buttons = widgets.HBox()
        self._node_columns: dict = {}
        actions = []
        for label, action in (("client request", "request"),
                              ("partition leader + 1 | rest", "split"), ("heal", "heal"),
                              ("run 0.5 s", "run")):
            b = widgets.Button(description=label, tooltip=f"{action} at the frame on screen",
                               layout={"width": "auto"})
            b.on_click(lambda _b, a=action: self.press(a))
            actions.append(b)
        self.replay = Replay(lab.frames, render_frame, invariants=lambda f: f["invariants"],
                             on_fork=lambda i, f: self._fork(i))
        self._build_node_buttons()
        self.replay.player.seek(len(lab.frames) - 1)
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.node_buttons,
                                    widgets.HBox(actions), self.status, self.replay.widget])

    @property
    def panel(self):
        return self.replay.panel

    @property
    def settings(self) -> dict:
        return self.lab.settings._asdict()

    def _build_node_buttons(self) -> None:
        """One column of buttons per server; a server's column is built once and kept, so a
        settings change rebuilds nothing (the buttons act on whatever run the lab holds)."""
        columns = [self._node_column(p) for p in self.lab.cluster.pids]
        if list(self.node_buttons.children) != columns:
            self.node_buttons.children = columns

    def _node_column(self, p) -> widgets.VBox:
        if p not in self._node_columns:
            col = []
            for label, action in (("crash", "crash"), ("restart", "restart"),
                                  ("isolate", "isolate"), ("reconnect", "reconnect")):
                b = widgets.Button(description=f"{label} {p}", layout={"width": "112px"})
                b.on_click(lambda _b, a=action, q=p: self.press(a, q))
                col.append(b)
            self._node_columns[p] = widgets.VBox(col)
        return self._node_columns[p]

    def _on_setting(self, change) -> None:
        values = {k: (tuple(c.value) if k == "timeout_ms" else c.value)
                  for k, c in self.controls.items()}
        try:
            self.lab.configure(**values)
        except ValueError as exc:
            self.status.value = f"<b>Refused:</b> {exc}"
            return
        self.status.value = ""
        self._build_node_buttons()
        self._show(len(self.lab.frames) - 1)

    def press(self, action: str, pid=None) -> str:
        """What a button does: fork at the frame on screen if needed, then act there."""
        if self.replay.player.index < len(self.lab.frames) - 1:
            self.lab.fork(self.replay.player.index)
        what = self.lab.act(action, pid)
        self.status.value = what
        self._show(len(self.lab.frames) - 1)
        return what

    def _fork(self, index: int) -> list:
        frames = self.lab.fork(index)
        self.status.value = f"forked at t = {frames[-1]['time']:.2f} s: act from here"
        return frames

    def _show(self, index: int) -> None:
        """Swap in the lab's frames and show `index`, redrawing exactly once."""
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

    def _ipython_display_(self):  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)


def cluster_lab(nodes=5, timeout_ms=(150, 300), latency_ms=5, loss=0.0, seed=0) -> ClusterLabView:
    """The chapter's live cluster: `ClusterLabView(ClusterLab(...))`."""
    return ClusterLabView(ClusterLab(nodes, timeout_ms, latency_ms, loss, seed))
