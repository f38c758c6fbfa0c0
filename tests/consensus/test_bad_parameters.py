"""The class, not just the instances: every public config, constructor and run function of chapter 2
(`distlab.consensus` and the renders and panels of `distlab.view.consensus`) refuses NaN, the
infinities, bools and strings where they do not belong, with an error naming the parameter.

Each row names a callable, its valid keyword arguments and the kind of every parameter; the sweep
puts each bad value of that kind into one parameter at a time and expects a ``ValueError`` or
``TypeError`` whose message names the parameter -- never a silent acceptance, never a hang (each
call runs under an alarm: a refused value returns at once).
"""
from __future__ import annotations

import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from distlab.consensus.compare import side_by_side
from distlab.consensus.coordination import (
    LeaderElection,
    Lock,
    Session,
    SimulatedStore,
    choose_coordination,
    open_store,
    paused_holder,
    random_plan,
    run_plan,
)
from distlab.consensus.paxos import MultiPaxosNode, PaxosNode
from distlab.consensus.paxos.cluster import PaxosCluster
from distlab.consensus.paxos.scenarios import random_faults
from distlab.consensus.raft import Cluster, RaftConfig, figure16
from distlab.consensus.raft.chaos import run_trial
from distlab.consensus.raft.kv_scenarios import run_kv_trial
from distlab.consensus.split_brain import split_brain
from distlab.view import consensus as cv
from tests.sweeps import BAD as COMMON_BAD, INF, NAN, accepted_cases, bad_value_cases, refused_by_name

#: bad values per kind of parameter
BAD: dict[str, tuple[object, ...]] = {**COMMON_BAD,
    "choice": (NAN, True, "no-such-option"),
    "seconds_pair": (NAN, (NAN, 0.3), (0.15, INF), (True, 0.3), ("0.15", "0.3")),
    "ms_pair": (NAN, (NAN, 300), (150, INF), (True, 300), ("150", "300"), (150.5, 300)),
}


class _TooSlow(Exception):
    pass


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Fail a call that runs past `seconds` (a bad value that makes a run never end)."""
    def _alarm(_signum: int, _frame: object) -> None:
        raise _TooSlow(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _store() -> SimulatedStore:
    return SimulatedStore(seed=0)


def _session(**kw: Any) -> Session:
    store = _store()
    return Session(store, **kw)


def _election(**kw: Any) -> LeaderElection:
    store = _store()
    return LeaderElection(store, kw["election"], kw["candidate"], Session(store, 5))


def _lock_acquire(**kw: Any) -> int:
    store = _store()
    return Lock(store, "res", "me", Session(store, 5)).acquire(**kw)


def _campaign_until(**kw: Any) -> bool:
    store = _store()
    return LeaderElection(store, "db", "me", Session(store, 5)).campaign_until(**kw)


#: (callable, valid keyword arguments, {parameter: kind})
CASES: list[tuple[Callable[..., object], dict[str, Any], dict[str, str]]] = [
    # ------------------------------------------------------------- distlab.consensus
    (Cluster, {"n": 3, "seed": 0},
     {"n": "int", "seed": "seed", "unreliable": "bool", "check_invariants": "bool", "trace": "bool",
      "snapshot_every": "int", "voters": "int"}),
    (lambda duration: Cluster(3).run(duration), {"duration": 0.1}, {"duration": "number"}),
    (RaftConfig, {}, {"election_timeout": "seconds_pair", "heartbeat_interval": "number", "max_entries": "int",
                      "pre_vote": "bool", "check_quorum": "bool", "persist_before_request_vote": "bool",
                      "timeout_granularity": "number", "write_each_persist": "bool"}),
    (figure16.plan, {"seed": 0, "scale": 0.01}, {"seed": "seed", "scale": "number"}),
    (figure16.downtime, {"seed": 0, "low_ms": 150, "high_ms": 300},
     {"seed": "seed", "low_ms": "number", "high_ms": "number"}),
    (figure16.trial, {"seed": 0, "low_ms": 150, "high_ms": 300, "warmup_heartbeats": 4, "cap": 120.0},
     {"warmup_heartbeats": "int", "cap": "number"}),
    (PaxosNode, {"pid": 0, "members": [0, 1, 2], "retry": "backoff"},
     {"timeout": "number", "start_delay": "number", "retry": "choice"}),
    (MultiPaxosNode, {"pid": 0, "members": [0, 1, 2]}, {"election_timeout": "seconds_pair", "heartbeat": "number"}),
    (random_faults, {"seed": 0, "faults": 2, "duration": 0.2},
     {"seed": "seed", "n": "int", "proposers": "int", "faults": "int", "duration": "number", "loss": "number",
      "recovery": "number"}),
    (side_by_side, {"seed": 0, "faults": 2, "duration": 0.5},
     {"seed": "seed", "n": "int", "duration": "number", "faults": "int", "period": "number", "loss": "number"}),
    (split_brain, {"consensus": True}, {"consensus": "bool"}),
    (PaxosCluster, {"n": 3}, {"n": "int", "seed": "seed"}),
    (run_trial, {"seed": 0, "faults": 2, "duration": 0.3},
     {"seed": "seed", "n": "int", "faults": "int", "duration": "number", "loss": "number", "recovery": "number",
      "client_period": "number", "membership": "bool"}),
    (run_kv_trial, {"seed": 0, "ops": 2, "faults": 1},
     {"seed": "seed", "n": "int", "clients": "int", "ops": "int", "faults": "int", "duration": "number",
      "loss": "number", "duplicate": "number", "sessions": "bool"}),
    (lambda **kw: random_plan(random.Random(0), **kw), {},
     {"steps": "int", "clients": "int", "servers": "int", "max_pause": "number"}),
    (lambda **kw: run_plan(_store(), random_plan(random.Random(0), steps=3), **kw), {},
     {"fencing": "bool", "clients": "int", "ttl": "int", "recipe": "choice"}),
    (lambda lease: _store().put("k", "v", lease=lease), {"lease": 0}, {"lease": "int"}),
    (lambda ttl: _store().grant(ttl), {"ttl": 5}, {"ttl": "int"}),
    (SimulatedStore, {}, {"n": "int", "seed": "seed", "timeout": "number", "lease_check": "number",
                          "check_invariants": "bool"}),
    (lambda seconds: _store().sleep(seconds), {"seconds": 0.1}, {"seconds": "number"}),
    (open_store, {}, {"seed": "seed"}),
    (_session, {"ttl": 5}, {"ttl": "int"}),
    (_election, {"election": "db", "candidate": "me"}, {"election": "str", "candidate": "str"}),
    (_campaign_until, {"timeout": 1.0, "poll": 0.25}, {"timeout": "number", "poll": "number"}),
    (_lock_acquire, {"timeout": 1.0, "poll": 0.1}, {"timeout": "number", "poll": "number"}),
    (lambda **kw: paused_holder(_store(), **kw), {"fencing": True},
     {"fencing": "bool", "ttl": "int", "pause": "number", "poll": "number"}),
    (choose_coordination, {},
     {"single_process": "bool", "data_mb": "number", "writes_per_second": "number", "service_discovery": "bool",
      "multi_datacenter": "bool", "ecosystem": "choice", "watch_every_change": "bool"}),
    # ------------------------------------------------------------- distlab.view.consensus
    (cv.ClusterLab, {}, {"nodes": "int", "timeout_ms": "ms_pair", "latency_ms": "number", "loss": "number",
                         "seed": "seed"}),
    (lambda duration: cv.ClusterLab().run(duration), {"duration": 0.5}, {"duration": "number"}),
    (lambda run: cv.ClusterLab().act("request", run=run), {"run": 0.5}, {"run": "number"}),
    (cv.cluster_lab, {}, {"nodes": "int", "timeout_ms": "ms_pair", "latency_ms": "number", "loss": "number",
                          "seed": "seed"}),
    (cv.chosen_stays_chosen, {"runs": 2}, {"runs": "int", "seed": "seed"}),
    (cv.coordination_store, {}, {"etcd_endpoint": "str", "seed": "seed"}),
    (cv.fencing_story, {}, {"etcd_endpoint": "str", "seed": "seed"}),
    (lambda ttl: cv.election_story(_store(), ttl=ttl), {"ttl": 2}, {"ttl": "int"}),
    (cv.duel_table, {}, {"seed": "seed"}),
    (cv.render_duel, {}, {"seed": "seed"}),
    (cv.fig16_data, {"scale": 0.001, "progress": False}, {"scale": "number", "seed": "seed", "progress": "bool"}),
    (cv.partition_run, {}, {"seed": "seed"}),
    (cv.side_by_side_text, {}, {"seed": "seed"}),
    (cv.paxos_run, {"duration": 0.1},
     {"proposers": "int", "n": "int", "latency_ms": "number", "timeout_ms": "number", "second_start_ms": "number",
      "retry": "choice", "duration": "number", "seed": "seed", "trace": "bool"}),
    (cv.quorum_overlap_text, {}, {"n": "int"}),
    (cv.quorum_run, {"n": 3}, {"n": "int", "seed": "seed", "every": "number"}),
    (cv.quorum_panel, {"n": 3}, {"n": "int", "seed": "seed"}),
    (cv.render_sequence, {},
     {"proposers": "int", "n": "int", "latency_ms": "number", "timeout_ms": "number", "second_start_ms": "number",
      "retry": "choice", "seed": "seed", "until_ms": "number"}),
    (cv.render_split, {"high": 300}, {"low": "int", "high": "int", "seed": "seed"}),
    (cv.split_panel, {"high": 300}, {"low": "int", "high": "int", "seed": "seed"}),
    (cv.split_run, {"high_ms": 300}, {"low_ms": "int", "high_ms": "int", "seed": "seed", "duration": "number"}),
    (cv.split_vote_table, {}, {"n": "int", "s": "int"}),
    (cv.render_choice, {},
     {"single_process": "bool", "data_mb": "number", "writes_per_second": "number", "service_discovery": "bool",
      "multi_datacenter": "bool", "ecosystem": "choice", "watch_every_change": "bool"}),
    (cv.chooser_panel, {},
     {"single_process": "bool", "data_mb": "number", "writes_per_second": "number", "ecosystem": "choice"}),
]



SWEEP = bad_value_cases(CASES, BAD)


@pytest.mark.parametrize(("make", "valid"), accepted_cases(CASES))
def test_the_valid_arguments_are_accepted(make: Callable[..., object], valid: dict[str, Any]) -> None:
    with _time_limit(30):
        make(**valid)


@pytest.mark.parametrize(("make", "valid", "name", "bad"), SWEEP)
def test_a_bad_value_is_rejected_naming_the_parameter(make: Callable[..., object], valid: dict[str, Any],
                                                      name: str, bad: object) -> None:
    with _time_limit(10):
        refused_by_name(make, valid, name, bad)
