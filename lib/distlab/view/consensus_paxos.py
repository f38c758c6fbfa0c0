"""Paxos for chapter 2: the two rounds as a message-sequence diagram, and duelling proposers.

"First check you have the floor, then call the vote": phase 1 (Prepare -> Promise) asks a majority
of acceptors to ignore older ballots and to report what they already accepted; phase 2
(Accept -> Accepted) asks them to accept one value. `paxos_run` (shared with the livelock
exercise, `distlab.grading.consensus`) runs `PaxosNode`s on a constant-latency network with the
kernel's trace on, and `render_sequence` draws who sent what to whom, and when.

Two impatient proposers with immediate retry pre-empt each other forever (a livelock: safety
holds, nothing is ever chosen); `duel_table` runs the library's `duel` scenario with each retry
policy -- the failure first, then the fixes (random backoff, a distinguished proposer).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.consensus import checks
from distlab.consensus.paxos.scenarios import ForgetfulProposer, duel, random_faults
from distlab.consensus.paxos.single import PaxosNode
from distlab.grading.consensus import paxos_run
from distlab.sim import Simulation, ms

from .panel import panel_render, settings_of
from .style import BAD, CYCLE, GOOD, NEUTRAL, label_axes, prepare

KIND_COLOURS = {"Prepare": CYCLE[0], "Promise": CYCLE[2], "Accept": CYCLE[1],
                "Accepted": CYCLE[4], "Nack": BAD}
RETRIES = ("immediate", "backoff", "leader")
MAX_ARROWS = 90  #: the most messages a sequence diagram draws (the duel demo's 40 ms has 68); then it stops early


class Arrow(NamedTuple):
    """One message as the sequence diagram draws it: sent and delivered (s), sender, receiver, kind."""

    sent_at: float
    delivered_at: float
    src: Any
    dst: Any
    kind: str


def message_arrows(sim: Simulation, until: float, to_proposers_only: bool = True) -> list[Arrow]:
    """Every message delivered by `until`, as `Arrow` s, from the trace; with `to_proposers_only`,
    Accepted messages are kept only on their way to a proposer (the learners' copies would bury
    the picture)."""
    pending: dict[tuple[Any, Any, Any], list[float]] = {}
    arrows: list[Arrow] = []
    proposers = {p.pid for p in sim.processes.values() if p.value is not None}
    for rec in sim.trace:
        if rec.time > until:
            break
        msg = rec.data.get("msg")
        if rec.kind == "send":
            pending.setdefault((rec.pid, rec.data["dst"], msg), []).append(rec.time)
        elif rec.kind == "deliver":
            key = (rec.data["src"], rec.pid, msg)
            if pending.get(key):
                sent = pending[key].pop(0)
                kind = type(msg).__name__
                if to_proposers_only and kind == "Accepted" and rec.pid not in proposers:
                    continue
                if rec.data["src"] != rec.pid:
                    arrows.append(Arrow(sent, rec.time, rec.data["src"], rec.pid, kind))
    return arrows


#: The settings of `render_sequence`: `paxos_run`'s (it runs `until_ms` with the trace on) and ``until_ms``.
SEQUENCE_SETTINGS = {**settings_of(paxos_run, leave_out=("duration", "trace")), "until_ms": 25}


@panel_render(defaults=SEQUENCE_SETTINGS)
def render_sequence(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Who sent what to whom, and when, in a Paxos run: settings ``proposers`` (1 or 2),
    ``until_ms`` and every other `paxos_run` keyword, e.g. ``render_sequence(proposers=1, until_ms=22)``."""
    kw = {k: v for k, v in config.items() if k not in ("until_ms",)}
    checks.number("until_ms", config["until_ms"], 0, 2000, "ms", open_low=True)
    whole = ms(config["until_ms"])
    sim, nodes, _ = paxos_run(duration=whole, trace=True, **kw)
    arrows = message_arrows(sim, whole)  # in delivery order
    until = whole
    if len(arrows) > MAX_ARROWS:  # stop before the first message that would not stay readable
        until = arrows[MAX_ARROWS].delivered_at
        arrows = [a for a in arrows if a.delivered_at < until]
    fig = prepare(fig, figsize=(7.2, 4.6))
    ax = fig.add_subplot()
    pids = [nd.pid for nd in nodes]
    x = {p: i for i, p in enumerate(pids)}
    for p in pids:
        ax.axvline(x[p], color=NEUTRAL, lw=0.8)
    seen = set()
    for sent, got, src, dst, kind in arrows:
        colour = KIND_COLOURS.get(kind, NEUTRAL)
        ax.annotate("", xy=(x[dst], got * 1000), xytext=(x[src], sent * 1000),
                    arrowprops=dict(arrowstyle="->", color=colour, lw=1.0))
        if kind not in seen:
            seen.add(kind)
            ax.plot([], [], color=colour, label=kind)
    _roles_and_learners(ax, sim, nodes, until)
    ax.set_ylim(until * 1000, 0)
    n_prop = config["proposers"]
    title = f"{n_prop} proposer{'s' if n_prop > 1 else ''}: {_span_title(nodes, until, whole)}"
    timeout, trip = config["timeout_ms"], 2 * config["latency_ms"]
    if timeout < trip and not chosen_first(nodes):  # not a duel: even one proposer alone never decides
        title += f"\ntimeout {timeout:g} ms < a {trip:g} ms round trip: no phase can finish, even alone"
    label_axes(ax, title=title, xlabel="server (every one is also a learner)", ylabel="time (ms, downwards)")
    if n_prop == 1 and chosen_first(nodes):
        lat = config["latency_ms"]
        for k, text in enumerate(("phase 1: do I have the floor?\n(Prepare / Promise)",
                                  "phase 2: call the vote\n(Accept / Accepted)")):
            ax.axhspan(2 * k * lat, 2 * (k + 1) * lat, color=CYCLE[5], alpha=0.08 + 0.08 * k)
            ax.text(-0.15, (2 * k + 1) * lat, text, fontsize=8, va="center", ha="right")
        ax.set_xlim(-2.6, len(pids) - 0.6)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.27), ncol=6, frameon=False)
    fig.subplots_adjust(bottom=0.27)
    return fig


def _roles_and_learners(ax: Axes, sim: Simulation, nodes: Sequence[Any], until: float) -> None:
    """Name each server's roles under its line (a proposer is an acceptor too, which is why it
    receives Prepare) and star the moment each one, as a learner, counted a majority of Accepted."""
    x = {nd.pid: i for i, nd in enumerate(nodes)}
    ax.set_xticks(range(len(nodes)))
    ax.set_xticklabels([f"{nd.pid}\n{'proposer +' if nd.value is not None else ''}\nacceptor" for nd in nodes],
                       fontsize=8)
    learned = [(rec.pid, rec.time) for rec in sim.trace
               if rec.kind == "state" and "chosen" in rec.data and rec.time <= until]
    if learned:
        ax.plot([x[p] for p, _ in learned], [t * 1000 for _, t in learned], ls="none", marker="*", ms=11,
                color=GOOD, markeredgecolor="black", zorder=5, label="learned the value")


def _span_title(nodes: Sequence[Any], drawn: float, whole: float) -> str:
    """What the run decided; when only the first `drawn` of `whole` seconds are drawn, that and the
    ballots over the whole run."""
    chosen = {nd.chosen for nd in nodes if nd.chosen is not None}
    what = f"chosen: {chosen.pop()}" if chosen else ("nothing chosen yet" if drawn == whole else "nothing chosen")
    if drawn == whole:
        return f"{what} (first {drawn * 1000:.0f} ms)"
    ballots = sum(nd.ballots_tried for nd in nodes)
    return (f"{what} in {whole * 1000:.0f} ms, {ballots} ballots\n(first {drawn * 1000:.0f} ms drawn: "
            f"{MAX_ARROWS} messages stay readable)")


def chosen_first(nodes: Iterable[Any]) -> bool:
    """Whether any node has learned a chosen value."""
    return any(nd.chosen is not None for nd in nodes)


def duel_table(seed: int = 0) -> str:
    """The library's duelling-proposers scenario under each retry policy."""
    lines = [f"{'retry policy':>12} {'ballots tried':>14} {'value chosen':>13} {'decided after':>14}"]
    for retry in RETRIES:
        r = duel(retry, seed=seed)
        values = {v for v in r.chosen.values() if v is not None}
        chosen = ", ".join(sorted(values)) or "none"
        at = f"{r.chosen_at * 1000:.1f} ms" if r.chosen_at is not None else "never (2 s)"
        lines.append(f"{retry:>12} {r.ballots:>14} {chosen:>13} {at:>14}")
    return "\n".join(lines)


def render_duel(seed: int = 0, fig: Figure | None = None) -> Figure:
    """Ballots tried before a value was chosen (log scale), per retry policy."""
    fig = prepare(fig)
    ax = fig.add_subplot()
    runs = [duel(r, seed=seed) for r in RETRIES]
    colours = [BAD if r.chosen_at is None else GOOD for r in runs]
    ax.bar(RETRIES, [r.ballots for r in runs], color=colours, edgecolor="black")
    for i, r in enumerate(runs):
        word = "livelock: never chosen" if r.chosen_at is None else \
            f"chosen after {r.chosen_at * 1000:.1f} ms"
        ax.text(i, r.ballots * 1.15, word, ha="center", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(1, max(r.ballots for r in runs) * 5)
    label_axes(ax, title="duelling proposers over 2 s: the livelock and two fixes",
               xlabel="retry policy", ylabel="ballots tried (count, log scale)")
    ax.bar([0], [0], color=BAD, label="nothing chosen")
    ax.bar([0], [0], color=GOOD, label="a value chosen")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def chosen_stays_chosen(runs: int = 200, seed: int = 0) -> str:
    """"A chosen value stays chosen", counted: `runs` random schedules (3 competing proposers with
    random backoff, 0-14 random crashes, restarts, partitions and pauses, 10 % loss; the library's
    `random_faults`) with the safety invariants checked after every step, for Paxos and for a
    `ForgetfulProposer` that ignores the values promises report."""
    checks.whole("runs", runs, 1, 5000)
    checks.seed(seed)
    lines = [f"{'proposers':>20} {'runs':>5} {'faults':>7} {'ballots':>8} {'decided':>8} "
             f"{'runs where a 2nd value was chosen':>34}"]
    for name, node_type in (("Paxos", PaxosNode), ("forgetful (broken)", ForgetfulProposer)):
        outcomes = [random_faults(seed + k, faults=k % 15, node_type=node_type) for k in range(runs)]
        faults = sum(k % 15 for k in range(runs))
        broken = sum(any(v.startswith("at_most_one_value_chosen") for v in r.violations) for r in outcomes)
        lines.append(f"{name:>20} {runs:>5} {faults:>7} {sum(r.ballots for r in outcomes):>8} "
                     f"{sum(r.chosen_at is not None for r in outcomes):>8} {broken:>34}")
    return "\n".join(lines)
