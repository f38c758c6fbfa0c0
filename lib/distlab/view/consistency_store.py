"""The chapter-wide experiment: the replicated store under sliders, and the measured trade-off.

:func:`store_config` turns the panel's controls (replicas, mean replication lag, read policy,
partition length, session mode) into a :class:`distlab.consistency.StoreConfig`;
:func:`render_store` runs it and plots what users would notice (anomalies, as a share of reads)
and what they pay (latency percentiles), with the strongest rung ``classify`` finds for the run in
the title (:mod:`.consistency_tradeoff` runs every read policy on the same workload).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, TypedDict

import ipywidgets as widgets
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from distlab.consistency import READ_POLICIES, StoreConfig, run_store
from distlab.consistency.ladder import implies_all
from distlab.sim import Exponential

from .consistency_ladder import classify_history
from .controls import choice_control, fraction_control, seed_control, size_control
from .panel import Panel, panel_render, settings_of
from .settings import number_setting
from .style import BAD, CYCLE, GOOD, OKABE_ITO, Memo, label_axes, prepare

__all__ = ["SESSION_MODES", "WRITE_ACKS", "store_config", "store_run", "render_store", "store_panel"]

#: What a replica that is behind a session's version token does (only the ``token`` policy uses it).
SESSION_MODES = ("wait", "redirect")
#: When a write is acknowledged: once the leader applied it, or once a majority of replicas did.
WRITE_ACKS = ("leader", "majority")


class _Workload(TypedDict):
    """The store experiment's fixed workload (the panel varies the store, not the load)."""

    clients: int
    keys: int
    ops_per_client: int
    client_timeout: float


_WORKLOAD = _Workload(clients=5, keys=3, ops_per_client=24, client_timeout=0.3)
_PARTITION_START = 0.2
_STYLE = {"description_width": "initial"}


def store_config(config: Mapping[str, Any]) -> StoreConfig:
    """Controls -> StoreConfig. ``lag_ms`` is the mean replication lag; ``partition_s`` 0 means none."""
    lag = number_setting(config, "lag_ms", 1.0, 2000.0, " ms")
    part = number_setting(config, "partition_s", 0.0, 3600.0, " s", default=0.0)
    replicas = int(number_setting(config, "replicas", 1, 99, integer=True))
    menus = {name: _menu(config, name, options) for name, options in
             (("policy", READ_POLICIES), ("session", SESSION_MODES), ("write_ack", WRITE_ACKS))}
    return StoreConfig(replicas=replicas, read_policy=menus["policy"], token_mode=menus["session"],
                       write_ack=menus["write_ack"],
                       replication_lag=Exponential(tail_mean=(lag - 1.0) / 1000.0, offset=0.001),
                       partition=(_PARTITION_START, part) if part > 0 else None,
                       leader_rtt=number_setting(config, "rtt_ms", 0.0, 60_000.0, " ms", default=0.0) / 1000.0,
                       seed=int(number_setting(config, "seed", 0, 2**63 - 1, integer=True, default=0)), **_WORKLOAD)


def _menu(config: Mapping[str, Any], name: str, options: Sequence[str]) -> str:
    """The menu setting ``name`` (default: its first option), refused by that name unless one of ``options``."""
    value = config.get(name, options[0])
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def store_run(config: Mapping[str, Any]) -> dict[str, Any]:
    """One run: the library's metrics plus the classification of its history.

    Memoised per :class:`StoreConfig` (a run is determined by its config and seed, and a learner
    dragging a slider back and forth revisits settings); the dict is shared, so do not modify it."""
    return _store_run(store_config(config))


@lru_cache(maxsize=128)
def _store_run(cfg: StoreConfig) -> dict[str, Any]:
    result = run_store(cfg)
    c = classify_history(result.history, "kv")
    reads = sum(1 for o in result.outcomes if o["outcome"] == "ok" and o["f"] == "get")
    return {"metrics": result.metrics, "classification": c, "strongest": c.strongest,
            "history": result.history, "reads": reads}


#: The rows of "what users notice", top to bottom, with their colours.
_ANOMALY_ROWS = (("stale reads", BAD), ("read-your-writes violations", BAD), ("monotonic-reads violations", BAD),
                 ("reads unavailable", OKABE_ITO["reddish_purple"]),
                 ("writes unavailable", OKABE_ITO["reddish_purple"]))
#: The rung each of the first rows measures (a bar above 0 is a violation of it in the leader's order).
_ROW_RUNGS = ("linearizable", "read-your-writes", "monotonic-reads")


def title_vs_bars(strongest: Sequence[str], anomalies: Sequence[float]) -> list[str]:
    """The rungs the checker finds holding (``strongest`` and every rung they imply) whose bar of
    :data:`_ANOMALY_ROWS` is above 0 -- where the title and the bars seem to disagree."""
    held = set(strongest).union(*(implies_all(r) for r in strongest))
    return [rung for rung, value in zip(_ROW_RUNGS, anomalies) if rung in held and value > 0]


def title_vs_bars_note(rungs: Sequence[str]) -> str:
    """On-screen reason why the rungs of :func:`title_vs_bars` hold although their bars are above 0."""
    if not rungs:
        return ""
    verb, bars = ("holds", "its bar is") if len(rungs) == 1 else ("hold", "their bars are")
    return (f"Why {' and '.join(rungs)} {verb} although {bars} above 0: the checker sees only the values read and "
            "may order other clients' writes\ndifferently from the leader; the bars count against the leader's "
            "own order (its version numbers) -- what users of this store see.")


def _anomalies(m: Mapping[str, Any], reads: int) -> list[float]:
    """The percentages of :data:`_ANOMALY_ROWS`, in that order."""
    reads = max(1, reads)
    return [100.0 * m["stale_read_rate"], 100.0 * m["ryw_violations"] / reads,
            100.0 * m["mr_violations"] / reads, 100.0 * (1.0 - (m["read_availability"] or 0.0)),
            100.0 * (1.0 - (m["write_availability"] or 0.0))]


_PERCENTILES = ("p50", "p95", "p99")
_KINDS = (("read", CYCLE[0]), ("write", CYCLE[1]))


class _StoreFigure:
    """The two axes of :func:`render_store`, built once per figure; a redraw only moves the bars and
    the value labels and re-scales the latency axis (re-creating both axes, their ticks and the
    legend took about a third of every slider move)."""

    def __init__(self, fig: Figure) -> None:
        self.left = fig.add_axes((0.25, 0.13, 0.3, 0.65))
        names, colours = zip(*_ANOMALY_ROWS)
        self.anomaly_bars: list[Rectangle] = self.left.barh(list(names), [0.0] * len(names),
                                                            color=list(colours)).patches
        self.anomaly_labels: list[Text] = [self.left.text(1, i, "", va="center", fontsize=8) for i in range(len(names))]
        self.left.set_xlim(0, 105)
        self.left.invert_yaxis()
        label_axes(self.left, title="What users notice", xlabel="share of operations (%)")
        _pin_title(self.left)
        self.right = fig.add_axes((0.64, 0.13, 0.34, 0.65))
        width = 0.38
        self.latency_bars: dict[str, list[Rectangle]] = {}
        for j, (kind, colour) in enumerate(_KINDS):
            self.latency_bars[kind] = self.right.bar([i + (j - 0.5) * width for i in range(3)], [0.0] * 3, width,
                                                     color=colour, label=f"{kind}s").patches
        self.right.set_xticks(range(3))
        self.right.set_xticklabels(list(_PERCENTILES))
        self.right.legend(fontsize=8)
        label_axes(self.right, title="What they pay", xlabel="percentile", ylabel="latency (ms)")
        _pin_title(self.right)
        self.note = fig.text(0.5, 0.845, "", ha="center", va="bottom", fontsize=8, color="#444444")

    @classmethod
    def of(cls, fig: Figure) -> _StoreFigure:
        """The figure's store axes, or new ones on an emptied figure."""
        drawn = _STORE_FIGURE.get(fig)
        if drawn is not None and fig.axes == [drawn.left, drawn.right]:
            return drawn
        prepare(fig)
        return _STORE_FIGURE.put(fig, cls(fig))

    def show(self, m: Mapping[str, Any], reads: int, strongest: Sequence[str]) -> None:
        """Move the bars and value labels to the metrics `m` of a run with `reads` reads, and say why
        a rung of the title (`strongest`) holds where its bar is above 0."""
        anomalies = _anomalies(m, reads)
        self.note.set_text(title_vs_bars_note(title_vs_bars(strongest, anomalies)))
        for bar, label, value in zip(self.anomaly_bars, self.anomaly_labels, anomalies):
            bar.set_width(value)
            label.set_position((value + 1, label.get_position()[1]))
            label.set_text(f"{value:.0f}%")
        for kind, _ in _KINDS:
            lat = m[f"{kind}_latency_ms"]
            for bar, p in zip(self.latency_bars[kind], _PERCENTILES):
                bar.set_height(lat[p] or 0.0)
        self.right.relim()
        self.right.autoscale_view()


_STORE_FIGURE: Memo[_StoreFigure] = Memo("_distlab_store")


def _pin_title(ax: Axes) -> None:
    """Fix the title at the top of the axes, where matplotlib's automatic placement leaves it when
    the ticks are at the bottom (as here); the automatic placement measures every tick label on
    each draw to make sure none reaches the title."""
    ax.set_title(ax.get_title(), y=1.0)


def store_panel(replicas: int = 3, lag_ms: float = 50.0, policy: str = "any", write_ack: str = "leader",
                partition_s: float = 0.0, session: str = "wait", seed: int = 0) -> Panel:
    """The experiment's sliders and menus; every change re-runs the store and re-checks its history."""
    controls = {
        "replicas": size_control(replicas, min=1, max=7, name="replicas", description="replicas",
                                 continuous_update=False),
        "lag_ms": fraction_control(lag_ms, min=5.0, max=500.0, step=5.0, name="lag_ms", description="mean lag (ms)",
                                   continuous_update=False),
        "policy": choice_control(READ_POLICIES, policy, name="policy", description="read policy", style=_STYLE,
                                 layout=widgets.Layout(width="190px")),
        "write_ack": choice_control(WRITE_ACKS, write_ack, name="write_ack", description="write acks:",
                                    style=_STYLE, layout=widgets.Layout(width="190px")),
        "partition_s": fraction_control(partition_s, min=0.0, max=1.5, step=0.1, name="partition_s",
                                        description="partition (s)", continuous_update=False),
        "session": choice_control(SESSION_MODES, session, name="session", description="behind the token:",
                                  style=_STYLE, layout=widgets.Layout(width="210px")),
        "seed": seed_control(seed, name="seed", max=10_000, layout=widgets.Layout(width="130px")),
    }
    panel = Panel(render_store, controls, figsize=(10.0, 4.8))
    panel.widget.children[0].layout.flex_flow = "row wrap"
    _disable_what_cannot_matter(controls)
    for name in ("policy", "replicas"):
        controls[name].observe(lambda _change: _disable_what_cannot_matter(controls), names="value")
    return panel


def _disable_what_cannot_matter(controls: Mapping[str, Any]) -> None:
    """Grey out a control that has no effect under another's setting, and say why in its tooltip:
    only the ``token`` policy has a token to be behind; with fewer than 3 replicas a partition has no
    minority side to cut off; one replica has no follower to lag, to acknowledge or to fall behind."""
    alone = int(controls["replicas"].value) == 1
    token = controls["policy"].value == "token"
    lonely = "one replica has no follower to replicate to"
    why = {"session": "only the token read policy uses this" if not token else lonely if alone else "",
           "partition_s": "" if int(controls["replicas"].value) >= 3
           else "a partition needs 3 or more replicas to cut a minority off",
           "lag_ms": lonely if alone else "", "write_ack": lonely if alone else ""}
    for name, reason in why.items():
        controls[name].disabled = bool(reason)
        controls[name].tooltip = reason


def _title_colour(strongest: Sequence[str]) -> str:
    """Green only for a linearizable run (nothing a user could notice), vermillion when no rung holds,
    plain text in between (a green 'monotonic-writes' beside 30 % broken sessions read as 'fine')."""
    if "linearizable" in strongest:
        return GOOD
    return BAD if not strongest else "#222222"


def _setup(config: Mapping[str, Any]) -> str:
    """The title's first line: the settings that act on this run (a partition needs 3 or more
    replicas, and one replica has no lag and no one else to acknowledge a write)."""
    part, n = float(config["partition_s"]), int(config["replicas"])
    if n == 1:
        return f"read policy {config['policy']!r}, 1 replica (nothing to replicate)"
    return (f"read policy {config['policy']!r}, writes acknowledged by the {config['write_ack']}, {n} replicas, "
            f"lag ~{float(config['lag_ms']):g} ms{f', partition {part:g} s' if part and n >= 3 else ''}")


@panel_render(defaults=settings_of(store_panel))
def render_store(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Anomalies (left, % of reads or of operations) and latency percentiles (right, ms) for
    ``replicas``, ``lag_ms``, ``policy``, ``write_ack`` (``"leader"`` or ``"majority"``), ``partition_s``,
    ``session`` and ``seed`` (as `store_panel`). The title's rung is the checker's; a note says why
    it can hold where its bar is above 0 (:func:`title_vs_bars`)."""
    run = store_run(config)
    m = run["metrics"]
    fig = fig if fig is not None else prepare(None, figsize=(10.0, 4.8))
    _StoreFigure.of(fig).show(m, run["reads"], run["strongest"])
    strongest = ", ".join(run["strongest"]) or "none"
    fig.suptitle(f"{_setup(config)}\nthe checker's strongest rung {strongest}; "
                 f"converged {'yes' if m['converged'] else 'NO'}", fontsize=10,
                 color=_title_colour(run["strongest"]))
    return fig
