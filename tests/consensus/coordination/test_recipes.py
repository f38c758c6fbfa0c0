"""The SAME recipe code on the simulated Raft store and on a real etcd (started by the
``etcd_endpoint`` fixture; marked ``services``)."""
import pytest

from distlab.consensus.coordination import EtcdStore, SimulatedStore
from distlab.services import etcd

from .scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_on_simulated_raft_store(scenario):
    store = SimulatedStore(seed=7)
    scenario(store)
    cluster = store.cluster
    assert cluster.sim.check_invariants() == []          # Raft's safety held throughout
    machines = [cluster.node(p).machine for p in cluster.pids if cluster.node(p).up]
    cluster.run(0.5)                                       # let followers apply the tail
    assert len({(m.revision, tuple(sorted(m.kvs.items()))) for m in machines}) == 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_on_real_etcd(scenario, etcd_endpoint):
    store = EtcdStore(etcd.connect(etcd_endpoint))
    scenario(store)
