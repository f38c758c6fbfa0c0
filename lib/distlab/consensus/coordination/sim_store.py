"""The simulated coordination store: a Raft cluster of
:class:`~distlab.consensus.coordination.server.CoordinationServer` s behind the synchronous
:class:`~distlab.consensus.coordination.store.CoordinationStore` interface.

A call sends one request from a client process (the ``gateway``) and *runs the simulation* until
the answer arrives -- so simulated time passes while the request travels, is replicated and applied,
exactly as wall-clock time passes during a call to etcd. ``sleep(s)`` runs the cluster for ``s``
simulated seconds (heartbeats, lease expiries...). Everything is deterministic for a seed.

The cluster stays reachable as ``store.cluster`` (the Raft scenario API): ``crash``, ``restart``,
``partition``, ``set_unreliable`` ... act on the store's servers while recipes use it.

>>> store = SimulatedStore(seed=1)
>>> lease = store.grant(2)
>>> store.put("a", "x", lease=lease) == store.revision()
True
>>> store.sleep(3.0); store.get("a") is None    # nobody kept the lease alive
True
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import partial
from typing import Any

from distlab.consensus import checks
from distlab.consensus.raft import Cluster, RaftConfig
from distlab.sim import Process, ms

from .server import CoordinationServer, CoordReply, CoordRequest
from .state_machine import CoordinationStateMachine, Failure
from .store import (
    Compare,
    CoordinationStore,
    KeyValue,
    LeaseExpired,
    Op,
    Put,
    StoreUnavailable,
    TxnResult,
    WatchEvent,
    check_branch,
    check_key,
    check_op,
    check_ttl,
)

GATEWAY = "gateway"


class Gateway(Process):
    """The client side of the store: one request at a time, resent to the next server after
    ``retry`` seconds without an answer, redirected by a refusal's ``leader_hint``. Requests carry
    ``(client, seq)`` so a resent request is applied at most once."""

    def __init__(self, pid: Hashable, servers: Sequence[Hashable], retry: float = ms(100)):
        super().__init__(pid)
        self.servers, self.retry = list(servers), retry
        self.seq, self.target = 0, 0
        self.request: CoordRequest | None = None
        self.done: bool = True
        self.result: Any = None
        self.sent = 0

    def submit(self, op: str, args: tuple[Any, ...]) -> None:
        """Send a new request (the next ``seq``) to the server we last believed leads; ``done``
        turns True when its answer arrives, with the answer in ``result``."""
        self.seq += 1
        self.request = CoordRequest(self.pid, self.seq, op, args)
        self.done, self.result = False, None
        self._send()

    def abandon(self) -> None:
        """Stop resending the current request (its caller gave up waiting)."""
        self.done, self.request = True, None
        self.cancel_timer("retry")

    def _send(self) -> None:
        self.sent += 1
        self.send(self.servers[self.target % len(self.servers)], self.request)
        self.set_timer("retry", self.retry)

    def on_timer(self, name: str, data: Any) -> None:
        """``retry``: no answer in time, so resend to the next server; ``resend``: resend after
        a refusal, to the server it named as leader."""
        if self.done or self.request is None:
            return
        if name == "retry":
            self.target += 1
        self._send()

    def on_message(self, src: Hashable, msg: Any) -> None:
        """Take the answer to the current request; on a refusal, aim at the hinted leader (or the
        next server) and resend shortly."""
        if type(msg) is not CoordReply or self.done or msg.seq != self.seq:
            return  # a late duplicate of an answer already taken
        if not msg.ok:
            if msg.leader_hint in self.servers:
                self.target = self.servers.index(msg.leader_hint)
            else:
                self.target += 1
            self.set_timer("resend", self.retry / 4)
            self.cancel_timer("retry")
            return
        self.cancel_timer("retry")
        self.done, self.result = True, msg.result


class SimulatedStore(CoordinationStore):
    """``n`` coordination servers (default 3) in one seeded simulation.

    ``timeout``       simulated seconds a call waits for its answer before :class:`StoreUnavailable`.
    ``lease_check``   the leader's expiry scan period (seconds).
    ``check_invariants`` check Raft's five safety properties after every simulated step.
    """

    name = "simulated"

    def __init__(self, n: int = 3, *, seed: int = 0, config: RaftConfig | None = None,
                 timeout: float = 5.0, lease_check: float = ms(50),
                 check_invariants: bool = True):
        checks.number("timeout", timeout, 0, 600.0, "seconds", open_low=True)
        node_class = partial(CoordinationServer, lease_check=lease_check)
        self.cluster: Cluster[CoordinationServer] = Cluster(
            n, seed=seed, config=config, node_class=node_class, check_invariants=check_invariants)
        self.seed, self.timeout = seed, float(timeout)
        self.gateway = Gateway(GATEWAY, self.cluster.pids)
        self.cluster.sim.add(self.gateway)
        self.calls = 0

    # ------------------------------------------------------------------ plumbing
    def call(self, op: str, *args: Any) -> Any:
        """Send one request and run the simulation until it is answered."""
        gw = self.gateway
        gw.submit(op, args)
        self.calls += 1
        if not self.cluster.run_until(lambda c: gw.done, self.timeout, poll=ms(1)):
            gw.abandon()
            raise StoreUnavailable(f"the simulated store did not answer {op} within "
                                   f"{self.timeout:g} simulated seconds (no leader reachable?)")
        result = gw.result
        if type(result) is Failure:
            raise LeaseExpired(f"{op}: lease not found (expired or revoked)")
        return result

    def machine(self, pid: int | None = None) -> CoordinationStateMachine:
        """The state machine of server ``pid`` (default: the leader, else server 0) -- for views."""
        if pid is None:
            pid = self.cluster.leader()
            pid = self.cluster.pids[0] if pid is None else pid
        return self.cluster.node(pid).machine

    # ------------------------------------------------------------------ faults
    def partition(self, groups: Sequence[Sequence[int]], gateway_side: int | None = None) -> None:
        """Split the servers into ``groups``; the clients' gateway joins group ``gateway_side``
        (default: the largest group). ``store.cluster.partition`` alone would cut the gateway off
        from every server, since it is not one of the cluster's servers."""
        sides: list[list[Hashable]] = [list(g) for g in groups]
        if not sides:
            raise ValueError("groups must name at least one group of servers")
        for g in groups:
            for p in g:
                self.cluster.node(p)  # ValueError for an unknown pid
        if gateway_side is None:
            gateway_side = max(range(len(sides)), key=lambda i: len(sides[i]))
        if not isinstance(gateway_side, int) or not 0 <= gateway_side < len(sides):
            raise ValueError(f"gateway_side must be a group index from 0 to {len(sides) - 1}, "
                             f"got {gateway_side!r}")
        sides[gateway_side].append(GATEWAY)
        self.cluster.disconnected = []
        self.cluster.sim.network.partition(sides)

    def heal(self) -> None:
        """End every partition and one-way block (the gateway reaches every server again)."""
        self.cluster.heal()

    # ------------------------------------------------------------------ keys
    def put(self, key: str, value: str, *, lease: int = 0) -> int:
        """Validate, then one ``put`` request, answered once the leader applied it; the new
        revision."""
        check_op(Put(key, value, lease))
        revision: int = self.call("put", key, value, lease)
        return revision

    def get(self, key: str) -> KeyValue | None:
        """A ``range`` request through the Raft log (so the read is linearizable); the entry or None."""
        found: list[KeyValue] = self.call("range", check_key(key), False)
        return found[0] if found else None

    def get_prefix(self, prefix: str) -> list[KeyValue]:
        """A prefix ``range`` request through the Raft log; the entries sorted by key."""
        found: list[KeyValue] = self.call("range", check_key(prefix, "prefix"), True)
        return found

    def delete(self, key: str, *, prefix: bool = False) -> int:
        """A ``delete`` request; the number of keys deleted."""
        deleted: int = self.call("delete", check_key(key), bool(prefix))
        return deleted

    def revision(self) -> int:
        """A ``revision`` request through the Raft log; the store's revision when it applied."""
        revision: int = self.call("revision")
        return revision

    # ------------------------------------------------------------------ leases
    def grant(self, ttl: int) -> int:
        """A ``grant`` request; its deadline is ``ttl`` seconds after the leader stamped the entry."""
        lease: int = self.call("grant", check_ttl(ttl))
        return lease

    def keepalive(self, lease: int) -> int:
        """A ``keepalive`` request: the deadline moves to ``ttl`` seconds after the leader stamped
        it; :class:`LeaseExpired` if the log already expired or revoked the lease."""
        ttl: int = self.call("keepalive", _lease(lease))
        return ttl

    def revoke(self, lease: int) -> bool:
        """A ``revoke`` request: the lease and its keys go in one revision; False if already gone."""
        existed: bool = self.call("revoke", _lease(lease))
        return existed

    # ------------------------------------------------------------------ txn, watch
    def txn(self, compares: Sequence[Compare], then: Sequence[Op] = (),
            otherwise: Sequence[Op] = ()) -> TxnResult:
        """Validate, then one ``txn`` request: the whole transaction is one log entry, so every
        replica applies it atomically at the same revision."""
        compares = tuple(Compare(*c).check() for c in compares)
        then, otherwise = check_branch(then, "then"), check_branch(otherwise, "otherwise")
        done: TxnResult = self.call("txn", compares, then, otherwise)
        return done

    def events(self, key: str, *, prefix: bool = False, start_revision: int = 1) -> list[WatchEvent]:
        """An ``events`` request: the leader's state machine keeps the whole history, so every
        revision from ``start_revision`` on is still there (etcd keeps them until a compaction)."""
        if not isinstance(start_revision, int) or start_revision < 1:
            raise ValueError(f"start_revision must be an integer >= 1, got {start_revision!r}")
        events: list[WatchEvent] = self.call("events", check_key(key), bool(prefix), start_revision)
        return events

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        """The simulation's clock."""
        return self.cluster.now

    def sleep(self, seconds: float) -> None:
        """Run the whole cluster for ``seconds`` simulated seconds (heartbeats, elections, lease
        expiries happen meanwhile)."""
        checks.number("seconds", seconds, 0, 3600.0, "seconds")
        self.cluster.run(seconds)

    def describe(self) -> str:
        """``simulated Raft coordination store (3 servers, seed 0, t=... s)``."""
        return (f"simulated Raft coordination store ({self.cluster.n} servers, seed {self.seed}, "
                f"t={self.now():.3f} s)")


def _lease(lease: Any) -> int:
    if not isinstance(lease, int) or isinstance(lease, bool) or lease < 1:
        raise ValueError(f"lease must be a lease id (an integer >= 1), got {lease!r}")
    return lease
