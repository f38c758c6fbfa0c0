"""The simulated store on its own: determinism, lease expiry through the Raft log across leader
crashes, redirects, unavailability, and the state machine's rules."""
import pytest

from distlab.consensus.coordination import Compare, LeaseExpired, Put, SimulatedStore, StoreUnavailable, paused_holder
from distlab.consensus.coordination.server import CoordReply, CoordRequest
from distlab.consensus.coordination.state_machine import CoordinationStateMachine, Failure
from distlab.sim import Process

from .replicas import replicas_agree


def test_same_seed_same_story():
    runs = []
    for _ in range(2):
        store = SimulatedStore(seed=11)
        result = paused_holder(store, fencing=False, ttl=2)
        runs.append((result.writes, result.tokens, store.now(), store.cluster.rpc_count()))
    assert runs[0] == runs[1]
    other = SimulatedStore(seed=12)
    paused_holder(other, fencing=False, ttl=2)
    assert other.cluster.rpc_count() != runs[0][3]   # the seed matters


def test_expiry_is_proposed_by_the_next_leader_after_a_leader_crash():
    store = SimulatedStore(seed=2)
    lease = store.grant(2)
    store.put("owned", "x", lease=lease)
    granted = store.now()
    old = store.cluster.leader()
    store.cluster.crash(old)
    store.sleep(4.0)
    new = store.cluster.leader()
    assert new is not None and new != old
    assert store.get("owned") is None
    (expired_lease, stamp), = store.machine().expired
    assert expired_lease == lease and stamp >= granted + 2
    store.cluster.restart(old)
    assert replicas_agree(store)
    assert store.cluster.node(old).machine.expired == store.machine().expired


def test_a_kept_alive_lease_survives_leader_crashes():
    store = SimulatedStore(seed=5)
    lease = store.grant(1)
    store.put("owned", "x", lease=lease)
    for _round in range(3):
        store.cluster.crash(store.cluster.leader())
        for _ in range(6):
            store.keepalive(lease)            # retried until a new leader answers
            store.sleep(0.3)
        assert store.get("owned") is not None
        store.cluster.restart(next(p for p in store.cluster.pids if not store.cluster.node(p).up))
    assert store.machine().expired == []
    assert replicas_agree(store)


def test_no_majority_means_unavailable_not_wrong():
    store = SimulatedStore(seed=1, timeout=2.0)
    store.put("k", "1")
    leader = store.cluster.leader()
    others = [p for p in store.cluster.pids if p != leader]
    for p in others:
        store.cluster.crash(p)
    with pytest.raises(StoreUnavailable, match="within 2 simulated seconds"):
        store.put("k", "2")
    for p in others:
        store.cluster.restart(p)
    assert store.get("k").value in ("1", "2")        # the timed-out put may or may not have landed
    assert store.put("k", "3") > 0 and store.get("k").value == "3"


class Probe(Process):
    def __init__(self):
        super().__init__("probe")
        self.replies = []

    def on_message(self, src, msg):
        self.replies.append((src, msg))


def test_a_follower_redirects_instead_of_dropping():
    store = SimulatedStore(seed=4)
    store.put("k", "v")
    leader = store.cluster.leader()
    follower = next(p for p in store.cluster.pids if p != leader)
    probe = store.cluster.sim.add(Probe())
    store.sleep(0.01)
    probe.send(follower, CoordRequest("probe", 1, "put", ("k", "w", 0)))
    probe.send(leader, CoordRequest("probe", 2, "bogus", ()))
    store.sleep(0.1)
    by_seq = {m.seq: (src, m) for src, m in probe.replies}
    assert by_seq[1][1] == CoordReply("probe", 1, False, None, leader)
    assert not by_seq[2][1].ok and "op must be one of" in by_seq[2][1].result
    assert store.get("k").value == "v"


def test_state_machine_rules():
    m = CoordinationStateMachine()
    lease = m.apply(("req", "c", 1, "grant", (2,), 10.0))
    assert m.leases[lease].deadline == 12.0
    assert m.apply(("req", "c", 1, "grant", (2,), 10.0)) == lease      # a retry: not re-run
    assert len(m.leases) == 1
    m.apply(("req", "c", 2, "put", ("k", "v", lease), 10.0))
    m.apply(("req", "c", 3, "keepalive", (lease,), 11.5))
    m.apply(("expire", lease, 12.0))                                    # raced by the keepalive
    assert "k" in m.kvs and m.leases[lease].deadline == 13.5
    m.apply(("promote", 20.0))                                          # a new leader's grace
    assert m.leases[lease].deadline == 22.0
    m.apply(("expire", lease, 22.0))
    assert "k" not in m.kvs and m.expired == [(lease, 22.0)]
    assert m.apply(("req", "c", 4, "put", ("k", "v", lease), 23.0)) == Failure("lease_not_found")
    assert m.apply(("req", "c", 5, "txn", ((Compare("k", "create_revision", 0),),
                                            (Put("k", "v", lease),), ()), 23.0)) \
        == Failure("lease_not_found")
    assert "k" not in m.kvs
    with pytest.raises(ValueError, match="unknown coordination command"):
        m.apply(("nonsense",))


def test_dead_lease_raises_lease_expired():
    store = SimulatedStore(seed=9)
    lease = store.grant(1)
    assert store.revoke(lease) and not store.revoke(lease)
    with pytest.raises(LeaseExpired, match="lease not found"):
        store.keepalive(lease)


@pytest.mark.parametrize("call, match", [
    (lambda s: s.grant(0), "ttl"), (lambda s: s.grant(1.5), "ttl"), (lambda s: s.grant(True), "ttl"),
    (lambda s: s.put("", "v"), "key"), (lambda s: s.put("k", 3), "value"),
    (lambda s: s.put("k", "v", lease=-1), "lease"), (lambda s: s.keepalive(0), "lease"),
    (lambda s: s.txn([Compare("k", "colour", 1)]), "compare target"),
    (lambda s: s.txn([Compare("k", "version", 1, "~")]), "compare op"),
    (lambda s: s.txn([Compare("k", "version", "1")]), "compare version"),
    (lambda s: s.txn([], ["put k"]), "a transaction op"),
    (lambda s: s.events("k", start_revision=0), "start_revision"),
    (lambda s: s.sleep(-1), "seconds"),
])
def test_bad_input_names_the_parameter(call, match):
    store = SimulatedStore(seed=0)
    with pytest.raises(ValueError, match=match):
        call(store)


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "n \\(cluster size\\)"), ({"timeout": 0}, "timeout"), ({"lease_check": 0}, "lease_check"),
])
def test_bad_store_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SimulatedStore(**kwargs)


def test_a_minority_partition_cannot_commit_and_the_majority_carries_on():
    store = SimulatedStore(seed=3, timeout=2.0)
    lease = store.grant(2)
    store.put("k", "before", lease=lease)
    old = store.cluster.leader()
    rest = [p for p in store.cluster.pids if p != old]
    store.partition([[old], rest], gateway_side=0)        # the client is stuck with the old leader
    with pytest.raises(StoreUnavailable):
        store.put("k", "minority")
    store.partition([[old], rest])                        # default: the client joins the majority
    assert store.keepalive(lease) == 2                    # served by the new leader
    assert store.cluster.leader() in rest
    store.put("k", "majority", lease=lease)
    store.heal()
    assert replicas_agree(store)
    assert store.cluster.node(old).machine.kvs["k"].value == "majority"
    with pytest.raises(ValueError, match="gateway_side"):
        store.partition([[0], [1, 2]], gateway_side=2)
    with pytest.raises(ValueError, match="pid"):
        store.partition([[0], [7]])
