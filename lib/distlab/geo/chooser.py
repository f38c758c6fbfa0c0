"""The lecture's "how to choose" as one pure function: requirements in, a system and a setting out, with reasons.

Four questions decide it, and the measured round trips price each answer (:mod:`distlab.geo.chooser_costs`):

1. **How consistent** (:data:`CONSISTENCY`): ``strict`` (transactions in real-time order everywhere),
   ``serializable``, ``fresh-reads`` (single keys, no read misses an acknowledged write) or
   ``eventual``.
2. **Where the users are** (``regions``) and how long a write may take them (``write_budget_ms``):
   a strongly consistent write pays the round trip to a leader and the leader's to a majority -- a
   toll set by distance, not by budget.
3. **What must be survived** (``survive``): a ``zone`` (replicas in three zones of one region) or a
   whole ``region`` (replicas in three regions, so the majority round trip crosses the sea).
4. **What the application needs**: SQL transactions (``sql``); TrueTime, i.e. running on Google's
   infrastructure (``truetime``); whether concurrent writes to one item must all survive
   (``conflicts="merge"``) or the newest may win.

The answers map to the chapter's systems: **Spanner** (strict: TrueTime and commit wait), a
**single leader** (strict without TrueTime: one primary orders everything, e.g. PostgreSQL with
quorum commit), **CockroachDB** (serializable SQL on hybrid logical clocks, uncertainty restarts
instead of commit wait), **Cassandra** (per-query consistency levels; ``LOCAL_QUORUM`` for local
latency). When no strongly consistent design fits the budget, the recommendation says so
(``meets_budget``) and what to relax; with zone survival it falls back to rows homed in their users'
region (CockroachDB's ``REGIONAL BY ROW``).

>>> rec = recommend(consistency="eventual", regions=("virginia", "tokyo"))
>>> rec.system, rec.setting, rec.meets_budget
('Cassandra', 'write LOCAL_QUORUM, read LOCAL_QUORUM', True)
>>> recommend(consistency="strict", regions=("virginia", "ireland"), truetime=True, survive="region",
...           write_budget_ms=300).system
'Spanner'
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from distlab.geo.chooser_costs import Costs, cassandra_costs, local_costs, replica_regions, strong_costs
from distlab.geo.world import check_regions

__all__ = ["CONFLICTS", "CONSISTENCY", "EXAMPLES", "SPANNER_EPSILON_MS", "SURVIVE", "SYSTEMS", "Recommendation",
           "Requirements", "recommend", "settings_without_effect"]

CONSISTENCY = {
    "strict": "transactions take effect in real-time order everywhere (external consistency)",
    "serializable": "transactions are serializable and no read of a key misses a write acknowledged before it",
    "fresh-reads": "single-key reads and writes; every read sees every write acknowledged before it began",
    "eventual": "a read may lag behind recent writes for a while; the replicas converge",
}
SURVIVE = ("zone", "region")
CONFLICTS = ("newest-wins", "merge")
SYSTEMS = ("Spanner", "single leader", "CockroachDB", "Cassandra")
#: TrueTime's uncertainty bound the chooser assumes (the top of the paper's 1-7 ms sawtooth)
SPANNER_EPSILON_MS = 7.0


@dataclass(frozen=True)
class Requirements:
    """The answers to the four questions (module docstring); a bad one is a ``ValueError`` naming it."""

    consistency: str = "serializable"
    regions: tuple[str, ...] = ("virginia",)
    write_budget_ms: float = 200.0
    survive: str = "zone"
    sql: bool = False
    truetime: bool = False
    conflicts: str = "newest-wins"

    def __post_init__(self) -> None:
        if self.consistency not in CONSISTENCY:
            raise ValueError(f"consistency must be one of {', '.join(CONSISTENCY)}; got {self.consistency!r}")
        object.__setattr__(self, "regions", check_regions("regions", self.regions))
        budget = self.write_budget_ms
        if not isinstance(budget, (int, float)) or isinstance(budget, bool) or not 0 < budget <= 60_000:
            raise ValueError(f"write_budget_ms must be a number of milliseconds in (0, 60000], got {budget!r}")
        if self.survive not in SURVIVE:
            raise ValueError(f"survive must be one of {', '.join(SURVIVE)}; got {self.survive!r}")
        if self.conflicts not in CONFLICTS:
            raise ValueError(f"conflicts must be one of {', '.join(CONFLICTS)}; got {self.conflicts!r}")
        for name in ("sql", "truetime"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")

    @property
    def survive_region(self) -> bool:
        """Whether a whole region's loss must be survived."""
        return self.survive == "region"


@dataclass(frozen=True)
class Recommendation:
    """What to run and how, the median latencies the worst-placed user pays, whether the write fits
    the budget, why, what it costs, and why each other system was not chosen."""

    system: str
    setting: str
    write_ms: float
    read_ms: float
    meets_budget: bool
    reasons: tuple[str, ...]
    costs: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...]
    replicas: tuple[str, ...]
    leader: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.system}: {self.setting}",
                 f"write ~{self.write_ms:.1f} ms, read ~{self.read_ms:.1f} ms for the farthest user "
                 f"({'within' if self.meets_budget else 'OVER'} budget); replicas in {', '.join(self.replicas)}"]
        lines += [f"+ {r}" for r in self.reasons] + [f"- {c}" for c in self.costs]
        return "\n".join(lines + [f"not {name}: {why}" for name, why in self.rejected])


def _ms(costs: Costs) -> str:
    return f"~{costs.write_ms:.0f} ms"


def _strong(req: Requirements, system: str, setting: str, why: str, rejected: dict[str, str]) -> Recommendation:
    """A leader-based strongly consistent design, priced; over budget, what to relax."""
    wait = 2 * SPANNER_EPSILON_MS if system == "Spanner" else 0.0
    costs = strong_costs(req.regions, req.survive_region, wait)
    replicas = replica_regions(req.regions, req.survive_region)
    reasons = [why, f"the leader sits in {costs.leader}, which makes the farthest user's write cheapest"]
    if wait:
        reasons.append(f"commit wait (2 x epsilon = {wait:.0f} ms) runs while Paxos replicates, so it costs "
                       "only what the majority round trip does not already take")
    notes = [f"a write is a round trip to the leader plus the leader's to a majority: {_ms(costs)} for the "
             "farthest user -- set by distance, not budget"]
    if system == "CockroachDB" and not req.survive_region and len(set(req.regions)) > 1:
        reasons.append("one table for every row is the simplest layout that fits the budget; below it, each "
                       "user's rows would move to their home region (REGIONAL BY ROW)")
    rec = Recommendation(system, setting, costs.write_ms, costs.read_ms, costs.write_ms <= req.write_budget_ms,
                         tuple(reasons), tuple(notes), tuple(rejected.items()), replicas, costs.leader)
    if rec.meets_budget:
        return rec
    per_user = [strong_costs((u,), False) for u in req.regions]
    home = Costs(max(c.write_ms for c in per_user), max(c.read_ms for c in per_user), None)
    if not req.survive_region and system == "CockroachDB":
        return replace(rec, setting="REGIONAL BY ROW tables: each row's leaseholder and replicas in its home region",
                       write_ms=home.write_ms, read_ms=home.read_ms, meets_budget=home.write_ms <= req.write_budget_ms,
                       leader=None, reasons=(why, "each user's rows live in the user's region: its writes and "
                                                  "reads stay there"),
                       costs=(f"one leader for every row would cost {_ms(costs)} for the farthest user",
                              "a user writing or reading a row homed in another region pays the round trip there"))
    zone = ", survive only a zone" if req.survive_region else ""
    relax = (f"no strongly consistent design meets {req.write_budget_ms:.0f} ms for these regions: raise the "
             f"budget to {costs.write_ms:.0f} ms{zone}, or accept eventual consistency (local writes, {_ms(home)})")
    return replace(rec, costs=rec.costs + (relax,))


def _eventual(req: Requirements) -> Recommendation:
    costs = local_costs(req.regions)
    strong = strong_costs(req.regions, req.survive_region)
    reasons = ["every user writes and reads a quorum of their own region: no round trip leaves it",
               "replicas in the other regions converge (hinted handoff, read repair, anti-entropy)"]
    notes = ["a reader in another region can miss a write until it arrives there (stale reads: run_cassandra "
             "with LOCAL_QUORUM counts them)"]
    if req.conflicts == "merge":
        reasons.append("concurrent writes to one item must all survive: keep them in mergeable types (counters, "
                       "sets -- CRDTs) or as siblings under version vectors")
        notes.append("in Cassandra use counter columns and set/map collections (merged per element): a plain "
                     "column is last-writer-wins by timestamp, and of concurrent writes to it all but one are lost")
    if req.survive_region:
        notes.append("a region lost before its latest writes were shipped takes them with it")
    rejected = {"Spanner": f"strong writes cost {_ms(strong)} for a guarantee this data does not need",
                "CockroachDB": f"strong writes cost {_ms(strong)} for a guarantee this data does not need",
                "single leader": "writers far from the leader pay the round trip to it"}
    return Recommendation("Cassandra", "write LOCAL_QUORUM, read LOCAL_QUORUM", costs.write_ms, costs.read_ms,
                          costs.write_ms <= req.write_budget_ms, tuple(reasons), tuple(notes), tuple(rejected.items()),
                          replica_regions(req.regions, req.survive_region))


def _fresh(req: Requirements) -> Recommendation:
    """Cassandra with levels whose quorums always meet: local reads if writes can afford every region."""
    each = cassandra_costs(req.regions, "EACH_QUORUM", "LOCAL_QUORUM")
    both = cassandra_costs(req.regions, "QUORUM", "QUORUM")
    use_each = not req.survive_region and each.write_ms <= req.write_budget_ms
    levels, costs = (("EACH_QUORUM", "LOCAL_QUORUM"), each) if use_each else (("QUORUM", "QUORUM"), both)
    reasons = [f"write {levels[0]} and read {levels[1]}: every set of replicas that acknowledges a write meets "
               "every set that answers a read, so no read misses an acknowledged write"]
    reasons.append("reads stay in the user's region; writes wait for a quorum in every region" if use_each else
                   "a quorum over all replicas keeps working while any one region is down")
    notes = ["no transactions: concurrent writes to a key resolve last-writer-wins by the writers' clocks"
             + (" -- keep data that must merge in counter columns or set/map collections (merged per element)"
                if req.conflicts == "merge" else "")]
    if use_each:
        notes.append("EACH_QUORUM writes fail while any region is down")
    rejected = {"CockroachDB": "serializable transactions are more than single-key reads and writes need",
                "Spanner": "commit wait and transactions are more than single-key reads and writes need",
                "single leader": "writers far from the leader pay the round trip to it"}
    return Recommendation("Cassandra", f"write {levels[0]}, read {levels[1]}", costs.write_ms, costs.read_ms,
                          costs.write_ms <= req.write_budget_ms, tuple(reasons), tuple(notes), tuple(rejected.items()),
                          replica_regions(req.regions, req.survive_region))


_CASSANDRA = "no transactions, and a read can miss an acknowledged write unless its level's quorums meet"
_HLC = ("its HLC timestamps can order transactions on different keys against real time by up to the maximum "
        "clock offset")
_FAR = "one primary's region is far from some writers"


def _serializable(req: Requirements) -> Recommendation:
    """Strict or serializable: one region's single leader, Spanner, a single leader, or CockroachDB."""
    if len(set(req.regions)) == 1 and not req.survive_region:
        return _strong(req, "single leader", "one primary with synchronous standbys in other zones of "
                       f"{req.regions[0]} (PostgreSQL: synchronous_standby_names = 'ANY k (...)')",
                       "every user is in one region: one primary orders everything in real time, the simplest "
                       "design that gives it", {"Spanner": "TrueTime and commit wait solve a problem one region's "
                                                "single leader does not have",
                                                "CockroachDB": "a distributed database is more than one region needs",
                                                "Cassandra": _CASSANDRA})
    if req.consistency == "strict" and req.truetime:
        return _strong(req, "Spanner", "strong reads and read-write transactions; commit wait on",
                       "TrueTime's bounded uncertainty plus commit wait make commit order real-time order",
                       {"CockroachDB": _HLC, "Cassandra": _CASSANDRA, "single leader": _FAR})
    if req.consistency == "strict":
        where = "other regions" if req.survive_region else "other zones of its region"
        return _strong(req, "single leader", "one primary orders every transaction; synchronous quorum commit "
                       f"to standbys in {where} (PostgreSQL: synchronous_standby_names = 'ANY k (...)')",
                       "a single node that orders everything gives real-time order without special clocks",
                       {"Spanner": "TrueTime runs only on Google's infrastructure", "CockroachDB": _HLC,
                        "Cassandra": _CASSANDRA})
    return _strong(req, "CockroachDB", "SERIALIZABLE transactions over the PostgreSQL wire protocol",
                   "serializable SQL on hybrid logical clocks: no special clocks, no commit wait; a read that "
                   "meets a write inside its uncertainty interval restarts instead",
                   {"Spanner": "its commit wait buys real-time order across keys, which was not asked for"
                               + ("" if req.truetime else ", and TrueTime runs only on Google's infrastructure"),
                    "Cassandra": _CASSANDRA, "single leader": _FAR})


def recommend(requirements: Requirements | None = None, /, **settings: Any) -> Recommendation:
    """The recommendation for ``Requirements`` (or its fields as keywords): pure, the same answer for
    the same requirements."""
    req = Requirements(**settings) if requirements is None else replace(requirements, **settings)
    if req.consistency == "eventual":
        return _eventual(req)
    if req.consistency == "fresh-reads" and not req.sql:
        return _fresh(req)
    return _serializable(req)


def settings_without_effect(requirements: Requirements) -> tuple[str, ...]:
    """The yes/no settings (``sql``, ``truetime``, ``conflicts``) whose other value would give the very
    same recommendation: a chooser shows them, so that a setting that changes nothing says so."""
    flips: dict[str, dict[str, Any]] = {
        "sql": {"sql": not requirements.sql}, "truetime": {"truetime": not requirements.truetime},
        "conflicts": {"conflicts": "merge" if requirements.conflicts == "newest-wins" else "newest-wins"}}
    answer = recommend(requirements)
    return tuple(name for name, flip in flips.items() if recommend(replace(requirements, **flip)) == answer)


#: The lecture's examples as requirements (the tests check what each gets).
EXAMPLES = {
    "global ledger on Google Cloud": Requirements("strict", ("virginia", "ireland", "tokyo"), 400.0, "region",
                                                  sql=True, truetime=True),
    "orders and stock, SQL, three continents": Requirements("serializable", ("virginia", "ireland", "singapore"),
                                                            400.0, "region", sql=True),
    "a shop in one country": Requirements("serializable", ("ireland",), 50.0, "zone", sql=True),
    "user profiles read worldwide": Requirements("fresh-reads", ("virginia", "ireland", "tokyo"), 300.0),
    "likes and view counts": Requirements("eventual", ("virginia", "ireland", "tokyo"), 20.0, conflicts="merge"),
    "shopping carts": Requirements("eventual", ("virginia", "oregon", "ireland"), 20.0, "region", conflicts="merge"),
}
