"""The simulated store against the sequential model (under loss, delay and server crashes), and
against a real etcd (the semantics: revisions, compares, txn results, leases, watch events)."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from distlab.consensus.coordination import EtcdStore, SimulatedStore
from distlab.services import etcd

from .differential import ModelStore, play, random_ops


class FaultyStore(SimulatedStore):
    """Crashes or restarts a random server every few calls (never two down at once)."""

    def __init__(self, seed):
        super().__init__(seed=seed, timeout=30.0)
        self.cluster.set_unreliable(True)             # 10 % loss, 0-27 ms delay: retries happen
        self.rng = random.Random(seed)

    def call(self, op, *args):
        down = [p for p in self.cluster.pids if not self.cluster.node(p).up]
        if self.rng.random() < 0.1:
            if down:
                self.cluster.restart(down[0])
            else:
                self.cluster.crash(self.rng.choice(self.cluster.pids))
        return super().call(op, *args)


@settings(max_examples=25)
@given(seed=st.integers(0, 2**16), n=st.integers(10, 80))
def test_replicated_store_matches_the_sequential_model(seed, n):
    ops = random_ops(random.Random(seed), n)
    store = FaultyStore(seed)
    assert play(store, ops) == play(ModelStore(), ops)
    assert store.gateway.sent > store.calls or n < 40   # some requests really were re-sent
    assert store.cluster.sim.check_invariants() == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_store_behaves_like_etcd(seed, etcd_endpoint):
    ops = random_ops(random.Random(seed), 150)
    real = play(EtcdStore(etcd.connect(etcd_endpoint)), ops)
    assert real == play(SimulatedStore(seed=seed), ops)
    assert "LeaseExpired" in real and any(r is True for r in real)   # the runs did exercise those
