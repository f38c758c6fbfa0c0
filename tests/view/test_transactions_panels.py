"""Chapter 3's panels (`distlab.view.transactions`): every control changes what the figure says, the
title is computed from the same result as the bars, and every dropdown choice is valid."""

from __future__ import annotations

import pytest

from distlab.view import transactions as tv
from distlab.view.transactions import twopc as tp

PNG = b"\x89PNG\r\n\x1a\n"


def title(panel) -> str:
    return " | ".join(ax.get_title() for ax in panel.figure.axes) + " | " + (
        panel.figure._suptitle.get_text() if panel.figure._suptitle else "")


def blocked_seconds(config) -> float:
    result = tv.twopc_run(config)
    return max(sum(e - s for s, e in w) for w in result.blocking_windows)


@pytest.mark.parametrize("participants", [2, 3, 5])
@pytest.mark.parametrize("crash", list(tv.CRASHES))
def test_every_crash_choice_is_valid_for_every_participant_count_and_atomic(crash, participants):
    config = dict(participants=participants, crash=crash, termination=False, recovery_time=1.0, seed=0)
    result = tv.twopc_run(config)
    assert result.atomic and result.violations == ()
    assert len(result.outcomes) == participants
    fig = tv.render_twopc(config)
    assert tp.blocked_summary(result) in fig.axes[0].get_title()


def test_the_title_and_the_bars_agree():
    config = dict(participants=3, crash="coordinator, after all votes, decision not logged", termination=False,
                  recovery_time=1.5, seed=0)
    fig = tv.render_twopc(config)
    ax = fig.axes[0]
    hatched = [p for p in ax.collections if p.get_hatch() == "//"]
    widths = [sum(path.vertices[:, 0].max() - path.vertices[:, 0].min() for path in bar.get_paths())
              for bar in hatched]
    assert len(hatched) == 3 and min(widths) > 1.0
    assert max(widths) == pytest.approx(blocked_seconds(config), abs=1e-6)
    assert "3 of 3 blocked" in ax.get_title()
    assert f"up to {blocked_seconds(config):.2f} s" in ax.get_title()


def test_recovery_time_moves_the_blocked_window_and_termination_unblocks_when_it_can():
    base = dict(participants=3, crash="coordinator, after all votes, decision not logged", termination=False, seed=0)
    assert blocked_seconds({**base, "recovery_time": 2.5}) > blocked_seconds({**base, "recovery_time": 0.5}) + 1.5
    # everyone voted yes and nobody knows the decision: asking the others cannot help
    assert blocked_seconds({**base, "recovery_time": 1.0, "termination": True}) > 0.9
    # PREPARE reached p1 only: with termination p1 learns from a peer that has not voted and aborts
    early = {**base, "crash": "coordinator, after PREPARE reached p1 only", "recovery_time": 1.0}
    assert blocked_seconds(early) > 0.9
    assert blocked_seconds({**early, "termination": True}) == 0
    # the decision reached p1: with termination the others learn it from p1
    told = {**base, "crash": "coordinator, after telling p1 only", "recovery_time": 1.0}
    assert blocked_seconds(told) > 0.9 and blocked_seconds({**told, "termination": True}) == 0


def test_the_twopc_panel_redraws_on_every_control():
    panel = tv.twopc_panel(seed=0)
    first = (title(panel), panel.last_png)
    assert first[1].startswith(PNG)
    seen = {first}
    for name, value in (("participants", 5), ("crash", "coordinator, after telling p1 only"), ("termination", True),
                        ("recovery_time", 2.5), ("seed", 3)):
        panel.controls[name].value = value
        assert panel.last_config[name] == value and panel.last_error is None
        seen.add((title(panel), panel.last_png))
    assert len(seen) >= 5


def test_a_raft_replicated_coordinator_blocks_nobody_where_one_coordinator_blocks_all():
    for crash in tp.COORDINATOR_CRASHES:
        config = dict(participants=3, crash=crash, recovery_time=2.0, seed=0)
        replicated = tv.twopc_run(config, replicated=True)
        assert replicated.atomic and not any(replicated.blocked), crash
    panel = tv.fix_panel(seed=0)
    assert "one coordinator: 3 of 3 blocked" in title(panel)
    assert "replicated by Raft (3): nobody blocked" in title(panel)


def test_the_slow_participant_holds_the_fast_ones_locks():
    panel = tv.slow_panel(participants=3, delay=0.3, seed=0)
    assert "here 0.3" in title(panel)
    panel.controls["delay"].value = 0.8
    assert "here 0.8" in title(panel)
    rows = tp.slow_sweep(3, 0)
    holds = [hold for _, hold, _ in rows]
    blocked = [b for _, _, b in rows]
    assert holds == sorted(holds) and blocked == sorted(blocked) and blocked[-1] > 10 * blocked[0]


def test_bad_panel_values_are_refused_with_the_parameter_named():
    with pytest.raises(ValueError, match=r"^crash: "):
        tv.twopc_run(dict(participants=3, crash="sometime", seed=0))
    with pytest.raises(ValueError, match="participants"):
        tv.twopc_run(dict(participants=9, crash="no crash", seed=0))
