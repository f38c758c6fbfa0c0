"""Chapter 4, section 7b: how real systems use clocks -- Spanner's commit wait and CockroachDB's
uncertainty restarts, each judged by chapter 1's linearizability checker.

Both panels run one region's store (a leader or leaseholder and two followers in three zones of
Virginia, three clients beside them) on skewed clocks and plot every operation's latency against
when it began: writes, reads, reads that restarted, and **stale** reads (a read that missed a write
acknowledged before it began). The title gives the same counts and the checker's verdict on the
recorded history.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.consistency.verdict import plural
from distlab.geo.clocks_workload import Row, StoreRun
from distlab.geo.cockroach import CockroachRun, run_cockroach
from distlab.geo.spanner import SpannerRun, run_spanner

from .. import style
from ..controls import fraction_control, seed_control, switch_control
from ..panel import Panel, panel_render, settings_of
from ..settings import flag, real, seed_of
from .common import STYLE, checker_words, ms, remembered, wrapped_row

__all__ = ["cockroach_panel", "cockroach_title", "kind_of", "render_cockroach", "render_spanner", "spanner_panel",
           "spanner_title"]

FIGSIZE = (7.2, 3.8)
RECT = (0.09, 0.13, 0.88, 0.64)
OPS = 30  # per client: three clients


def spanner_panel(epsilon_ms: float = 4.0, skew_ms: float = 4.0, commit_wait: bool = False, seed: int = 1) -> Panel:
    """TrueTime's uncertainty ε, how far the clocks are really off, and commit wait on or off."""
    return wrapped_row(render_spanner, {
        "epsilon_ms": fraction_control(epsilon_ms, min=0.0, max=10.0, step=0.5, name="epsilon_ms",
                                       description="TrueTime ε (ms)", style=STYLE),
        "skew_ms": fraction_control(skew_ms, min=0.0, max=10.0, step=0.5, name="skew_ms",
                                    description="clocks off by up to (ms)", style=STYLE),
        "commit_wait": switch_control(commit_wait, name="commit_wait", description="commit wait"),
        "seed": seed_control(seed, name="seed")}, figsize=FIGSIZE)


def cockroach_panel(skew_ms: float = 4.0, max_offset_ms: float = 250.0, uncertainty: bool = False,
                    seed: int = 0) -> Panel:
    """How far the clocks are off, the cluster's assumed maximum offset, and uncertainty restarts."""
    return wrapped_row(render_cockroach, {
        "skew_ms": fraction_control(skew_ms, min=0.0, max=10.0, step=0.5, name="skew_ms",
                                    description="clocks off by up to (ms)", style=STYLE),
        "max_offset_ms": fraction_control(max_offset_ms, min=0.0, max=500.0, step=1.0, name="max_offset_ms",
                                          description="maximum offset (ms)", style=STYLE),
        "uncertainty": switch_control(uncertainty, name="uncertainty", description="uncertainty restarts"),
        "seed": seed_control(seed, name="seed")}, figsize=FIGSIZE)


@remembered(maxsize=512)
def _spanner(epsilon: float, skew: float, commit_wait: bool, seed: int) -> tuple[SpannerRun, str]:
    run = run_spanner(epsilon=epsilon, skew=skew, commit_wait=commit_wait, seed=seed, ops_per_client=OPS)
    return run, run.check(explain=False).status


@remembered(maxsize=512)
def _cockroach(skew: float, max_offset: float, uncertainty: bool, seed: int) -> tuple[CockroachRun, str]:
    run = run_cockroach(skew=skew, max_offset=max_offset, uncertainty=uncertainty, seed=seed, ops_per_client=OPS)
    return run, run.check(explain=False).status


def _seconds(config: Mapping[str, Any], name: str, high_ms: float = 10.0) -> float:
    return round(real(config, name, 0.0, high_ms, "ms"), 6) / 1000.0


KINDS = (("write", style.OKABE_ITO["blue"], "s"), ("read", style.OKABE_ITO["sky_blue"], "o"),
         ("read after a restart", style.OKABE_ITO["orange"], "D"), ("STALE read", style.BAD, "X"))


def kind_of(row: Row) -> str:
    """What the scatter calls an operation: a write, a read, a read after a restart, a stale read."""
    if row.stale:
        return "STALE read"
    if row.record.f == "put":
        return "write"
    return "read after a restart" if row.record.restarts else "read"


def _scatter(ax: Axes, run: StoreRun) -> None:
    """Latency against start time: writes, reads, reads that restarted, stale reads."""
    rows = run.rows()
    t0 = min((r.record.start for r in rows), default=0.0)
    for label, color, marker in KINDS:
        picked = [r.record for r in rows if kind_of(r) == label]
        if not picked and label == "read after a restart":
            continue  # restarts are CockroachDB's: say nothing of them where none happened
        ax.plot([1000 * (r.start - t0) for r in picked], [1000 * r.latency for r in picked], marker=marker,
                color=color, linestyle="none", markersize=9 if label == "STALE read" else 5,
                label=f"{label} ({len(picked)})")
    top = max((1000 * r.record.latency for r in rows), default=1.0)
    end = max((1000 * (r.record.start - t0) for r in rows), default=1.0)
    ax.set_xlim(-0.02 * end, end * 1.02)
    ax.set_ylim(0, max(top * 1.25, 1.0))
    style.label_axes(ax, title="", xlabel="when the operation began (ms)", ylabel="latency (ms)")
    ax.tick_params(labelsize=7)
    ax.legend(loc="upper left", fontsize=7, ncol=4, bbox_to_anchor=(0.0, 1.13), frameon=False)


def spanner_title(run: SpannerRun, status: str) -> str:
    """Commit wait, ε, the real skew, the median write, the stale reads and the checker's verdict."""
    summary = run.summary()
    promise = "kept" if run.truetime_holds else "BROKEN (a clock is off by more than ε)"
    return (f"commit wait {'on' if run.commit_wait else 'OFF'}, ε = {1000 * run.epsilon:g} ms "
            f"(TrueTime's promise {promise}): median write {ms(summary['write_latency_ms'][50])}\n"
            f"{plural(run.stale_reads, 'stale read')}; {checker_words(status)[0]}")


def cockroach_title(run: CockroachRun, status: str, skew_ms: float) -> str:
    """Restarts on or off, the clocks' spread (each off by up to ``skew_ms``) against the maximum offset,
    stale reads, the verdict."""
    bound = "within" if run.offset_within_bound else "BEYOND"
    return (f"uncertainty restarts {'on' if run.uncertainty else 'OFF'}; clocks spread over {1000 * run.spread:.1f} ms "
            f"(each within {skew_ms:g} ms of true time),\n{bound} the {1000 * run.max_offset:g} ms maximum offset: "
            f"{plural(run.restarts, 'restart')}{_in_reads(run)}, {plural(run.stale_reads, 'stale read')}; "
            f"{checker_words(status)[0]}")


def _in_reads(run: CockroachRun) -> str:
    """" in 14 reads" when restarts were taken: a read may restart more than once (the legend counts reads)."""
    reads = sum(1 for r in run.records if r.restarts)
    return f" in {plural(reads, 'read')}" if run.restarts else ""


def _draw(fig: Figure | None, run: StoreRun, title: str, status: str) -> Figure:
    fig, ax = style.reuse_axes(fig, rect=RECT, figsize=FIGSIZE)
    _scatter(ax, run)
    fig.suptitle(title, fontsize=8, y=0.99, color=checker_words(status)[1] if status != "holds" else "black")
    return fig


@panel_render(defaults=settings_of(spanner_panel))
def render_spanner(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Every operation's latency in one Spanner group with ``epsilon_ms``, ``skew_ms``, ``commit_wait``
    and ``seed``; stale reads marked; chapter 1's verdict in the title."""
    run, status = _spanner(_seconds(config, "epsilon_ms"), _seconds(config, "skew_ms"), flag(config, "commit_wait"),
                           seed_of(config))
    return _draw(fig, run, spanner_title(run, status), status)


@panel_render(defaults=settings_of(cockroach_panel))
def render_cockroach(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Every operation's latency in one CockroachDB range with ``skew_ms``, ``max_offset_ms``,
    ``uncertainty`` and ``seed``; restarts and stale reads marked; chapter 1's verdict in the title."""
    skew = _seconds(config, "skew_ms")
    run, status = _cockroach(skew, _seconds(config, "max_offset_ms", 500.0), flag(config, "uncertainty"),
                             seed_of(config))
    return _draw(fig, run, cockroach_title(run, status, 1000 * skew), status)
