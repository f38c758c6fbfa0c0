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
    assert "one coordinator:\n3 of 3 blocked" in title(panel)
    assert "replicated by Raft (3); starts after its first election:\nnobody blocked" in title(panel)


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


# ----------------------------------------------------------------------------- sagas
from distlab.view.transactions import saga as sv  # noqa: E402


def test_every_saga_choice_runs_to_a_terminal_state_and_the_title_says_what_happened():
    for fail in sv.FAIL_CHOICES:
        for crash in sv.CRASH_CHOICES[::4]:
            result = tv.saga_run(dict(fail_step=fail, crash_point=crash, seed=0))
            assert result.outcome in ("completed", "compensated") and result.violations == ()
    fig = tv.render_saga(dict(fail_step="charge_card", crash_point="after_action:reserve_seat", seed=0))
    title_text = fig.axes[0].get_title()
    assert "saga compensated: 2 compensations, newest step first" in title_text
    assert "orchestrator crashed 1x" in title_text
    never = tv.render_saga(dict(fail_step="create_booking", crash_point="after_action:charge_card", seed=0))
    assert "nothing to undo" in never.axes[0].get_title()
    assert "'after_action:charge_card' was never reached" in never.axes[0].get_title()


def test_a_failure_before_the_pivot_compensates_and_after_it_retries():
    assert tv.saga_run(dict(fail_step="reserve_seat", seed=0)).outcome == "compensated"
    after = tv.saga_run(dict(fail_step="issue_ticket", seed=0))
    assert after.outcome == "completed" and any(e.event == "retry" for e in after.timeline)


def test_the_semantic_lock_hides_the_half_done_trip():
    without = tv.saga_run(dict(fail_step="charge_card", semantic_lock=False, seed=0))
    with_lock = tv.saga_run(dict(fail_step="charge_card", semantic_lock=True, seed=0))
    assert without.anomalies > 0 and with_lock.anomalies == 0


def test_the_saga_panel_redraws_on_every_control():
    panel = tv.saga_panel(seed=0)
    seen = {title(panel)}
    for name, value in (("fail_step", "nothing fails"), ("crash_point", "after_action:charge_card"),
                        ("semantic_lock", True), ("fail_step", "reserve_seat")):
        panel.controls[name].value = value
        assert panel.last_config[name] == value and panel.last_error is None
        seen.add(title(panel))
    assert len(seen) >= 4
    with pytest.raises(ValueError, match="fail_step"):
        tv.saga_run(dict(fail_step="book_hotel", seed=0))


# ----------------------------------------------------------------------------- idempotency keys
from distlab.view.transactions import idempotency as iv  # noqa: E402


def test_only_the_key_committed_with_the_charge_charges_exactly_once_at_every_crash():
    for delay in iv.RETRY_DELAYS:
        matrix = iv.charge_matrix(retries=3, retry_delay=delay)
        assert all(row[2] <= 1 for row in matrix), delay  # key in SQL, same transaction: never twice
        if delay > 60:  # retries after the crashed request's lock expired: exactly once
            assert all(row[2] == 1 for row in matrix), delay
    matrix = iv.charge_matrix(retries=3, retry_delay=61.0)
    assert matrix[iv.CRASHES.index("after_charged")][:2] == [2, 2]  # no key, and Redis alone, charge twice


def test_the_charge_panel_follows_its_controls_and_its_title_counts_the_selected_run():
    panel = tv.charge_panel(crash="after_charged", design="key in Redis (SET NX)", retries=3, retry_delay=61.0)
    assert "charged 2 times" in title(panel)
    panel.controls["design"].value = "key in SQL, same transaction"
    assert "charged once" in title(panel)
    panel.controls["retry_delay"].value = 5.0  # every retry lands while the crashed request's lock is held
    assert "409" in title(panel)
    before = title(panel)
    panel.controls["retries"].value = 5
    panel.controls["crash"].value = "none"
    assert title(panel) != before and panel.last_error is None
    with pytest.raises(ValueError, match="design"):
        tv.charge_run(dict(crash="none", design="a cookie", retries=1))


# ----------------------------------------------------------------------------- the outbox
from distlab.view.transactions import outbox as ov  # noqa: E402


def test_the_outbox_matrix_shows_the_dual_writes_failing_and_the_outbox_not():
    result = tv.outbox_run(dict(inbox=True, duplicates=0, crashes=1, relay_restart="immediate", seed=0))
    ctp, ptc, outbox = (result.totals(v) for v in result.columns)
    assert ctp.lost > 0 and ptc.phantom > 0
    assert (outbox.lost, outbox.phantom, outbox.duplicate_effects) == (0, 0, 0) and outbox.duplicate_deliveries > 0
    assert ov.cell_kind(result.cell("producer/after_commit", "commit_then_publish")) == ("bad", "1 lost")
    assert ov.cell_kind(result.cell("relay/after_publish", "outbox")) == ("absorbed", "")
    assert ov.cell_kind(result.cell("producer/after_write", "outbox")) == ("clean", "")
    assert ov.cell_kind(None) == ("unreached", "")


def test_without_the_inbox_duplicates_become_double_effects_and_the_panel_says_so():
    panel = tv.outbox_panel(seed=0)
    assert "transactional outbox 0/0/0" in title(panel)
    panel.controls["inbox"].value = False
    assert "transactional outbox 0/0/0" not in title(panel) and "transactional outbox 0/0/" in title(panel)
    seen = {title(panel)}
    for name, value in (("duplicates", 2), ("crashes", 2), ("seed", 4)):
        panel.controls[name].value = value
        assert panel.last_error is None and panel.last_config[name] == value
        seen.add(panel.last_png)
    assert len(seen) >= 3 and "2 crashes at each point" in title(panel)


def test_a_redraw_into_reused_axes_equals_a_fresh_figure():
    from distlab.view.style import figure_png

    settings = [dict(participants=3, delay=0.3, seed=0), dict(participants=4, delay=0.8, seed=2),
                dict(participants=2, delay=0.0, seed=0)]
    reused = tv.render_slow(settings[0])
    for config in settings:
        assert figure_png(tv.render_slow(config, reused)) == figure_png(tv.render_slow(config))
    fix_cfg = dict(crash="coordinator, after logging the decision", recovery_time=1.5, seed=0)
    reused = tv.render_fix(dict(crash="coordinator, before PREPARE", recovery_time=0.5, seed=0))
    assert figure_png(tv.render_fix(fix_cfg, reused)) == figure_png(tv.render_fix(fix_cfg))
    outbox_cfg = dict(inbox=False, duplicates=1, crashes=1, relay_restart="immediate", seed=0)
    reused = tv.render_outbox(dict(inbox=True, duplicates=0, crashes=1, relay_restart="immediate", seed=0))
    assert figure_png(tv.render_outbox(outbox_cfg, reused)) == figure_png(tv.render_outbox(outbox_cfg))


def test_participant_crashes_say_what_the_participant_went_through():
    config = dict(participants=3, crash="p2, after voting yes", recovery_time=2.0, seed=0)
    text = tv.render_twopc(config).axes[0].get_title()
    assert "p2 down 2 s, then asks: its rows locked 2.0" in text and "termination" not in text
    early = tv.render_twopc({**config, "crash": "p2, on PREPARE (its work is lost)"}).axes[0].get_title()
    assert "the coordinator gave up after 0.5 s" in early and "outcome abort" in early


def test_the_recovery_slider_is_disabled_when_nothing_crashes():
    panel = tv.twopc_panel(crash="no crash")
    assert panel.controls["recovery_time"].disabled
    panel.controls["crash"].value = "p2, after voting yes"
    assert not panel.controls["recovery_time"].disabled


def test_a_client_without_an_answer_is_grey_not_green():
    from distlab.view.transactions import idempotency as iv

    fast = iv._run("after_charged", "key in Redis (SET NX)", 5, 5.0)
    assert fast.charges == 1 and iv.verdict(fast)[1] == 0  # every retry hit the lock: no answer yet
    later = iv._run("after_charged", "key in Redis (SET NX)", 3, 61.0)
    assert iv.verdict(later) == ("✗ 2 charges", 2)
    assert iv.verdict(iv._run("after_charged", "key in SQL, same transaction", 3, 61.0)) == ("✓ 1 charge", 1)
