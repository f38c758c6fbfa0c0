"""Recipe scenarios written once over the CoordinationStore interface; test_recipes.py runs each on
the simulated Raft store and on a real etcd. Waits poll the store's own clock, so the same code
works on simulated and on wall-clock time (etcd's leases may outlive their TTL by ~1.5 s: its
lessor scans for expired leases periodically)."""
from __future__ import annotations

from distlab.consensus.coordination import (
    Compare,
    Delete,
    Get,
    LeaderElection,
    LeaseExpired,
    Lock,
    Put,
    ServiceRegistry,
    Session,
    paused_holder,
)

TTL = 1
PATIENCE = 10.0  # seconds any takeover may take on either store


def wait_until(store, predicate, timeout=PATIENCE, poll=0.1):
    end = store.now() + timeout
    while not predicate():
        if store.now() >= end:
            raise AssertionError(f"condition not reached within {timeout} s")
        store.sleep(poll)


def election_takeover_after_expiry(store):
    a = LeaderElection(store, "db", "alice", Session(store, TTL))
    b = LeaderElection(store, "db", "bob", Session(store, TTL))
    start = store.revision() + 1         # changes from now on
    assert a.campaign() and a.is_leader()
    assert not b.campaign() and not b.is_leader()
    assert a.leader() == (("alice", a.epoch, a.session.lease))
    first = a.epoch
    # alice's process dies: no more keepalives. bob keeps campaigning (and renewing his lease).
    assert b.campaign_until(PATIENCE, poll=0.2)
    assert b.epoch > first
    assert b.leader().name == "bob" and b.leader().epoch == b.epoch
    assert not a.keepalive() and not a.is_leader()      # alice finds out when she comes back
    history = [(who.name if who else None) for _, who in b.changes(start)]
    assert history == ["alice", None, "bob"]


def election_resign_hands_over(store):
    a = LeaderElection(store, "svc", "alice", Session(store, 5))
    b = LeaderElection(store, "svc", "bob", Session(store, 5))
    assert a.campaign() and not b.campaign()
    assert a.campaign()                                  # campaigning again while leading: still us
    assert a.resign() and a.leader() is None
    assert b.campaign() and b.epoch > 0
    assert not a.resign()                                # not ours any more


def election_revoked_lease_frees_at_once(store):
    a = LeaderElection(store, "x", "alice", Session(store, 30))
    b = LeaderElection(store, "x", "bob", Session(store, 30))
    assert a.campaign()
    assert a.session.close()                             # kill the holder's lease
    assert b.campaign() and b.leader().name == "bob"


def lock_tokens_grow(store):
    a = Lock(store, "res", "alice", Session(store, 5))
    b = Lock(store, "res", "bob", Session(store, 5))
    t1 = a.try_acquire()
    assert t1 is not None and a.holds()
    assert b.try_acquire() is None and b.holder() == ("alice", t1)
    assert a.release() and b.holder() is None
    t2 = b.acquire(timeout=2)
    assert t2 > t1 and b.holder() == ("bob", t2)
    assert not a.release()                               # alice no longer holds a token


def lock_takeover_after_expiry(store):
    a = Lock(store, "res", "alice", Session(store, TTL))
    b = Lock(store, "res", "bob", Session(store, TTL))
    t1 = a.acquire(timeout=2)
    t2 = b.acquire(timeout=PATIENCE, poll=0.2)          # alice stopped renewing
    assert t2 > t1 and b.holder() == ("bob", t2)
    assert not a.session.keepalive() and not a.holds()


def registry_ttl_and_watch(store):
    reg = ServiceRegistry(store)
    one, two = Session(store, TTL), Session(store, 30)
    reg.register("api", "i1", "10.0.0.1:80", one)
    watcher = reg.watcher("api")
    assert watcher.view == {"i1": "10.0.0.1:80"}
    reg.register("api", "i2", "10.0.0.2:80", two)
    assert [(c.kind, c.instance) for c in watcher.poll()] == [("up", "i2")]
    # i1 crashes (stops renewing): it drops out by itself
    wait_until(store, lambda: reg.instances("api") == {"i2": "10.0.0.2:80"})
    assert [(c.kind, c.instance) for c in watcher.poll()] == [("down", "i1")]
    assert reg.deregister("api", "i2") and not reg.deregister("api", "i2")
    assert [(c.kind, c.instance) for c in watcher.poll()] == [("down", "i2")]
    assert watcher.view == {} and reg.instances("api") == {}


def txn_and_revisions(store):
    r1 = store.put("k", "v1")
    kv = store.get("k")
    assert (kv.value, kv.create_revision, kv.mod_revision, kv.version) == ("v1", r1, r1, 1)
    r2 = store.put("k", "v2")
    assert r2 == r1 + 1 and store.get("k").create_revision == r1 and store.get("k").version == 2
    ok = store.txn([Compare("k", "mod_revision", r2)], [Put("k", "v3")], [Get("k")])
    assert ok.succeeded and ok.results == (r2 + 1,) and ok.revision == r2 + 1
    stale = store.txn([Compare("k", "mod_revision", r2)], [Put("k", "no")], [Get("k")])
    assert not stale.succeeded and stale.results[0][0].value == "v3"
    assert store.txn([Compare("k", "value", "v3")], [Delete("k")]).results == (1,)
    assert not store.txn([Compare("k", "value", "")], [Put("k", "x")]).succeeded  # missing != ""
    assert store.txn([Compare("k", "version", 0)], [Put("k/a", "1"), Put("k/b", "2")]).succeeded
    both = store.get_prefix("k/")
    assert [kv.key for kv in both] == ["k/a", "k/b"] and both[0].mod_revision == both[1].mod_revision
    assert store.delete("k/", prefix=True) == 2
    kinds = [(e.type, e.kv.key) for e in store.events("k", prefix=True, start_revision=r1)]
    assert kinds == [("PUT", "k"), ("PUT", "k"), ("PUT", "k"), ("DELETE", "k"), ("PUT", "k/a"),
                     ("PUT", "k/b"), ("DELETE", "k/a"), ("DELETE", "k/b")]


def leases_expire_and_refuse(store):
    lease = store.grant(TTL)
    store.put("held", "x", lease=lease)
    assert store.keepalive(lease) >= TTL   # etcd renews to at least its minimum TTL (2 s)
    wait_until(store, lambda: store.get("held") is None)
    for call in (lambda: store.keepalive(lease), lambda: store.put("y", "1", lease=lease)):
        try:
            call()
        except LeaseExpired:
            pass
        else:
            raise AssertionError("a dead lease was accepted")
    assert store.revoke(lease) is False
    other = store.grant(30)
    store.put("a", "1", lease=other)
    store.put("b", "2", lease=other)
    rev = store.revision()
    assert store.revoke(other) is True
    gone = store.events("a", start_revision=rev + 1) + store.events("b", start_revision=rev + 1)
    assert [e.type for e in gone] == ["DELETE", "DELETE"]
    assert gone[0].kv.mod_revision == gone[1].kv.mod_revision == rev + 1  # one revision for all


def fencing_story(store):
    unfenced = paused_holder(store, fencing=False, ttl=TTL)
    assert unfenced.tokens["B"] > unfenced.tokens["A"]
    assert unfenced.final_value == "written by A"
    assert unfenced.verdicts["no_stale_write_accepted"] is not None
    assert unfenced.verdicts["last_write_from_latest_holder"] is not None
    fenced = paused_holder(store, fencing=True, ttl=TTL)
    assert [w.accepted for w in fenced.writes] == [True, False]
    assert fenced.final_value == "written by B"
    assert all(v is None for v in fenced.verdicts.values())
    assert [actor for _, actor, _ in fenced.timeline] == ["A", "A", "B", "B", "A"]
    assert fenced.timeline[-1][2].endswith("REJECTED")
    times = [t for t, _, _ in fenced.timeline]
    assert times == sorted(times) and times[-1] - times[1] >= 2 * TTL + 2 - 0.01  # the pause


SCENARIOS = [election_takeover_after_expiry, election_resign_hands_over,
             election_revoked_lease_frees_at_once, lock_tokens_grow, lock_takeover_after_expiry,
             registry_ttl_and_watch, txn_and_revisions, leases_expire_and_refuse, fencing_story]
