"""Recipes refuse bad input with the parameter's name."""
import pytest

from distlab.consensus.coordination import LeaderElection, Lock, ServiceRegistry, Session, SimulatedStore, paused_holder


@pytest.fixture
def store():
    return SimulatedStore(seed=0)


def test_recipes_refuse_bad_input(store):
    s = Session(store, 5)
    with pytest.raises(ValueError, match="store"):
        Session("etcd", 5)
    with pytest.raises(ValueError, match="ttl"):
        Session(store, 0)
    with pytest.raises(ValueError, match="election"):
        LeaderElection(store, "a/b", "me", s)
    with pytest.raises(ValueError, match="candidate"):
        LeaderElection(store, "db", "", s)
    with pytest.raises(ValueError, match="session"):
        LeaderElection(store, "db", "me", Session(SimulatedStore(seed=1), 5))
    with pytest.raises(ValueError, match="owner"):
        Lock(store, "res", None, s)
    with pytest.raises(ValueError, match="poll"):
        Lock(store, "res", "me", s).acquire(timeout=1, poll=0)
    with pytest.raises(ValueError, match="address"):
        ServiceRegistry(store).register("api", "i1", "", s)
    with pytest.raises(ValueError, match="service"):
        ServiceRegistry(store).instances("")
    with pytest.raises(ValueError, match="pause"):
        paused_holder(store, fencing=True, pause=-1)


def test_lock_acquire_times_out_while_held(store):
    from distlab.consensus.coordination import LockTimeout
    a = Lock(store, "res", "alice", Session(store, 30))
    b = Lock(store, "res", "bob", Session(store, 30))
    a.acquire()
    started = store.now()
    with pytest.raises(LockTimeout, match="bob could not take locks/res within 1 s"):
        b.acquire(timeout=1.0)
    assert 1.0 <= store.now() - started < 1.5
