"""Chapter 3's outbox panel: every crash point against the two dual writes and the transactional
outbox, counting lost events, phantom events and duplicate effects.

Cells and title come from one :class:`~distlab.transactions.outbox.MatrixResult` (the in-memory
simulation of the same producer, relay and consumer code that the tests run on SQLite,
PostgreSQL and Redis Streams and find identical).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from distlab.transactions.outbox import Cell, MatrixConfig, MatrixResult, crash_point_matrix

from .. import style
from ..controls import seed_control, size_control, switch_control
from ..panel import Panel, panel_render, settings_of

_STYLE = {"description_width": "initial"}
NOT_REACHED = "#EEEEEE"


def outbox_config(config: Mapping[str, Any]) -> MatrixConfig:
    """The experiment behind a panel's control values."""
    return MatrixConfig(orders=int(config.get("orders", 4)), crashes=int(config.get("crashes", 1)),
                        duplicates=int(config.get("duplicates", 0)), inbox=bool(config.get("inbox", True)),
                        relay_restart=str(config.get("relay_restart", "immediate")), seed=int(config.get("seed", 0)))


@lru_cache(maxsize=256)
def _matrix(config: MatrixConfig) -> MatrixResult:
    return crash_point_matrix(config)


def outbox_run(config: Mapping[str, Any]) -> MatrixResult:
    """The crash-point matrix for the panel's settings (memoised)."""
    return _matrix(outbox_config(config))


#: cell kinds: (colour, hatch); only "bad" cells carry text (every text costs ~1 ms to draw)
KINDS = {"clean": (style.GOOD, None), "absorbed": (style.GOOD, ".."), "unreached": (NOT_REACHED, "//"),
         "bad": (style.BAD, None)}


def cell_kind(cell: Cell | None) -> tuple[str, str]:
    """``(kind, text)`` of one cell: ``bad`` with what went wrong, ``absorbed`` (delivered again,
    no effect applied twice), ``clean``, or ``unreached`` (the design has no such step)."""
    if cell is None:
        return "unreached", ""
    bad = [f"{n} {what}" for n, what in ((cell.lost, "lost"), (cell.phantom, "phantom"),
                                         (cell.duplicate_effects, "twice")) if n]
    if bad:
        return "bad", ", ".join(bad)
    return ("absorbed", "") if cell.duplicate_deliveries else ("clean", "")


def outbox_panel(inbox: bool = True, duplicates: int = 0, crashes: int = 1, seed: int = 0) -> Panel:
    """The consumer's inbox on/off, extra copies of each message, crashes per point.

    (The relay's restart timing, ``relay_restart`` in the config, is left at "immediate": at these
    sizes it changes no cell except in rare seeds, and a control that changes nothing misleads.)"""
    return Panel(render_outbox, {
        "inbox": switch_control(inbox, name="inbox", description="consumer dedups with an inbox table"),
        "duplicates": size_control(duplicates, min=0, max=2, name="duplicates",
                                   description="extra copies of each message"),
        "crashes": size_control(crashes, min=1, max=2, name="crashes", description="crashes at the point"),
        "seed": seed_control(seed, name="seed")}, figsize=(7.2, 6.4))


@panel_render(defaults={**settings_of(outbox_panel), "orders": 4, "relay_restart": "immediate"})
def render_outbox(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Rows: crash points; columns: commit-then-publish, publish-then-commit, outbox; settings
    ``inbox``, ``duplicates``, ``crashes``, ``seed`` (as `outbox_panel`), ``orders`` and ``relay_restart``."""
    result = outbox_run(config)
    fig, ax = style.reuse_axes(fig, rect=(0.31, 0.04, 0.67, 0.72), figsize=(7.2, 6.4))
    n_rows, n_cols = len(result.rows), len(result.columns)
    boxes: dict[str, list[Rectangle]] = {kind: [] for kind in KINDS}
    for i, cells in enumerate(result.cells):
        for j, cell in enumerate(cells):
            kind, text = cell_kind(cell)
            boxes[kind].append(Rectangle((j - 0.48, i - 0.45), 0.96, 0.9))
            if text:
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white")
    for kind, shapes in boxes.items():  # one collection per kind instead of 39 patches
        if shapes:
            color, hatch = KINDS[kind]
            ax.add_collection(PatchCollection(shapes, facecolor=color, edgecolor="white", hatch=hatch))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows), list(result.rows), fontsize=7)
    ax.set_ylabel("where the process crashes", fontsize=8)
    ax.set_xticks(range(n_cols), [label.replace(" (", "\n(") for label in result.column_labels()], fontsize=8)
    ax.xaxis.tick_top()
    totals = [result.totals(v) for v in result.columns]
    summary = "; ".join(f"{lab.split(' (')[-1].rstrip(')')} {t.lost}/{t.phantom}/{t.duplicate_effects}"
                        for lab, t in zip(result.column_labels(), totals, strict=True))
    crashes = int(config["crashes"])
    fig.suptitle(f"{'one crash' if crashes == 1 else f'{crashes} crashes'} at each point, {config['orders']} "
                 f"orders; lost/phantom/applied twice:\n{summary}\n"
                 "green: nothing lost, invented or applied twice (dotted: some delivered again, absorbed);"
                 " grey: no such step", fontsize=8, y=0.995)
    return fig


#: one telling crash per design, run for real by :func:`real_outbox_table`
REAL_RUNS = (("commit_then_publish", "producer/after_commit"), ("publish_then_commit", "producer/after_publish"),
             ("outbox", "relay/after_publish"), ("outbox", "consumer/after_commit"))


def real_outbox_table(redis_url: str | None = None, orders: int = 4) -> str:
    """The same scenarios on real engines: a SQLite file and Redis Streams (embedded, or *redis_url*)."""
    import tempfile
    from pathlib import Path

    from distlab.services import redis as dredis, sql
    from distlab.transactions.outbox import OutboxConfig, RedisStreamsBroker, SQLDatabase, run_scenario

    client = dredis.connect(redis_url or None, parameter="redis_url")
    lines = []
    with tempfile.TemporaryDirectory(prefix="distlab-outbox-") as folder:
        backend = sql.connect(f"sqlite:///{Path(folder) / 'shop.db'}")
        lines.append(f"engines: {backend.name} + {dredis.describe(client)} streams")
        lines.append(f"{'design':22}{'crash':26}{'lost':>5}{'phantom':>9}{'applied twice':>15}{'dup. absorbed':>15}")
        for variant, point in REAL_RUNS:
            db = SQLDatabase(backend, reset=True)
            broker = RedisStreamsBroker(client, stream="distlab.notebook.orders", reset=True)
            r = run_scenario(OutboxConfig(variant=variant, crash_point=point, orders=orders), db, broker)
            lines.append(f"{variant.replace('_', ' '):22}{point:26}{r.lost:>5}{r.phantom:>9}{r.duplicate_effects:>15}"
                         f"{r.duplicate_deliveries:>15}")
        client.delete("distlab.notebook.orders")
        backend.close()
    return "\n".join(lines)
