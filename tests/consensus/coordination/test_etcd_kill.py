"""Kill the lease holder -- a real OS process holding leadership on a real etcd -- and watch a
second candidate take over once the lease expires."""
import subprocess
import sys

import pytest

from distlab.consensus.coordination import EtcdStore, LeaderElection, Session, SimulatedStore, open_store
from distlab.services import etcd


def test_killed_holder_process_is_replaced(etcd_endpoint):
    store = EtcdStore(etcd.connect(etcd_endpoint))
    holder = subprocess.Popen(
        [sys.executable, "-m", "distlab.consensus.coordination.holder", "--endpoint", etcd_endpoint,
         "--election", "db", "--name", "alice", "--ttl", "1"],
        stdout=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline().split()
        assert line[0] == "leader", line
        epoch = int(line[1])
        bob = LeaderElection(store, "db", "bob", Session(store, 5))
        store.sleep(2.5)                    # longer than the TTL: alice's renewals keep her leader
        assert bob.leader() == ("alice", epoch, bob.leader().lease)
        assert not bob.campaign()
        holder.kill()                       # SIGKILL: no resign, no revoke
        holder.wait(timeout=10)
        killed_at = store.now()
        assert bob.campaign_until(10.0, poll=0.2)
        took = store.now() - killed_at
        assert bob.epoch > epoch and bob.leader().name == "bob"
        assert took < 6.0, f"takeover took {took:.1f} s"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        holder.stdout.close()


def test_open_store_picks_etcd_when_configured(etcd_endpoint, monkeypatch):
    monkeypatch.setenv("DISTLAB_ETCD_ENDPOINT", etcd_endpoint)
    store = open_store()
    assert isinstance(store, EtcdStore) and store.describe().startswith("etcd 3.")


def test_open_store_defaults_to_the_simulation(monkeypatch):
    monkeypatch.delenv("DISTLAB_ETCD_ENDPOINT", raising=False)
    store = open_store(seed=3)
    assert isinstance(store, SimulatedStore) and "simulated" in store.describe()


def test_etcd_store_refuses_bad_input():
    with pytest.raises(ValueError, match="client"):
        EtcdStore("http://127.0.0.1:2379")
