"""Benchmark: the whole money-transfer service under chaos (`distlab.casestudy.run`).

* ``bank_schedules`` / ``bank_violations``: the standard chaos schedules of seeds 0..N-1 (8 customers,
  25 transfers each, 4 faults; every safeguard on), SQLite in memory + the embedded Redis, across
  both cores -- and how many of them the bank checker found a violation in (goal: 0 of >= 5,000).
* ``bank_transfers_per_s``: transfers (distinct keys) per second through the full stack, one process.
* ``bank_time_share_<component>`` in percent of that time: ``ledger`` (the service's SQL store:
  ledger, saga log, outbox), ``idempotency_store`` (its ``idempotency_keys`` statements), ``inbox``
  (the notifier's database), ``broker`` (Redis commands), ``checker`` (the bank checker) and
  ``kernel`` (everything else: the event loop, the processes, the saga and gateway logic). A
  ``BEGIN`` is charged to the statement that follows it on the same connection, a ``COMMIT`` to the
  one before it.
"""
from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import redis

from distlab.casestudy import run as bank_run
from distlab.casestudy.config import BankConfig
from distlab.casestudy.engines import Engines
from distlab.casestudy.schedules import chaos_for, run_schedules
from distlab.services import sql

SCHEDULES = int(os.environ.get("DISTLAB_BANK_SCHEDULES", "5000"))
TIMED = 30  # schedules for the throughput and the time shares
SPENT: dict[str, float] = defaultdict(float)
_LAST: dict[int, str] = {}
_PENDING: dict[int, float] = {}


def _component(statement: str) -> str:
    if "idempotency_keys" in statement:
        return "idempotency_store"
    if "inbox" in statement or "shipments" in statement:
        return "inbox"
    return "ledger"


def _timed_sql(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute(self: sql.SQLBackend, statement: str, params: Any = ()) -> Any:
        began = time.perf_counter()
        try:
            return original(self, statement, params)
        finally:
            took = time.perf_counter() - began
            head = statement.lstrip()[:8].upper()
            if head.startswith("BEGIN"):
                _PENDING[id(self)] = _PENDING.get(id(self), 0.0) + took
            else:
                kind = _LAST.get(id(self), "ledger") if head.startswith(("COMMIT", "ROLLBACK")) else \
                    _component(statement)
                _LAST[id(self)] = kind
                SPENT[kind] += took + _PENDING.pop(id(self), 0.0)
    return execute


def _timed(kind: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[kind] += time.perf_counter() - began
    return call


def instrument() -> None:
    """Wrap the SQL backends' ``execute``, Redis's commands and the bank checker with timers."""
    for cls in (sql.SQLBackend, sql.SQLiteBackend, sql.PostgresBackend):
        if "execute" in vars(cls):
            cls.execute = _timed_sql(vars(cls)["execute"])  # type: ignore[method-assign]
    redis.Redis.execute_command = _timed("broker", redis.Redis.execute_command)  # type: ignore[method-assign]
    redis.client.Pipeline.execute = _timed("broker", redis.client.Pipeline.execute)  # type: ignore[method-assign]
    bank_run.check_bank = _timed("checker", bank_run.check_bank)  # type: ignore[assignment]


def throughput() -> None:
    """Transfers per second, one process, and where the time went."""
    engines = Engines()
    bank_run.run_bank(BankConfig(seed=10_000), chaos_for(10_000, BankConfig()), engines)  # warm up
    instrument()
    SPENT.clear()
    transfers, began = 0, time.perf_counter()
    for seed in range(TIMED):
        config = BankConfig(seed=seed)
        result = bank_run.run_bank(config, chaos_for(seed, config), engines)
        transfers += len({op.value[0] for op in result.history if op.f == "transfer"})
    total = time.perf_counter() - began
    engines.close()
    print(f"bench bank_transfers_per_s {transfers / total:.0f} transfers/s")
    SPENT["kernel"] = total - sum(SPENT.values())
    for kind in ("ledger", "idempotency_store", "inbox", "broker", "checker", "kernel"):
        print(f"bench bank_time_share_{kind} {100 * SPENT[kind] / total:.1f} %")


def main() -> None:
    """Print the figures."""
    began = time.perf_counter()
    outcomes = run_schedules(range(SCHEDULES), jobs=2)
    took = time.perf_counter() - began
    bad = [o for o in outcomes if not o.ok or not o.settled]
    print(f"bench bank_schedules {len(outcomes)} schedules")
    print(f"bench bank_violations {sum(len(o.violations) for o in outcomes)} violations")
    print(f"bench bank_schedules_per_s {len(outcomes) / took:.1f} schedules/s")
    for outcome in bad[:3]:
        print(f"seed {outcome.seed}: {outcome.violations[:2]} settled={outcome.settled}")
    throughput()


if __name__ == "__main__":
    main()
