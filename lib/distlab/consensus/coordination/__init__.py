"""``distlab.consensus.coordination`` -- "you almost never implement consensus yourself, you rent
it": leader election, locks with fencing tokens and service registries on a coordination store.

The recipes are written once against :class:`CoordinationStore` and run unchanged on our simulated
Raft-replicated store and on a real etcd (``DISTLAB_ETCD_ENDPOINT``).

==================  ==========================================================================
``store``            the interface: put/get/delete, leases, revisions, txn, watch (as a poll)
``state_machine``    the deterministic store every Raft replica applies (lease expiry in the log)
``server``           ``CoordinationServer``: a ``RaftNode`` running that state machine
``sim_store``        ``SimulatedStore``: a seeded Raft cluster behind the interface
``etcd_store``       ``EtcdStore``: the same interface on etcd's v3 JSON gateway
``backend``          ``open_store()``: etcd when configured, else the simulation
``session``          a client's lease, kept alive
``ownership``        the create-if-absent transaction under locks and elections
``election``         lease-based leader election: campaign, observe, resign, takeover
``lock``             a lock whose token is the key's revision
``registry``         a service registry with TTLs and watches
``fencing``          storage with and without fencing; the paused-holder story
``invariants``       the guarantees as named functions
``schedules``        random pause/crash schedules for property tests
``systems``          etcd vs ZooKeeper vs Consul, and ``choose_coordination``
==================  ==========================================================================
"""
from .backend import open_store
from .election import Leader, LeaderElection
from .etcd_store import EtcdStore, connect_etcd_store
from .fencing import FencedStorage, FencingResult, UnfencedStorage, paused_holder
from .invariants import (
    NAMES as INVARIANTS,
    epochs_increase,
    last_write_from_latest_holder,
    no_stale_write_accepted,
    one_leader_per_epoch,
    one_owner_at_a_time,
)
from .lock import Holder, Lock, LockTimeout
from .registry import Change, ServiceRegistry, Watcher
from .schedules import random_plan, run_plan
from .server import CoordinationServer
from .session import Session
from .sim_store import SimulatedStore
from .store import (
    Compare,
    CoordinationStore,
    Delete,
    Get,
    KeyValue,
    LeaseExpired,
    Put,
    StoreUnavailable,
    TxnResult,
    WatchEvent,
)
from .systems import SYSTEMS, Choice, choose_coordination, table

__all__ = [
    "Change", "Choice", "Compare", "CoordinationServer", "CoordinationStore", "Delete",
    "EtcdStore", "FencedStorage", "FencingResult", "Get", "Holder", "INVARIANTS", "KeyValue",
    "Leader", "LeaderElection", "LeaseExpired", "Lock", "LockTimeout", "Put", "SYSTEMS",
    "ServiceRegistry", "Session", "SimulatedStore", "StoreUnavailable", "TxnResult",
    "UnfencedStorage", "WatchEvent", "Watcher", "choose_coordination", "connect_etcd_store",
    "epochs_increase", "last_write_from_latest_holder", "no_stale_write_accepted",
    "one_leader_per_epoch", "one_owner_at_a_time", "open_store", "paused_holder", "random_plan", "run_plan", "table",
]
