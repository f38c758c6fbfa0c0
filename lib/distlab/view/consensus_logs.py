"""Raft logs as a grid: one row per server, one cell per entry, coloured by the entry's term.

Pure drawing helpers shared by the live cluster view and the chapter's experiments.  A committed
entry is a solid cell; an entry a server holds but has not seen committed is a pale, hatched cell
(it may still be overwritten); a thick black tick marks each server's commit index.  Each cell
carries its term as a number, so colour is never the only signal.

Input rows are plain data: ``LogRow(pid, entries=[(term, command), ...], commit_index, up)``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.patches import Patch, Rectangle

from .style import CYCLE, NEUTRAL

#: At most this many entries are drawn per row (the newest ones); older ones are summarised.
MAX_CELLS = 16


class LogRow(NamedTuple):
    """One server's row of the log grid: its entries, commit index, whether it is up and how many
    entries were compacted away (the row starts after them)."""

    pid: str
    entries: Sequence[tuple[int, Any]]  # (term, command) pairs, index 1 first
    commit_index: int
    up: bool = True
    base_index: int = 0        # entries up to here were compacted into a snapshot


def term_color(term: int) -> str:
    """A stable colour per term (the palette's cycle)."""
    return CYCLE[(int(term) - 1) % (len(CYCLE) - 1)]  # skip black: the commit tick is black


def visible_range(rows: Sequence[LogRow], max_cells: int = MAX_CELLS) -> tuple[int, int]:
    """The first and last log index drawn: the newest `max_cells` indices of the longest log."""
    last = max((r.base_index + len(r.entries) for r in rows), default=0)
    first = max(1, last - max_cells + 1)
    return first, first + max_cells - 1  # a fixed width, so the grid does not jump around


def draw_logs(ax: Axes, rows: Sequence[LogRow], *, title: str = "logs", max_cells: int = MAX_CELLS,
              show_commands: bool = False) -> None:
    """Draw the grid into `ax` (which the caller has cleared)."""
    first, last = visible_range(rows, max_cells)
    width = last - first + 1
    solid: list[Any] = []
    pale: list[Any] = []
    faces: list[Any] = []
    pale_faces: list[Any] = []
    for y, row in enumerate(rows):
        yy = len(rows) - 1 - y
        for offset, (term, command) in enumerate(row.entries):
            index = row.base_index + offset + 1
            if index < first:
                continue
            x = index - first
            rect = Rectangle((x + 0.05, yy + 0.1), 0.9, 0.8)
            committed = index <= row.commit_index
            (solid if committed else pale).append(rect)
            (faces if committed else pale_faces).append(term_color(term))
            label = f"{term}" if not show_commands else f"{term}\n{command}"
            ax.text(x + 0.5, yy + 0.5, label, ha="center", va="center", fontsize=7,
                    color="white" if committed else "black")
        tick = row.commit_index - first + 1
        if 0 <= tick <= width:
            ax.plot([tick, tick], [yy + 0.02, yy + 0.98], color="black", lw=2.5)
        if not row.up:
            ax.text(width + 0.1, yy + 0.5, "✗ crashed", va="center", fontsize=7, color=NEUTRAL)
    if solid:
        ax.add_collection(PatchCollection(solid, facecolors=faces, edgecolors="black",
                                          linewidths=0.6))
    if pale:
        ax.add_collection(PatchCollection(pale, facecolors=pale_faces, edgecolors="black",
                                          linewidths=0.6, alpha=0.35, hatch="///"))
    ax.set_xlim(0, width + 1.2)
    ax.set_ylim(0, max(1, len(rows)))
    ax.set_yticks([len(rows) - 1 - y + 0.5 for y in range(len(rows))])
    ax.set_yticklabels([f"server {r.pid}" for r in rows], fontsize=8)
    step = 1 if width <= 16 else 2
    ax.set_xticks([i + 0.5 for i in range(0, width, step)])
    ax.set_xticklabels([str(first + i) for i in range(0, width, step)], fontsize=7)
    ax.set_xlabel("log index (number in a cell = the entry's term)", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def log_legend_handles() -> list[Patch]:
    """Legend entries explaining the grid's encoding."""
    return [Patch(facecolor=CYCLE[0], edgecolor="black", label="committed entry"),
            Patch(facecolor=CYCLE[0], edgecolor="black", alpha=0.35, hatch="///",
                  label="not (yet) committed"),
            Patch(facecolor="black", label="| commit index")]
