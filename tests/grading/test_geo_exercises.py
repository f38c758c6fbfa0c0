"""Chapter 4's exercises (`distlab.grading.geo`): each stub is "not attempted", each plausible wrong
answer is rejected with a message that says why, and the right answers -- however they break ties --
are accepted."""
import itertools

import pytest

import distlab.geo.crdt_sets
import distlab.grading.geo as grader
from distlab.geo.crdt_dots import merge_stores
from distlab.geo.crdt_sets import ORSet
from distlab.grading import checks, evaluate
from distlab.grading._geo_merge import first_bad_merge, grocery_kind
from distlab.grading.geo import (
    QUORUM_CASES,
    QuorumCase,
    _ordinal,
    _p_stale,
    _valid_quorums,
    best_worst_ms,
    placement_cases,
    worst_commit_ms,
)
from distlab.grading.registry import exercises_for
from distlab.grading.soundness import verify

from .solutions import geo as sol


def test_the_notebook_declares_three_exercises_with_hints():
    found = {e.id: e for e in exercises_for("04_geo")}
    assert set(found) == {"geo.quorum_choice", "geo.orset_merge", "geo.placement"}
    assert all(len(e.hints) >= 3 for e in found.values())


@pytest.mark.parametrize("exercise_id", ["geo.quorum_choice", "geo.orset_merge", "geo.placement"])
def test_every_check_accepts_its_solution_and_rejects_every_mutation(exercise_id):
    assert verify(exercise_id, sol.SOLUTIONS[exercise_id], sol.MUTATIONS[exercise_id]) == []
    assert len(sol.MUTATIONS[exercise_id]) >= 2


@pytest.mark.parametrize("exercise_id", ["geo.quorum_choice", "geo.orset_merge", "geo.placement"])
def test_a_stub_is_not_attempted_and_says_so(exercise_id):
    def stub(*args):
        raise NotImplementedError

    verdict = evaluate(exercise_id, stub)
    assert verdict.status == "not-attempted"
    assert "NotImplementedError" in verdict.message


# ------------------------------------------------------------------------------ W and R
def test_the_quorum_cases_cover_what_the_lesson_needs():
    kinds = set()
    for case in QUORUM_CASES:
        valid = _valid_quorums(case)
        n = len(case.rtts_ms)
        if not valid:
            kinds.add("impossible")
        elif case.max_stale == 0:
            kinds.add("strict")
        elif any(w + r <= n for w, r in valid):
            kinds.add("partial allowed")
    assert kinds == {"impossible", "strict", "partial allowed"}
    assert _p_stale(3, 1, 1) == pytest.approx(2 / 3) and _p_stale(3, 2, 2) == 0


@pytest.mark.parametrize("wrong, words", [
    (sol.always_overlapping, "does the target really need R + W > N?"),
    (sol.r_plus_w_equal_n_overlaps, "R + W = N is not enough"),
    (sol.forgets_the_read_budget, "over the read budget"),
    (sol.waits_for_the_slowest, "fastest replica"),
    (lambda rtts, stale, budget: None, "a choice exists"),
    (lambda rtts, stale, budget: [1, 1], "return a tuple (w, r) of two integers"),
    (lambda rtts, stale, budget: (0, len(rtts)), "from 1 to N"),
])
def test_wrong_quorum_choices_are_told_why(wrong, words):
    verdict = evaluate("geo.quorum_choice", wrong)
    assert verdict.status == "failed" and words in verdict.message, verdict.message


def test_the_majority_pair_when_nothing_may_be_stale_is_not_asked_whether_overlap_is_needed():
    verdict = evaluate("geo.quorum_choice", lambda rtts, stale, budget: (2, 2))  # first case: max_stale = 0
    assert verdict.status == "failed" and "at most 0 stale" in verdict.message, verdict.message
    assert "really need R + W > N" not in verdict.message
    assert "a smaller W with a larger R still overlaps" in verdict.message


def test_a_partial_quorum_case_still_asks_whether_overlap_is_needed():
    def overlapping_where_partial_is_allowed(rtts_ms, max_stale, read_budget_ms):
        return sol.choose_quorum(rtts_ms, max_stale, read_budget_ms) if max_stale == 0 else (2, 2)

    verdict = evaluate("geo.quorum_choice", overlapping_where_partial_is_allowed)
    assert "With up to 0.5 stale allowed, does the target really need R + W > N?" in verdict.message


def test_numpy_integers_are_integers_and_bools_are_not():
    np = pytest.importorskip("numpy")

    def with_numpy(rtts_ms, max_stale, read_budget_ms):
        got = sol.choose_quorum(rtts_ms, max_stale, read_budget_ms)
        return None if got is None else (np.int64(got[0]), np.int64(got[1]))

    assert evaluate("geo.quorum_choice", with_numpy).status == "passed"
    verdict = evaluate("geo.quorum_choice", lambda rtts, stale, budget: (True, True))
    assert verdict.status == "failed" and "return a tuple (w, r) of two integers" in verdict.message


def test_the_graders_own_quorum_search_is_not_a_ready_made_answer():
    def asks_the_grader(rtts_ms, max_stale, read_budget_ms):
        valid = grader.valid_quorums(QuorumCase(tuple(rtts_ms), max_stale, read_budget_ms))
        return min(valid, key=lambda p: sorted(rtts_ms)[p[0] - 1]) if valid else None

    assert evaluate("geo.quorum_choice", asks_the_grader).status == "failed"
    public = {name for name in dir(grader) if not name.startswith("_") and callable(getattr(grader, name))}
    assert not public & {"valid_quorums", "p_stale", "kth_fastest", "ordinal"}


def test_any_tie_break_among_the_fastest_writes_is_accepted():
    def last_of_the_best(rtts_ms, max_stale, read_budget_ms):
        fastest = sorted(rtts_ms)
        n = len(fastest)
        valid = [(w, r) for w in range(1, n + 1) for r in range(1, n + 1)
                 if _p_stale(n, w, r) <= max_stale and fastest[r - 1] <= read_budget_ms]
        if not valid:
            return None
        best = min(fastest[w - 1] for w, _ in valid)
        return [(w, r) for w, r in valid if fastest[w - 1] == best][-1]

    assert evaluate("geo.quorum_choice", last_of_the_best).status == "passed"
    assert [_ordinal(k) for k in (1, 2, 3, 4, 11, 21)] == ["1st", "2nd", "3rd", "4th", "11th", "21st"]


# ------------------------------------------------------------------------------ the OR-Set merge
@pytest.mark.parametrize("wrong, words", [
    (sol.union_of_dots, "came back: every add of"),
    (sol.common_dots_only, "went missing"),
    (sol.remove_wins_by_element, "add wins"),
    (sol.newer_side_per_element, "merged in every order"),
    (sol.keeps_its_own_context, "merge(a, b) and merge(b, a)"),
    (lambda a, b: a, "merge(a, b) and merge(b, a)"),
    (lambda a, b: a.value() | b.value(), "Return an ORSet"),
])
def test_wrong_merges_are_told_which_law_broke_and_why(wrong, words):
    verdict = evaluate("geo.orset_merge", wrong)
    assert verdict.status == "failed" and words in verdict.message, verdict.message


def _via_the_dot_store_module(a, b):
    return ORSet(distlab.geo.crdt_sets.merge_stores(a.dots, a.context, b.dots, b.context), a.context.merge(b.context))


def _via_an_imported_merge_stores(a, b):
    return ORSet(merge_stores(a.dots, a.context, b.dots, b.context), a.context.merge(b.context))


def test_the_librarys_own_merge_is_refused_and_restored_afterwards():
    original = ORSet.__dict__["merge"]
    for shortcut in (ORSet.merge, sol.the_librarys_merge, lambda a, b: ORSet.merge(a, b),
                     _via_the_dot_store_module, _via_an_imported_merge_stores):
        verdict = evaluate("geo.orset_merge", shortcut)
        assert verdict.status == "failed" and "library's own merge" in verdict.message, verdict.message
        assert ORSet.__dict__["merge"] is original
        assert distlab.geo.crdt_sets.merge_stores is merge_stores and globals()["merge_stores"] is merge_stores
    a, b = ORSet().add("milk", "A"), ORSet().add("eggs", "B")
    assert sol.merge(a, b) == a.merge(b) and sol.merge(a.remove("milk"), a) == a.remove("milk").merge(a)


def test_the_feedback_names_groceries_not_letters_and_explains_its_notation():
    for wrong in (sol.union_of_dots, sol.keeps_its_own_context):
        message = evaluate("geo.orset_merge", wrong).message
        assert "['b']" not in message and "{a@" not in message and "ORSet{a" not in message, message
        assert any(f"{e}@" in message for e in ("milk", "eggs", "tea")), message
        assert message.count("milk@B1 is milk as added by replica B's 1st update") == 1
        assert "seen [B:1 C:2] is the" in message


def test_a_first_failure_shows_what_went_wrong_and_a_later_one_the_rule():
    first = evaluate("geo.orset_merge", sol.union_of_dots).message
    assert "eggs came back" in first and "  a = ORSet{" in first and "  b = ORSet{" in first, first
    assert "merge(a, b) = ORSet{" in first
    assert "context.get" not in first and "counter <=" not in first
    later = evaluate("geo.orset_merge", sol.union_of_dots).message
    assert "counter <= other.context.get(replica)" in later
    checks.reset()
    missing = evaluate("geo.orset_merge", sol.common_dots_only).message
    assert "milk went missing" in missing and "counter >" not in missing
    assert "counter > other.context.get(replica)" in evaluate("geo.orset_merge", sol.common_dots_only).message


def test_the_right_merge_never_breaks_the_spec_at_any_merge():
    import random

    from distlab.geo.crdts import random_script

    rng = random.Random(7)
    for _ in range(100):
        script = random_script(grocery_kind().choices, rng, replicas=3, steps=12)
        assert first_bad_merge(script, sol.merge) is None, script
        assert first_bad_merge(script, sol.union_of_dots) is None or "remove" in str(script)


def test_a_merge_that_raises_is_reported_not_raised():
    def crashing(a, b):
        raise KeyError("oops")

    verdict = evaluate("geo.orset_merge", crashing)
    assert verdict.status in ("failed", "error") and "oops" in verdict.message


# ------------------------------------------------------------------------------ placement
def test_the_placement_cases_are_tight_both_ways():
    cases = placement_cases()
    assert len(cases) == 12
    for case in cases:
        feasible = best_worst_ms(case.clients) <= case.budget_ms
        assert feasible == (cases.index(case) % 2 == 0), case
        assert abs(best_worst_ms(case.clients) - case.budget_ms) <= 5.5


@pytest.mark.parametrize("wrong, words", [
    (sol.all_in_the_first_clients_region, "no majority is left"),
    (sol.best_majority_leader, "a placement exists"),
    (sol.replicas_where_the_clients_are, "the slowest client waits"),
    (sol.best_effort_over_budget, "return None"),
    (lambda clients, budget: ("virginia", "oregon", "ireland"), "return (replicas, leader)"),
    (lambda clients, budget: (("virginia", "oregon", "mars"), "virginia"), "are not regions"),
    (lambda clients, budget: (("virginia", "oregon", "ireland"), "tokyo"), "must be one of the replicas"),
])
def test_wrong_placements_are_told_why(wrong, words):
    verdict = evaluate("geo.placement", wrong)
    assert verdict.status == "failed" and words in verdict.message, verdict.message


def test_any_placement_within_budget_is_accepted():
    from distlab.geo.world import REGIONS

    def last_fit(clients, budget_ms):
        fits = [(reps, leader) for reps in itertools.combinations(REGIONS, 3) for leader in reps
                if worst_commit_ms(reps, leader, clients) <= budget_ms]
        return fits[-1] if fits else None

    assert evaluate("geo.placement", last_fit).status == "passed"
