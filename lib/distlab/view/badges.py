"""Invariant badges: one pill per named invariant, with a symbol, a word and a colour.

Input is ``{name: outcome}`` -- exactly what ``distlab.sim.InvariantSet.evaluate(sim)`` returns --
where outcome is

* ``True`` or ``None`` -- the invariant holds: ``✓ holds`` on green (None is the kernel's "holds");
* ``False`` -- it is violated: ``✗ violated`` on vermillion;
* a ``str`` -- it is violated and the string says how (e.g. ``"two leaders in term 3"``);
* `UNCHECKED` -- not checked yet: ``– unchecked`` on grey.

Symbol and word carry the meaning; the colour (Okabe–Ito) only repeats it.  `badges_html` is the
pure part (tests assert on its text); `Badges` is the widget that a panel updates after each step.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as widgets

from .style import BAD, GOOD, NEUTRAL


class _Unchecked:
    """The type of `UNCHECKED` (one instance)."""

    def __repr__(self) -> str:
        return "UNCHECKED"


#: The outcome of an invariant that has not been evaluated yet.
UNCHECKED = _Unchecked()


def badge_state(outcome: object) -> tuple[str, str, str, str]:
    """``(symbol, word, colour, detail)`` for one outcome; anything else is a `ValueError`."""
    if outcome is True or outcome is None:
        return "✓", "holds", GOOD, ""
    if outcome is False:
        return "✗", "violated", BAD, ""
    if isinstance(outcome, str):
        return "✗", "violated", BAD, outcome
    if outcome is UNCHECKED:
        return "–", "unchecked", NEUTRAL, ""
    raise ValueError(f"outcome must be True, False, a message str or None, got {outcome!r}")


def badges_html(results: Mapping[str, object]) -> str:
    """An HTML row of badges, in the mapping's order."""
    pills = []
    for name, outcome in results.items():
        symbol, word, colour, detail = badge_state(outcome)
        title = f' title="{html.escape(detail)}"' if detail else ""
        tail = f": {html.escape(detail)}" if detail else ""
        pills.append(
            f'<span class="distlab-badge" data-state="{word}"{title} style="display:inline-block;'
            f"margin:2px 4px;padding:2px 8px;border-radius:10px;border:1px solid {colour};"
            f'background:{colour}22;color:#000;font-family:sans-serif;font-size:90%">'
            f'<b style="color:{colour}">{symbol}</b> {html.escape(str(name))} '
            f"<b>{word}</b>{tail}</span>")  # background: the colour at 13% opacity
    return f'<div class="distlab-badges">{"".join(pills)}</div>'


def badges_text(results: Mapping[str, object]) -> str:
    """The same row as plain text, e.g. ``✓ election_safety holds | ✗ log_matching violated``."""
    parts = []
    for name, outcome in results.items():
        symbol, word, _colour, detail = badge_state(outcome)
        parts.append(f"{symbol} {name} {word}" + (f": {detail}" if detail else ""))
    return " | ".join(parts)


class Badges:
    """An `ipywidgets.HTML` row of badges; call `update` with fresh outcomes after each step."""

    def __init__(self, results: Mapping[str, object] | None = None) -> None:
        self.widget = widgets.HTML()
        self.results: dict[str, object] = {}
        self.update(results or {})

    def update(self, results: Mapping[str, object]) -> None:
        """Show `results` (validated first: a bad outcome raises `ValueError` and changes nothing)."""
        html_row = badges_html(results)  # validates before anything changes
        self.results = dict(results)
        self.widget.value = html_row

    @property
    def all_hold(self) -> bool:
        """Whether every invariant shown holds (True when none is shown)."""
        return all(badge_state(v)[1] == "holds" for v in self.results.values())

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.widget)
