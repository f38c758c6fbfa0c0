"""Chapter 2's graded exercises (``notebooks/02_consensus.ipynb``).

* ``consensus.vote_rule`` -- write Raft's RequestVote rule (§5.2, §5.4.1): refuse stale terms,
  one vote per term (a higher term clears the old vote), and only for a candidate whose log is at
  least as up-to-date. Checked against the rule built on the library's `is_up_to_date` over
  seeded random cases, plus the classic mistakes with a hint each.
* ``consensus.quorum`` -- quorum size and fault tolerance of an n-server cluster.
* ``consensus.livelock`` -- find a schedule (timeout, start of the second proposer) on which two
  Paxos proposers with immediate retry livelock, although one alone would decide. The exercise's
  network (`EXERCISE_LATENCY_MS`) is slower than the notebook's demo (`LATENCY_MS`), so the demo's
  schedule cannot be copied: it has to be scaled to the round trip.

Each check returns True, or a string saying what went wrong (`distlab.grading.registry`).
"""
from __future__ import annotations

import numbers
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from distlab.grading.registry import exercise

if TYPE_CHECKING:
    from distlab.consensus.paxos import PaxosNode, PaxosSafety
    from distlab.sim import Simulation

NOTEBOOK = "02_consensus"
LATENCY_MS = 5.0   #: the Paxos demos' constant one-way latency (`render_sequence`'s default)
EXERCISE_LATENCY_MS = 8.0  #: the livelock exercise's one-way latency: not the demo's, so copying fails
DURATION = 2.0     #: simulated seconds a livelock must last

#: ``(state, request)``: a voter's state and a RequestVote, as the learner's ``grant_vote`` receives them
VoteCase = tuple[dict[str, Any], dict[str, Any]]


def not_a_function(name: str, exercise_id: str, given: object) -> str | None:
    """None when `given` is callable; else the feedback for a value passed where ``check`` wants the
    function itself (``check(id, f())`` or ``check(id, (3, 2))`` instead of ``check(id, f)``)."""
    if callable(given):
        return None
    return (f"pass the function itself, without calling it: check(\"{exercise_id}\", {name}) -- "
            f"got {type(given).__name__} {given!r}, not a function")


def servers(count: object) -> str:
    """``1 server``, ``3 servers``."""
    return f"{count} server{'' if count == 1 else 's'}"


# ----------------------------------------------------------------------------- vote rule
def reference_grant_vote(state: dict[str, Any], request: dict[str, Any]) -> bool:
    """The answer key: refuse a stale term, grant one vote per term (a higher term clears the old
    vote), and only to a candidate whose log is at least as up-to-date (the library's `is_up_to_date`)."""
    from distlab.consensus.raft import is_up_to_date

    if request["term"] < state["term"]:
        return False
    voted_for = state["voted_for"] if request["term"] == state["term"] else None
    if voted_for not in (None, request["candidate"]):
        return False
    return is_up_to_date(request["last_log_term"], request["last_log_index"],
                         state["last_log_term"], state["last_log_index"])


def _case(term: int, voted_for: str | None, my_t: int, my_i: int, c_term: int, cand: str, c_t: int,
          c_i: int) -> VoteCase:
    return ({"term": term, "voted_for": voted_for, "last_log_term": my_t, "last_log_index": my_i},
            {"term": c_term, "candidate": cand, "last_log_term": c_t, "last_log_index": c_i})


#: (case, hint when the answer differs from the rule's)
VOTE_TRAPS = [
    (_case(5, None, 3, 4, 4, "B", 3, 4),
     "A candidate from an older term (4 < 5) must be refused: its election is already over."),
    (_case(5, "A", 3, 4, 5, "B", 3, 9),
     "You already voted for A in term 5: one vote per term, or two leaders could win it."),
    (_case(5, "B", 3, 4, 5, "B", 3, 4),
     "A repeated RequestVote from the candidate you voted for (a retry) must be granted again."),
    (_case(5, "A", 3, 4, 6, "B", 3, 4),
     "A higher term (6) starts a new election: your vote for A was in term 5 and no longer counts."),
    (_case(5, None, 3, 4, 5, "B", 4, 1),
     "Compare the last log terms first: a later last term is more up-to-date, whatever the length."),
    (_case(5, None, 3, 4, 5, "B", 2, 9),
     "A candidate whose last entry has an older term lacks entries you have: refuse it (§5.4.1)."),
    (_case(5, None, 3, 4, 5, "B", 3, 3),
     "Same last term, shorter log: the candidate may miss a committed entry; refuse it."),
    (_case(5, None, 3, 4, 5, "B", 3, 4),
     "Same last term and same length is 'at least as up-to-date': grant it."),
]


def vote_cases(seed: int = 0, count: int = 300) -> list[VoteCase]:
    """``count`` seeded random ``(state, request)`` pairs, with small terms and logs so that equal terms
    and equal log lengths -- the edge cases of the rule -- come up often."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        term = rng.randint(1, 6)
        cases.append(_case(term, rng.choice([None, "A", "B", "C"]), rng.randint(0, term),
                           rng.randint(0, 6), term + rng.randint(-2, 2), rng.choice(["A", "B"]),
                           rng.randint(0, term + 1), rng.randint(0, 6)))
    return cases


@exercise("consensus.vote_rule", notebook=NOTEBOOK, points=2, title="Raft's vote-granting rule",
          hints=["Three conditions, in order: the term, the vote already cast, the logs.",
                 "Up-to-date: compare (last_log_term, last_log_index) as a pair, term first.",
                 "When the request's term is higher, you adopt it and have not voted in it yet."])
def check_vote_rule(grant_vote: Callable[[dict[str, Any], dict[str, Any]], object]) -> bool | str:
    """``grant_vote(state, request)`` must agree with :func:`reference_grant_vote` on every trap in
    `VOTE_TRAPS` (a wrong one gets that trap's hint) and on the seeded :func:`vote_cases`."""
    refused = not_a_function("grant_vote", "consensus.vote_rule", grant_vote)
    if refused:
        return refused
    for state, request in [c for c, _ in VOTE_TRAPS] + vote_cases():
        got = grant_vote(dict(state), dict(request))
        if not isinstance(got, bool):
            return f"grant_vote must return True or False, got {got!r}"
        want = reference_grant_vote(state, request)
        if got != want:
            for (s, r), hint in VOTE_TRAPS:
                if (s, r) == (state, request):
                    return hint
            return (f"wrong for state={state}, request={request}: expected "
                    f"{'grant' if want else 'refuse'}")
    return True


# ----------------------------------------------------------------------------- quorum
@exercise("consensus.quorum", notebook=NOTEBOOK, points=1, title="Quorums and fault tolerance",
          hints=["A majority is strictly more than half of n.",
                 "The servers that may fail are those not needed for a majority."])
def check_quorum(fault_tolerance: Callable[[int], object]) -> bool | str:
    """``fault_tolerance(n)`` must return ``(n // 2 + 1, n - majority)`` -- the majority quorum and the
    failures it survives, a tuple of two whole numbers -- for n = 1..15; halves
    (n = 4, 6) get their own hint. A float, a string or a bool is refused even when it equals the
    right number: a count of servers is an int."""
    refused = not_a_function("fault_tolerance", "consensus.quorum", fault_tolerance)
    if refused:
        return refused
    for n in range(1, 16):
        got = fault_tolerance(n)
        if not (isinstance(got, tuple) and len(got) == 2):
            return (f"fault_tolerance({n}) must return the tuple (majority, tolerated), got "
                    f"{'the ' + type(got).__name__ + ' ' if not isinstance(got, tuple) else ''}{got!r}")
        for what, value in zip(("majority", "tolerated"), got):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                return (f"fault_tolerance({n}) returned {got!r}: {what} must be a whole number of servers "
                        f"(an int), not the {type(value).__name__} {value!r}"
                        + (" -- use // for whole-number division" if isinstance(value, float) else ""))
        majority, tolerated = got
        if n == 4 and majority == 2:
            return "For n = 4, 2 is only half: two halves of a partition could both 'win'."
        if majority != n // 2 + 1:
            return f"fault_tolerance({n}): the majority of {servers(n)} is not {majority}"
        if n == 6 and tolerated == 3:
            return "With 6 servers and 3 down, the 3 left are not a majority of 6."
        if tolerated != n - majority:
            return (f"fault_tolerance({n}): with majority {majority}, {tolerated} failures is "
                    f"wrong -- how many servers are left after them?")
    return True


# ----------------------------------------------------------------------------- livelock
def paxos_run(proposers: int = 1, *, n: int = 5, latency_ms: float = LATENCY_MS,
              timeout_ms: float = 15.0, second_start_ms: float = 7.5, retry: str = "immediate",
              duration: float = DURATION, seed: int = 0,
              trace: bool = False) -> tuple[Simulation, list[PaxosNode], PaxosSafety]:
    """`n` single-decree Paxos nodes on a constant-latency network, the first `proposers` (1 or
    2) proposing ``v0``/``v1`` (the second starting `second_start_ms` later); returns
    ``(sim, nodes, safety)`` after `duration` simulated seconds."""
    from distlab.consensus import checks
    from distlab.consensus.paxos import PaxosNode, PaxosSafety
    from distlab.sim import Constant, Simulation, ms

    checks.whole("proposers", proposers, 1, 2)
    checks.whole("n", n, max(3, proposers), 15)
    checks.number("latency_ms", latency_ms, 0, 100, "ms", open_low=True)
    checks.number("timeout_ms", timeout_ms, 0, 1000, "ms", open_low=True)
    checks.number("second_start_ms", second_start_ms, 0, 1000, "ms")
    checks.number("duration", duration, 0, 60, "seconds", open_low=True)
    checks.flag("trace", trace)
    sim = Simulation(seed, trace=trace)
    sim.network.configure(latency=Constant(ms(latency_ms)))
    pids = list(range(n))
    nodes = []
    for p in pids:
        node = PaxosNode(p, pids, f"v{p}" if p < proposers else None, retry=retry,
                         timeout=ms(timeout_ms),
                         start_delay=ms(second_start_ms) if p == 1 else 0.0)
        node.proposers = list(range(proposers))
        nodes.append(sim.add(node))
    safety = PaxosSafety(pids, n // 2 + 1).install(sim)
    sim.run(duration)
    return sim, nodes, safety


@exercise("consensus.livelock", notebook=NOTEBOOK, points=2,
          title="A schedule that livelocks two proposers",
          hints=[f"A round trip is {2 * EXERCISE_LATENCY_MS:g} ms here; both phases of one ballot take "
                 f"{4 * EXERCISE_LATENCY_MS:g} ms.",
                 "The second proposer's Prepare must reach the acceptors after the first one's "
                 "promises but before its Accept.",
                 "The demo's schedule fits a 5 ms network: measure the timeout and the offset in "
                 "round trips and scale them to this one."])
def check_livelock(livelock_schedule: Callable[[], object]) -> bool | str:
    """``livelock_schedule()`` returns ``{"timeout_ms", "second_start_ms"}``: on the exercise's network
    (`EXERCISE_LATENCY_MS`) one proposer alone must decide, while two duel -- no value chosen and at
    least 20 ballots within `DURATION`."""
    refused = not_a_function("livelock_schedule", "consensus.livelock", livelock_schedule)
    if refused:
        return refused
    plan = livelock_schedule()
    if not isinstance(plan, dict) or set(plan) != {"timeout_ms", "second_start_ms"}:
        return "return a dict with exactly the keys 'timeout_ms' and 'second_start_ms'"
    timeout, start = plan["timeout_ms"], plan["second_start_ms"]
    for name, value in plan.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{name} must be a number of milliseconds, got {value!r}"
    lat = EXERCISE_LATENCY_MS
    try:
        _, alone, _ = paxos_run(1, latency_ms=lat, timeout_ms=timeout, second_start_ms=start)
        _, duel, _safety = paxos_run(2, latency_ms=lat, timeout_ms=timeout, second_start_ms=start)
    except ValueError as exc:
        return str(exc)
    if alone[0].chosen is None:
        return (f"with a {timeout} ms timeout even a single proposer never decides: on this {lat:g} ms "
                f"network a round trip takes {2 * lat:g} ms, so the timeout cuts every phase short -- "
                f"that is a timeout too short, not two proposers duelling")
    chosen = {nd.chosen for nd in duel if nd.chosen is not None}
    if chosen:
        return (f"the two proposers agreed on {sorted(chosen)[0]!r}: no livelock with this "
                f"schedule")
    ballots = sum(nd.ballots_tried for nd in duel)
    if ballots < 20:
        return f"only {ballots} ballots in {DURATION} s: the proposers stopped, not duelled"
    return True
