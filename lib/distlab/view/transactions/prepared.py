"""Chapter 3, two-phase commit on real PostgreSQL servers, told as a transcript.

Every line comes from the servers themselves (``pg_prepared_xacts``, a refused ``UPDATE``, the
balances); nothing that changes from run to run (socket paths, ports, transaction ids, timestamps)
is printed, so a notebook's stored output stays the same.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from distlab.services import postgres, sql
from distlab.transactions import prepared
from distlab.transactions.prepared import CRASH_POINTS, Coordinator, CoordinatorCrashed, Write

CRASH_WORDS = {
    "after-first-prepare": "after a prepared, before b was asked",
    "after-all-prepared": "after both prepared, before logging a decision",
    "after-decision-logged": "after logging commit, before telling anyone",
    "after-first-commit": "after a committed, before b was told",
}


def _balances(urls: dict[str, str]) -> dict[str, int]:
    """Each participant's account 1, read once from its server."""
    found = {}
    for name, url in urls.items():
        with sql.connect(url) as db:
            row = db.query_one("SELECT balance FROM account WHERE id = 1")
        found[name] = int(row[0]) if row else 0
    return found


def _shown(balances: dict[str, int]) -> str:
    return ", ".join(f"{n}={v}" for n, v in balances.items())


def real_twopc_story(crash_at: str = "after-all-prepared", amount: int = 30, restart: bool = True) -> str:
    """Move *amount* from participant a to b with 2PC, crash the coordinator at *crash_at*, and show
    what the servers hold; then (embedded servers only) crash and restart participant a, and recover."""
    if crash_at not in CRASH_POINTS:
        raise ValueError(f"crash_at: one of {list(CRASH_POINTS)}, got {crash_at!r}")
    urls = prepared.participants(("a", "b"))
    writes = [Write("a", "UPDATE account SET balance = balance - ? WHERE id = 1", (amount,)),
              Write("b", "UPDATE account SET balance = balance + ? WHERE id = 1", (amount,))]
    lines = []
    with tempfile.TemporaryDirectory(prefix="distlab-2pc-") as folder, prepared.accounts(urls) as dbs:
        log = str(Path(folder) / "coordinator-log.db")
        name = dbs["a"].name
        engine = name if postgres.configured_url() is None else f"{name}, one database each"
        lines.append(f"participants a and b: {engine}")
        lines.append(f"before: {_shown(_balances(urls))}")
        try:
            with contextlib.closing(Coordinator(urls, log)) as coordinator:
                coordinator.run("t1", writes, crash_at=crash_at)
        except CoordinatorCrashed:
            lines.append(f"the coordinator crashed {CRASH_WORDS[crash_at]}")
        seen = _balances(urls)
        lines.append(f"meanwhile a reader sees: {_shown(seen)} (total {sum(seen.values())}; "
                     "reads do not wait for locks)")
        for name, url in urls.items():
            held = [gid for gid, _ in prepared.in_doubt(url)]
            lines.append(f"pg_prepared_xacts on {name}: {held or 'nothing'}")
            verdict = prepared.try_write(url, "UPDATE account SET balance = balance WHERE id = 1")
            lines.append(f"  another session's UPDATE of that row (it changes nothing, but must lock it): {verdict}")
        if restart and postgres.configured_url() is None:
            postgres.embedded("participant-a").crash()
            postgres.embedded("participant-a").start()
            held = [gid for gid, _ in prepared.in_doubt(urls["a"])]
            lines.append(f"participant a killed (SIGKILL) and restarted; pg_prepared_xacts on a: {held or 'nothing'}")
        with contextlib.closing(Coordinator(urls, log)) as coordinator:
            finished = coordinator.recover()
        lines.append(f"the restarted coordinator recovers: {finished or 'nothing in doubt'}")
        after = _balances(urls)
        lines.append(f"after: {_shown(after)} (total {sum(after.values())})")
    return "\n".join(lines)

