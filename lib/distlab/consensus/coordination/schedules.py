"""Random pause and crash schedules for the lock and the election, for property tests and the bench.

A *plan* is plain data -- a list of ``(kind, who, arg)`` steps (:class:`Step`) -- so Hypothesis can
draw and shrink it and a ``random.Random`` can generate thousands for the benchmark:

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from distlab.consensus import checks

from . import invariants
from .election import LeaderElection
from .fencing import UnfencedStorage, Write, storage, verdicts as storage_verdicts
from .lock import Lock
from .session import Session
from .sim_store import SimulatedStore
from .store import CoordinationStore, StoreUnavailable, WatchEvent

RECIPES = ("lock", "election")
KINDS = ("tick", "work", "gc", "crash", "release", "server_crash", "server_restart")
SERVER_KINDS = ("server_crash", "server_restart")


class Step(NamedTuple):
    """One step of a plan: its ``kind`` (one of :data:`KINDS`), ``who`` (the client or server
    index; None for a tick) and ``arg`` (seconds for a tick or a GC pause, else None)."""

    kind: str
    who: int | None
    arg: float | None


class Grant(NamedTuple):
    """A client newly came to own the lock / lead the election: when, who, with which token."""

    time: float
    client: str
    token: int       # the fencing token (lock) or epoch (election)


class PlanResult(NamedTuple):
    """What :func:`run_plan` saw: the ownerships granted, the storage's writes and final value,
    every invariant's verdict, and how many store calls timed out."""

    recipe: str
    fencing: bool
    grants: list[Grant]           # each time a client newly came to own it
    writes: list[Write]           # in storage order
    final_value: str | None
    verdicts: dict[str, str | None]  # invariant name -> None or the violation
    unavailable: int              # store calls that timed out (no reachable leader)


class _Owner:
    """The lock and the election seen the same way: own, renew, believe, let go."""

    session: Session     # the client's current session (a new one after it lost its lease)
    key: str             # the ownership key: the lock's or the leader's

    def __init__(self, store: CoordinationStore, name: str, ttl: int):
        self.store, self.name, self.ttl = store, name, ttl
        self.dead, self.frozen_until = False, 0.0
        self.pending: int | None = None  # the token of a write held back by a GC pause
        self._fresh()

    def _fresh(self) -> None:
        """A new session and recipe object, as a real client would open after losing its lease."""
        raise NotImplementedError

    def token(self) -> int | None:
        raise NotImplementedError

    def _own(self) -> int | None:
        raise NotImplementedError

    def _forget(self) -> None:
        raise NotImplementedError

    def believes(self) -> bool:
        raise NotImplementedError

    def let_go(self) -> None:
        raise NotImplementedError

    def try_own(self) -> int | None:
        if self.session.lost:
            self._fresh()
        return self._own()

    def renew(self) -> bool:
        ok = self.session.keepalive()
        if not ok:  # the lease is gone, and with it the lock key / leader key
            self._forget()
        return ok


class _LockOwner(_Owner):
    def _fresh(self) -> None:
        self.session = Session(self.store, self.ttl)
        self.lock = Lock(self.store, "resource", self.name, self.session)
        self.key = self.lock.key

    def token(self) -> int | None:
        return self.lock.token

    def _own(self) -> int | None:
        return self.lock.try_acquire()

    def _forget(self) -> None:
        self.lock.token = None

    def believes(self) -> bool:
        return self.lock.holds()

    def let_go(self) -> None:
        self.lock.release()


class _ElectionOwner(_Owner):
    def _fresh(self) -> None:
        self.session = Session(self.store, self.ttl)
        self.election = LeaderElection(self.store, "resource", self.name, self.session)
        self.key = self.election.key

    def token(self) -> int | None:
        return self.election.epoch

    def _own(self) -> int | None:
        return self.election.epoch if self.election.campaign() else None

    def _forget(self) -> None:
        self.election.epoch = None

    def believes(self) -> bool:
        return self.election.is_leader()

    def let_go(self) -> None:
        self.election.resign()


def _index(step: Step) -> int:
    if step.who is None:
        raise ValueError(f"a {step.kind!r} step needs a client or server index, got {step!r}")
    return step.who


def _seconds(step: Step) -> float:
    if step.arg is None:
        raise ValueError(f"a {step.kind!r} step needs a number of seconds, got {step!r}")
    return step.arg


@dataclass(slots=True)
class _Play:
    """One plan being played: the store, its clients, their storage, and what happened so far."""

    store: CoordinationStore
    disk: UnfencedStorage
    owners: list[_Owner]
    grants: list[Grant] = field(default_factory=list)
    down: list[int] = field(default_factory=list)  # servers the plan crashed
    unavailable: int = 0

    def play(self, step: Step) -> None:
        """Land the writes whose GC pause is over, then take ``step``."""
        now = self.store.now()
        for i, o in enumerate(self.owners):
            if o.pending is not None and not o.dead and now >= o.frozen_until:
                token, o.pending = o.pending, None
                self.write(i, token)
        try:
            if step.kind == "tick":
                self.store.sleep(_seconds(step))
            elif step.kind in SERVER_KINDS:
                self.server_step(step)
            else:
                self.client_step(step, now)
        except StoreUnavailable:
            self.unavailable += 1

    def write(self, i: int, token: int) -> None:
        self.disk.write(f"c{i}", token, f"c{i}@{token}", self.store.now())

    def server_step(self, step: Step) -> None:
        """Crash a Raft server (at most one down at a time) or restart it; nothing on etcd."""
        if not isinstance(self.store, SimulatedStore):
            return
        cluster = self.store.cluster
        pid = cluster.pids[_index(step) % cluster.n]
        if step.kind == "server_crash" and not self.down and cluster.node(pid).up:
            cluster.crash(pid)
            self.down.append(pid)
        elif step.kind == "server_restart" and pid in self.down:
            cluster.restart(pid)
            self.down.remove(pid)

    def client_step(self, step: Step, now: float) -> None:
        """A client that is alive and not frozen crashes, releases, tries to own, or -- owning --
        renews and (if it still believes it owns) writes or freezes before writing."""
        i = _index(step) % len(self.owners)
        o = self.owners[i]
        if o.dead or now < o.frozen_until:
            return
        if step.kind == "crash":
            o.dead = True
        elif step.kind == "release":
            if o.token() is not None:
                o.let_go()
        elif o.token() is None:
            token = o.try_own()
            if token is not None:
                self.grants.append(Grant(self.store.now(), f"c{i}", token))
        elif o.renew() and o.believes():
            token = o.token()
            if token is None:  # believes() implies a token
                return
            if step.kind == "gc":  # checked "I own it" ... and freezes before writing
                o.pending, o.frozen_until = token, self.store.now() + _seconds(step)
            else:
                self.write(i, token)

    def restart_servers(self) -> None:
        """Bring back the servers the plan left crashed."""
        if isinstance(self.store, SimulatedStore):
            for pid in self.down:
                self.store.cluster.restart(pid)


def plan_verdicts(writes: list[Write], final_value: str | None, grants: list[Grant],
                  history: list[WatchEvent]) -> dict[str, str | None]:
    """Every invariant of :mod:`~distlab.consensus.coordination.invariants` (see its ``NAMES``)
    over one played plan: name -> None when it holds, else the counterexample."""
    return {**storage_verdicts(writes, final_value),
            "one_leader_per_epoch": invariants.one_leader_per_epoch(grants),
            "epochs_increase": invariants.epochs_increase(grants),
            "one_owner_at_a_time": invariants.one_owner_at_a_time(grants, history)}


def run_plan(store: CoordinationStore, plan: Iterable[tuple[str, int | None, float | None]], *,
             recipe: str = "lock", fencing: bool = True, clients: int = 3, ttl: int = 1) -> PlanResult:
    """Play ``plan`` on ``store``: ``clients`` clients of ``recipe`` ("lock" or "election") on
    leases of ``ttl`` seconds, writing to fenced or unfenced storage with their token / epoch.
    Returns the grants, the writes and the verdict of every invariant; a store call that times out
    is counted in ``unavailable`` and the plan goes on."""
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}, got {recipe!r}")
    checks.whole("clients", clients, 1, 8)
    checks.flag("fencing", fencing)
    owner = _LockOwner if recipe == "lock" else _ElectionOwner
    run = _Play(store, storage(fencing), [owner(store, f"c{i}", ttl) for i in range(clients)])
    for kind, who, arg in plan:
        if kind not in KINDS:
            raise ValueError(f"plan step kind must be one of {KINDS}, got {kind!r}")
        run.play(Step(kind, who, arg))
    run.restart_servers()
    history = store.events(run.owners[0].key, start_revision=1)
    return PlanResult(recipe, fencing, run.grants, list(run.disk.writes), run.disk.value,
                      plan_verdicts(run.disk.writes, run.disk.value, run.grants, history),
                      run.unavailable)


def random_plan(rng: random.Random, *, steps: int = 40, clients: int = 3, servers: int = 3,
                max_pause: float = 4.0) -> list[Step]:
    """A random plan: mostly work and ticks, some GC pauses (up to ``max_pause`` s), client
    crashes, releases and server crash/restarts."""
    if not isinstance(rng, random.Random):
        raise ValueError(f"rng must be a random.Random, got {rng!r}")
    for name, value, low, high in ("steps", steps, 0, 10**5), ("clients", clients, 1, 8), ("servers", servers, 1, 15):
        checks.whole(name, value, low, high)
    checks.number("max_pause", max_pause, 0.1, 600.0, "seconds")
    plan = []
    for _ in range(steps):
        kind = rng.choices(KINDS, weights=(3, 6, 3, 0.3, 1, 0.5, 0.5))[0]
        if kind == "tick":
            plan.append(Step(kind, None, round(rng.uniform(0.05, 1.5), 3)))
        elif kind == "gc":
            plan.append(Step(kind, rng.randrange(clients), round(rng.uniform(0.1, max_pause), 3)))
        elif kind.startswith("server"):
            plan.append(Step(kind, rng.randrange(servers), None))
        else:
            plan.append(Step(kind, rng.randrange(clients), None))
    return plan
