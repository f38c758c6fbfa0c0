"""Reference solutions and known-wrong answers for chapter 4's exercises (see demo.py for the shape).

The wrong answers are the ones a learner writes first: quorums that always overlap (slow writes when
some staleness is allowed), R + W = N taken as overlapping, the read budget forgotten, the slowest
replica taken for a quorum's wait; OR-Set merges that union the dots (removes undone), keep only
common dots (new adds lost), let a remove win by element (2P-Set thinking), keep per element the
"newer" side's dots (last-writer-wins per element), forget to merge the contexts, or hand the work
to the library (ORSet.merge, merge_stores); placements
with every replica in one region, the leader at the best majority ignoring the clients, replicas
only where the clients are, or something over budget instead of None.
"""
import itertools
import math

import distlab.grading.geo  # noqa: F401  (registers the exercises)
from distlab.geo import crdt_dots
from distlab.geo.crdt_sets import ORSet
from distlab.geo.placement import best_leader, predicted_commit_ms
from distlab.geo.world import REGIONS


# ---------------------------------------------------------------- exercise 1
def _stale(n, w, r):
    return math.comb(n - w, r) / math.comb(n, r)


def choose_quorum(rtts_ms, max_stale, read_budget_ms):
    fastest = sorted(rtts_ms)
    n = len(fastest)
    valid = [(fastest[w - 1], w, r) for w in range(1, n + 1) for r in range(1, n + 1)
             if _stale(n, w, r) <= max_stale and fastest[r - 1] <= read_budget_ms]
    return min(valid)[1:] if valid else None


def always_overlapping(rtts_ms, max_stale, read_budget_ms):
    fastest = sorted(rtts_ms)
    n = len(fastest)
    for r in range(n, 0, -1):  # the largest r within budget gives the smallest overlapping w
        if fastest[r - 1] <= read_budget_ms:
            return n - r + 1, r
    return None


def r_plus_w_equal_n_overlaps(rtts_ms, max_stale, read_budget_ms):
    fastest = sorted(rtts_ms)
    n = len(fastest)
    valid = [(fastest[w - 1], w, r) for w in range(1, n + 1) for r in range(1, n + 1)
             if (r + w >= n if max_stale == 0 else _stale(n, w, r) <= max_stale) and fastest[r - 1] <= read_budget_ms]
    return min(valid)[1:] if valid else None


def forgets_the_read_budget(rtts_ms, max_stale, read_budget_ms):
    fastest = sorted(rtts_ms)
    n = len(fastest)
    valid = [(fastest[w - 1], w, r) for w in range(1, n + 1) for r in range(1, n + 1) if _stale(n, w, r) <= max_stale]
    return min(valid)[1:]


def waits_for_the_slowest(rtts_ms, max_stale, read_budget_ms):
    slowest_first = sorted(rtts_ms, reverse=True)
    n = len(slowest_first)
    valid = [(slowest_first[w - 1], w, r) for w in range(1, n + 1) for r in range(1, n + 1)
             if _stale(n, w, r) <= max_stale and slowest_first[r - 1] <= read_budget_ms]
    return min(valid)[1:] if valid else None


# ---------------------------------------------------------------- exercise 2
def merge(a, b):
    dots = {}
    for node in {*a.dots, *b.dots}:
        mine, theirs = a.dots.get(node, {}), b.dots.get(node, {})
        kept = {c: e for c, e in mine.items() if c in theirs or c > b.context.get(node)}
        kept.update({c: e for c, e in theirs.items() if c in mine or c > a.context.get(node)})
        if kept:
            dots[node] = kept
    return ORSet(dots, a.context.merge(b.context))


def union_of_dots(a, b):  # ignores removes: a removed element comes back
    dots = {}
    for node in {*a.dots, *b.dots}:
        dots[node] = {**a.dots.get(node, {}), **b.dots.get(node, {})}
    return ORSet(dots, a.context.merge(b.context))


def common_dots_only(a, b):  # a new add the other side has not seen is dropped
    dots = {}
    for node in set(a.dots) & set(b.dots):
        kept = {c: e for c, e in a.dots[node].items() if c in b.dots[node]}
        if kept:
            dots[node] = kept
    return ORSet(dots, a.context.merge(b.context))


def remove_wins_by_element(a, b):  # a union of adds and of removes, element by element (2P-Set thinking)
    removed = set()
    for x, y in ((a, b), (b, a)):
        for node, held in x.dots.items():
            removed |= {e for c, e in held.items() if c <= y.context.get(node) and c not in y.dots.get(node, {})}
    dots = {}
    for node in {*a.dots, *b.dots}:
        kept = {c: e for c, e in {**a.dots.get(node, {}), **b.dots.get(node, {})}.items() if e not in removed}
        if kept:
            dots[node] = kept
    return ORSet(dots, a.context.merge(b.context))


def newer_side_per_element(a, b):  # last-writer-wins per element: the side that has seen more decides
    seen = {id(a): sum(a.context.counts.values()), id(b): sum(b.context.counts.values())}
    newer, older = (a, b) if seen[id(a)] >= seen[id(b)] else (b, a)
    dots = {node: dict(held) for node, held in newer.dots.items()}
    for node, held in older.dots.items():
        for c, e in held.items():
            if e not in newer.value():
                continue
            dots.setdefault(node, {})[c] = e
    return ORSet({n: d for n, d in dots.items() if d}, a.context.merge(b.context))


def keeps_its_own_context(a, b):
    return ORSet(merge(a, b).dots, a.context)


def the_librarys_merge(a, b):
    return a.merge(b)


def the_librarys_dot_store_merge(a, b):  # the library's merge, one level down
    return ORSet(crdt_dots.merge_stores(a.dots, a.context, b.dots, b.context), a.context.merge(b.context))


# ---------------------------------------------------------------- exercise 3
def _worst(replicas, leader, clients):
    return max(predicted_commit_ms(leader, c, replicas) for c in clients)


def place(clients, budget_ms):
    for replicas in itertools.combinations(REGIONS, 3):
        for leader in replicas:
            if _worst(replicas, leader, clients) <= budget_ms:
                return replicas, leader
    return None


def all_in_the_first_clients_region(clients, budget_ms):
    return (clients[0],) * 3, clients[0]


def best_majority_leader(clients, budget_ms):  # the leader with the nearest majority, wherever the clients are
    for replicas in itertools.combinations(REGIONS, 3):
        leader = best_leader(replicas)
        if _worst(replicas, leader, clients) <= budget_ms:
            return replicas, leader
    return None


def replicas_where_the_clients_are(clients, budget_ms):
    regions = list(dict.fromkeys(clients))
    extra = [r for r in REGIONS if r not in regions]
    replicas = tuple((regions + extra)[:3])
    return replicas, regions[0]


def best_effort_over_budget(clients, budget_ms):
    found = place(clients, budget_ms)
    if found is not None:
        return found
    return min(((reps, leader) for reps in itertools.combinations(REGIONS, 3) for leader in reps),
               key=lambda p: _worst(p[0], p[1], clients))


def smallest_w_plus_r(rtts_ms, max_stale, read_budget_ms):  # fewest replicas in all, not the fastest write
    fastest = sorted(rtts_ms)
    n = len(fastest)
    valid = [(w + r, w, r) for w in range(1, n + 1) for r in range(1, n + 1)
             if _stale(n, w, r) <= max_stale and fastest[r - 1] <= read_budget_ms]
    return min(valid)[1:] if valid else None


SOLUTIONS = {"geo.quorum_choice": choose_quorum, "geo.orset_merge": merge, "geo.placement": place}
MUTATIONS = {
    "geo.quorum_choice": {"always overlapping": always_overlapping, "R + W = N": r_plus_w_equal_n_overlaps,
                          "read budget forgotten": forgets_the_read_budget, "slowest replica": waits_for_the_slowest,
                          "smallest W + R": smallest_w_plus_r},
    "geo.orset_merge": {"union of dots": union_of_dots, "common dots only": common_dots_only,
                        "remove wins by element": remove_wins_by_element,
                        "newer side per element": newer_side_per_element,
                        "own context": keeps_its_own_context, "the library's merge": the_librarys_merge,
                        "the library's dot-store merge": the_librarys_dot_store_merge,
                        "ORSet.merge itself": ORSet.merge},
    "geo.placement": {"one region": all_in_the_first_clients_region, "best majority leader": best_majority_leader,
                      "where the clients are": replicas_where_the_clients_are,
                      "over budget": best_effort_over_budget},
}
