"""The controls a test operates, the problems it reports, and how candidates are chosen.

A `Control` is a slider or button found on the page (by ``lab_helpers.js``) and tagged with a
``data-distlab-id``; ``scope`` is the tag of the box holding the plot it drives.  `pick` turns the
metadata hint (or its absence) into the list of controls to try; `first_that_changes` tries them.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field


class NotebookProblem(AssertionError):
    """The notebook, as a learner sees it, is broken (an error, an unrendered widget, ...)."""


class PlotUnchanged(NotebookProblem):
    """A control was operated and its plot did not change (or did not change back)."""


@dataclass
class Control:
    id: str
    label: str
    scope: str | None
    readout: str = ""
    quiz: bool = False
    disabled: bool = False


@dataclass
class Interaction:
    """What happened when a control was operated; kept for the report and the artifacts."""

    control: str
    before: str
    after: str
    detail: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def png_bytes(signature: str) -> list[bytes]:
    """The PNG images of a plot signature (data URLs, one per line)."""
    out = []
    for url in signature.splitlines():
        if url.startswith("data:image/png;base64,"):
            out.append(base64.b64decode(url.split(",", 1)[1]))
    return out


def reflects(expect: str, value: str, text: str) -> bool:
    """Does the kernel's `text` show the slider `value`?  For the bare ``{value}`` template and
    numbers on both sides, compare as numbers (``17.0`` shows ``17``, ``170`` does not show
    ``17``); otherwise the formatted template must appear in `text`."""
    if expect == "{value}":
        try:
            return math.isclose(float(text), float(value), rel_tol=1e-9, abs_tol=1e-12)
        except ValueError:
            pass
    return expect.format(value=value) in text


def controls(items: list[dict]) -> list[Control]:
    return [Control(**{k: v for k, v in item.items() if k in Control.__dataclass_fields__})
            for item in items]


def pick(candidates: list[Control], label: str | None, kind: str, path: str) -> list[Control]:
    """The controls to try: the one the hint names, else every one that sits next to a plot."""
    if label is not None:
        named = [c for c in candidates if c.label == label]
        if not named:
            raise NotebookProblem(f"{path}: no {kind} labelled {label!r} (found "
                                  f"{[c.label for c in candidates]})")
        if named[0].scope is None:
            raise NotebookProblem(f"{path}: the {kind} {label!r} has no plot (an image in an "
                                  "Output widget) in its cell")
        return named[:1]
    usable = [c for c in candidates if c.scope is not None and not c.quiz and not c.disabled]
    if not usable:
        raise NotebookProblem(f"{path}: no {kind} next to a plot (an image in an Output widget);"
                              f" found {[c.label for c in candidates]}. Add one, or opt out with "
                              f"metadata.distlab.browser.skip.{kind} and a reason")
    return usable


def first_that_changes(fetch, operate, limit: int = 5) -> Interaction:
    """Operate candidates in page order until one changes its plot (at most `limit`).

    `fetch()` returns the current candidates; it is called before every attempt because a
    widget may re-render its controls (fresh DOM nodes) when it redraws."""
    failures = []
    for attempt in range(limit):
        candidates = fetch()
        if attempt >= len(candidates):
            break
        try:
            return operate(candidates[attempt])
        except PlotUnchanged as exc:
            failures.append(str(exc))
    raise PlotUnchanged("\n".join(failures))
