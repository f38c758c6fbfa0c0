"""Chapter 4's graded exercises (``04_geo.ipynb``).

* ``geo.quorum_choice`` -- pick W and R for a worst-case staleness target and a read budget, with the
  fastest writes;
* ``geo.orset_merge`` -- write the OR-Set's merge: it must pass the merge laws and the OR-Set's
  specification (`distlab.geo.crdts.check_laws`);
* ``geo.placement`` -- place three replicas and a leader so every client commits within a budget
  and the data survives the loss of a region.

Each check returns True, or a string saying what went wrong and why (`distlab.grading.registry`).
"""
from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from distlab.grading._geo_merge import (
    LIBRARY_MERGE,
    NOTATION,
    LibraryMerge,
    grocery_kind,
    library_merge_refused,
    spec_words,
)
from distlab.grading.registry import exercise

NOTEBOOK = "04_geo"


# ------------------------------------------------------------------------ exercise 1: W and R
class QuorumCase(NamedTuple):
    """The replicas' round trips from the client (ms), the worst-case staleness allowed, the read budget."""

    rtts_ms: tuple[float, ...]
    max_stale: float
    read_budget_ms: float


QUORUM_CASES = (
    QuorumCase((0.4, 81.0, 109.0), 0.0, 120.0),
    QuorumCase((0.4, 81.0, 109.0), 0.5, 90.0),
    QuorumCase((109.0, 0.4, 203.0, 81.0, 269.0), 0.0, 120.0),
    QuorumCase((109.0, 0.4, 203.0, 81.0, 269.0), 0.3, 120.0),
    QuorumCase((109.0, 0.4, 203.0, 81.0, 269.0), 0.7, 1.0),
    QuorumCase((1.5, 1.4, 1.6, 80.0, 82.0), 0.0, 5.0),
    QuorumCase((0.4, 81.0, 109.0), 0.0, 50.0),
    QuorumCase((0.4, 81.0, 109.0, 140.0), 0.2, 100.0),
    QuorumCase((1.5, 80.0, 82.0), 0.1, 1.0),
    # the smallest W + R is not the fastest write: (2, 2) passes both targets, (1, 4) writes faster
    QuorumCase((0.4, 1.0, 2.0, 3.0, 4.0), 0.3, 100.0),
)


def _p_stale(n: int, w: int, r: int) -> float:
    """The worst case: a read of R random replicas misses all W that hold the write, C(N−W, R) / C(N, R)."""
    return math.comb(n - w, r) / math.comb(n, r)


def _ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th, ..."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _kth_fastest(rtts_ms: Sequence[float], k: int) -> float:
    """The round trip of the k-th fastest replica: what a quorum of k waits for."""
    return sorted(rtts_ms)[k - 1]


def _valid_quorums(case: QuorumCase) -> list[tuple[int, int]]:
    """Every (w, r) that meets the staleness target and the read budget."""
    n = len(case.rtts_ms)
    return [(w, r) for w in range(1, n + 1) for r in range(1, n + 1)
            if _p_stale(n, w, r) <= case.max_stale + 1e-12 and _kth_fastest(case.rtts_ms, r) <= case.read_budget_ms]


@exercise("geo.quorum_choice", notebook=NOTEBOOK, points=1, title="Choose W and R",
          hints=["A quorum of k replicas waits for the k-th fastest of them: sort the round trips.",
                 "The chance a read misses the write is C(N−W, R) / C(N, R) (math.comb); 0 exactly when R + W > N.",
                 "Try every (w, r) from 1 to N; keep those meeting both targets; return the one whose writes are "
                 "fastest, or None if none qualifies."])
def check_quorum_choice(choose: Callable[[list[float], float, float], Any]) -> bool | str:
    """Every case of :data:`QUORUM_CASES`: a valid (w, r) with the fastest writes possible, or None."""
    for case in QUORUM_CASES:
        verdict = _quorum_case(choose, case)
        if verdict is not True:
            return verdict
    return True


def _quorum_case(choose: Callable[..., Any], case: QuorumCase) -> bool | str:
    n, valid = len(case.rtts_ms), _valid_quorums(case)
    got = choose(list(case.rtts_ms), case.max_stale, case.read_budget_ms)
    where = (f"with round trips {list(case.rtts_ms)} ms, at most {case.max_stale:g} stale and reads within "
             f"{case.read_budget_ms:g} ms")
    best = min((_kth_fastest(case.rtts_ms, w) for w, _ in valid), default=None)
    if got is None:
        return True if best is None else f"{where}: a choice exists (its writes take {best:g} ms); return it."
    if not (isinstance(got, tuple) and len(got) == 2 and all(_whole(x) and 1 <= x <= n for x in got)):
        return f"{where}: return a tuple (w, r) of two integers from 1 to N = {n}, or None; got {got!r}."
    w, r = int(got[0]), int(got[1])
    stale = _p_stale(n, w, r)
    if stale > case.max_stale + 1e-12:
        rule = (" R + W = N is not enough: quorums overlap only when R + W > N." if r + w == n and
                case.max_stale == 0 else "")
        return (f"{where}: W={w}, R={r} misses the write with probability C({n - w}, {r}) / C({n}, {r}) = "
                f"{stale:.2f}, above {case.max_stale:g}.{rule}")
    if _kth_fastest(case.rtts_ms, r) > case.read_budget_ms:
        return (f"{where}: with R={r} a read waits for the {_ordinal(r)} fastest replica, "
                f"{_kth_fastest(case.rtts_ms, r):g} ms: over the read budget.")
    if best is not None and _kth_fastest(case.rtts_ms, w) > best:
        return (f"{where}: W={w}, R={r} meets both targets, but writes wait for the {_ordinal(w)} fastest replica "
                f"({_kth_fastest(case.rtts_ms, w):g} ms); another choice meets them with {best:g} ms writes. "
                + _faster_writes_hint(case, w, r))
    return True


def _whole(x: object) -> bool:
    """An integer of any kind (int, numpy.int64, ...), but not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _faster_writes_hint(case: QuorumCase, w: int, r: int) -> str:
    """Where the faster writes are: a smaller W that still overlaps (nothing may be stale), or a partial
    quorum the staleness target allows."""
    if case.max_stale == 0:
        return ("Nothing may be stale, so R + W > N is needed -- but not a majority each way: a smaller W "
                "with a larger R still overlaps, as long as the read stays within its budget.")
    if r + w > len(case.rtts_ms):
        return f"With up to {case.max_stale:g} stale allowed, does the target really need R + W > N?"
    return "A smaller W, with R raised as needed, can meet the staleness target too."


# ------------------------------------------------------------------------ exercise 2: the OR-Set merge
LAW_WORDS = {
    "idempotent": "merging a state with itself must change nothing (a state delivered twice is delivered once)",
    "commutative": "merge(a, b) and merge(b, a) must be the same state: replicas merge in different orders",
    "associative": "merge(merge(a, b), c) must equal merge(a, merge(b, c)): deliveries arrive in any grouping",
    "converges": "the replicas' final states merged in every order must give one state",
    "raises": "your merge raised an error on these states",
}


@exercise("geo.orset_merge", notebook=NOTEBOOK, points=1, title="Merge two OR-Sets",
          hints=["Work replica by replica and dot by dot: a dot is (replica, counter), and a.dots[replica][counter] "
                 "is its element.",
                 "Keep a dot both sides hold. A dot only one side holds survives if the other side has never seen "
                 "it: counter > other.context.get(replica).",
                 "The merged context is a.context.merge(b.context); return ORSet(dots, context), leaving out "
                 "replicas with no dots."])
def check_orset_merge(merge: Callable[[Any, Any], Any]) -> bool | str:
    """``merge`` returns an ORSet and passes every law on 200 seeded random scripts (`check_laws`) of
    adds and removes of milk, eggs and tea, without handing the work to the library's own merge
    (``ORSet.merge`` or ``merge_stores``)."""
    from distlab.geo.crdts import ORSet

    if getattr(merge, "__func__", merge) is ORSet.merge:
        return LIBRARY_MERGE
    with library_merge_refused(merge):
        try:
            return _judge_merge(merge)
        except LibraryMerge:
            return LIBRARY_MERGE


def _judge_merge(merge: Callable[[Any, Any], Any]) -> bool | str:
    """The check proper, run while the library's merges are refused."""
    from distlab.geo.crdts import ORSet, check_laws

    probe = merge(ORSet[str]().add("milk", "A"), ORSet[str]().add("eggs", "B"))
    if not isinstance(probe, ORSet):
        return f"Return an ORSet (ORSet(dots, context)), not a {type(probe).__name__}."
    report = check_laws(merge, grocery_kind(), examples=200, seed=0)
    if report.passed:
        return True
    if report.law == "raises" and any(LibraryMerge.__name__ in text for _, text in report.shown):
        return LIBRARY_MERGE
    if report.law == "spec":
        return f"{spec_words(report.script, merge, _earlier_failures('geo.orset_merge'))}\n{NOTATION}"
    return f"{LAW_WORDS.get(report.law or '', report.law)}.\n{report}\n{NOTATION}"


def _earlier_failures(exercise_id: str) -> int:
    """How many answers to ``exercise_id`` failed before this one in this kernel (`checks.evaluate`
    counts them, for `check` and the exercise widget alike)."""
    from distlab.grading import checks

    return checks._attempts.get(exercise_id, 0)


# ------------------------------------------------------------------------ exercise 3: placement
class PlacementCase(NamedTuple):
    """Where the clients are and the commit latency every one of them must get (ms)."""

    clients: tuple[str, ...]
    budget_ms: float


def worst_commit_ms(replicas: Sequence[str], leader: str, clients: Sequence[str]) -> float:
    """The slowest client's commit latency predicted from the medians (`placement.predicted_commit_ms`)."""
    from distlab.geo.placement import predicted_commit_ms

    return max(predicted_commit_ms(leader, c, replicas) for c in clients)


def best_worst_ms(clients: Sequence[str]) -> float:
    """The smallest worst-client latency over every placement of 3 replicas in 3 regions and a leader."""
    from distlab.geo.world import REGIONS

    return min(worst_commit_ms(reps, leader, clients) for reps in itertools.combinations(REGIONS, 3)
               for leader in reps)


def placement_cases() -> list[PlacementCase]:
    """Each client set twice: a budget 5 ms above the best placement's (feasible, tight) and 5 ms below it."""
    sets = (("virginia", "oregon"), ("ireland", "virginia"), ("tokyo", "singapore", "sydney"),
            ("virginia", "ireland", "tokyo"), ("saopaulo",), ("california", "tokyo"))
    out = []
    for clients in sets:
        best = best_worst_ms(clients)
        out += [PlacementCase(clients, round(best + 5.0)), PlacementCase(clients, round(best - 5.0))]
    return out


@exercise("geo.placement", notebook=NOTEBOOK, points=1, title="Place the replicas and the leader",
          hints=["Three replicas in three different regions: a region outage then leaves a majority of two.",
                 "A client's commit = its round trip to the leader + the leader's round trip to the nearer of the "
                 "other two replicas (predicted_commit_ms computes it).",
                 "Try every three regions (itertools.combinations(REGIONS, 3)) and every leader among them; "
                 "return the first whose slowest client meets the budget, or None."])
def check_placement(place: Callable[[tuple[str, ...], float], Any]) -> bool | str:
    """Every case of :func:`placement_cases`: a placement within budget when one exists, else None."""
    for case in placement_cases():
        verdict = _placement_case(place, case)
        if verdict is not True:
            return verdict
    return True


def _placement_case(place: Callable[..., Any], case: PlacementCase) -> bool | str:
    from distlab.geo.world import REGIONS

    best = best_worst_ms(case.clients)
    where = f"clients in {', '.join(case.clients)}, budget {case.budget_ms:g} ms"
    got = place(case.clients, case.budget_ms)
    if got is None:
        return True if best > case.budget_ms else (
            f"{where}: a placement exists (its slowest client commits in {best:.0f} ms); return it. Did you try "
            "every set of three regions, and every one of the three as the leader?")
    if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], tuple) and isinstance(got[1], str)):
        return f"{where}: return (replicas, leader) -- a tuple of three region names and one of them -- or None."
    replicas, leader = got
    unknown = [r for r in (*replicas, leader) if r not in REGIONS]
    if unknown:
        return f"{where}: {unknown} are not regions; they are {', '.join(REGIONS)}."
    if len(replicas) != 3 or len(set(replicas)) != 3:
        crowded = next((r for r in replicas if replicas.count(r) > 1), replicas[0])
        return (f"{where}: replicas {replicas} are not three different regions. If {crowded} fails, it takes "
                "two or more of the three replicas with it: no majority is left and nothing commits. Put each "
                "replica in its own region.")
    if leader not in replicas:
        return f"{where}: the leader ({leader}) must be one of the replicas {replicas}."
    worst = worst_commit_ms(replicas, leader, case.clients)
    if worst > case.budget_ms:
        tail = " No placement can meet it: return None." if best > case.budget_ms else ""
        return (f"{where}: with replicas {replicas} and the leader in {leader}, the slowest client waits "
                f"{worst:.0f} ms: its round trip to the leader plus the leader's to its majority.{tail}")
    return True
