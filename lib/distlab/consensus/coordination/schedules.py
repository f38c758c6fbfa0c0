"""Random pause and crash schedules for the lock and the election, for property tests and the bench.

A *plan* is plain data -- a list of steps -- so Hypothesis can draw and shrink it and a
``random.Random`` can generate thousands for the benchmark:

``("tick", None, seconds)``      time passes (the store runs: heartbeats, lease expiry)
``("work", i, None)``            client ``i`` acts: not owning -> try to take the lock / win the
                                 election; owning -> renew the lease, and if it still believes it
                                 owns, write to the storage with its token / epoch
``("gc", i, seconds)``           client ``i`` passes its "do I still own it?" check and then freezes
                                 for ``seconds`` before its write lands (a GC pause)
``("crash", i, None)``           client ``i`` dies (it never renews or releases again)
``("release", i, None)``         client ``i`` releases the lock / resigns
``("server_crash", k, None)``    Raft server ``k`` of a simulated store crashes (at most one down)
``("server_restart", k, None)``  ... and comes back

:func:`run_plan` plays a plan on a store and returns what happened (grants and writes) with the
verdicts of every invariant in :mod:`~distlab.consensus.coordination.invariants`.
"""
from __future__ import annotations

import random
from typing import NamedTuple

from . import invariants
from .election import LeaderElection
from .fencing import storage
from .lock import Lock
from .session import Session
from .store import CoordinationStore, StoreUnavailable

RECIPES = ("lock", "election")
KINDS = ("tick", "work", "gc", "crash", "release", "server_crash", "server_restart")


class _Owner:
    """The lock and the election seen the same way: own, renew, believe, let go."""

    def __init__(self, store, recipe: str, name: str, ttl: int):
        self.store, self.recipe, self.name, self.ttl = store, recipe, name, ttl
        self.dead, self.frozen_until, self.pending = False, 0.0, None
        self._fresh()

    def _fresh(self) -> None:
        session = Session(self.store, self.ttl)
        self.r = (Lock(self.store, "resource", self.name, session) if self.recipe == "lock"
                  else LeaderElection(self.store, "resource", self.name, session))

    def token(self):
        return self.r.token if self.recipe == "lock" else self.r.epoch

    def try_own(self):
        if self.r.session.lost:
            self._fresh()  # a new session, as a real client would open after losing its lease
        return self.r.try_acquire() if self.recipe == "lock" else (
            self.r.epoch if self.r.campaign() else None)

    def renew(self) -> bool:
        ok = self.r.session.keepalive()
        if not ok:  # the lease is gone, and with it the lock key / leader key
            if self.recipe == "lock":
                self.r.token = None
            else:
                self.r.epoch = None
        return ok

    def believes(self) -> bool:
        return self.r.holds() if self.recipe == "lock" else self.r.is_leader()

    def let_go(self) -> None:
        self.r.release() if self.recipe == "lock" else self.r.resign()


class PlanResult(NamedTuple):
    recipe: str
    fencing: bool
    grants: list        # (time, client, token/epoch) each time a client newly came to own it
    writes: list        # fencing.Write, in storage order
    final_value: object
    verdicts: dict      # invariant name -> None or the violation
    unavailable: int    # store calls that timed out (no reachable leader)


def run_plan(store: CoordinationStore, plan, *, recipe: str = "lock", fencing: bool = True,
             clients: int = 3, ttl: int = 1) -> PlanResult:
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}, got {recipe!r}")
    if not isinstance(clients, int) or not 1 <= clients <= 8:
        raise ValueError(f"clients must be an integer from 1 to 8, got {clients!r}")
    disk = storage(fencing)
    owners = [_Owner(store, recipe, f"c{i}", ttl) for i in range(clients)]
    grants: list = []
    down: list = []
    unavailable = 0

    def write(i: int, token: int) -> None:
        disk.write(f"c{i}", token, f"c{i}@{token}", store.now())

    for kind, who, arg in plan:
        if kind not in KINDS:
            raise ValueError(f"plan step kind must be one of {KINDS}, got {kind!r}")
        now = store.now()
        for i, o in enumerate(owners):       # frozen clients whose pause is over write now
            if o.pending is not None and not o.dead and now >= o.frozen_until:
                token, o.pending = o.pending, None
                write(i, token)
        try:
            if kind == "tick":
                store.sleep(arg)
            elif kind in ("server_crash", "server_restart"):
                cluster = getattr(store, "cluster", None)
                if cluster is None:
                    continue
                pid = cluster.pids[who % cluster.n]
                if kind == "server_crash" and not down and cluster.node(pid).up:
                    cluster.crash(pid)
                    down.append(pid)
                elif kind == "server_restart" and pid in down:
                    cluster.restart(pid)
                    down.remove(pid)
            else:
                o = owners[who % clients]
                i = who % clients
                if o.dead or now < o.frozen_until:
                    continue
                if kind == "crash":
                    o.dead = True
                elif kind == "release":
                    if o.token() is not None:
                        o.let_go()
                elif o.token() is None:
                    token = o.try_own()
                    if token is not None:
                        grants.append((store.now(), f"c{i}", token))
                elif o.renew() and o.believes():
                    if kind == "gc":           # checked "I own it" ... and freezes before writing
                        o.pending, o.frozen_until = o.token(), store.now() + arg
                    else:
                        write(i, o.token())
        except StoreUnavailable:
            unavailable += 1
    for pid in down:
        store.cluster.restart(pid)
    history = store.events(owners[0].r.key, start_revision=1)
    verdicts = {"no_stale_write_accepted": invariants.no_stale_write_accepted(disk.writes),
                "last_write_from_latest_holder":
                    invariants.last_write_from_latest_holder(disk.writes, disk.value),
                "one_leader_per_epoch": invariants.one_leader_per_epoch(grants),
                "epochs_increase": invariants.epochs_increase(grants),
                "one_owner_at_a_time": invariants.one_owner_at_a_time(grants, history)}
    return PlanResult(recipe, fencing, grants, list(disk.writes), disk.value, verdicts,
                      unavailable)


def random_plan(rng: random.Random, *, steps: int = 40, clients: int = 3, servers: int = 3,
                max_pause: float = 4.0) -> list:
    """A random plan: mostly work and ticks, some GC pauses (up to ``max_pause`` s), client
    crashes, releases and server crash/restarts."""
    if not isinstance(rng, random.Random):
        raise ValueError(f"rng must be a random.Random, got {rng!r}")
    plan = []
    for _ in range(steps):
        kind = rng.choices(KINDS, weights=(3, 6, 3, 0.3, 1, 0.5, 0.5))[0]
        if kind == "tick":
            plan.append((kind, None, round(rng.uniform(0.05, 1.5), 3)))
        elif kind == "gc":
            plan.append((kind, rng.randrange(clients), round(rng.uniform(0.1, max_pause), 3)))
        elif kind.startswith("server"):
            plan.append((kind, rng.randrange(servers), None))
        else:
            plan.append((kind, rng.randrange(clients), None))
    return plan
