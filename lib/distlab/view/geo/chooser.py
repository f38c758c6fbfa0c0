"""Chapter 4, section 9: how to choose -- the lecture's questions as controls, a recommendation priced
by the measured round trips (`distlab.geo.chooser.recommend`).

`chooser_panel` shows the recommendation as HTML: the system and its setting, the median write and
read latency of the worst-placed user against the budget, why, what it costs, and why each other
system was not chosen. `examples_table` runs the lecture's examples.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from distlab.geo.chooser import (
    CONFLICTS,
    CONSISTENCY,
    EXAMPLES,
    SURVIVE,
    Recommendation,
    Requirements,
    recommend,
    settings_without_effect,
)

from ..controls import choice_control, fraction_control, switch_control
from ..panel import Panel, panel_render, settings_of
from ..settings import flag, real
from .common import STYLE, WIDE, wrapped_row
from .crdts import Table

__all__ = ["REGION_SETS", "chooser_panel", "examples_table", "recommendation_html", "render_chooser"]

#: the user bases the menu offers
REGION_SETS: dict[str, tuple[str, ...]] = {
    "one region: ireland": ("ireland",),
    "the US: virginia, oregon": ("virginia", "oregon"),
    "three continents: virginia, ireland, tokyo": ("virginia", "ireland", "tokyo"),
    "virginia, ireland, singapore": ("virginia", "ireland", "singapore"),
    "everywhere: virginia, ireland, tokyo, sydney, saopaulo": ("virginia", "ireland", "tokyo", "sydney", "saopaulo"),
}


def chooser_panel(consistency: str = "serializable", users: str = "three continents: virginia, ireland, tokyo",
                  write_budget_ms: float = 200.0, survive: str = "zone", sql: bool = False, truetime: bool = False,
                  conflicts: str = "newest-wins") -> Panel:
    """The lecture's questions: what consistency, where the users are, the write budget, what to
    survive, SQL or not, TrueTime or not, and how concurrent writes should resolve."""
    return wrapped_row(render_chooser, {
        "consistency": choice_control(list(CONSISTENCY), consistency, name="consistency",
                                      description="consistency", style=STYLE),
        "users": choice_control(list(REGION_SETS), users, name="users", description="users in", style=STYLE,
                                layout=WIDE),
        "write_budget_ms": fraction_control(write_budget_ms, min=10.0, max=500.0, step=10.0, name="write_budget_ms",
                                            description="write budget (ms)", style=STYLE),
        "survive": choice_control(SURVIVE, survive, name="survive", description="survive losing a", style=STYLE),
        "sql": switch_control(sql, name="sql", description="SQL"),
        "truetime": switch_control(truetime, name="truetime", description="atomic clocks (TrueTime)"),
        "conflicts": choice_control(CONFLICTS, conflicts, name="conflicts", description="concurrent writes",
                                    style=STYLE)})


def recommendation_html(rec: Recommendation, budget_ms: float, idle: tuple[str, ...] = ()) -> str:
    """A recommendation as HTML: a symbol and a word beside every colour, as the house style asks;
    ``idle`` names the settings whose other value would give the same answer."""
    fits = "✓ within" if rec.meets_budget else "✗ OVER"
    items = "".join(f"<li>+ {html.escape(r)}</li>" for r in rec.reasons)
    items += "".join(f"<li>− {html.escape(c)}</li>" for c in rec.costs)
    others = "".join(f"<li>not {html.escape(name)}: {html.escape(why)}</li>" for name, why in rec.rejected)
    leader = f", leader in {html.escape(rec.leader)}" if rec.leader else ""
    return (f"<div class='distlab-choice'><b>Use {html.escape(rec.system)}: {html.escape(rec.setting)}</b><br>"
            f"replicas in {html.escape(', '.join(rec.replicas))}{leader}<br>"
            f"the farthest user's write ~{rec.write_ms:.1f} ms, read ~{rec.read_ms:.1f} ms: {fits} the "
            f"{budget_ms:g} ms budget<ul>{items}</ul><i>why not the others</i><ul>{others}</ul>{_idle(idle)}</div>")


_WORDS = {"sql": "SQL", "truetime": "atomic clocks", "conflicts": "concurrent writes"}


def _idle(idle: tuple[str, ...]) -> str:
    if not idle:
        return ""
    names = ", ".join(_WORDS[name] for name in idle)
    return f"<i>changing {html.escape(names)} would not change this answer</i>"


@panel_render(defaults=settings_of(chooser_panel))
def render_chooser(config: Mapping[str, Any], fig: Figure | None = None) -> str:
    """The recommendation for the settings of `chooser_panel`, as HTML (``users`` a :data:`REGION_SETS` label)."""
    if config["users"] not in REGION_SETS:
        raise ValueError(f"users must be one of {list(REGION_SETS)}, got {config['users']!r}")
    budget = real(config, "write_budget_ms", 10.0, 500.0, "ms")
    req = Requirements(consistency=config["consistency"], regions=REGION_SETS[config["users"]],
                       write_budget_ms=budget, survive=config["survive"], sql=flag(config, "sql"),
                       truetime=flag(config, "truetime"), conflicts=config["conflicts"])
    return recommendation_html(recommend(req), budget, settings_without_effect(req))


def examples_table() -> Table:
    """The lecture's examples and what the chooser recommends for each."""
    rows = []
    for name, req in EXAMPLES.items():
        rec = recommend(req)
        fits = "within" if rec.meets_budget else "over"
        rows.append((name, req.consistency, f"{req.write_budget_ms:g} ms", f"{rec.system}: {rec.setting}",
                     f"{rec.write_ms:.0f} ms ({fits})"))
    return Table(("example", "consistency", "write budget", "recommendation", "farthest write"), rows)
