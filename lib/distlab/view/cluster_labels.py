"""Where a message's label goes in the cluster drawing (`cluster_drawing`): beside its dot, but never
over a server, the words under a server, or another message's label.

A label is tried at the dot's four corners (above right first, as before); the first spot whose box
clears every server's marker, every server's word line and every label already placed wins. With no
free spot the label is left out -- the dot stays, and a message about to arrive is still told by the
line it rides -- rather than printing a word across another ("followappended"). Boxes are estimated
from the font size (`CHAR_EM`, `LINE_EM`), in data units, so placing costs no rendering.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray

XLIM = (-1.45, 1.45)   #: the cluster drawing's data limits (x)
YLIM = (-1.45, 1.35)   #: the cluster drawing's data limits (y)
CHAR_EM = 0.62         #: an average character's width, in ems (a generous DejaVu Sans estimate)
LINE_EM = 1.25         #: a line's height, in ems
GAP = 0.05             #: a label's offset from its dot (data units)
WORDS_BELOW = 0.24     #: how far under a server's centre its word line starts (data units)
MESSAGE_PT, WORDS_PT = 7.0, 7.5   #: font sizes of a message label and of a server's words
CORNERS = (("left", "bottom"), ("right", "bottom"), ("left", "top"), ("right", "top"))


class Box(NamedTuple):
    """An axis-aligned box in data units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share any area."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


class Spot(NamedTuple):
    """Where a label is drawn: the anchor point and the text alignment at it."""

    x: float
    y: float
    ha: str
    va: str


def data_per_point(ax: Axes) -> float:
    """Data units per typographic point in `ax` drawn with `XLIM` x `YLIM` at equal aspect."""
    width, height = ax.bbox.width, ax.bbox.height
    per_pixel = max((XLIM[1] - XLIM[0]) / width, (YLIM[1] - YLIM[0]) / height)
    return per_pixel * ax.figure.dpi / 72.0


def text_box(x: float, y: float, text: str, size_pt: float, ha: str, va: str, unit: float) -> Box:
    """The estimated box of `text` at (x, y) with the given alignment; `unit`: `data_per_point`."""
    lines = text.split("\n")
    w = max(len(line) for line in lines) * CHAR_EM * size_pt * unit
    h = len(lines) * LINE_EM * size_pt * unit
    x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
    y0 = {"bottom": y, "top": y - h, "center": y - h / 2}[va]
    return Box(x0, y0, x0 + w, y0 + h)


def server_boxes(pos: Mapping[str, NDArray[np.float64]], words: Mapping[str, str], unit: float,
                 radius_pt: float) -> list[Box]:
    """What a label must keep clear of: each server's marker (`radius_pt` around its centre) and the
    word line under it."""
    boxes = []
    for pid, (x, y) in pos.items():
        r = radius_pt * unit
        boxes.append(Box(x - r, y - r, x + r, y + r))
        if words.get(pid):
            boxes.append(text_box(x, y - WORDS_BELOW, words[pid], WORDS_PT, "center", "top", unit))
    return boxes


def label_spots(points: Sequence[tuple[float, float]], labels: Sequence[str], blocked: Sequence[Box],
                unit: float) -> list[Spot | None]:
    """For each dot and its label, the first corner spot clear of `blocked` and of the labels placed
    before it; None for an empty label or when no corner is free."""
    taken = list(blocked)
    spots: list[Spot | None] = []
    for (x, y), label in zip(points, labels):
        spot = None
        for ha, va in CORNERS if label else ():
            at = Spot(x + (GAP if ha == "left" else -GAP), y + (GAP if va == "bottom" else -GAP), ha, va)
            box = text_box(at.x, at.y, label, MESSAGE_PT, ha, va, unit)
            if not any(box.overlaps(b) for b in taken):
                spot = at
                taken.append(box)
                break
        spots.append(spot)
    return spots
