"""Chapter 4, section 8: quorum commit on real PostgreSQL replicas (`distlab.geo.replicas_experiment`).

A render of a computed result: ``result = run_quorum_commit(...)``, then ``render_replicas(result)``
draws every commit's latency for each k beside the prediction (the k-th smallest apply delay) and,
for each standby, how many reads right after a commit were stale. `replicas_summary` says the same
in words, with verdicts rather than raw timings (the timings are measured, so they differ a little
on every run).
"""
from __future__ import annotations

from matplotlib.figure import Figure

from distlab.geo.replicas_experiment import QuorumCommitResult

from .. import style
from .common import sparse_y

__all__ = ["TOLERANCE", "render_replicas", "replicas_summary", "within"]

FIGSIZE = (7.2, 3.6)
RECTS = [(0.09, 0.14, 0.50, 0.64), (0.70, 0.14, 0.28, 0.64)]
#: how close a median must come to its prediction (issue #10: 20 ms + 25 %)
TOLERANCE = (20.0, 0.25)


def within(median_ms: float, predicted_ms: float) -> bool:
    """Whether a measured median is within 20 ms + 25 % of the prediction (above it: a commit also
    writes locally and crosses a unix socket)."""
    return abs(median_ms - predicted_ms) <= TOLERANCE[0] + TOLERANCE[1] * predicted_ms


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def render_replicas(result: QuorumCommitResult, fig: Figure | None = None) -> Figure:
    """Commit latencies per k against the k-th smallest delay, and stale reads per standby and k."""
    fig, (left, right) = style.reuse_axes_list(fig, RECTS, figsize=FIGSIZE, relim=False)
    for i, row in enumerate(result.rows):
        left.plot([i] * len(row.latencies_ms), row.latencies_ms, marker="o", linestyle="none",
                  color=style.OKABE_ITO["blue"], alpha=0.6, markersize=5)
        left.plot([i - 0.3, i + 0.3], [row.predicted_ms] * 2, color="black", lw=1.5)
    left.set_xticks(range(len(result.rows)), [f"ANY {row.k}" for row in result.rows], fontsize=8)
    left.set_xlim(-0.6, len(result.rows) - 0.4)
    left.set_ylim(0, max(max(row.latencies_ms) for row in result.rows) * 1.2)
    sparse_y(left)
    style.label_axes(left, title="commits (dots) and the k-th delay (line)", ylabel="commit latency (ms)")
    left.title.set_fontsize(8)
    names = [f"s{j + 1}" for j in range(len(result.delays_ms))]
    for i, row in enumerate(result.rows):
        for j, stale in enumerate(row.stale_reads):
            share = stale / row.reads if row.reads else 0.0
            right.plot([j], [i], marker="s", markersize=22, linestyle="none",
                       color=style.BAD if share else style.GOOD, alpha=0.35 + 0.65 * share)
            right.text(j, i, f"{stale}/{row.reads}", ha="center", va="center", fontsize=7)
    right.set_xticks(range(len(names)), [f"{n}\n{d} ms" for n, d in zip(names, result.delays_ms)], fontsize=7)
    right.set_yticks(range(len(result.rows)), [f"ANY {row.k}" for row in result.rows], fontsize=8)
    right.set_xlim(-0.6, len(names) - 0.4)
    right.set_ylim(len(result.rows) - 0.5, -0.5)
    right.set_title("stale reads right after a commit", fontsize=8)
    fig.suptitle("PostgreSQL quorum commit, synchronous_commit = remote_apply", fontsize=9, y=0.98)
    return fig


def replicas_summary(result: QuorumCommitResult) -> str:
    """One line per k: what it waits for, whether the median met the prediction, which standbys were stale."""
    lines = []
    for row in result.rows:
        verdict = "✓ within" if within(row.median_ms, row.predicted_ms) else "✗ outside"
        stale = [f"s{j + 1}" for j, count in enumerate(row.stale_reads) if count]
        lines.append(f"ANY {row.k}: waits for the {_ordinal(row.k)} nearest standby ({row.predicted_ms:.0f} ms); "
                     f"median {verdict} 20 ms + 25 % of it; stale right after a commit: "
                     f"{', '.join(stale) or 'none'}")
    return "\n".join(lines)
