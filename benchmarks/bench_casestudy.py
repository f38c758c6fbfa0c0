"""Benchmark: chapter 6's pieces so far -- the bank checker's speed, and Hermitage on the embedded PostgreSQL.

``bench bank_checker_ops_per_s`` (goal >= 100,000 operations checked per second) on a correct run of
20,000 transfers with a read of ten balances after each; ``bench casestudy_interleave_ms`` is one
interleaved pair of transfers on the embedded PostgreSQL (two connections, one retry);
``bench casestudy_contention_transfers_per_s`` is the contention run's default workload (80 transfers
on 4 interleaved sessions and an auditor) at SERIALIZABLE on the embedded PostgreSQL, conflicts retried.
"""
from __future__ import annotations

import random
import time

from besttime import best_of
from distlab.casestudy.checker import Applied, BankRecord, check_bank
from distlab.casestudy.contention import ContentionConfig, empty, run_contention
from distlab.casestudy.isolation import interleave
from distlab.services import postgres, sql
from distlab.sim.history import History, Op

ACCOUNTS = [f"acct{i}" for i in range(10)]


def correct_record(transfers: int, seed: int = 0) -> BankRecord:
    """A correct run: each transfer applied at once, then a read of every balance."""
    rng = random.Random(seed)
    balances = dict.fromkeys(ACCOUNTS, 10_000)
    ops, applied = [], []
    for n in range(transfers):
        source, target = rng.sample(ACCOUNTS, 2)
        cents = rng.randint(1, 3_000)
        moved = balances[source] >= cents
        if moved:
            balances[source] -= cents
            balances[target] += cents
            applied.append(Applied(f"id{n}", f"k{n}", source, target, cents))
        ops.append(Op(n % 8, "transfer", (f"k{n}", source, target, cents), invoke=3 * n, complete=3 * n + 1,
                      status="ok", result="applied" if moved else "refused"))
        ops.append(Op("reader", "read", None, invoke=3 * n + 1.5, complete=3 * n + 2, status="ok",
                      result=dict(balances)))
    return BankRecord(History.of(ops), 10_000 * len(ACCOUNTS), tuple(applied), {},
                      {a.key: "completed" for a in applied}, tuple(a.id for a in applied))


def contention_transfers_per_s(url: str, runs: int = 5) -> float:
    """Transfers per second through the contention run at SERIALIZABLE (best of ``runs`` seeds; the
    tables are emptied between runs, outside the timing)."""
    best = float("inf")
    for seed in range(runs):
        empty(url)
        began = time.perf_counter()
        run = run_contention(ContentionConfig(seed), url)
        best = min(best, time.perf_counter() - began)
        assert run.verdict.ok, run.verdict.first
    return ContentionConfig(0).transfers / best


def main() -> None:
    """Print the figures."""
    record = correct_record(20_000)
    seconds = best_of(3, lambda: check_bank(record))
    assert check_bank(record).ok
    print(f"bench bank_checker_ops_per_s {len(record.history) / seconds:.0f} ops/s")
    url = postgres.embedded("bench-casestudy").url

    def one() -> None:
        with sql.connect(url) as admin:
            admin.script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        assert interleave("write skew", "serializable", url).conflicts == 1

    began = time.perf_counter()
    print(f"bench casestudy_interleave_ms {best_of(5, one) * 1000:.1f} ms")
    assert time.perf_counter() - began < 60
    rate = contention_transfers_per_s(postgres.embedded("bench-contention").url)
    print(f"bench casestudy_contention_transfers_per_s {rate:.0f} transfers/s")


if __name__ == "__main__":
    main()
