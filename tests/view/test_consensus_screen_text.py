"""What chapter 2's plots say agrees with what they draw and with the text beside them."""
from __future__ import annotations

import pytest

from distlab.consensus.paxos.scenarios import duel
from distlab.view import consensus as cv


@pytest.mark.parametrize(("low", "high"), [(150, 150), (150, 152), (150, 155), (150, 300)])
def test_the_split_title_counts_the_terms_the_plot_climbs(low: int, high: int) -> None:
    """The notebook says 'watch how many terms it takes': the title says it, as the y axis draws it."""
    run = cv.split_run(low, high, seed=0)
    title = cv.render_split(low=low, high=high).axes[0].get_title()
    if run["elected"] is None:
        assert f"{run['elections']} elections in 3 s, every vote split" in title
    else:
        leader_terms = {ts[-1] for ts in run["terms"].values()}
        assert leader_terms == {run["elected_term"]}
        assert f"leader in term {run['elected_term']}, after {run['elected'] * 1000:.0f} ms" in title


def test_the_duel_bars_say_the_times_the_table_prints() -> None:
    table = cv.duel_table(seed=0)
    labels = [t.get_text() for t in cv.render_duel(seed=0).axes[0].texts]
    for retry in ("backoff", "leader"):
        at = f"{duel(retry, seed=0).chosen_at * 1000:.1f} ms"
        assert at in table
        assert f"chosen after {at}" in labels


def test_raft_and_multi_paxos_side_by_side_reads_as_words_not_reprs() -> None:
    """The notebook printed `Outcome(protocol='raft', safe=True, ..., violation='')`."""
    text = cv.side_by_side_text(0)
    assert "Outcome(" not in text and "violation=" not in text
    raft, paxos = cv.side_by_side(0)
    lines = text.splitlines()
    assert lines[0].startswith("the same 10 random faults") and "every 30 ms" in lines[0]
    assert lines[1].split()[0] == "Raft" and f"faults: {raft.committed_during_faults:>3}" in lines[1]
    assert lines[2].split()[0] == "Multi-Paxos" and f"faults: {paxos.committed_during_faults:>3}" in lines[2]


def test_a_frame_after_an_action_says_when_the_action_was_taken() -> None:
    """The notebook printed 't=3.00 s request x3 appended ...' under a frame titled 't = 3.50 s · x3
    appended ...', as if the append had happened at 3.50 s."""
    lab = cv.ClusterLab(nodes=5, seed=0)
    asked_at = lab.cluster.now
    what = lab.act("request")
    titles = [t.get_text() for t in cv.render_frame(lab.frames[-1]).subfigs[0].texts]
    assert titles == [f"t = {lab.frames[-1]['time']:.2f} s  ·  at {asked_at:.2f} s: {what}"]
    action_frame = next(f for f in lab.frames if f["note"] == what)
    assert [t.get_text() for t in cv.render_frame(action_frame).subfigs[0].texts] == [
        f"t = {asked_at:.2f} s  ·  {what}"]
    forked = lab.fork(len(lab.frames) - 2)
    assert forked[-1]["note_at"] == asked_at and lab.note_at == asked_at


def test_a_capped_figure_16_median_is_a_bound_not_a_measurement() -> None:
    """The 150-150 row read '120000 ms ... +195%': the cap, compared with the paper as if measured."""
    table = cv.fig16_table({(150, 150): [120.0, 120.0, 3.0], (150, 155): [0.3, 0.29, 0.31]}).splitlines()
    assert table[1].split() == ["150-150", "3", ">=", "120000", "ms", "40654", "ms", "cap"]
    assert table[2].split()[-1].endswith("%")
    assert table[-1].startswith(">= / cap: at least half of the trials had no leader within the 120 s cap")
    assert "cap" not in cv.fig16_table({(150, 155): [0.3]})


@pytest.mark.parametrize("proposers", [1, 2])
def test_a_timeout_shorter_than_a_round_trip_is_named_not_shown_as_a_duel(proposers: int) -> None:
    """Exercise 3 sends the learner to render_sequence on an 8 ms network: with the demo's 15 ms timeout
    the diagram said only 'nothing chosen yet', for one proposer as for two -- a too-short timeout looked
    like a livelock."""
    title = cv.render_sequence(proposers=proposers, latency_ms=8, timeout_ms=15, second_start_ms=7.5,
                               until_ms=80).axes[0].get_title()
    assert "timeout 15 ms < a 16 ms round trip: no phase can finish, even alone" in title
    duel_title = cv.render_sequence(proposers=2, latency_ms=8, timeout_ms=24, second_start_ms=12,
                                    until_ms=80).axes[0].get_title()
    assert "nothing chosen yet" in duel_title and "round trip" not in duel_title


def test_an_action_that_cannot_act_says_so_instead_of_claiming_it_did() -> None:
    """'heal' with nothing cut said 'network healed'; crashing a crashed server 'server 2 crashed';
    reconnecting a connected one 'server 2 reconnected'."""
    lab = cv.ClusterLab(seed=0)
    assert lab.act("heal") == "nothing to heal: no partition and no cut-off server"
    assert lab.act("reconnect", 2) == "server 2 was not cut off: nothing to reconnect"
    assert lab.act("crash", 2) == "server 2 crashed"
    assert lab.act("crash", 2) == "server 2 is already down: nothing to crash"
    assert lab.act("isolate", 3) == "server 3 cut off from the others"
    assert lab.act("isolate", 3) == "server 3 is already cut off from the others"
    assert lab.act("reconnect", 3) == "server 3 reconnected"
    minority = lab.act("split")
    member = int(minority.split("{")[1].split(",")[0])
    assert lab.act("reconnect", member) == f"server {member} reconnected, and the partition it was in is gone"
    assert not lab.cluster.sim.network.blocked_pairs()
    lab.act("split")
    assert lab.act("heal") == "network healed"
