"""Chapter 6's final quiz as plain data: five questions, one per chapter, each applying that chapter's
idea to the money-transfer service (``Quiz.from_data(QUIZ, title=TITLE)`` in `distlab.view.quiz`
turns it into widgets, as ``distlab.view.<chapter>.quiz()`` does for chapters 1-5).

Every number a question or its explanation states is computed here from the library, never typed:
the joint-limit amounts from :data:`distlab.casestudy.isolation.ANOMALIES`, the round trips from
chapter 4's measured medians (:func:`distlab.geo.placement.predicted_commit_ms`), the regions a
ledger placement survives from Raft's majority rule, and the slowdown from chapter 5's default
:class:`~distlab.reliability.cascade_config.Fault`. :func:`figures` returns them for the tests.
Format: `distlab.grading.quiz.quiz_from_data`; the right option sits at a different place in each
question, and each hint points the way without naming it.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any, NamedTuple

from distlab.geo.latency import default_model
from distlab.geo.placement import DEFAULT_REPLICAS, majority_rtt_ms, predicted_commit_ms
from distlab.reliability.cascade_config import Fault

from .isolation import ANOMALIES

__all__ = ["LEDGER_REPLICAS", "QUIZ", "TITLE", "TOPICS", "Figures", "figures", "questions", "regions_survived"]

TITLE = "Chapter 6: final quiz"

#: the chapters, in course order; `questions()` holds one question per topic
TOPICS: tuple[str, ...] = ("consistency", "consensus", "transactions", "geo", "reliability")

#: the consensus question's ledger: two of the five replicas in the leader's region, for fast commits
LEDGER_REPLICAS: tuple[str, ...] = ("virginia", "virginia", "oregon", "ireland", "tokyo")

#: the geo question: the leader's region and the customer's (a European customer, a US-east leader)
GEO_LEADER, GEO_CLIENT = "virginia", "ireland"

GEO_TOLERANCE_MS = 10.0  # excludes the nearest-follower slip (the 2nd-nearest follower is ~28 ms further)


def regions_survived(replicas: Sequence[str]) -> int:
    """How many regions may fail at once, whichever they are, while a Raft group with a replica in
    each entry of ``replicas`` still has a majority (``n // 2 + 1``, Raft's rule) and commits."""
    majority = len(replicas) // 2 + 1
    places = sorted(set(replicas))
    survived = 0
    for lost in range(1, len(places) + 1):
        if any(sum(1 for r in replicas if r not in down) < majority for down in combinations(places, lost)):
            break
        survived = lost
    return survived


class Figures(NamedTuple):
    """Every number the quiz states, computed from the library (see the module docstring)."""

    opening_cents: int  # each of the couple's two accounts at the start
    withdrawal_cents: int  # each of the two concurrent withdrawals
    joint_after_cents: int  # the couple's sum once both withdrawals commit (negative: overdrawn)
    replicas: int  # the ledger's Raft group in the consensus question
    majority: int
    regions_survived: int  # LEDGER_REPLICAS
    spread_survived: int  # five replicas, one per region (chapter 4's DEFAULT_REPLICAS)
    client_rtt_ms: float  # GEO_CLIENT <-> GEO_LEADER, median
    nearest_ms: float  # the leader's nearest follower (not enough for a majority of five)
    majority_ms: float  # the leader's round trip to the follower that completes a majority
    commit_ms: float  # the geo question's answer: client_rtt_ms + majority_ms
    local_commit_ms: float  # the same customer with the leader moved to its own region
    slowdown: float  # chapter 5's default fault: the dependency works this many times slower


def figures() -> Figures:
    """The quiz's numbers, computed from the library."""
    accounts, (first, second) = ANOMALIES["write skew"]
    group = [opening for opening, joint in accounts.values() if joint is not None]
    if first.amount_cents != second.amount_cents or len(set(group)) != 1:
        raise ValueError("the write-skew lesson must withdraw equal amounts from two equal accounts")
    model = default_model()
    followers = sorted(model.pair_rtt_ms(GEO_LEADER, r) for r in DEFAULT_REPLICAS if r != GEO_LEADER)
    return Figures(
        opening_cents=group[0], withdrawal_cents=first.amount_cents,
        joint_after_cents=sum(group) - first.amount_cents - second.amount_cents,
        replicas=len(LEDGER_REPLICAS), majority=len(LEDGER_REPLICAS) // 2 + 1,
        regions_survived=regions_survived(LEDGER_REPLICAS),
        spread_survived=regions_survived(DEFAULT_REPLICAS),
        client_rtt_ms=model.pair_rtt_ms(GEO_CLIENT, GEO_LEADER), nearest_ms=followers[0],
        majority_ms=majority_rtt_ms(GEO_LEADER, DEFAULT_REPLICAS),
        commit_ms=predicted_commit_ms(GEO_LEADER, GEO_CLIENT, DEFAULT_REPLICAS),
        local_commit_ms=predicted_commit_ms(GEO_CLIENT, GEO_CLIENT, DEFAULT_REPLICAS),
        slowdown=Fault().factor)


def _dollars(cents: int) -> str:
    """Whole-dollar cents as "$1,500" (the quiz's amounts are whole dollars)."""
    return f"${abs(cents) // 100:,}"


def _ms(value: float) -> str:
    """A round trip as the learner reads it: whole milliseconds."""
    return f"{value:.0f} ms"


def _names(replicas: Sequence[str]) -> str:
    """Regions as "2 in Virginia, 1 in Oregon, ..." (in the order given)."""
    counts = {r: replicas.count(r) for r in replicas}
    return ", ".join(f"{n} in {r.title()}" for r, n in counts.items())


def _consistency() -> dict[str, Any]:
    return {
        "kind": "choice",
        "prompt": ("A customer sends money to a friend. The ledger's leader commits the transfer, and the app at once "
                   "reloads the balance from the nearest follower, which has not applied it yet. The old balance "
                   "shows, so the customer thinks the transfer failed and sends it again, with a new idempotency "
                   "key. What is the weakest guarantee on the customer's balance reads that prevents this?"),
        "options": ["eventual consistency: the follower catches up soon enough", "monotonic reads",
                    "read-your-writes", "linearizability for every balance read"],
        "answer": 2,
        "why": ["That is what the app had: the follower did catch up, but the reload came first.",
                "Monotonic reads stops a session seeing older data than it saw before. This customer had never "
                "read the new balance, so the old one broke no promise of monotonic reads.",
                "Right: a session's reads reflect its own writes. The app carries the transfer's commit version "
                "as a token, and a follower that has not reached it waits or passes the read to the leader.",
                "It would fix it, but every balance read anywhere would pay a round trip to the leader. The "
                "customer needed to see their own transfer, not everyone's latest write."],
        "hint": ("Ask what exactly the customer needed to see: every write in the world, or something "
                 "narrower? Then pick the weakest rung of chapter 1's ladder that promises it."),
        "explanation": ("A session guarantee costs only the session that wrote: it waits for the lag, and "
                        "everyone else keeps reading locally. The overdraft check is another matter: it runs "
                        "inside the ledger's serializable transaction on the leader, never on a follower's copy."),
    }


def _consensus(f: Figures) -> dict[str, Any]:
    lost_with_leader = LEDGER_REPLICAS.count(LEDGER_REPLICAS[0])
    return {
        "kind": "numeric",
        "prompt": (f"To commit transfers fast, the ledger's Raft group of {f.replicas} replicas puts "
                   f"{_names(LEDGER_REPLICAS)}; the leader is in {LEDGER_REPLICAS[0].title()}. How many regions "
                   f"may fail at the same time, whichever they are, while the ledger still commits transfers?"),
        "answer": f.regions_survived, "tolerance": 0, "unit": "regions", "integer": True,
        "hint": ("A majority of the replicas must survive. Which single region takes the most replicas with "
                 "it, and what if one more region fails alongside it?"),
        "explanation": (f"A majority of {f.replicas} is {f.majority}. Losing {LEDGER_REPLICAS[0].title()} takes "
                        f"{lost_with_leader} replicas and leaves {f.replicas - lost_with_leader}: still a "
                        f"majority, which elects a new leader. {LEDGER_REPLICAS[0].title()} and any other region "
                        f"leave {f.replicas - lost_with_leader - 1}: nothing commits, and transfers stop -- safely, "
                        f"none is half-applied. One replica in each of {f.replicas} regions would survive "
                        f"{f.spread_survived} regions failing, at the price of a slower majority round trip."),
    }


def _transactions(f: Figures) -> dict[str, Any]:
    opening, amount, after = _dollars(f.opening_cents), _dollars(f.withdrawal_cents), f.joint_after_cents
    return {
        "kind": "choice",
        "prompt": (f"A couple's checking and savings accounts hold {opening} each, under a joint limit: their sum must "
                   f"stay at or above zero. At the same moment she moves {amount} out of checking and he moves "
                   f"{amount} out of savings, each in a REPEATABLE READ transaction on PostgreSQL that checks the "
                   f"sum before it debits. What happens?"),
        "options": ["the second is aborted with a serialization failure, as for a lost update",
                    f"both commit, and the couple is {_dollars(after)} overdrawn: write skew, which "
                    f"SERIALIZABLE would prevent",
                    "the second waits on the first's row lock, then reads the new sum and is refused",
                    "the second overwrites the first's balance, so one withdrawal is lost and money is created"],
        "answer": 1,
        "why": ["REPEATABLE READ aborts a transaction that updates a row someone else changed after its snapshot. "
                "These two update different rows, checking and savings, so neither is aborted.",
                f"Right: each read the sum {_dollars(2 * f.opening_cents)} in its own snapshot and saw room for "
                f"{amount}; they wrote different rows, so the engine saw no conflict. SERIALIZABLE tracks who read "
                f"what the other wrote and aborts one; its retry reads the new sum and is refused.",
                "They lock different rows, so nothing waits. And under REPEATABLE READ a transaction keeps reading "
                "the snapshot it started with: it would not see the new sum anyway.",
                "That is a lost update: two writes to one row. Here each writes its own account and every cent "
                "is still accounted for; only the joint limit is broken."],
        "hint": ("Which rows does each transaction write? Can the engine see a conflict between two transactions "
                 "that never write the same row?"),
        "explanation": ("Hermitage lists the same for PostgreSQL, and this chapter's isolation demo shows it on the "
                        "real engine: READ COMMITTED and REPEATABLE READ admit write skew, SERIALIZABLE does not. "
                        "So the ledger runs SERIALIZABLE and retries every serialization failure: a retried "
                        "transfer is applied or refused, never lost."),
    }


def _geo(f: Figures) -> dict[str, Any]:
    where = ", ".join(r.title() for r in DEFAULT_REPLICAS[:-1]) + f" and {DEFAULT_REPLICAS[-1].title()}"
    leader, client = GEO_LEADER.title(), GEO_CLIENT.title()
    return {
        "kind": "numeric",
        "prompt": (f"The ledger's {len(DEFAULT_REPLICAS)} replicas sit in {where}, with the leader in {leader}. "
                   f"A customer in {client} sends a transfer; the leader answers once a majority stores it. From "
                   f"the course's measured median round trips between EC2 regions, how long does the customer wait?"),
        "answer": f.commit_ms, "tolerance": GEO_TOLERANCE_MS, "unit": "ms",
        "hint": ("Add two round trips: the customer's to the leader, and the leader's to the follower that "
                 "completes a majority -- the leader counts itself, and the nearest follower is not enough."),
        "explanation": (f"{_ms(f.client_rtt_ms)} from {client} to {leader} and back, plus {_ms(f.majority_ms)} "
                        f"for the leader to reach its second-nearest follower ({_ms(f.nearest_ms)} to the nearest "
                        f"is not a majority of {len(DEFAULT_REPLICAS)}): {_ms(f.commit_ms)}, although the "
                        f"customer's own region holds a replica. With the leader in {client} this customer would "
                        f"wait about {_ms(f.local_commit_ms)}, and every American customer longer."),
    }


def _reliability(f: Figures) -> dict[str, Any]:
    return {
        "kind": "choice",
        "prompt": (f"During a spike the fraud service slows down {f.slowdown:g}-fold (chapter 5's default fault). "
                   "Every ledger-service worker that calls it waits for the answer, so soon all the workers wait on "
                   "fraud checks, and balance reads and incoming credits, which never call fraud, time out too. "
                   "Which safeguard confines the damage to the calls to fraud?"),
        "options": ["a retry budget on the calls to fraud", "priority load shedding at the gateway",
                    f"{f.slowdown:g} times as many workers in the shared pool",
                    "a bulkhead: a small pool of its own for the calls to fraud"],
        "answer": 3,
        "why": ["A budget caps the retries of failed calls. These calls are slow, not failed, and each one "
                "holds a worker for the whole wait.",
                "Shedding decides what gets in, not what a worker waits on: the admitted transfers still tie up "
                "every worker on fraud checks, and the requests behind them starve.",
                f"By Little's law (workers held = calls per second x seconds each holds one), calls {f.slowdown:g} "
                f"times slower hold {f.slowdown:g} times the workers, and a slower fraud service more again: the "
                "shared pool still fills, only later, and takes every kind of request down with it.",
                "Right: only the fraud pool fills. Its excess calls are refused at once, so a transfer learns "
                "quickly that the check is unavailable, and requests that never call fraud keep their workers."],
        "hint": ("Look for the safeguard that caps how many workers one dependency can hold at a time, "
                 "whatever that dependency does."),
        "explanation": ("Like a ship's watertight compartments, a bulkhead gives each dependency a bounded pool. "
                        "Add a breaker, so calls stop at once while fraud keeps failing, and a deadline, so no "
                        "worker waits longer than its caller."),
    }


def questions() -> dict[str, dict[str, Any]]:
    """The five questions by topic (:data:`TOPICS` order), with every number computed afresh."""
    f = figures()
    return {"consistency": _consistency(), "consensus": _consensus(f), "transactions": _transactions(f),
            "geo": _geo(f), "reliability": _reliability(f)}


#: the quiz as plain data, one question per topic in course order (`distlab.grading.quiz.quiz_from_data`)
QUIZ: list[dict[str, Any]] = list(questions().values())
