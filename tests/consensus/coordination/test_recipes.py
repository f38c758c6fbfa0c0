"""The SAME recipe code on the simulated Raft store and on a real etcd (started by the
``etcd_endpoint`` fixture; marked ``services``)."""
import pytest

from distlab.consensus.coordination import EtcdStore, SimulatedStore
from distlab.services import etcd

from .replicas import replicas_agree
from .scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_on_simulated_raft_store(scenario):
    store = SimulatedStore(seed=7)
    scenario(store)
    cluster = store.cluster
    assert cluster.sim.check_invariants() == []          # Raft's safety held throughout
    assert replicas_agree(store)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_on_real_etcd(scenario, etcd_endpoint):
    store = EtcdStore(etcd.connect(etcd_endpoint))
    scenario(store)
