"""Chapter 2's Raft experiments, each a run function (plain data) plus a pure render:

* `quorum_run` -- servers crash one per second: commits go on with f down and stop at f + 1;
  restarting one server brings them back;
* `partition_run` -- a leader cut off with a minority keeps accepting commands it can never commit;
  the majority elects a new leader and commits; on heal the minority's entries are rolled back;
* `fig16_*` -- Figure 16 of the Raft paper from `distlab.consensus.raft.figure16`, beside the
  published quantiles.

Split votes (`split_run`, `split_panel`, the dissertation's formula) are in `consensus_split`.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any, cast

import ipywidgets as widgets
from matplotlib.figure import Figure

from distlab.consensus import checks
from distlab.consensus.raft import Cluster, figure16

from .consensus_logs import LogRow, draw_logs, log_legend_handles
from .controls import choice_control, seed_control
from .panel import Panel
from .progress import sweep as with_progress
from .style import BAD, CYCLE, GOOD, NEUTRAL, label_axes, prepare


# ------------------------------------------------------------------------ majority and f + 1
def _leader(c: Cluster) -> Any:
    found = [(nd.current_term, p) for p, nd in c.nodes.items() if nd.up and nd.role == "leader"]
    return max(found)[1] if found else None


def quorum_run(n: int = 5, seed: int = 0, every: float = 0.05) -> dict[str, Any]:
    """Crash f + 1 followers one per second (f = (n - 1) // 2), then restart one; a client offers
    a command every `every` seconds. Returns times, committed counts and the events."""
    if isinstance(n, bool) or n not in (3, 5, 7):
        raise ValueError(f"n must be 3, 5 or 7, got {n!r}")
    checks.number("every", every, 0.005, 1.0, "seconds")
    c = Cluster(n, seed=seed)
    c.check_one_leader()
    f = (n - 1) // 2
    start = c.now
    leader = _leader(c)
    victims = [p for p in reversed(c.pids) if p != leader][:f + 1]
    plan = {round(start + 1.0 + k, 3): ("crash", p) for k, p in enumerate(victims)}
    plan[round(start + f + 2.0 + 1.0, 3)] = ("restart", victims[-1])
    end = start + f + 2.0 + 2.5
    times, commits, events, k = [], [], [], 0
    while c.now < end - 1e-9:
        t = round(c.now, 3)
        if t in plan:
            action, p = plan.pop(t)
            getattr(c, action)(p)
            events.append((c.now - start, f"{action} {p}"))
        k += 1
        for p in c.pids:
            if c.start(p, f"c{k}")[2]:
                break
        c.run(every)
        times.append(c.now - start)
        commits.append(max(nd.commit_index for nd in c.nodes.values() if nd.up))
    return {"n": n, "f": f, "times": times, "commits": commits, "events": events,
            "invariants": dict(c.sim.invariants.evaluate(c.sim))}


def render_quorum(run: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """Committed entries over time for a `quorum_run`, each crash and restart marked (vermillion
    once more than f servers are down)."""
    fig = prepare(fig)
    ax = fig.add_subplot()
    ax.step(run["times"], run["commits"], where="post", color=CYCLE[0], lw=2,
            label="committed entries (highest commit index)")
    down = 0
    for t, what in run["events"]:
        down += 1 if what.startswith("crash") else -1
        colour = BAD if down > run["f"] else (GOOD if what.startswith("restart") else NEUTRAL)
        ax.axvline(t, color=colour, ls="--", lw=1.2)
        ax.text(t + 0.03, 0.97, f"{what}\n({down} down)", transform=ax.get_xaxis_transform(),
                va="top", fontsize=8, color=colour)
    n, f = run["n"], run["f"]
    label_axes(ax, title=f"{n} servers, majority {n // 2 + 1}: commits go on with {f} down, "
                         f"stop with {f + 1}", xlabel="time (s)", ylabel="committed entries (count)")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def quorum_panel(n: int = 5, seed: int = 0) -> Panel:
    """The quorum experiment for 3, 5 or 7 servers."""
    return Panel(lambda config, fig=None: render_quorum(quorum_run(config["n"], config["seed"]),
                                                        fig=fig),
                 {"n": choice_control([3, 5, 7], n, name="n", kind=widgets.SelectionSlider,
                                      description="servers", continuous_update=False),
                  "seed": seed_control(seed, name="seed")})


def quorum_overlap_text(n: int = 5) -> str:
    """"Any two majorities overlap", checked by listing them: every pair of majorities of `n` servers
    and their smallest shared part -- beside quorums of only half the servers, which can miss each
    other (two sides of a partition could each "win")."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 11:
        raise ValueError(f"n must be an integer in [1, 11], got {n!r}")
    lines = []
    for size, what in ((n // 2 + 1, "majority"), (n // 2, "n // 2")):
        groups = [set(c) for c in combinations(range(n), size)] if size else []
        pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1:]]
        if not pairs:
            continue
        disjoint = sum(not (a & b) for a, b in pairs)
        least = min(len(a & b) for a, b in pairs)
        lines.append(f"{what:>8} quorums ({size} of {n} servers): {len(groups)} quorums, {len(pairs)} pairs; "
                     f"pairs sharing no server: {disjoint}; fewest servers a pair shares: {least}")
    return "\n".join(lines)


# ------------------------------------------------------------------------ minority partition
def _rows(c: Cluster) -> list[LogRow]:
    return [LogRow(str(p), [(e.term, e.command) for e in nd.log], nd.commit_index, nd.up,
                   nd.base_index) for p, nd in c.nodes.items()]


def partition_run(seed: int = 0) -> dict[str, Any]:
    """5 servers; the leader and one follower are cut off from the other three. The old leader
    accepts three commands it can never commit; the majority elects a leader that commits two.
    Then the partition heals. Returns the logs during and after, and what was rolled back."""
    c = Cluster(5, seed=seed)
    c.one("a", expected=5)
    old = _leader(c)
    buddy = next(p for p in c.pids if p != old)
    minority = [old, buddy]
    c.partition([minority, [p for p in c.pids if p not in minority]])
    stale = []
    for k in range(3):
        index, _term, ok = c.start(old, f"m{k + 1}")
        if ok:
            stale.append((index, f"m{k + 1}"))
        c.run(0.05)
    c.run(1.0)
    new = _leader(c) if _leader(c) != old else max(
        (nd.current_term, p) for p, nd in c.nodes.items() if nd.role == "leader")[1]
    for k in range(2):
        for p in c.pids:
            if p not in minority and c.start(p, f"M{k + 1}")[2]:
                break
        c.run(0.1)
    c.run(0.5)
    during = _rows(c)
    old_commit = c.nodes[old].commit_index
    c.heal()
    c.run(1.5)
    after = _rows(c)
    survivors = {cmd for cmd in c.committed_log(old)}
    rolled_back = [cmd for _, cmd in stale if cmd not in survivors]
    return {"old_leader": old, "new_leader": new, "minority": minority, "stale": stale,
            "old_commit_during": old_commit, "during": during, "after": after,
            "rolled_back": rolled_back, "log_after": c.committed_log(old),
            "invariants": dict(c.sim.invariants.evaluate(c.sim))}


def render_partition(run: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The five logs of a `partition_run` while partitioned (top: the minority's entries stay
    uncommitted) and after healing (bottom: what was rolled back)."""
    fig = prepare(fig, figsize=(7.2, 5.2))
    top, bottom = fig.add_subplot(2, 1, 1), fig.add_subplot(2, 1, 2)
    m = ", ".join(str(p) for p in run["minority"])
    draw_logs(top, run["during"], max_cells=8, show_commands=True,
              title=f"partitioned: minority {{{m}}} (old leader {run['old_leader']}) cannot commit")
    draw_logs(bottom, run["after"], max_cells=8, show_commands=True,
              title=f"healed: {', '.join(run['rolled_back']) or 'nothing'} rolled back, "
                    f"every log now matches leader {run['new_leader']}'s")
    fig.legend(handles=log_legend_handles(), loc="lower center", ncol=3, fontsize=8,
               frameon=False)
    fig.subplots_adjust(hspace=0.65, bottom=0.16, left=0.14, right=0.97)
    return fig


# ------------------------------------------------------------------------ Figure 16
def _fig16_trial(trial: object) -> object:
    """One planned Figure 16 trial's downtime (what the progress sweep runs per item)."""
    if not isinstance(trial, figure16.PlannedTrial):
        raise TypeError(f"expected a figure16.PlannedTrial, got {trial!r}")
    return figure16.downtime(trial.seed, *trial.range_ms)


def fig16_data(scale: float = 0.05, seed: int = 0, *, progress: bool = True) -> dict[tuple[int, int], list[float]]:
    """Downtimes per range, as `figure16.sweep`: ``scale`` of the paper's trials (1000; 100 for
    150-150), at least one trial per range. In a notebook a progress bar counts the trials
    (`progress`); the kernel's interrupt stops the sweep and keeps the trials already run."""
    checks.flag("progress", progress)
    trials = figure16.plan(seed, scale)
    downtimes = with_progress(_fig16_trial, trials, description="Figure 16 trials", show=progress)
    out: dict[tuple[int, int], list[float]] = {}
    for trial, seconds in zip(trials, downtimes):
        out.setdefault(trial.range_ms, []).append(cast("float", seconds))
    return out


def fig16_table(data: Mapping[tuple[int, int], list[float]]) -> str:
    """The simulated median downtime per timeout range beside the paper's, as a text table. A
    median at the trials' cap (`figure16.CAP`: no leader within it) is a lower bound, not a
    measurement: it reads ">=" and is not compared with the paper's as a percentage."""
    paper = figure16.published()
    cap_ms = figure16.CAP * 1000
    lines = [f"{'range (ms)':>11} {'trials':>6} {'median (sim)':>13} {'median (paper)':>15}"
             f" {'diff':>6}"]
    capped = False
    for rng, values in data.items():
        s, p = figure16.summary(values), paper[rng]
        at_cap = s.median_ms >= cap_ms
        capped = capped or at_cap
        diff = "  cap" if at_cap else f"{100 * (s.median_ms / p.median_ms - 1):>+5.0f}%"
        lines.append(f"{rng[0]:>5}-{rng[1]:<5} {s.trials:>6} {'>=' if at_cap else '':>2}{s.median_ms:>8.0f} ms "
                     f"{p.median_ms:>12.0f} ms {diff}")
    if capped:
        lines.append(f">= / cap: at least half of the trials had no leader within the {figure16.CAP:g} s cap, so "
                     f"the median is at least {figure16.CAP:g} s (the paper: over 10 s)")
    return "\n".join(lines)


def render_fig16(data: Mapping[tuple[int, int], list[float]], fig: Figure | None = None) -> Figure:
    """CDFs of simulated downtime (lines) beside the paper's quantiles (markers), as in the
    paper's two panels: 150-x ms ranges on top, scaled ranges below."""
    fig = prepare(fig, figsize=(7.2, 6.4))
    paper = figure16.published()
    panels = [[r for r in data if r[0] == 150], [r for r in data if r[0] != 150]]
    quantiles = (0.10, 0.25, 0.50, 0.75, 0.90, 0.99)
    for row, ranges in enumerate(panels):
        ax = fig.add_subplot(2, 1, row + 1)
        for k, rng in enumerate(ranges):
            colour = CYCLE[k % len(CYCLE)]
            v = sorted(x * 1000 for x in data[rng])
            ax.step(v, [(i + 1) / len(v) for i in range(len(v))], where="post", color=colour,
                    lw=1.6, label=f"{rng[0]}-{rng[1]} ms (sim, {len(v)} trials)")
            p = paper[rng]
            ax.plot([p.p10_ms, p.p25_ms, p.median_ms, p.p75_ms, p.p90_ms, p.p99_ms], quantiles,
                    ls="none", marker="x", color=colour, ms=6)
        ax.plot([], [], ls="none", marker="x", color="black", label="paper (quantiles)")
        ax.set_xscale("log")
        ax.set_xlim(10, 150_000)
        ax.set_ylim(0, 1.02)
        label_axes(ax, title=("Figure 16 (top): 150 ms minimum, more randomness" if row == 0 else
                              "Figure 16 (bottom): scaled ranges"),
                   xlabel="time without a leader (ms, log scale)", ylabel="cumulative fraction")
        ax.legend(fontsize=6.5, loc="lower right")
    fig.tight_layout()
    return fig
