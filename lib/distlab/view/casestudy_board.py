"""Chapter 6's dashboard figure: one run of the money-transfer service on four stacked time axes.

:func:`render_dashboard` draws frame ``k`` of a :class:`~distlab.casestudy.series.BankSeries`:
everything up to the end of bin ``k``, with a time cursor there. The first call on a figure builds
every artist once (:class:`Board`, kept on the figure); each later frame only moves the cursor,
slides a white mask over the future, shortens or lengthens the lines (``set_data``) and shows the
labels already reached -- no axes are rebuilt, so a Player step costs one Agg draw.

The four axes, sharing the time axis:

(a) the total of every read of all balances against the money in the bank (a flat line when money is
    conserved; a read that sums to anything else is a red cross, and the checker's first violation
    a red line with its kind), each account's balance faint behind it (right axis);
(b) the success rate of the attempts completed in each bin, and the retries sent (right axis);
(c) the latency of the successful attempts, median and 99th percentile;
(d) requests the gateway rate-limited, shed or let expire, with the fraud breaker's state as a
    coloured band along the top (and a word where it is not closed).

Chaos faults are dashed vertical lines with a short label, crashes dotted red ones (a crash right
after the fault that caused it is labelled once, by the fault; labels too close to read are left
out), and the faults that last are shaded for their duration on every axes. The title's verdict is
the whole run's ("Whole run: ..."), whichever frame is shown.
"""
from __future__ import annotations

import bisect
import io
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from distlab.casestudy.series import BankSeries

from .casestudy_layers import Layers, draw_layers, fixed_ticks, frame_caption, headline
from .style import OKABE_ITO, Memo, new_figure

__all__ = ["FIGSIZE", "Board", "board_of", "cursor_time", "render_dashboard"]

FIGSIZE = (7.2, 7.0)  #: inches (at the house 80 dpi: 576 x 560 pixels)
_RECTS = ((0.1, 0.67, 0.78, 0.17), (0.1, 0.47, 0.78, 0.16), (0.1, 0.27, 0.78, 0.16), (0.1, 0.065, 0.78, 0.165))
_BOARD: Memo[Board] = Memo("_distlab_casestudy_board")


@dataclass(slots=True)
class Board:
    """The artists of one series' dashboard on one figure: built once, moved every frame."""

    series: BankSeries
    axes: tuple[Axes, ...]
    layers: Layers
    masks: tuple[Rectangle, ...]
    cursors: tuple[Line2D, ...]
    title: Text
    span: float  # the last moment shown (the end of the run, or the final audit after it)
    right: float  # the right end of the time axis
    read_times: tuple[float, ...]
    frozen: tuple[int, ...] = ()  # the pixel shape of the picture of what never moves, once frozen

    def moving(self) -> list[Artist]:
        """Every artist a frame changes (or must draw above the mask over the future)."""
        layers = self.layers
        return [*(line for line, _ in layers.binned), *(line for line, _ in layers.by_read),
                *([layers.bad_reads] if layers.bad_reads is not None else []), *layers.above,
                *(artist for artist, _ in layers.timed), *self.masks, *self.cursors, self.title]


def board_of(fig: Figure) -> Board | None:
    """The dashboard artists kept on ``fig`` (None when no dashboard was drawn into it)."""
    return _BOARD.get(fig)


def cursor_time(series: BankSeries, frame: int) -> float:
    """The time frame ``frame`` shows up to: the end of bin ``frame``; the last frame shows the
    whole run, the final audit after the customers were done included."""
    if frame >= series.bins - 1:
        return _span(series)
    return min((frame + 1) * series.bin_s, series.end)


def _span(series: BankSeries) -> float:
    return max([series.end, *(r.time for r in series.reads), *(m.time for m in series.marks)])


def _build(fig: Figure, series: BankSeries) -> Board:
    """Every axes and artist of the dashboard, the whole run drawn (the frames then hide the future)."""
    fig.clear()
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # one canvas for the figure's life: its renderer's text caches survive frames
    span = _span(series)
    axes = tuple(fig.add_axes(rect) for rect in _RECTS)
    right = span * 1.01 or 1.0
    for ax in axes:
        ax.set_xlim(0.0, right)
        ax.tick_params(labelsize=8)
        fixed_ticks(ax.xaxis, 0.0, right, 8, labels=ax is axes[-1])
    axes[-1].set_xlabel("simulated time (s)", fontsize=8)
    layers = draw_layers(axes, series, span)
    masks, cursors = [], []
    for ax in axes:  # the mask over the future stops short of the spines, which a frozen figure draws first
        mask = Rectangle((0.0, 0.012), span, 0.976, transform=ax.get_xaxis_transform(), facecolor="white",
                         edgecolor="none", zorder=1.5)
        ax.add_patch(mask)
        masks.append(mask)
        cursors.append(ax.axvline(0.0, color=OKABE_ITO["black"], linewidth=1.0, zorder=4))
    title = fig.suptitle(headline(series), x=0.02, y=0.995, ha="left", va="top", fontsize=9)
    return Board(series, axes, layers, tuple(masks), tuple(cursors), title, span, right,
                 tuple(r.time for r in series.reads))


def _freeze(fig: Figure, board: Board) -> None:
    """Draw what never moves once (axes, ticks, labels, keys, fault shading and lines, the breaker
    band), keep that picture behind the axes as a figure image, and stop drawing it: a frame then
    costs the moving artists and the PNG encoding only. The picture is in pixels, so the figure
    must be saved at its own dpi (as `Panel` does)."""
    moving = board.moving()
    keep = {id(artist) for artist in moving}
    for artist in moving:
        artist.set_visible(False)
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=fig.dpi)
    pixels = np.frombuffer(raw.getvalue(), dtype=np.uint8).reshape(round(fig.bbox.height), round(fig.bbox.width), 4)
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.collections]:
            if id(artist) not in keep:
                artist.set_visible(False)
        ax.set_axis_off()
    for artist in moving:
        artist.set_visible(True)  # the frame then hides the timed ones not yet reached
    fig.figimage(pixels, origin="upper", zorder=-100)  # behind every axes (twins sit at -0.5)
    board.frozen = pixels.shape


def _show(board: Board, frame: int) -> None:
    """Move every artist to frame ``frame``."""
    series, layers = board.series, board.layers
    now = cursor_time(series, frame)
    shown = series.bins if frame >= series.bins - 1 else frame + 1
    reads = bisect.bisect_right(board.read_times, now)
    for line, (xs, ys) in layers.binned:
        line.set_data(xs[:shown], ys[:shown])
    for line, (xs, ys) in layers.by_read:
        line.set_data(xs[:reads], ys[:reads])
    bad = [i for i, t in enumerate(layers.bad_read_times) if t <= now]
    assert layers.bad_reads is not None  # drawn by draw_layers
    layers.bad_reads.set_data([layers.bad_read_times[i] for i in bad], [layers.bad_read_totals[i] for i in bad])
    for artist, at in layers.timed:
        artist.set_visible(at <= now)
    for mask, cursor in zip(board.masks, board.cursors, strict=True):
        mask.set_x(now)
        mask.set_width(max(board.right * 0.998 - now, 0.0))
        cursor.set_xdata([now, now])
    board.title.set_text(f"{headline(series)}\n{frame_caption(series, frame, now)}")


def render_dashboard(series: BankSeries, frame: int | None = None, fig: Figure | None = None, *,
                     freeze: bool = False) -> Figure:
    """Frame ``frame`` (0 .. bins - 1; None: the last, the whole run) of the dashboard of ``series``
    into ``fig`` (a new figure when None). Repeated calls on one figure with the same series only
    move artists. With ``freeze`` what never moves is drawn once into a picture behind the axes
    (a Player's figure, saved at its own dpi: several times faster per frame)."""
    index = series.bins - 1 if frame is None else frame
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < series.bins:
        raise ValueError(f"frame must be an integer in [0, {series.bins - 1}], got {frame!r}")
    target = new_figure(FIGSIZE) if fig is None else fig
    board = _BOARD.get(target)
    pixels = (round(target.bbox.height), round(target.bbox.width), 4)
    if (board is None or board.series is not series or list(target.axes[:4]) != list(board.axes)
            or board.frozen not in ((), pixels) or (board.frozen and not freeze)):
        board = _BOARD.put(target, _build(target, series))
    if freeze and not board.frozen:
        _freeze(target, board)
    _show(board, index)
    return target
