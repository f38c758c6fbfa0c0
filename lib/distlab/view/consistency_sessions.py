"""Session guarantees as fixes for the bugs users notice -- each story shown failing, then fixed.

A tiny, deterministic replicated store tells each story (the full simulator is
:mod:`distlab.consistency.store_experiment`; here every time is chosen so the picture is easy to read):
a leader applies each write a quarter second after it is sent, gives it the next version and
acknowledges it; follower *r* applies version *v* ``lag[r]`` seconds after the leader did, in log
order. A read is served a quarter second after it is sent, by a replica picked by the read policy:

* ``any``    -- the replica the story names (whatever the load balancer picked): eventual;
* ``sticky`` -- always the client's home replica (a pinned session);
* ``token``  -- the named replica, but the client carries the highest version it has seen (its own
  acknowledged writes and what it read); a replica that is behind waits until it reaches it.

The stories are the lecture's: "I saved it and it vanished" (read-your-writes), "refresh went
back in time" (monotonic reads), "a reply before its question" (writes-follow-reads,
causal, consistent prefix). :func:`play` returns the history and notes; the checkers judge it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from distlab.consistency import Verdict, check
from distlab.sim.history import History, Op

from .consistency_ladder import VERDICT_MARKS, draw_history
from .controls import choice_control, fraction_control
from .panel import Panel, panel_render, settings_of
from .settings import number_setting
from .style import BAD, GOOD, OKABE_ITO, reuse_axes

__all__ = ["Step", "Story", "STORIES", "POLICIES", "play", "replication", "scene_verdicts", "scene_report",
           "render_scene", "scene_panel"]

POLICIES = ("any", "sticky", "token")
_HOP = 0.25          # one network hop (s)


@dataclass(frozen=True)
class Step:
    """One client operation of a story: ``put`` ``value`` or ``get`` at ``key``, sent at ``at``."""

    client: str
    f: str               # "put" or "get"
    key: str
    value: str | None
    at: float            # when the client sends it (s)
    replica: str = "r1"  # the replica a read goes to under the "any" and "token" policies


@dataclass(frozen=True)
class Story:
    """A user-visible bug told as steps on a replicated store: the guarantees that catch it, the
    read policy that fixes it, each replica's lag and each client's home replica."""

    title: str
    bug: str
    rungs: tuple[str, ...]      # the guarantees that catch the bug, the first one named in the lecture
    fix: str                    # the policy that fixes it
    steps: tuple[Step, ...]
    lags: tuple[tuple[str, float], ...]
    homes: tuple[tuple[str, str], ...]
    slow: str = "r2"            # the lagging replica (its lag is what the panel's slider moves)


STORIES = {
    "saved it and it vanished": Story(
        "Alice saves a new bio, then refreshes her profile", "I saved it and it vanished",
        ("read-your-writes",), "token",
        (Step("Alice", "put", "bio", "old bio", 0.0), Step("Alice", "put", "bio", "new bio", 7.0),
         Step("Alice", "get", "bio", None, 8.0, "r2")),
        (("r1", 0.3), ("r2", 6.0)), (("Alice", "r1"),)),
    "refresh went back in time": Story(
        "Bob refreshes a thread three times", "refresh went back in time",
        ("monotonic-reads",), "sticky",
        (Step("Carol", "put", "thread", "1 comment", 0.0), Step("Carol", "put", "thread", "2 comments", 7.0),
         Step("Bob", "get", "thread", None, 5.0, "r1"), Step("Bob", "get", "thread", None, 8.0, "r1"),
         Step("Bob", "get", "thread", None, 10.5, "r2")),
        (("r1", 0.3), ("r2", 6.0)), (("Bob", "r1"), ("Carol", "r1"))),
    "a reply before its question": Story(
        "Alice asks, Bob answers, Carol reads the chat", "a reply before its question",
        ("writes-follow-reads", "causal", "consistent-prefix"), "token",
        (Step("Alice", "put", "question", "lunch?", 0.0), Step("Bob", "get", "question", None, 1.0, "r1"),
         Step("Bob", "put", "answer", "yes!", 3.0), Step("Carol", "get", "answer", None, 4.0, "r1"),
         Step("Carol", "get", "question", None, 5.75, "r2")),
        (("r1", 0.3), ("r2", 6.0)), (("Alice", "r1"), ("Bob", "r1"), ("Carol", "r1"))),
}


#: When each replica applied each version: ``{"leader": [(time, version), ...], "r1": ..., ...}``.
Applies = dict[str, list[tuple[float, int]]]


def play(story: Story | str, policy: str, slow_lag: float | None = None) -> tuple[History, dict[int, str]]:
    """Run a story under ``policy``: ``(history, notes)``, notes keyed by operation index."""
    h, notes, _ = _run(story, policy, slow_lag)
    return h, notes


def replication(story: Story | str, policy: str, slow_lag: float | None = None) -> Applies:
    """When each replica applied each version: ``{"leader": [(t, v), ...], "r1": ..., "r2": ...}``."""
    return _run(story, policy, slow_lag)[2]


def _lag(value: float, name: str) -> float:
    """`value` as a lag in seconds, refused (by the caller's `name`) outside [0, 10]."""
    return number_setting({name: value}, name, 0.0, 10.0, " s")


def _story(story: object) -> Story:
    """A :class:`Story`, or the one of :data:`STORIES` named ``story``; anything else refused by name."""
    if isinstance(story, Story):
        return story
    if not isinstance(story, str) or story not in STORIES:
        raise ValueError(f"story must be one of {sorted(STORIES)}, got {story!r}")
    return STORIES[story]


def _run(story: Story | str, policy: str, slow_lag: float | None) -> tuple[History, dict[int, str], Applies]:
    story = _story(story)
    if not isinstance(policy, str) or policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    lags = dict(story.lags)
    if slow_lag is not None:
        lags[story.slow] = _lag(slow_lag, "slow_lag")
    homes = dict(story.homes)
    writes: list[tuple[float, str, str | None, int]] = []  # (leader apply time, key, value, version)
    token: dict[str, int] = {}
    done: dict[str, float] = {}
    ops: list[Op] = []
    notes: list[str] = []

    def applied(replica: str, at: float) -> int:
        return max([v for t, _, _, v in writes if t + lags[replica] <= at] + [0])

    for step in sorted(story.steps, key=lambda s: s.at):
        start = max(step.at, done.get(step.client, -1e9))
        if step.f == "put":
            t_apply = start + _HOP
            version = len(writes) + 1
            writes.append((t_apply, step.key, step.value, version))
            end = t_apply + _HOP
            if policy == "sticky":              # the home replica answers once it applied the write
                end = max(end, t_apply + lags[homes[step.client]] + _HOP)
            token[step.client] = max(token.get(step.client, 0), version)
            ops.append(Op(step.client, "put", step.value, step.key, start, end, "ok"))
            notes.append(f"v{version}")
        else:
            replica = homes[step.client] if policy == "sticky" else step.replica
            served = start + _HOP
            need = token.get(step.client, 0) if policy == "token" else 0
            waited = False
            if applied(replica, served) < need:
                served = next(t + lags[replica] for t, _, _, v in writes if v == need)
                waited = True
            seen = [(v, val) for t, k, val, v in writes if k == step.key and t + lags[replica] <= served]
            version, value = max(seen) if seen else (0, "")
            token[step.client] = max(token.get(step.client, 0), version)
            end = served + _HOP
            ops.append(Op(step.client, "get", None, step.key, start, end, "ok", result=value))
            notes.append(f"{replica}{' waited' if waited else ''}, has v{applied(replica, served)}")
        done[step.client] = end
    h = History.of(ops)
    # History.of sorts by invocation; carry the notes along by matching operations
    by_op = {(o.process, o.f, o.key, o.invoke): n for o, n in zip(ops, notes)}
    applies: Applies = {"leader": [(t, v) for t, _, _, v in writes]}
    applies.update({r: [(t + lag, v) for t, _, _, v in writes] for r, lag in sorted(lags.items())})
    return h, {o.index: by_op[(o.process, o.f, o.key, o.invoke)] for o in h}, applies


def scene_verdicts(story: Story | str, policy: str, slow_lag: float | None = None) -> dict[str, Verdict]:
    """The story's rungs checked on its history: rung -> Verdict."""
    story = _story(story)
    h, _ = play(story, policy, slow_lag)
    return {rung: check(h, rung, "kv") for rung in story.rungs}


def scene_report(story: str, policy: str, slow_lag: float | None = None) -> str:
    """Text: what each read returned and each rung's verdict with its explanation."""
    h, notes = play(story, policy, slow_lag)
    lines = [f"{_story(story).title} -- read policy {policy!r}"]
    for o in h:
        if o.f == "get":
            shown = repr(o.result) if o.result != "" else "nothing"
            lines.append(f"  {o.process} reads {o.key} at {o.invoke:g} s from {notes[o.index]}: {shown}"
                         f" (answered after {o.end - o.invoke:g} s)")  # every story's operation completes
    for rung, v in scene_verdicts(story, policy, slow_lag).items():
        lines.append(f"  {VERDICT_MARKS[v.status][0]} {rung}: {v.status}"
                     + ("" if v.status == "holds" else f" -- {v.explanation}"))
    return "\n".join(lines)


def scene_panel(story: str = "saved it and it vanished", policy: str = "any", lag: float = 6.0) -> Panel:
    """Pick a story and a read policy; the slider sets how far the slow replica lags (every story's
    slow replica lags 6 s by itself)."""
    style = {"description_width": "initial"}
    return Panel(render_scene, {
        "story": choice_control(tuple(STORIES), story, name="story", description="story", style=style),
        "policy": choice_control(POLICIES, policy, name="policy", kind=widgets.ToggleButtons,
                                 description="read policy", style=style),
        "lag": fraction_control(lag, min=0.0, max=8.0, step=0.25, name="lag", description="slow replica lag (s)",
                                continuous_update=False)}, figsize=(10.0, 4.6))


@panel_render(defaults=settings_of(scene_panel))
def render_scene(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """One story under one policy: the timeline (notes name the replica and its version) and the
    verdict of the rung that catches the bug in the title.  Settings ``story`` (a key of
    :data:`STORIES`), ``policy`` and ``lag`` (s), as `scene_panel`: ``render_scene(story=..., policy="any")``."""
    story, policy = _story(config["story"]), config["policy"]
    lag = None if config["lag"] is None else _lag(config["lag"], "lag")
    h, notes, applies = _run(story, policy, lag)
    verdicts = scene_verdicts(story, policy, lag)
    failed = [r for r, v in verdicts.items() if v.status == "violated"]
    fig, ax = reuse_axes(fig, (0.13, 0.12, 0.85, 0.72), figsize=(10.0, 4.6))  # limits set below
    bad = {o.index for o in h if o.f == "get" and failed}
    bad = {max(bad)} if bad else set()
    right = max([o.end for o in h] + [t for ts in applies.values() for t, _ in ts]) + 0.8
    draw_history(ax, h, highlight=bad, notes=notes, unit="time (s)", xmax=right)
    _draw_replication(ax, len(h.processes()), applies, right)
    first = story.rungs[0]
    verdict = verdicts[first]
    mark, _colour = VERDICT_MARKS[verdict.status]
    lag_now = dict(story.lags)[story.slow] if lag is None else lag
    ax.set_title(f"\u201c{story.bug}\u201d -- policy {policy!r}, {story.slow} lags {lag_now:g} s\n"
                 f"{mark} {first} {verdict.status}", fontsize=10, color=BAD if failed else GOOD)
    return fig


def _draw_replication(ax: Axes, n_lanes: int, applies: Applies, right: float) -> None:
    """Lanes under the clients: a diamond where each replica applies each version."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for i, (replica, points) in enumerate(applies.items()):
        y = -(n_lanes + i) - 0.3
        ax.axhline(y, color="#DDDDDD", lw=0.8, zorder=0)
        for t, v in points:
            if t <= right:
                ax.plot([t], [y], "D", color=OKABE_ITO["blue"], ms=5)
                ax.text(t, y + 0.12, f"v{v}", ha="center", va="bottom", fontsize=7, color=OKABE_ITO["blue"])
        labels.append(f"{replica} applies")
    ax.set_yticks([-i for i in range(n_lanes)] + [-(n_lanes + i) - 0.3 for i in range(len(applies))])
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-(n_lanes + len(applies)) + 0.2, 0.7)
    ax.set_ylabel("client / replica")
