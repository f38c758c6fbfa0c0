"""Chapter 6's first two sections as one-liners: a ledger to try, and the isolation table on the real engine.

``demo_ledger()`` opens Alice ($100.00) and Bob ($0) on SQLite in memory; ``try_amounts`` shows what
the ledger says to each amount; ``isolation_table(url)`` interleaves the two lessons' transfers
(:data:`distlab.casestudy.isolation.ANOMALIES`) at each PostgreSQL level and returns one line per run;
``contention_table(url)`` runs many interleaved transfers per level. Both work in a schema of their own
(:data:`SCHEMA`) of the database at ``url`` (the embedded PostgreSQL when empty), created empty for
each run: a learner's own tables are never touched.
"""
from __future__ import annotations

from collections.abc import Iterable

from distlab.casestudy.contention import ContentionConfig, empty, run_contention
from distlab.casestudy.engines import check_postgres_url
from distlab.casestudy.isolation import ANOMALIES, Interleaving, interleave
from distlab.casestudy.ledger import Ledger, LedgerError
from distlab.grading.casestudy import LEVELS
from distlab.services import postgres, sql

__all__ = ["SCHEMA", "contention_table", "demo_ledger", "describe", "isolation_table", "lesson_url", "try_amounts"]


def demo_ledger() -> Ledger:
    """A ledger on SQLite in memory with ``alice`` holding 10,000 cents and ``bob`` none."""
    ledger = Ledger(sql.connect_sqlite(":memory:"))
    ledger.open_account("alice", 10_000)
    ledger.open_account("bob", 0)
    return ledger


def try_amounts(ledger: Ledger, amounts: Iterable[object], source: str = "alice", target: str = "bob") -> None:
    """Try a transfer of each amount and print what the ledger answered (a refusal names why)."""
    for i, amount in enumerate(amounts):
        try:
            print(f"{amount!r}: {ledger.transfer(f'try-{i}', source, target, amount)}")  # type: ignore[arg-type]
        except LedgerError as error:
            print(f"{amount!r}: refused -- {error}")


def describe(run: Interleaving) -> str:
    """One line: the anomaly, the level, each transfer's end, the aborts, and what it did to the books."""
    outcome = (f"money created: {run.created_cents} cents" if run.created_cents else
               f"overdrawn: {', '.join(run.overdrawn)}" if run.overdrawn else "books balance")
    return (f"{run.anomaly:12} {run.isolation:16} {' / '.join(r.status for r in run.results):18} "
            f"aborted and retried: {run.conflicts}   {outcome}")


SCHEMA = "casestudy_lesson"  # the only schema these lessons create, empty and drop: never the learner's own


def lesson_url(url: str = "") -> str:
    """``url`` (the embedded PostgreSQL when empty) with a fresh, empty schema of its own,
    :data:`SCHEMA`, first on every session's search path -- so a lesson never touches the database's
    other schemas (``public`` included)."""
    if url:
        check_postgres_url(url, "database_url")
    chosen = url or postgres.url("casestudy-notebook")  # $DISTLAB_DATABASE_URL, else the embedded server
    with sql.connect(chosen) as admin:
        admin.script(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    return f"{chosen}{'&' if '?' in chosen else '?'}options=-csearch_path%3D{SCHEMA}"


def isolation_table(url: str = "") -> str:
    """Both anomalies at each level on the PostgreSQL at ``url`` (embedded when empty), one line each,
    each run on a fresh :data:`SCHEMA`."""
    lines = [describe(interleave(anomaly, level, lesson_url(url))) for anomaly in ANOMALIES for level in LEVELS]
    return "\n".join(lines)


def contention_table(url: str = "", seeds: int = 5) -> str:
    """At each level, ``seeds`` contention runs (80 transfers on 4 interleaved sessions, an auditor
    reading every 3 turns) on the PostgreSQL at ``url``: in how many the bank checker found each kind
    of violation, and how many transactions the engine aborted (each retried)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 50:
        raise ValueError(f"seeds must be a whole number from 1 to 50, got {seeds!r}")
    chosen = lesson_url(url)
    lines = []
    for level in LEVELS:
        runs = [run_contention(ContentionConfig(seed, level), empty(chosen)) for seed in range(seeds)]
        found = {kind: sum(kind in run.kinds for run in runs) for kind in ("money", "overdraft")}
        verdicts = ", ".join(f"{kind} in {n} of {seeds}" for kind, n in found.items())
        aborted = sum(run.conflicts for run in runs) / seeds
        lines.append(f"{level:16} the bank checker finds {verdicts} runs; {aborted:.0f} aborts retried per run")
    return "\n".join(lines)
