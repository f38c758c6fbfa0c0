"""The chapter's claims are shown by experiment, not only stated: any two majorities overlap (and
n // 2 quorums do not), and a chosen Paxos value stays chosen over many faulty schedules with competing
proposers -- while a proposer that ignores promises is caught choosing a second value."""
import re

import nbformat
import pytest

from distlab.view import consensus as cv

from .test_notebook_prose import NOTEBOOK


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 9])
def test_any_two_majorities_share_a_server_and_halves_need_not(n):
    majority, half = cv.quorum_overlap_text(n).splitlines()
    assert "pairs sharing no server: 0;" in majority and "fewest servers a pair shares: 0" not in majority
    assert not re.search(r"pairs sharing no server: 0;", half)


def test_a_chosen_value_stays_chosen_under_faults_and_competing_proposers():
    header, paxos, forgetful = cv.chosen_stays_chosen(runs=60, seed=0).splitlines()
    assert "2nd value" in header
    runs, faults, ballots, decided, second = map(int, paxos.split()[-5:])
    assert (runs, decided, second) == (60, 60, 0) and faults > 0 and ballots > runs   # competing, all decided
    assert int(forgetful.split()[-1]) > 0                                              # the checker would see it


def test_bad_inputs_are_refused_by_name():
    for bad in (0, 12, True, 2.5):
        with pytest.raises(ValueError, match="n must be"):
            cv.quorum_overlap_text(bad)
    with pytest.raises(ValueError, match="runs must be"):
        cv.chosen_stays_chosen(runs=0)


def test_the_notebook_runs_both_experiments():
    sources = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    assert any("cv.quorum_overlap_text(" in s for s in sources)
    assert any("cv.chosen_stays_chosen(" in s for s in sources)


def test_two_leaders_without_consensus_are_rejected_by_chapter_1s_checker():
    from distlab.consensus.split_brain import split_brain

    without, with_ = split_brain(consensus=False), split_brain(consensus=True)
    assert without.verdict.status == "violated" and "missed it" in without.lines[-1]
    assert with_.verdict.status == "holds"
    assert [op.status for op in with_.history if op.process == "alice"] == ["info"]   # never acknowledged
    with pytest.raises(ValueError, match="consensus must be"):
        split_brain(consensus="yes")
    sources = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    assert any("cv.split_brain(" in s for s in sources)


def test_the_split_brain_story_gives_its_times_in_seconds_and_says_why_the_read_is_allowed():
    """It printed 't=1-2' and 't=1-' (no unit; the second read as a typo) and a bare 'holds'."""
    from distlab.consensus.split_brain import split_brain

    without, with_ = split_brain(consensus=False), split_brain(consensus=True)
    assert without.lines[1].startswith("t=1 s to 2 s  alice writes 1")
    assert with_.lines[1].startswith("t=1 s on      alice writes 1") and "never acknowledged" in with_.lines[1]
    assert all(line.startswith("t=3 s to 4 s  bob reads") for line in (without.lines[2], with_.lines[2]))
    assert "never told 'done'" in with_.lines[-1]
