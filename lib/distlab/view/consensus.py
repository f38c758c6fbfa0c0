"""Chapter 2's view: every widget and plot of ``notebooks/02_consensus.ipynb``.

The panels live in four modules, re-exported here so the notebook imports one name::

    from distlab.view import consensus as cv

* `raft_lab` -- the live Raft cluster as a recorded, forkable run, and its frame drawing;
* `raft_lab_panel` -- its widgets: settings, per-server faults, client requests, play / step /
  seek and "fork here", invariant badges;
* `consensus_experiments` -- majority and f + 1, the minority partition, Figure 16; `consensus_split`
  -- split votes;
* `consensus_paxos` -- the two rounds of Paxos as a sequence diagram, duelling proposers;
* `consensus_logs` -- the log grid (committed prefix) the others draw with;
* this module -- "you rent it": the coordination backend, the fencing-token story, etcd /
  ZooKeeper / Consul side by side with the chooser, and the quiz.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from distlab.consensus.compare import side_by_side
from distlab.consensus.coordination import CoordinationStore, FencingResult, open_store, paused_holder
from distlab.consensus.coordination.systems import NEEDS, SYSTEMS, choose_coordination, settings_without_effect, table
from distlab.consensus.quiz import QUIZ
from distlab.consensus.split_brain import split_brain
from distlab.grading.consensus import paxos_run

from .badges import badges_text
from .consensus_experiments import (
    fig16_data,
    fig16_table,
    partition_run,
    quorum_overlap_text,
    quorum_panel,
    quorum_run,
    render_fig16,
    render_partition,
    render_quorum,
)
from .consensus_paxos import chosen_stays_chosen, duel_table, render_duel, render_sequence
from .consensus_split import render_split, split_panel, split_run, split_vote_table
from .controls import choice_control, log_control, switch_control
from .panel import Panel, fill_settings, panel_render, settings_of
from .quiz import Quiz
from .raft_lab import ClusterLab, render_frame
from .raft_lab_panel import ClusterLabView, cluster_lab
from .style import BAD, GOOD, NEUTRAL, label_axes, prepare

_STYLE = {"description_width": "initial"}


# ----------------------------------------------------------------------------------- backend
def coordination_store(etcd_endpoint: str = "", seed: int = 0) -> CoordinationStore:
    """The store the coordination recipes run on: a real etcd when `etcd_endpoint` (or
    ``$DISTLAB_ETCD_ENDPOINT``) is set, else the simulated Raft store (seeded)."""
    if not isinstance(etcd_endpoint, str):
        raise ValueError(f"etcd_endpoint must be a string: an etcd URL such as http://127.0.0.1:2379, or \"\" "
                         f"for the simulated store; got {etcd_endpoint!r}")
    return open_store(etcd_endpoint or None, seed=seed)


def backend_line(store: CoordinationStore) -> str:
    """One line naming the coordination backend (simulated Raft store or real etcd) and its details."""
    kind = "simulated Raft store" if type(store).__name__ == "SimulatedStore" else "real etcd"
    return f"backend: {kind} -- {store.describe()}"


# ----------------------------------------------------------------------------------- election
def election_story(store: CoordinationStore, ttl: int = 2) -> list[str]:
    """Lease-based leader election, told as lines: alice wins and renews her lease; bob's
    campaign fails while she does; alice stops renewing (a crash); her lease expires and bob wins
    with a larger epoch. Times are seconds since the story began (rounded: etcd's are real)."""
    from distlab.consensus.coordination import LeaderElection, Session

    start = store.now()
    lines: list[str] = []

    def say(what: str) -> None:
        lines.append(f"t={store.now() - start:4.1f} s  {what}")

    alice = LeaderElection(store, "nb02-db", "alice", Session(store, ttl=ttl))
    say(f"alice campaigns: {'leads' if alice.campaign() else 'loses'}, epoch {alice.epoch}")
    for _ in range(3):
        store.sleep(ttl / 2)
        alice.keepalive()
    bob = LeaderElection(store, "nb02-db", "bob", Session(store, ttl=ttl))
    bob_leads = bob.campaign()
    leader = alice.leader()
    say(f"alice renewed her {ttl} s lease 3 times; bob campaigns: "
        f"{'leads' if bob_leads else 'loses'} (leader: {leader.name if leader else 'none'})")
    say("alice crashes: no more renewals")
    won = bob.campaign_until(timeout=4 * ttl + 2)
    say(f"bob {'leads' if won else 'still waits'}, epoch {bob.epoch} "
        f"(> {alice.epoch}: anything alice still sends carries a stale epoch)")
    bob.resign()
    return lines


# ----------------------------------------------------------------------------------- fencing
def fencing_story(etcd_endpoint: str = "", seed: int = 0) -> dict[bool, FencingResult]:
    """The paused-holder story without and with fencing, each on a fresh store."""
    return {fenced: paused_holder(coordination_store(etcd_endpoint, seed), fencing=fenced)
            for fenced in (False, True)}


def fencing_text(result: FencingResult) -> str:
    """One run of the paused-holder story as text: the timeline, what storage holds, the verdicts."""
    lines = [f"--- {'WITH' if result.fencing else 'WITHOUT'} fencing (t = 0 when A takes the lock) ---"]
    lines += [f"t={t:5.2f} s  {actor}: {what}" for t, actor, what in result.timeline]
    lines.append(f"storage holds: {result.final_value!r}")
    for name, verdict in result.verdicts.items():
        lines.append(f"  {'✓' if verdict is None else '✗'} {name}"
                     + ("" if verdict is None else f": {verdict}"))
    return "\n".join(lines)


def render_fencing(results: Mapping[bool, FencingResult], fig: Figure | None = None) -> Figure:
    """Who held the lock when, and which writes storage accepted, without and with fencing."""
    fig = prepare(fig, figsize=(7.2, 4.6))
    for row, fenced in enumerate((False, True)):
        r = results[fenced]
        ax = fig.add_subplot(2, 1, row + 1)
        # the story's times count from A taking the lock (`paused_holder`), as the text prints them
        t_a, t_pause, t_b, _t_bw, t_aw = (e[0] for e in r.timeline[:5])
        ax.barh(1.55, t_b - t_a, left=t_a, height=0.14, color=NEUTRAL, edgecolor="black",
                label="A's lease (until B gets the lock)")
        ax.barh(1, t_aw - t_pause, left=t_pause, color="none", hatch="//", edgecolor="black",
                label="A frozen (GC pause), sure it holds the lock")
        ax.barh(0, t_aw + 0.5 - t_b, left=t_b, color=GOOD, alpha=0.5, edgecolor="black",
                label="B holds the lock")
        for w in r.writes:
            y = 1 if w.client == "A" else 0
            ax.plot(w.time, y, marker="o" if w.accepted else "X", ms=11,
                    color=BAD if (w.accepted and w.client == "A") else (GOOD if w.accepted else BAD),
                    markeredgecolor="black")
            ax.text(w.time + 0.1, y + 0.3, f"write token {w.token}: "
                    f"{'accepted' if w.accepted else 'REJECTED'}", fontsize=7.5)
        ax.set_yticks([0, 1])
        ax.set_yticklabels(["client B", "client A"])
        ax.set_ylim(-0.6, 1.8)
        ax.set_xlim(t_a - 0.2, t_aw + 2.5)
        label_axes(ax, title=("without fencing: A's stale write is accepted" if not fenced else
                              "with fencing: storage rejects the old token"),
                   xlabel="time since A took the lock (s)" if row else None)
        if row == 0:
            ax.legend(fontsize=7, loc="upper right", ncol=3, bbox_to_anchor=(1.0, 1.45))
    fig.subplots_adjust(hspace=0.6, top=0.84, left=0.13)
    return fig


# ----------------------------------------------------------------------------------- Raft vs Multi-Paxos
def side_by_side_text(seed: int = 0) -> str:
    """`side_by_side` (the same random fault schedule on Raft and on Multi-Paxos) as a small table in
    words: did safety hold, how much was committed while the faults lasted, did each recover."""
    names = {"raft": "Raft", "paxos": "Multi-Paxos"}
    run = settings_of(side_by_side)  # its defaults: the schedule both protocols get
    lines = [f"the same {run['faults']} random faults (crash, restart, partition, one-way block, heal, pause) in "
             f"{run['duration']:g} s, a client command every {run['period'] * 1000:g} ms:"]
    for o in side_by_side(seed):
        lines.append(f"  {names.get(o.protocol, o.protocol):<12} safety held: {'yes' if o.safe else 'NO'}  |  "
                     f"committed during the faults: {o.committed_during_faults:>3}  |  "
                     f"a leader and a new commit after the heal: {'yes' if o.recovered else 'no'}"
                     + (f"\n      {o.violation}" if o.violation else ""))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- chooser
def systems_html() -> str:
    """etcd, ZooKeeper and Consul side by side (`coordination.systems.table`)."""
    rows = table()
    head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td style='text-align:left;vertical-align:top'>"
                                    f"{'<b>' if i == 0 else ''}{html.escape(c)}"
                                    f"{'</b>' if i == 0 else ''}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows[1:])
    return f"<table class='distlab-systems'><tr>{head}</tr>{body}</table>"


def systems_widget() -> widgets.HTML:
    """The whole comparison (every aspect) as an HTML table widget."""
    return widgets.HTML(systems_html())


def systems_text(aspects: Sequence[str] = ("consensus", "liveness", "watches")) -> str:
    """A few rows of the comparison as plain text (for stored outputs)."""
    lines = []
    for aspect in aspects:
        lines.append(f"{aspect}:")
        for s in SYSTEMS.values():
            lines.append(f"  {s.name:9} {getattr(s, aspect)}")
    return "\n".join(lines)


@panel_render(defaults=settings_of(choose_coordination))
def render_choice(config: Mapping[str, Any], fig: Figure | None = None) -> str:
    """The coordination service to use, and why, as HTML (settings: the questions of
    `coordination.systems.NEEDS`, with the defaults of `choose_coordination`)."""
    choice = choose_coordination(**config)
    name = {"none": "no coordination service", "database": "a database"}.get(
        choice.system, SYSTEMS[choice.system].name if choice.system in SYSTEMS else choice.system)
    idle = settings_without_effect(**config)
    note = (f"<br><small>Greyed out: with the other answers as they are, no answer to "
            f"{'this question' if len(idle) == 1 else 'these questions'} changes the choice: "
            f"{html.escape('; '.join(NEEDS[n].question for n in idle))}</small>" if idle else "")
    return (f"<div class='distlab-choice'><b>Use: {html.escape(name)}</b><br>"
            f"<i>{html.escape(choice.reason)}</i>{note}</div>")


def chooser_panel(**values: Any) -> Panel:
    """One control per question of `systems.NEEDS`, starting at `values` (the others at the
    defaults of `render_choice`); the answer of `choose_coordination`."""
    start = fill_settings("chooser_panel", render_choice.settings, values)
    controls = {}
    for name, (kind, choices, question) in NEEDS.items():
        if kind == "bool":
            controls[name] = switch_control(start[name], name=name, description=question, style=_STYLE,
                                            layout={"width": "460px"})
        elif kind == "choice" and choices is not None:
            controls[name] = choice_control(choices, start[name], name=name, description=question, style=_STYLE)
        else:
            controls[name] = log_control(start[name], min=-1, max=5 if name == "data_mb" else 6, step=0.25,
                                         name=name, description=question, layout={"width": "460px"})
    panel = Panel(render_choice, controls, draw_now=False)
    panel.widget.children = (widgets.VBox(list(controls.values())), panel.output)
    panel.on_redraw(_grey_out_what_cannot_matter)
    panel.redraw()
    return panel


def _grey_out_what_cannot_matter(panel: Panel) -> None:
    """Grey out each question no answer of which would change the chooser's answer now (and say so
    in its tooltip); the others are live."""
    if not isinstance(panel.last_config, Mapping):
        return
    idle = settings_without_effect(**panel.last_config)
    for name, control in panel.controls.items():
        control.disabled = name in idle
        control.tooltip = "no answer here changes the choice while the others are as they are" if name in idle else ""


# ----------------------------------------------------------------------------------- quiz
def quiz() -> Quiz:
    """The chapter's five questions (data in `distlab.consensus.quiz`)."""
    return Quiz.from_data(QUIZ, title="Chapter 2: quick check")


__all__ = [
    "ClusterLab", "ClusterLabView", "backend_line", "badges_text", "chooser_panel", "chosen_stays_chosen",
    "cluster_lab",
    "coordination_store", "duel_table", "election_story", "fencing_story", "fencing_text",
    "fig16_data", "fig16_table", "partition_run", "paxos_run", "quiz", "quorum_overlap_text",
    "quorum_panel", "quorum_run",
    "render_choice", "render_duel", "render_fencing", "render_fig16", "render_frame",
    "render_partition", "render_quorum", "render_sequence", "render_split", "side_by_side", "side_by_side_text",
    "split_brain",
    "split_panel", "split_run", "split_vote_table", "systems_html", "systems_text", "systems_widget",
]
