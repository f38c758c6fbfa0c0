"""Which store a notebook or test runs on: a real etcd when one is configured, else the simulation.

``open_store()`` returns an :class:`~distlab.consensus.coordination.etcd_store.EtcdStore` when
``endpoint=`` is given or ``DISTLAB_ETCD_ENDPOINT`` is set, and a fresh
:class:`~distlab.consensus.coordination.sim_store.SimulatedStore` (seeded) otherwise. Either way,
``store.describe()`` is the one line a notebook prints to say what it ran on.
"""
from __future__ import annotations

import os
from typing import Any

from distlab.services.etcd import ENV_VAR

from .etcd_store import connect_etcd_store
from .sim_store import SimulatedStore
from .store import CoordinationStore


def open_store(endpoint: str | None = None, *, seed: int = 0, **simulated: Any) -> CoordinationStore:
    """etcd at ``endpoint`` (or ``$DISTLAB_ETCD_ENDPOINT``), else a simulated store from ``seed``
    (``simulated`` keyword arguments go to :class:`SimulatedStore`)."""
    if endpoint is not None or os.environ.get(ENV_VAR):
        return connect_etcd_store(endpoint)
    return SimulatedStore(seed=seed, **simulated)
