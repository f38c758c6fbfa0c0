"""Chapter 4's panels (`distlab.view.geo`): every control changes what it claims, each title is
computed from the same numbers as the bars or points beneath it, every menu choice draws, and a
redraw into a reused figure is pixel-identical to a fresh one."""
from __future__ import annotations

import math

import pytest
from matplotlib.figure import Figure

from distlab.geo.pbs import p_stale_closed_form
from distlab.geo.world_bound import bound_table
from distlab.view import geo as gv
from distlab.view.geo import (
    cassandra as cs,
    clocks as ck,
    conflicts as cf,
    pbs as pb,
    placement as pl,
    quorums as qu,
    systems as sy,
)
from distlab.view.style import figure_png

PNG = b"\x89PNG\r\n\x1a\n"


def titles(fig: Figure) -> str:
    """Every title of the figure, the suptitle included."""
    parts = [ax.get_title(loc) for ax in fig.axes for loc in ("center", "left") if ax.get_title(loc)]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    return " | ".join(parts)


def heights(ax) -> list[float]:
    return [p.get_height() for p in ax.patches]


def drive(panel, changes):
    """Apply each (control, value); every change must redraw without error and change the picture."""
    seen = {panel.last_png}
    for name, value in changes:
        panel.controls[name].value = value
        assert panel.last_error is None, (name, value, panel.last_error)
        assert panel.last_config[name] == value
        seen.add(panel.last_png)
    assert len(seen) == len(changes) + 1, "some control changed nothing in the picture"


# ------------------------------------------------------------------------------ the speed-of-light toll
@pytest.mark.parametrize("around", ["virginia", "sydney", "oregon"])
def test_the_toll_bars_are_the_bound_table_and_the_title_reads_them(around):
    fig = gv.render_world(around=around)
    bars = fig.axes[1]
    rows = sorted((r for r in bound_table() if around in (r.a, r.b)), key=lambda r: r.fibre_rtt_ms)
    assert heights(bars) == pytest.approx([r.fibre_rtt_ms for r in rows] + [r.median_rtt_ms for r in rows])
    ratios = [r.ratio for r in rows]
    assert f"{min(ratios):.1f}-{max(ratios):.1f}× the fibre bound" in bars.get_title()
    assert all(r.median_rtt_ms > r.fibre_rtt_ms for r in rows)  # nothing beats light


def test_the_world_panel_follows_its_menu():
    panel = gv.world_panel()
    assert panel.last_png.startswith(PNG)
    drive(panel, [("around", "tokyo"), ("around", "saopaulo")])
    assert "from saopaulo" in titles(panel.figure)


# ------------------------------------------------------------------------------ where to put the leader
def test_the_followed_clients_latency_is_taken_apart_from_its_own_bar():
    config = dict(replicas=pl.DEFAULT_SET, leader="virginia", client="sydney", failed="none", seed=0)
    fig = gv.render_placement(**config)
    result = pl.placement_run(config)
    bars = fig.axes[1]
    regions = list(result.commit_ms)
    before = heights(bars)[:len(regions)]
    assert before == pytest.approx([result.medians()[r] for r in regions])
    title = bars.get_title()
    assert f"sydney: median write {result.medians()['sydney']:.0f} ms" in title
    assert f"predicted {result.predicted_ms['sydney']:.0f} ms = " in title
    assert f"+ {result.majority_ms:.0f} ms from it to a majority" in title


def test_a_region_outage_elects_a_new_leader_or_stops_everything():
    moved = gv.render_placement(leader="virginia", failed="virginia")
    assert "new leader in" in titles(moved) and "virginia down" in titles(moved)
    stopped = gv.render_placement(replicas="3 replicas, all in tokyo", leader="tokyo", client="tokyo",
                                  failed="tokyo")
    assert "no majority left" in titles(stopped)


def test_the_placement_menus_follow_the_replica_set_and_every_control_redraws():
    panel = gv.placement_panel()
    drive(panel, [("client", "tokyo"), ("leader", "oregon"), ("failed", "ireland"), ("seed", 1)])
    panel.controls["replicas"].value = "3 replicas, all in tokyo"
    assert panel.controls["leader"].options == ("tokyo",) and panel.controls["leader"].value == "tokyo"
    assert panel.controls["failed"].options == ("none", "tokyo") and panel.controls["failed"].value == "none"
    assert panel.last_error is None and panel.last_config["leader"] == "tokyo"
    with pytest.raises(ValueError, match="leader must be one of"):
        gv.placement_panel(leader="sydney", replicas="3 regions: virginia, ireland, tokyo")


def test_the_replica_menu_switches_between_any_two_sets_even_with_no_region_in_common():
    """Regression: US -> all-in-Tokyo used to raise TraitError and leave the leader menu stale."""
    from distlab.view.geo.placement import REPLICA_SETS, regions_of
    panel = gv.placement_panel()
    sets = list(REPLICA_SETS)
    for a in sets:
        for b in sets:
            if a == b:
                continue
            panel.controls["replicas"].value = a
            panel.controls["leader"].value = regions_of(a)[-1]
            panel.controls["failed"].value = regions_of(a)[-1]
            panel.controls["replicas"].value = b
            reps = regions_of(b)
            assert panel.controls["leader"].options == reps, (a, b)
            expected_leader = regions_of(a)[-1] if regions_of(a)[-1] in reps else reps[0]
            assert panel.controls["leader"].value == expected_leader, (a, b)
            assert panel.last_error is None and panel.last_config["replicas"] == b, (a, b, panel.last_error)


def test_the_options_from_memoised_runs_are_compare_placements_own():
    from distlab.geo.placement_compare import compare_placements

    for leader in ("sydney", "virginia"):
        assert pl._options(leader, 0) == tuple(compare_placements(leader=leader, seed=0, writes=20).options())


def test_the_three_options_title_reads_the_bars():
    fig = gv.render_options(leader="sydney")
    options = pl._options("sydney", 0)
    values = heights(fig.axes[0])
    assert values == pytest.approx([o.medians[r] for o in options for r in options[0].medians])
    assert f"left {options[2].conflicts} conflicting pairs" in titles(fig)
    assert f"farthest client: {max(options[0].medians.values()):.0f} ms (leader in sydney)" in titles(fig)


# ------------------------------------------------------------------------------ Dynamo quorums
def test_w_and_r_never_exceed_n():
    panel = gv.dynamo_panel(n=3, w=3, r=3)
    panel.controls["n"].value = 2
    assert panel.controls["w"].max == panel.controls["r"].max == 2
    assert panel.last_config == dict(n=2, w=2, r=2, failure="nothing fails", sloppy=False, seed=0)
    assert panel.last_error is None


def test_overlapping_quorums_are_fresh_and_partial_ones_stale_and_the_title_says_so():
    strict = qu.dynamo_run(dict(n=3, w=2, r=2, failure="nothing fails", sloppy=False, seed=0))
    partial = qu.dynamo_run(dict(n=3, w=1, r=1, failure="nothing fails", sloppy=False, seed=0))
    assert strict.stale_reads == 0 and partial.stale_reads > 0
    fig = gv.render_dynamo(n=3, w=1, r=1)
    assert f"{partial.stale_reads} of" in titles(fig) and "R + W = 2 ≤ N = 3" in titles(fig)
    assert "6 of 9 pairs miss" in " ".join(t.get_text() for t in fig.axes[0].texts)
    outcome_bars = heights(fig.axes[2])
    assert outcome_bars[2] == pytest.approx(100 * partial.stale_read_rate)
    assert heights(fig.axes[1])[0] == pytest.approx(partial.percentiles_ms("put")[50])


def test_a_region_outage_costs_strict_quorums_availability_and_sloppy_ones_freshness():
    down = "tokyo down for the whole run"
    strict = qu.dynamo_run(dict(n=3, w=2, r=2, failure=down, sloppy=False, seed=0))
    sloppy = qu.dynamo_run(dict(n=3, w=2, r=2, failure=down, sloppy=True, seed=0))
    assert strict.availability() < 0.8 and sloppy.availability() == 1.0
    rolling = "tokyo down 0-1.5 s, then ireland 1.5-3 s"
    strict = qu.dynamo_run(dict(n=3, w=2, r=2, failure=rolling, sloppy=False, seed=0))
    sloppy = qu.dynamo_run(dict(n=3, w=2, r=2, failure=rolling, sloppy=True, seed=0))
    assert strict.stale_reads == 0 and sloppy.stale_reads > 0 and sloppy.availability() == 1.0
    assert "writes counted a substitute" in titles(gv.render_dynamo(failure=rolling, sloppy=True))


def test_every_dynamo_control_redraws():
    drive(gv.dynamo_panel(), [("r", 1), ("w", 1), ("n", 5), ("failure", "tokyo down for the whole run"),
                              ("sloppy", True), ("seed", 2)])


# ------------------------------------------------------------------------------ PBS
def test_the_t_slider_moves_the_point_and_the_title():
    panel = gv.pbs_panel()
    first = pb.pbs_curve("LNKD-DISK", 3, 1, 1, True)
    assert f"{100 * first.at(0):.1f} % of reads consistent 0 ms after commit (the paper: 43.9 %)" in titles(
        panel.figure)
    panel.controls["t_ms"].value = 10.0
    assert f"{100 * first.at(10):.1f} % of reads consistent 10 ms after commit (the paper: 92.5 %)" in titles(
        panel.figure)
    drive(panel, [("fit", "WAN"), ("n", 5), ("r", 2), ("w", 3), ("t_ms", 50.0), ("seed", 3)])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_without_propagation_the_curve_is_the_closed_form(n):
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            curve = pb.pbs_curve("LNKD-SSD", n, r, w, False)
            assert curve.at(pb.T_MAX_MS) == pytest.approx(1 - p_stale_closed_form(n, r, w), abs=0.015)


def test_the_published_table_matches_the_paper():
    text = gv.published_table(trials=200_000)
    assert text.startswith("% of reads consistent")  # the numbers are fresh reads, not stale ones
    for line in text.splitlines()[4:]:
        published, simulated = (float(x.rstrip("%")) for x in line.split()[2:4])
        assert abs(published - simulated) <= 1.5, line


# ------------------------------------------------------------------------------ conflicts
def test_skew_makes_lww_lose_writes_that_came_later_and_the_bars_count_them():
    calm = cf.conflicts_run(dict(workload="register", skew=0.0, writes=8, seed=4))
    skewed = cf.conflicts_run(dict(workload="register", skew=0.2, writes=8, seed=4))
    assert calm.outcome("lww").lost_writes("causally later") == ()
    assert len(skewed.outcome("lww").lost_writes("causally later")) == 3
    fig = gv.render_conflicts(workload="register", policy="lww", skew=0.2, writes=8, seed=4)
    assert skewed.outcome("lww").summary() in titles(fig)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows == ["A (clock -163 ms)", "B (clock -26 ms)", "C (clock +192 ms)"]
    stacked = heights(fig.axes[1])
    assert stacked[0] + stacked[3] == len(skewed.outcome("lww").lost)
    assert sum(stacked[1:3]) + sum(stacked[4:]) == 0  # version vectors and CRDTs lose nothing


def test_the_dynamo_cart_brings_the_eggs_back_with_version_vectors_but_not_with_the_or_set():
    fig = gv.render_conflicts(workload=cf.CART, policy="version-vectors", skew=0.0)
    assert "resurrected {eggs}" in titles(fig)
    assert "resurrected" not in titles(gv.render_conflicts(workload=cf.CART, policy="crdt", skew=0.0))


@pytest.mark.parametrize("workload", cf.WORKLOADS)
def test_every_workload_and_policy_draws(workload):
    panel = gv.conflicts_panel(workload=workload)
    for policy in ("lww", "version-vectors", "crdt"):
        panel.controls["policy"].value = policy
        assert panel.last_error is None and policy in titles(panel.figure)
    drive(gv.conflicts_panel(), [("skew", 0.0), ("writes", 12), ("workload", "cart"), ("seed", 5)])


# ------------------------------------------------------------------------------ CRDTs and Yjs
@pytest.mark.parametrize("kind", list(gv.crdts.KINDS))
def test_every_crdt_merges_to_its_specification(kind):
    fig = gv.render_crdt(kind=kind)
    assert "(✓ equal)" in titles(fig) and kind in titles(fig)


def test_the_crdt_panel_and_the_yjs_table():
    drive(gv.crdt_panel(), [("kind", "g-counter"), ("steps", 16), ("seed", 1)])
    table = gv.yjs_table()
    assert len(table.rows) == 9 and "<table" in table._repr_html_() and "counters" in repr(table)


# ------------------------------------------------------------------------------ clocks
@pytest.mark.parametrize("skew, step_back", [(0.0, 0.0), (0.1, 0.0), (0.3, 0.0), (0.05, 0.3), (0.2, 0.5)])
def test_logical_clocks_never_draw_a_message_backwards(skew, step_back):
    run = ck._run(skew, step_back, 0)
    assert ck.backwards(run, "Lamport") == [] and ck.backwards(run, "HLC") == []
    fig = gv.render_clocks(clock="physical", skew=skew, step_back=step_back)
    red = next(line for line in fig.axes[0].lines if line.get_color() == ck.BACKWARD)
    assert sum(1 for x in red.get_xdata() if math.isnan(x)) == len(ck.backwards(run, "physical"))
    assert heights(fig.axes[1]) == [len(ck.backwards(run, c)) for c in ck.CLOCKS]


def test_skewed_physical_clocks_put_receipts_before_sends():
    assert len(ck.backwards(ck._run(0.1, 0.0, 0), "physical")) > 0
    assert ck.backwards(ck._run(0.0, 0.0, 0), "physical") == []
    drive(gv.clocks_panel(), [("clock", "HLC"), ("skew", 0.2), ("step_back", 0.3), ("seed", 1)])
    assert "pairs of events that were concurrent" in titles(gv.render_clocks(clock="Lamport"))


# ------------------------------------------------------------------------------ Spanner, CockroachDB
def test_skipping_commit_wait_gives_stale_reads_the_checker_rejects_and_the_wait_removes_them():
    without = gv.render_spanner(commit_wait=False)
    run, status = sy._spanner(0.004, 0.004, False, 1)
    assert run.stale_reads > 0 and status == "violated"
    assert f"{run.stale_reads} stale reads; chapter 1's checker: ✗ NOT linearizable" in titles(without)
    with_wait = titles(gv.render_spanner(commit_wait=True))
    assert "0 stale reads; chapter 1's checker: ✓ linearizable" in with_wait and "commit wait on" in with_wait
    assert "BROKEN" in titles(gv.render_spanner(commit_wait=True, epsilon_ms=1.0, skew_ms=8.0))
    drive(gv.spanner_panel(), [("commit_wait", True), ("epsilon_ms", 7.0), ("skew_ms", 2.0), ("seed", 2)])


def test_uncertainty_restarts_remove_the_stale_reads_within_the_maximum_offset():
    assert "✗ NOT linearizable" in titles(gv.render_cockroach(uncertainty=False))
    on = titles(gv.render_cockroach(uncertainty=True))
    assert "0 stale reads; chapter 1's checker: ✓ linearizable" in on and "within the 250 ms" in on
    assert "BEYOND the 1 ms maximum offset" in titles(gv.render_cockroach(uncertainty=True, max_offset_ms=1.0))
    drive(gv.cockroach_panel(), [("uncertainty", True), ("max_offset_ms", 5.0), ("skew_ms", 8.0), ("seed", 1)])


def test_the_scatter_counts_every_operation_once():
    run, _ = sy._cockroach(0.004, 0.25, True, 0)
    fig = gv.render_cockroach(uncertainty=True)
    drawn = sum(len(line.get_xdata()) for line in fig.axes[0].lines)
    assert drawn == len(run.records)
    assert {sy.kind_of(row) for row in run.rows()} <= {k for k, _, _ in sy.KINDS}


# ------------------------------------------------------------------------------ Cassandra
def test_local_quorums_are_fast_and_stale_across_data_centres_quorums_slow_and_fresh():
    local = cs._run("LOCAL_QUORUM", "LOCAL_QUORUM", "none", 0)
    quorum = cs._run("QUORUM", "QUORUM", "none", 0)
    assert not local.guaranteed and local.stale_reads > 0
    assert quorum.guaranteed and quorum.stale_reads == 0
    fig = gv.render_cassandra()
    assert "NOT guaranteed" in titles(fig) and f"{local.stale_reads} of" in titles(fig)
    latency = heights(fig.axes[0])
    assert max(latency) < 5 and min(heights(gv.render_cassandra(write_level="QUORUM").axes[0])[::2]) > 50
    down = gv.render_cassandra(write_level="QUORUM", read_level="QUORUM", failed="ireland")
    assert heights(down.axes[1])[:2] == [0.0, 0.0] and "ireland down" in titles(down)
    drive(gv.cassandra_panel(), [("write_level", "EACH_QUORUM"), ("read_level", "ONE"), ("failed", "virginia"),
                                 ("seed", 1)])
    assert len(gv.level_table().rows) == 25


# ------------------------------------------------------------------------------ how to choose
def test_the_chooser_answers_every_question_and_the_budget_moves_it():
    panel = gv.chooser_panel(consistency="strict", truetime=True, sql=True, survive="region", write_budget_ms=400.0)
    assert "Use Spanner" in panel.last_result and "✓ within" in panel.last_result
    panel.controls["write_budget_ms"].value = 100.0
    assert "✗ OVER" in panel.last_result
    seen = {panel.last_result}
    for name, value in (("consistency", "eventual"), ("users", "one region: ireland"), ("conflicts", "merge"),
                        ("survive", "zone"), ("sql", False), ("truetime", False)):
        panel.controls[name].value = value
        assert panel.last_error is None
        seen.add(panel.last_result)
    assert len(seen) >= 4
    assert len(gv.examples_table().rows) == 6


# ------------------------------------------------------------------------------ every render
REUSE = [
    (gv.render_world, dict(around="tokyo"), dict(around="ireland")),
    (gv.render_placement, dict(failed="virginia"), dict(client="tokyo")),
    (gv.render_options, dict(leader="tokyo"), dict(leader="sydney")),
    (gv.render_dynamo, dict(w=1, r=1, n=5), dict(failure="tokyo down for the whole run", sloppy=True)),
    (gv.render_pbs, dict(fit="WAN", t_ms=100.0), dict(n=5, r=2, w=2, t_ms=2.0)),
    (gv.render_conflicts, dict(workload=cf.CART), dict(policy="crdt", skew=0.1)),
    (gv.render_crdt, dict(kind="or-map", steps=16), dict(kind="g-set", steps=4)),
    (gv.render_clocks, dict(clock="HLC", step_back=0.3), dict(clock="physical")),
    (gv.render_spanner, dict(commit_wait=True), dict(epsilon_ms=1.0)),
    (gv.render_cockroach, dict(uncertainty=True), dict(max_offset_ms=2.0)),
    (gv.render_cassandra, dict(failed="ireland"), dict(write_level="ALL", read_level="ONE")),
]


@pytest.mark.parametrize("render, first, then", REUSE, ids=[r[0].__name__ for r in REUSE])
def test_a_redraw_into_reused_axes_equals_a_fresh_figure(render, first, then):
    reused = render(**first)
    assert figure_png(render(**then, fig=reused)) == figure_png(render(**then))


def test_the_quiz_has_five_questions_each_with_feedback():
    quiz = gv.quiz()
    assert len(quiz.questions) == 5 and "0 of 5 correct" in quiz.score.value
    for question in quiz.questions:
        data = question.question
        question.input.value = data.answer
        question.check_button.click()
        assert question.last.correct is True
        wrong = next(i for i in range(len(data.options)) if i != data.answer)
        question.input.value = wrong
        question.check_button.click()
        assert question.last.correct is False and question.last.message


# ------------------------------------------------------------------------------ real replicas (a measured result)
def test_the_replicas_render_and_summary_read_a_result():
    from distlab.geo.replicas_experiment import QuorumCommitResult, QuorumRow

    rows = (QuorumRow(1, 20.0, (21.5, 21.7, 21.6), (0, 2, 2), 2), QuorumRow(2, 80.0, (81.4, 81.6, 160.0), (0, 0, 2), 2),
            QuorumRow(3, 150.0, (151.0, 230.0, 240.0), (0, 0, 0), 2))
    result = QuorumCommitResult("postgresql (test)", (20, 80, 150), 0.9, rows)
    fig = gv.render_replicas(result)
    dots = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert [list(line.get_ydata()) for line in dots] == [list(r.latencies_ms) for r in rows]
    text = gv.replicas_summary(result).splitlines()
    assert text[0].startswith("ANY 1: waits for the 1st nearest standby (20 ms); median ✓ within")
    assert text[0].endswith("stale right after a commit: s2, s3")
    assert "✗ outside" in text[2] and text[2].endswith("none")


# ------------------------------------------------------------------------------ what the screen says
def _texts(fig):
    found = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        found += [ax.get_title(), *(t.get_text() for t in ax.texts)]
        if ax.get_legend() is not None:
            found += [t.get_text() for t in ax.get_legend().get_texts()]
    return "\n".join(found)


def test_a_sloppy_quorum_never_claims_that_every_read_meets_every_write():
    words = _texts(gv.render_dynamo(n=3, w=2, r=2, sloppy=True))
    assert "every read meets every write" not in words and "no longer guaranteed" in words
    assert "every read meets every write" in _texts(gv.render_dynamo(n=3, w=2, r=2, sloppy=False))


def test_with_no_read_answered_the_panels_say_so_instead_of_zero_stale():
    words = _texts(gv.render_cassandra(write_level="QUORUM", read_level="QUORUM", failed="ireland"))
    assert "no read was answered" in words and "guaranteed" not in words
    assert words.splitlines()[-1] == "none"  # the stale bar: no answered read, so no share of them
    words = _texts(gv.render_dynamo(n=3, w=1, r=3, failure="tokyo down for the whole run", seed=0))
    assert "none" in words


def test_counts_are_in_the_right_number_and_restarts_only_where_they_exist():
    spanner = _texts(gv.render_spanner(epsilon_ms=4.0, skew_ms=4.0, commit_wait=False, seed=1))
    assert "restart" not in spanner
    cockroach = _texts(gv.render_cockroach(skew_ms=10.0, max_offset_ms=250.0, uncertainty=False, seed=0))
    assert "0 restarts" in cockroach and "each within 10 ms of true time" in cockroach
    assert not any(f" 1 {noun}s" in spanner + cockroach for noun in ("restart", "stale read"))


def test_physical_clocks_that_agree_are_not_said_to_disagree():
    assert "clocks disagree" not in _texts(gv.render_clocks(clock="physical", skew=0.0))
    assert "clocks disagree" in _texts(gv.render_clocks(clock="physical", skew=0.1))


def test_a_counter_counts_lost_increments_not_lost_writes():
    """Regression: version vectors read "no write lost; missing 6" on a counter (an increment can vanish
    inside a write that survives); the title and the bars now count increments, from the same numbers."""
    fig = gv.render_conflicts(workload="counter", policy="version-vectors", skew=0.2, writes=16, seed=4)
    words = _texts(fig)
    assert "write lost" not in words and "7 of 16 increments lost" in words
    bars = fig.axes[-1]
    assert bars.get_ylabel() == "increments lost"
    run = conflicts_panel_run(workload="counter", writes=16, seed=4)
    assert heights(bars)[:3] == [run.outcome(p).missing for p in ("lww", "version-vectors", "crdt")]


def conflicts_panel_run(**settings):
    from distlab.view.geo import conflicts as c
    return c._run(settings["workload"], 0.2, settings["writes"], settings["seed"])


def test_no_acknowledged_write_is_said_instead_of_a_guarantee_about_nothing():
    words = _texts(gv.render_cassandra(write_level="ALL", read_level="ONE", failed="virginia"))
    assert "no write was answered: ALL cannot gather its replicas with virginia down" in words
    assert "guaranteed" not in words


def test_restarts_are_counted_with_the_reads_that_took_them():
    fig = gv.render_cockroach(skew_ms=4.0, max_offset_ms=250.0, uncertainty=True, seed=0)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    reads = next(t for t in legend if t.startswith("read after a restart")).split("(")[1].rstrip(")")
    assert f"in {reads} reads" in fig._suptitle.get_text()


def test_the_fixed_cart_schedule_disables_what_it_ignores():
    panel = gv.conflicts_panel(workload="register")
    assert not panel.controls["writes"].disabled
    panel.controls["workload"].value = "Dynamo's cart (B's clock ahead by the skew)"
    assert panel.controls["writes"].disabled and panel.controls["seed"].disabled and panel.reseed_button.disabled
    assert "fixed schedule" in panel.controls["writes"].tooltip
    panel.controls["workload"].value = "counter"
    assert not panel.controls["writes"].disabled and panel.controls["writes"].tooltip is None


@pytest.mark.parametrize(("skew", "step_back"), [(0.0, 0.0), (0.1, 0.0), (0.1, 0.5), (0.3, 0.25)])
def test_the_hlc_title_bounds_its_lead_by_the_spread_it_names(skew, step_back):
    import re
    title = gv.render_clocks(clock="HLC", skew=skew, step_back=step_back)._suptitle.get_text()
    lead, spread = (float(x) for x in re.search(r"at most (\d+) ms ahead.*spread \((\d+) ms", title).groups())
    assert lead <= spread
