"""The class, not just the instances (issue #12): every public config, constructor and entry point of
chapter 1 -- the store experiment, the workload generators, the checkers and their budgets, the
chooser, the exercise judge and every render and panel of ``distlab.view.consistency`` -- refuses NaN,
the infinities, bools and strings where they do not belong, with an error naming the parameter.

Each row names a callable, its valid keyword arguments and the kind of every parameter swept; the
sweep puts each bad value of that kind into one parameter at a time and expects a ``ValueError`` or
``TypeError`` naming the parameter -- never a silent acceptance, never a hang (each call is refused
before any simulation or search starts). The model is ``tests/reliability/test_bad_parameters.py``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from distlab.consistency import Budget, StoreConfig, check, check_linearizable, classify, read_history, run_store
from distlab.consistency.chooser import choose_rung, judge
from distlab.consistency.generate import linearizable_history
from distlab.consistency.workloads import crowd_history, kv_clients_history, thin_air_history
from distlab.sim import Constant
from distlab.view import consistency as cv
from tests.sweeps import BAD as COMMON_BAD, INF, NAN, accepted_cases, bad_value_cases, refused_by_name

#: bad values per kind of parameter
BAD: dict[str, tuple[object, ...]] = {**COMMON_BAD,
    "latency": (NAN, 0.01, "1", True),
    "pair": (NAN, (NAN, 1.0), (0.0, INF), True, "1"),
    "budget": (NAN, True, "1", 3),
    "history": (NAN, "{:process 0}", 3, [1, 2]),
    "seeds": (NAN, True, "012", (), (0, 1.5), (0, True)),
    "items": (NAN, "x", {"linearisable": ["balance"]}, {"linearizable": "balance"}),
}

H = linearizable_history(0, n_ops=8, n_processes=2, model="register")
STORE = {"replicas": 3, "lag_ms": 50.0, "policy": "any", "write_ack": "leader", "partition_s": 0.0,
         "session": "wait", "seed": 0, "rtt_ms": 0.0}
STORE_KINDS = {"replicas": "int", "lag_ms": "number", "policy": "choice", "write_ack": "choice",
               "partition_s": "number", "session": "choice", "seed": "seed", "rtt_ms": "number"}
NEEDS = {"invariant": False, "causal": False, "own_writes": False, "no_going_back": False}
TIMELINE_KINDS = {"t1": "number", "read_start": "number", "read_result": "choice", "second_read": "choice",
                  "alice_reads": "choice"}
SMALL = {"clients": 2, "ops_per_client": 2}

#: (callable, valid keyword arguments, {parameter: kind})
CASES: list[tuple[Callable[..., object], dict[str, Any], dict[str, str]]] = [
    # the store experiment
    (StoreConfig, {}, {"replicas": "int", "clients": "int", "keys": "int", "ops_per_client": "int", "seed": "seed",
                       "read_fraction": "number", "append_fraction": "number", "read_policy": "choice",
                       "token_mode": "choice", "write_ack": "choice", "replication_lag": "latency",
                       "link_latency": "latency", "think_time": "latency", "client_timeout": "number",
                       "partition": "pair", "leader_rtt": "number", "sync_interval": "number"}),
    (lambda **kw: run_store(StoreConfig(**SMALL), **kw), {"max_time": 60.0}, {"max_time": "number"}),
    (lambda **kw: run_store(**kw), {"cfg": StoreConfig(**SMALL)}, {"cfg": "history"}),
    (lambda **kw: run_store(StoreConfig(**SMALL)).classify(**kw), {"timeout": 5.0}, {"timeout": "number"}),
    # workload generators
    (kv_clients_history, {"seed": 0, "clients": 2, "keys": 2, "ops_per_client": 3, "p_append": 0.5, "p_put": 0.1,
                          "p_info": 0.0, "stale_reads": 0},
     {"seed": "seed", "clients": "int", "keys": "int", "ops_per_client": "int", "p_append": "number",
      "p_put": "number", "p_info": "number", "stale_reads": "int"}),
    (crowd_history, {"seed": 0, "n_ops": 10, "p_info": 0.0, "p_read": 0.5},
     {"seed": "seed", "n_ops": "int", "p_info": "number", "p_read": "number"}),
    (thin_air_history, {"n_writes": 10}, {"n_writes": "int"}),
    (linearizable_history, {"seed": 0, "n_ops": 8, "n_processes": 2, "model": "register", "keys": 1, "p_info": 0.1,
                            "unique": True},
     {"seed": "seed", "n_ops": "int", "n_processes": "int", "model": "choice", "keys": "int", "p_info": "number",
      "unique": "bool"}),
    # the checkers and their budgets
    (Budget, {"timeout": 5.0, "max_steps": 1000}, {"timeout": "number", "max_steps": "int"}),
    (classify, {"history": H, "model": "register", "timeout": 5.0},
     {"history": "history", "model": "choice", "timeout": "number"}),
    (lambda **kw: classify(H, "register", **kw), {"budget": Budget(5.0)}, {"budget": "budget"}),
    (check, {"history": H, "rung": "sequential", "model": "register", "budget": Budget(5.0)},
     {"history": "history", "rung": "choice", "model": "choice", "budget": "budget"}),
    (check_linearizable, {"history": H, "model": "register", "budget": Budget(5.0), "explain": True},
     {"history": "history", "model": "choice", "budget": "budget", "explain": "bool"}),
    (read_history, {"text": "{:process 0, :type :invoke, :f :read, :value nil}\n"}, {"text": "str"}),
    # the chooser and exercise 3's judge
    (choose_rung, NEEDS, dict.fromkeys(NEEDS, "bool")),
    (judge, {"item": "coupon code", "rung": "linearizable"}, {"item": "choice", "rung": "choice"}),
    # chapter 1's renders and panels
    (cv.render_choice, NEEDS, dict.fromkeys(NEEDS, "bool")),
    (cv.chooser_panel, NEEDS, dict.fromkeys(NEEDS, "bool")),
    (lambda **kw: cv.store_config({**STORE, **kw}), STORE, STORE_KINDS),
    (cv.render_store, {k: v for k, v in STORE.items() if k != "rtt_ms"},
     {k: v for k, v in STORE_KINDS.items() if k != "rtt_ms"}),
    (cv.store_panel, {k: v for k, v in STORE.items() if k != "rtt_ms"},
     {k: v for k, v in STORE_KINDS.items() if k != "rtt_ms"}),
    (cv.tradeoff, {"seeds": (0,), "lag_ms": 50.0, "partition_s": 1.0, "replicas": 3, "rtt_ms": 0.0},
     {"seeds": "seeds", "lag_ms": "number", "partition_s": "number", "replicas": "int", "rtt_ms": "number"}),
    (cv.render_scene, {"story": "saved it and it vanished", "policy": "any", "lag": 6.0},
     {"story": "choice", "policy": "choice", "lag": "number"}),
    (cv.scene_panel, {"story": "saved it and it vanished", "policy": "any", "lag": 6.0},
     {"story": "choice", "policy": "choice", "lag": "number"}),
    (cv.scene_report, {"story": "saved it and it vanished", "policy": "any", "slow_lag": 6.0},
     {"story": "choice", "policy": "choice", "slow_lag": "number"}),
    (cv.scene_verdicts, {"story": "saved it and it vanished", "policy": "any", "slow_lag": 6.0},
     {"story": "choice", "policy": "choice", "slow_lag": "number"}),
    (lambda **kw: cv.example_history({**cv.EXAMPLE, **kw}), cv.EXAMPLE, TIMELINE_KINDS),
    (cv.render_timeline, cv.EXAMPLE, TIMELINE_KINDS),
    (cv.timeline_panel, cv.EXAMPLE, TIMELINE_KINDS),
    (cv.render_ladder, {"items": None, "title": "the ladder"}, {"items": "items", "title": "str"}),
]

SWEEP = bad_value_cases(CASES, BAD)


@pytest.mark.parametrize(("make", "valid"), accepted_cases(CASES))
def test_the_valid_arguments_are_accepted(make: Callable[..., object], valid: dict[str, Any]) -> None:
    make(**valid)


@pytest.mark.parametrize(("make", "valid", "name", "bad"), SWEEP)
def test_a_bad_value_is_rejected_naming_the_parameter(make: Callable[..., object], valid: dict[str, Any], name: str,
                                                      bad: object) -> None:
    refused_by_name(make, valid, name, bad)


def test_a_checker_refuses_what_is_not_a_history_by_name() -> None:
    with pytest.raises(TypeError, match=r"^history must be a History"):
        check("{:process 0}", "sequential")  # type: ignore[arg-type]  # the mistake under test


def test_the_chooser_panel_no_longer_reads_a_string_as_yes() -> None:
    """``render_choice(invariant="no")`` used to answer linearizable: ``bool("no")`` is True."""
    with pytest.raises(ValueError, match=r"^invariant must be True or False, got 'no'"):
        cv.render_choice(invariant="no")


def test_the_store_panel_names_its_own_settings() -> None:
    """The panel's ``session`` setting used to be refused as ``token_mode`` (the library's name)."""
    with pytest.raises(ValueError, match=r"^session must be one of"):
        cv.store_config({**STORE, "session": "later"})


def test_a_replication_lag_is_a_latency_not_a_number() -> None:
    StoreConfig(replication_lag=Constant(0.05))
    with pytest.raises(ValueError, match=r"^replication_lag must be a Latency"):
        StoreConfig(replication_lag=0.05)  # type: ignore[arg-type]  # the mistake under test
