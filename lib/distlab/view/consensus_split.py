"""Chapter 2's split votes: why Raft's election timeouts are random.

* `split_run` -- every server's term over time: with one fixed timeout (150-150 ms) every election
  splits the vote, forever; a randomized range elects a leader at once;
* `split_panel` -- linked low / high timeout sliders (low never passes high) and a seed;
* `split_vote_table` -- the dissertation's split-vote probability (Ongaro 2014, chapter 9).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from distlab.consensus import checks
from distlab.consensus.raft import Cluster, RaftConfig
from distlab.consensus.raft.split_vote import split_vote_probability, votes_to_split
from distlab.sim import ms

from .consensus_experiments import _leader
from .controls import seed_control, size_control
from .panel import Panel, panel_render, settings_of
from .style import CYCLE, GOOD, Memo, label_axes, prepare


# ------------------------------------------------------------------------ split votes
def _check_timeouts(low: int, high: int, low_name: str, high_name: str) -> None:
    """Refuse an election timeout range outside 10 <= low <= high <= 1000 whole ms, by the caller's names."""
    checks.whole(low_name, low, 10, 1000)
    checks.whole(high_name, high, 10, 1000)
    if not low <= high:
        raise ValueError(f"the timeout range must satisfy 10 <= {low_name} <= {high_name} <= 1000 ms, "
                         f"got {low_name}={low}, {high_name}={high}")


def split_run(low_ms: int = 150, high_ms: int = 150, seed: int = 0, duration: float = 3.0) -> dict[str, Any]:
    """Every server's term over `duration` seconds from a cold start, and when (and in which term) a
    leader arose."""
    _check_timeouts(low_ms, high_ms, "low_ms", "high_ms")
    checks.number("duration", duration, 0.005, 600.0, "seconds")
    c = Cluster(5, seed=seed, config=RaftConfig(election_timeout=(ms(low_ms), ms(high_ms))))
    times: list[float] = []
    terms: dict[Any, list[Any]] = {p: [] for p in c.pids}
    elected, elected_term = None, 0
    while c.now < duration - 1e-9:
        c.run(ms(5))
        times.append(c.now)
        for p, nd in c.nodes.items():
            terms[p].append(nd.current_term)
        leader = _leader(c)
        if elected is None and leader is not None:
            elected, elected_term = c.now, c.nodes[leader].current_term
    return {"range": (low_ms, high_ms), "times": times, "terms": terms, "elected": elected,
            "elected_term": elected_term if elected is not None else None,
            "elections": max(max(v) for v in terms.values())}


_EMPTIED_PLOT: Memo[bool] = Memo("_distlab_emptied_plot")


def _emptied_plot(fig: Figure | None) -> tuple[Figure, Axes]:
    """``(fig, ax)``: the figure's one autoscaled plot with its artists removed and its data
    limits reset, or a fresh one.  Kept between a panel's redraws because a new Axes re-creates
    every tick; the picture is the same as on a fresh figure (the limits are recomputed)."""
    axes = fig.axes if fig is not None else []
    if fig is not None and len(axes) == 1 and _EMPTIED_PLOT.get(axes[0]):
        ax = axes[0]
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
            artist.remove()
        if ax.legend_ is not None:
            ax.legend_.remove()
        ax.relim()  # no artists left: the next plot call sets the limits from scratch
        return fig, ax
    fig = prepare(fig)
    ax = fig.add_subplot()
    _EMPTIED_PLOT.put(ax, True)
    return fig, ax


def split_panel(low: int = 150, high: int = 150, seed: int = 0) -> Panel:
    """Sliders for the election timeout range (ms) and a seed; the terms of `render_split`. The two
    timeout sliders are linked: pushing ``low`` past ``high`` pushes ``high`` along (and pulling
    ``high`` below ``low`` pulls ``low``), so the panel never shows an impossible range."""
    panel = Panel(render_split, {
        "low": size_control(low, min=50, max=300, name="low", description="timeout low (ms)",
                            continuous_update=False),
        "high": size_control(high, min=50, max=600, name="high", description="timeout high (ms)",
                             continuous_update=False),
        "seed": seed_control(seed, name="seed")}, draw_now=False)
    _check_timeouts(low, high, "low", "high")
    low_slider, high_slider = panel.controls["low"], panel.controls["high"]

    seed_box = panel.controls["seed"]

    def seed_matters() -> None:  # one fixed timeout leaves the seed no randomness to draw
        fixed = low_slider.value == high_slider.value
        seed_box.disabled = fixed
        seed_box.tooltip = ("with one fixed timeout (low = high) the servers time out together whatever the seed: "
                        "every vote splits" if fixed else "")
        if panel.reseed_button is not None:
            panel.reseed_button.disabled = fixed

    def low_moved(value: int) -> None:
        high_slider.value = max(high_slider.value, value)
        seed_matters()

    def high_moved(value: int) -> None:
        low_slider.value = min(low_slider.value, value)
        seed_matters()

    seed_matters()
    panel.link("low", low_moved)
    panel.link("high", high_moved)
    panel.redraw()
    return panel


@panel_render(defaults=settings_of(split_panel))
def render_split(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Every server's term over 3 s from a cold start, for election timeouts drawn from ``low`` to
    ``high`` ms and a ``seed`` (defaults as `split_panel`): ``render_split(low=150, high=300)``."""
    low, high = config["low"], config["high"]
    _check_timeouts(low, high, "low", "high")
    checks.seed(config["seed"])
    run = split_run(low, high, config["seed"])
    fig, ax = _emptied_plot(fig)
    for k, (p, ts) in enumerate(run["terms"].items()):
        ax.step(run["times"], [t + 0.04 * (k - 2) for t in ts], where="post", lw=1.4,
                color=CYCLE[k % len(CYCLE)], label=f"server {p}")
    lo, hi = run["range"]
    if run["elected"] is not None:
        ax.axvline(run["elected"], color=GOOD, ls="--", label="first leader elected")
        what = f"leader in term {run['elected_term']}, after {run['elected'] * 1000:.0f} ms"
    else:
        what = f"{run['elections']} elections in {run['times'][-1]:.0f} s, every vote split"
    label_axes(ax, title=f"election timeout {lo}-{hi} ms: {what}", xlabel="time (s)",
               ylabel="current term (elections started)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="upper left" if run["elected"] is None else "center right")
    return fig



def split_vote_table(n: int = 5, s: int = 4, latencies: Sequence[float] = (0.01, 0.10, 0.20)) -> str:
    """The dissertation's split-vote probability for a few one-way latencies (as fractions of
    the timeout range)."""
    c = votes_to_split(n, s)
    lines = [f"n = {n} servers, s = {s} up: a split needs c = {c} timeouts within l of the first"]
    for l in latencies:  # noqa: E741 - the dissertation's l
        lines.append(f"  l = {l:>4.0%} of the range -> P(split vote) = "
                     f"{100 * split_vote_probability(n, s, l):.2f} %")
    return "\n".join(lines)
