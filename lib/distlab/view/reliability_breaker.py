"""Chapter 5 panels: the circuit breaker up close.

The panel drives a `CircuitBreaker` over a synthetic call stream on a `ManualClock`, so its sliders
redraw instantly. Each call's result reaches the breaker when the call ends (a failure when its
timeout expires), as in a real client.
"""
from __future__ import annotations

import heapq
import random
from collections.abc import Mapping
from typing import Any, NamedTuple

from matplotlib.figure import Figure

from distlab.reliability import BreakerConfig, CircuitBreaker, ManualClock

from .controls import fraction_control, seed_control, size_control
from .panel import Panel, panel_render, settings_of
from .reliability_axes import remember, reuse_grid
from .style import BAD, CYCLE, GOOD, NEUTRAL, label_axes

# ----------------------------------------------------------------------------------- breaker
BREAKER_SECONDS, BROKEN = 40.0, (10.0, 25.0)
CALL_EVERY, TIMEOUT, FAST = 0.05, 1.0, 0.02
_STATE_LEVEL = {"closed": 0, "half-open": 1, "open": 2}


class _Pending(NamedTuple):
    """A call in flight in `breaker_run`: when its result reaches the breaker, and what it was."""

    due: float
    seq: int
    failed: bool
    duration: float


def _deliver(breaker: CircuitBreaker | None, clock: ManualClock, pending: list[_Pending], until: float) -> None:
    """Hand the breaker every result due by ``until``, each at the time its call ended."""
    while pending and pending[0].due <= until:
        done = heapq.heappop(pending)
        if breaker is not None:
            clock.set(max(clock.now, done.due))
            breaker.record(done.failed, done.duration)


@remember(maxsize=32)
def breaker_run(config: Mapping[str, Any]) -> dict[str, Any]:
    """Calls every 50 ms to a dependency that fails (after a 1 s timeout) from 10 s to 25 s.

    ``threshold`` consecutive failures trip the breaker (0 = no breaker); after ``cooldown``
    seconds ``probes`` calls test the dependency. A call's result reaches the breaker when the call
    ends -- a success after 20 ms, a failure only when its 1 s timeout expires -- so about 20 more
    calls go out before the first failure is known, and in half-open all ``probes`` calls are let
    through before the first of them answers. Returns per-call times, states and outcomes."""
    threshold, cooldown, probes = int(config["threshold"]), float(config["cooldown"]), int(config["probes"])
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0 (0 = no breaker), got {threshold!r}")
    rng = random.Random(int(config["seed"]))
    clock = ManualClock(0.0)
    breaker = None
    if threshold:
        breaker = CircuitBreaker(BreakerConfig(consecutive_failures=threshold, cooldown=cooldown,
                                               probes=probes), clock=clock)
    times: list[float] = []
    states: list[str] = []
    outcomes: list[str] = []  # "ok", "failed" (waited a timeout), "rejected"
    pending: list[_Pending] = []
    for i in range(int(BREAKER_SECONDS / CALL_EVERY)):
        t = i * CALL_EVERY
        _deliver(breaker, clock, pending, t)
        clock.set(t)
        if breaker is not None and not breaker.allow():
            outcome = "rejected"
        else:
            broken = BROKEN[0] <= t < BROKEN[1]
            failed = rng.random() < (0.95 if broken else 0.01)
            took = TIMEOUT if failed else FAST
            heapq.heappush(pending, _Pending(t + took, i, failed, took))
            outcome = "failed" if failed else "ok"
        times.append(t)
        states.append(breaker.state_name if breaker else "none")
        outcomes.append(outcome)
    waited = sum(TIMEOUT if o == "failed" else FAST if o == "ok" else 0.0 for o in outcomes)
    return {"times": times, "states": states, "outcomes": outcomes, "waited": waited,
            "reached_while_broken": sum(1 for t, o in zip(times, outcomes)
                                        if o != "rejected" and BROKEN[0] <= t < BROKEN[1]),
            "probes_sent": sum(1 for s, o in zip(states, outcomes) if s == "half-open" and o != "rejected"),
            "closed_again": next((t for t, s in zip(times, states) if t >= BROKEN[1] and s in ("closed", "none")),
                                 None)}


def breaker_panel(threshold: int = 5, cooldown: float = 3.0, probes: int = 1, seed: int = 0) -> Panel:
    """Sliders: failure threshold (0 = no breaker), cooldown (s), half-open probes, seed."""
    return Panel(render_breaker, {
        "threshold": size_control(threshold, min=0, max=50, name="threshold", description="failure threshold"),
        "cooldown": fraction_control(cooldown, min=0.5, max=15.0, step=0.5, name="cooldown",
                                     description="cooldown (s)"),
        "probes": size_control(probes, min=1, max=10, name="probes", description="probes"),
        "seed": seed_control(seed, name="seed")})


def _recovery(run: Mapping[str, Any]) -> str:
    """When the breaker let calls through again after the fault ended at 25 s, and why not at once
    (empty without a breaker: the plot says every call goes through)."""
    if run["states"][0] == "none":
        return ""  # the plot says it: every call goes through
    closed = run["closed_again"]
    if closed is None:
        return "still not closed at the end of the run"
    late = closed - BROKEN[1]
    return f"closed again {late:.2f} s after the fault ended (cooldown, then probes)"


def _probes(run: Mapping[str, Any]) -> str:
    """How many probe calls went out, over how many half-open spells (each failed probe reopens)."""
    states, sent = run["states"], run["probes_sent"]
    if states[0] == "none":
        return "no breaker, so no probe calls"
    spells = sum(1 for i, s in enumerate(states) if s == "half-open" and (i == 0 or states[i - 1] != "half-open"))
    calls = f"{sent} probe{'' if sent == 1 else 's'}"
    if not spells:
        return f"{calls} (never half-open)"
    return f"{calls} in {spells} half-open spell{'' if spells == 1 else 's'}"


@panel_render(defaults=settings_of(breaker_panel))
def render_breaker(config: Mapping[str, Any], fig: Figure | None = None) -> Figure:
    """The breaker's state (top) and what the calls met each second (bottom) over a `breaker_run`;
    settings ``threshold`` (0 = no breaker), ``cooldown``, ``probes``, ``seed`` (as `breaker_panel`)."""
    run = breaker_run(config)
    fig, (top, bottom) = reuse_grid(fig, "breaker", lambda f: f.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.6]}))
    if run["states"][0] == "none":
        top.text(0.5, 0.5, "no breaker (threshold 0): every call goes through;\ncooldown and probes "
                 "have nothing to act on", ha="center", va="center", transform=top.transAxes)
    else:
        top.step(run["times"], [_STATE_LEVEL[s] for s in run["states"]], where="post", color=CYCLE[0])
    top.set_yticks([0, 1, 2], ["closed", "half-open", "open"])
    top.set_ylim(-0.3, 2.3)
    top.axvspan(*BROKEN, color=BAD, alpha=0.12, label="dependency broken")
    probes, recovery = _probes(run), _recovery(run)
    label_axes(top, title=f"Breaker state (a failure counts after its 1 s timeout); {probes}"
               + (f"\n{recovery}" if recovery else ""),
               ylabel="state")
    top.title.set_fontsize(9)
    top.legend(loc="upper right", fontsize=8)
    bins = range(int(BREAKER_SECONDS))
    count = {o: [0] * len(bins) for o in ("ok", "failed", "rejected")}
    for t, o in zip(run["times"], run["outcomes"]):
        count[o][int(t)] += 1
    edges = list(range(len(bins) + 1))
    ok_failed = [a + b for a, b in zip(count["ok"], count["failed"])]
    everything = [a + b for a, b in zip(ok_failed, count["rejected"])]
    bottom.stairs(everything, edges, baseline=ok_failed, fill=True, color=NEUTRAL, label="rejected at once (open)")
    bottom.stairs(ok_failed, edges, baseline=count["ok"], fill=True, color=BAD, label="failed after a 1 s timeout")
    bottom.stairs(count["ok"], edges, fill=True, color=GOOD, label="succeeded")
    label_axes(bottom, title=(f"caller time spent waiting: {run['waited']:.0f} s; calls that reached "
                              f"the broken dependency: {run['reached_while_broken']}"),
               xlabel="time (s)", ylabel="calls per second (count)")
    bottom.title.set_fontsize(9)
    bottom.legend(loc="upper left", fontsize=7)
    bottom.set_ylim(0, 1.5 / CALL_EVERY)
    fig.subplots_adjust(left=0.15, right=0.97, top=0.89, bottom=0.1, hspace=0.4)
    return fig
