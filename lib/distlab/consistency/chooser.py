"""The lecture's rule of thumb as data and one pure function: which rung does this data need?

*Default to eventual consistency plus session guarantees; spend linearizability only on invariants
that must never bend.* :func:`choose_rung` turns four yes/no questions about a piece of data into
the **weakest rung that gives every guarantee the data needs** -- the cheapest one, since every step
down the ladder forbids fewer orderings, needs less coordination and stays available under more
partitions. Each question asks for one rung:

1. an **invariant across all clients** that must hold at every instant (never sell the last item
   twice, never two owners of one name, never two leaders) -> ``linearizable``: only one real-time
   order of all operations can guarantee it, and it is unavailable on the minority side of a
   partition -- the price you pay on purpose;
2. some writes **answer or depend on** others, and a reader must never see the effect without its
   cause (a reply without the message it answers) -> ``writes-follow-reads``: a write made after
   reading another is ordered after it for every reader (totally available; the reply bug of the
   notebook's section 3 is exactly its violation);
3. the **author must see their own write** ("I saved it and it vanished") -> ``read-your-writes``
   (sticky available: pin the session, or carry a version token);
4. a reader must never see the value **go back in time** on refresh -> ``monotonic-reads``
   (totally available);

and the answer is the weakest rung implying all of them (:data:`distlab.consistency.IMPLIES`):
read-your-writes *and* monotonic reads give ``pram``; writes-follow-reads with either gives
``causal``. No need at all -> ``eventual``: replicas
converge once writes stop; not a rung of ``classify`` (a property of a store's runs, see
:mod:`distlab.consistency.store_experiment`). Invariant :func:`choice_covers`: the chosen rung implies every
rung asked for (property-tested).

:data:`ITEMS` places the lecture's examples (balances, inventory, usernames, leader identity,
likes, bios, chat messages) with their needs, a reason and what breaks on a rung too weak;
:data:`EXERCISE_ITEMS` are other data of the same kinds, for the graded exercise.
:func:`judge` is the one rule the graded exercise, the chooser and the prose share (:data:`RULE`): the
chooser's rung passes; a rung that does not give it fails with what it breaks; a stronger rung fails
with "works, but pays for coordination it does not need".
"""
from __future__ import annotations

from dataclasses import dataclass

from distlab.consistency.ladder import AVAILABILITY, implies_all
from distlab.consistency.rungs import RUNGS

__all__ = ["NEEDS", "REQUIRES", "Choice", "choose_rung", "choice_covers", "Item", "ITEMS", "EXERCISE_ITEMS", "RULE",
           "PROMISES", "judge", "place", "place_all"]

#: The questions, from the most to the least demanding.
NEEDS = {
    "invariant": "an invariant across all clients must hold at every instant",
    "causal": "some writes answer others: never show an effect without its cause",
    "own_writes": "the author must see their own write at once",
    "no_going_back": "a reader must never see the value go back in time",
}
#: The rung each question asks for.
REQUIRES = {"invariant": "linearizable", "causal": "writes-follow-reads", "own_writes": "read-your-writes",
            "no_going_back": "monotonic-reads"}
_REASONS = {
    "invariant": "one real-time order of every operation is the only way to keep an invariant that must "
                 "never bend; it costs a round trip to a leader or quorum, and the minority side of a "
                 "partition must wait",
    "causal": "readers must see causes before effects: a write made after reading another is ordered after it "
              "for every reader; a replica holds back a write until what it follows has arrived, without global "
              "coordination (totally available)",
    "own_writes": "only the author needs their write at once; pin the session to a replica or carry a "
                  "version token -- everyone else may lag (sticky available)",
    "no_going_back": "a little staleness is fine as long as a refresh never goes back in time "
                     "(totally available)",
}


@dataclass(frozen=True)
class Choice:
    """The rung :func:`choose_rung` picked, what it costs in availability, why, and the needs behind it."""

    rung: str
    availability: str
    reason: str
    needs: tuple[str, ...]      # the questions answered "yes" (empty: eventual)


def choose_rung(*, invariant: bool = False, causal: bool = False, own_writes: bool = False,
                no_going_back: bool = False) -> Choice:
    """The weakest rung that implies every rung the data's needs ask for."""
    given = {"invariant": invariant, "causal": causal, "own_writes": own_writes,
             "no_going_back": no_going_back}
    for name, value in given.items():
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
    needs = tuple(k for k in NEEDS if given[k])
    if not needs:
        return Choice("eventual", "totally-available",
                      "nothing breaks if readers lag for a while: replicas converge once writes stop, "
                      "and every replica can answer every request", ())
    required = {REQUIRES[k] for k in needs}
    candidates = [r for r in RUNGS if required <= ({r} | implies_all(r))]
    weakest = [c for c in candidates if not any(o != c and o in implies_all(c) for o in candidates)]
    rung = weakest[-1]
    reason = _REASONS[needs[0]]
    if len(required) > 1 and rung not in required:
        asked = " and ".join(REQUIRES[k] for k in needs)
        reason = f"it needs {asked}: {rung} is the weakest rung that gives all of them"
    elif len(required) > 1:
        others = " and ".join(r for r in (REQUIRES[k] for k in needs) if r != rung)
        reason += f" -- and {rung} already gives {others}, so the other answers change nothing"
    return Choice(rung, AVAILABILITY[rung], reason, needs)


def choice_covers(needs: dict[str, bool], choice: Choice) -> bool:
    """Invariant: the chosen rung is, or implies, every rung the needs ask for."""
    got = {choice.rung} | implies_all(choice.rung) if choice.rung != "eventual" else set()
    return all(REQUIRES[k] in got for k, v in needs.items() if v)


@dataclass(frozen=True)
class Item:
    """One of the lecture's examples: what the data is, the needs that decide its rung, why, and
    what a user sees go wrong on a rung that does not give those needs (``breaks``)."""

    name: str
    needs: tuple[str, ...]
    why: str
    breaks: str


_OVERSELL = "two clients that both read the old value act on it at once, and nothing stops them: "
#: The lecture's examples, with the needs that decide their rung and a reason in our own words.
ITEMS = (
    Item("account balance", ("invariant",),
         "two withdrawals that both read the old balance can overdraw the account",
         _OVERSELL + "two withdrawals overdraw the account"),
    Item("inventory count", ("invariant",),
         "two buyers who both see 'one left' sell the last item twice",
         _OVERSELL + "the last item is sold twice"),
    Item("unique username", ("invariant",),
         "two sign-ups who both see the name free would both get it",
         _OVERSELL + "two sign-ups both get the name"),
    Item("leader identity", ("invariant",),
         "two nodes that both believe they lead corrupt what they guard (split brain)",
         _OVERSELL + "two nodes both believe they lead (split brain)"),
    Item("like count", ("no_going_back",),
         "a count a few seconds old harms nobody, but a refresh should not make likes disappear",
         "a refresh can be served by a replica further behind and show fewer likes than the page before"),
    Item("profile bio", ("own_writes",),
         "the author must see the edit they just saved; other readers can catch up later",
         "the author saves an edit and the next page, served by a lagging replica, shows the old bio"),
    Item("chat message", ("causal",),
         "a reply must never appear before the message it answers",
         "a reader can see a reply before (or without) the message it answers"),
)

#: The graded exercise's data: not the worked examples of :data:`ITEMS` (the notebook prints those
#: with their rungs), so the answer has to come from the rule, not from an earlier cell.
EXERCISE_ITEMS = (
    Item("coupon code", ("invariant",),
         "a single-use coupon: two checkouts that both see it unused would both redeem it",
         _OVERSELL + "one single-use coupon is redeemed twice"),
    Item("video view count", ("no_going_back",),
         "a count a little behind harms nobody, but a refresh must never show fewer views than before",
         "a refresh can be served by a replica further behind and show fewer views than the page before"),
    Item("notification settings", ("own_writes",),
         "whoever switches notifications off must see them off on the next page; nobody else reads them",
         "the user switches notifications off, reloads, and a lagging replica shows them still on"),
    Item("forum reply", ("causal",),
         "a reply must never be shown to anyone without the post it answers",
         "a reader can see a reply before (or without) the post it answers"),
    Item("shopping cart", ("own_writes", "no_going_back"),
         "the shopper must see what they just added, and a refresh must never drop an item already shown",
         "the shopper adds an item and the next page, or the refresh after it, shows the cart without it"),
    Item("trending topics", (),
         "a list a minute old harms nobody, and nobody needs to see their own effect on it",
         "nothing a user would notice"),
)

#: What each rung promises, in section 1's words (said when a rung beside the needed one is chosen).
PROMISES = {
    "linearizable": "one real-time order of all operations",
    "sequential": "one order of all operations that keeps each process's own order",
    "causal": "that each process sees a write only after everything that could have caused it",
    "pram": "that every process sees each process's writes in the order they were issued",
    "read-your-writes": "that a process sees its own earlier writes",
    "monotonic-reads": "that a process's later reads never see an older state than its earlier ones",
    "monotonic-writes": "that every process sees one process's writes in the order they were issued",
    "writes-follow-reads": "that a write made after reading another is seen after it, by everyone",
    "consistent-prefix": "one order of all writes, as a sequencer received them, each read seeing some prefix "
                         "of it",
}

#: The one rule the exercise, the chooser and the prose share.
RULE = ("the chooser's rung passes; a rung that does not give it fails with what it breaks; a stronger "
        "rung fails: it works, but pays for coordination it does not need")


def judge(item: Item | str, rung: str) -> str | None:
    """:data:`RULE` for one item: None if ``rung`` is the chooser's, else what is wrong with it."""
    chosen = place(item)
    item = _item(item)
    if rung == chosen.rung:
        return None
    if rung not in RUNGS and rung != "eventual":
        raise ValueError(f"rung must be one of {[*RUNGS, 'eventual']}, got {rung!r}")
    if chosen.rung == "eventual" or chosen.rung in implies_all(rung):
        return f"{item.name}: {rung} works, but pays for coordination it does not need -- step down the ladder"
    if rung == "eventual" or rung in implies_all(chosen.rung):
        return f"{item.name}: {rung} is too weak -- {item.breaks}"
    return (f"{item.name}: {rung} promises {PROMISES[rung]} -- which does not forbid what breaks here: "
            f"{item.breaks}")


def _item(item: Item | str) -> Item:
    """The :data:`ITEMS` or :data:`EXERCISE_ITEMS` entry named ``item`` (or ``item`` itself)."""
    if isinstance(item, Item):
        return item
    found = [i for i in (*ITEMS, *EXERCISE_ITEMS) if i.name == item]
    if not found:
        raise ValueError(f"item must be one of {[i.name for i in (*ITEMS, *EXERCISE_ITEMS)]}, got {item!r}")
    return found[0]


def place(item: Item | str) -> Choice:
    """The rung for one of :data:`ITEMS` (by name or value), decided by :func:`choose_rung`."""
    return choose_rung(**{n: True for n in _item(item).needs})


def place_all() -> list[tuple[Item, Choice]]:
    """Every item of :data:`ITEMS` with its choice, in the lecture's order."""
    return [(i, place(i)) for i in ITEMS]
