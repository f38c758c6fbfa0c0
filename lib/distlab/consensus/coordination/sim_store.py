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

from collections.abc import Sequence
from functools import partial
from typing import Any

from distlab.consensus.raft import Cluster, RaftConfig
from distlab.sim import Process, ms

from .server import CoordinationServer, CoordReply, CoordRequest
from .state_machine import Failure
from .store import (
    Compare,
    CoordinationStore,
    KeyValue,
    LeaseExpired,
    Put,
    StoreUnavailable,
    TxnResult,
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

    def __init__(self, pid, servers: Sequence, retry: float = ms(100)):
        super().__init__(pid)
        self.servers, self.retry = list(servers), retry
        self.seq, self.target = 0, 0
        self.request: CoordRequest | None = None
        self.done, self.result = True, None
        self.sent = 0

    def submit(self, op: str, args: tuple) -> None:
        self.seq += 1
        self.request = CoordRequest(self.pid, self.seq, op, args)
        self.done, self.result = False, None
        self._send()

    def abandon(self) -> None:
        self.done, self.request = True, None
        self.cancel_timer("retry")

    def _send(self) -> None:
        self.sent += 1
        self.send(self.servers[self.target % len(self.servers)], self.request)
        self.set_timer("retry", self.retry)

    def on_timer(self, name: str, data: Any) -> None:
        if self.done or self.request is None:
            return
        if name == "retry":
            self.target += 1
        self._send()

    def on_message(self, src, msg) -> None:
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
        if not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
            raise ValueError(f"timeout must be between 0 and 600 seconds, got {timeout!r}")
        node_class = partial(CoordinationServer, lease_check=lease_check)
        self.cluster = Cluster(n, seed=seed, config=config, node_class=node_class,
                               check_invariants=check_invariants)
        self.seed, self.timeout = seed, float(timeout)
        self.gateway = Gateway(GATEWAY, self.cluster.pids)
        self.cluster.sim.add(self.gateway)
        self.calls = 0

    # ------------------------------------------------------------------ plumbing
    def call(self, op: str, *args) -> Any:
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

    def machine(self, pid=None):
        """The state machine of server ``pid`` (default: the leader, else server 0) -- for views."""
        if pid is None:
            pid = self.cluster.leader()
            pid = self.cluster.pids[0] if pid is None else pid
        return self.cluster.node(pid).machine

    # ------------------------------------------------------------------ faults
    def partition(self, groups: Sequence[Sequence], gateway_side: int | None = None) -> None:
        """Split the servers into ``groups``; the clients' gateway joins group ``gateway_side``
        (default: the largest group). ``store.cluster.partition`` alone would cut the gateway off
        from every server, since it is not one of the cluster's servers."""
        groups = [list(g) for g in groups]
        if not groups:
            raise ValueError("groups must name at least one group of servers")
        for g in groups:
            for p in g:
                self.cluster.node(p)  # ValueError for an unknown pid
        if gateway_side is None:
            gateway_side = max(range(len(groups)), key=lambda i: len(groups[i]))
        if not isinstance(gateway_side, int) or not 0 <= gateway_side < len(groups):
            raise ValueError(f"gateway_side must be a group index from 0 to {len(groups) - 1}, "
                             f"got {gateway_side!r}")
        groups[gateway_side].append(GATEWAY)
        self.cluster.disconnected = []
        self.cluster.sim.network.partition(groups)

    def heal(self) -> None:
        self.cluster.heal()

    # ------------------------------------------------------------------ keys
    def put(self, key: str, value: str, *, lease: int = 0) -> int:
        check_op(Put(key, value, lease))
        return self.call("put", key, value, lease)

    def get(self, key: str) -> KeyValue | None:
        found = self.call("range", check_key(key), False)
        return found[0] if found else None

    def get_prefix(self, prefix: str) -> list:
        return self.call("range", check_key(prefix, "prefix"), True)

    def delete(self, key: str, *, prefix: bool = False) -> int:
        return self.call("delete", check_key(key), bool(prefix))

    def revision(self) -> int:
        return self.call("revision")

    # ------------------------------------------------------------------ leases
    def grant(self, ttl: int) -> int:
        return self.call("grant", check_ttl(ttl))

    def keepalive(self, lease: int) -> int:
        return self.call("keepalive", _lease(lease))

    def revoke(self, lease: int) -> bool:
        return self.call("revoke", _lease(lease))

    # ------------------------------------------------------------------ txn, watch
    def txn(self, compares: Sequence[Compare], then: Sequence = (),
            otherwise: Sequence = ()) -> TxnResult:
        compares = tuple(Compare(*c).check() for c in compares)
        then, otherwise = check_branch(then, "then"), check_branch(otherwise, "otherwise")
        return self.call("txn", compares, then, otherwise)

    def events(self, key: str, *, prefix: bool = False, start_revision: int = 1) -> list:
        if not isinstance(start_revision, int) or start_revision < 1:
            raise ValueError(f"start_revision must be an integer >= 1, got {start_revision!r}")
        return self.call("events", check_key(key), bool(prefix), start_revision)

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        return self.cluster.now

    def sleep(self, seconds: float) -> None:
        if not isinstance(seconds, (int, float)) or not 0 <= seconds <= 3600:
            raise ValueError(f"seconds must be between 0 and 3600, got {seconds!r}")
        self.cluster.run(seconds)

    def describe(self) -> str:
        return (f"simulated Raft coordination store ({self.cluster.n} servers, seed {self.seed}, "
                f"t={self.now():.3f} s)")


def _lease(lease: Any) -> int:
    if not isinstance(lease, int) or isinstance(lease, bool) or lease < 1:
        raise ValueError(f"lease must be a lease id (an integer >= 1), got {lease!r}")
    return lease
