"""Quorum commit on real PostgreSQL replicas (issue 10, milestone e).

Prints ``bench <name> <value> <unit>`` lines, for a primary and three standbys whose apply delays
are 20, 80 and 150 ms (``distlab.geo.replicas``):

* ``pg_quorum_commit_ms_k<k>`` -- median of 20 commits under ``ANY k (s1, s2, s3)`` with
  ``remote_apply`` on the embedded PostgreSQL; the prediction is the k-th smallest delay, printed
  beside as ``pg_quorum_predicted_ms_k<k>``;
* ``pg_quorum_stale_reads_k<k>`` -- of 5 reads of each standby right after a commit, how many were
  stale (k = 1: s2 and s3 lag; k = 3: none may);
* ``pg_quorum_startup_s`` -- best of 3 starts of the set (initdb, three pg_basebackups, every standby
  streaming), ``pg_quorum_run_s`` -- one whole ``run_quorum_commit`` with these settings;
* ``pg_quorum_debian_commit_ms_k<k>`` and ``pg_quorum_debian_startup_s`` -- the same on Debian's
  PostgreSQL when it is installed (else ``pg_quorum_debian_started 0 count``);
* ``pg_quorum_servers_left`` -- servers of this run still running at the end (must be 0).
"""
from __future__ import annotations

import os
import sys
import time

from distlab.geo.replicas import replica_set
from distlab.geo.replicas_experiment import QuorumCommitResult, run_quorum_commit
from distlab.services import lifecycle
from distlab.services.errors import ServerNotInstalled

N = 20
READS = 5


def bench(name: str, value: float, unit: str) -> None:
    print(f"bench {name} {value:.6g} {unit}", flush=True)


def report(result: QuorumCommitResult, prefix: str) -> None:
    for row in result.rows:
        bench(f"{prefix}_commit_ms_k{row.k}", row.median_ms, "ms")
        if prefix == "pg_quorum":
            bench(f"{prefix}_predicted_ms_k{row.k}", row.predicted_ms, "ms")
            bench(f"{prefix}_stale_reads_k{row.k}", sum(row.stale_reads), "count")


def main() -> None:
    os.environ.setdefault(lifecycle.TAG_ENV, f"bench-{os.getpid()}")
    started = time.perf_counter()
    result = run_quorum_commit((1, 2, 3), n=N, reads=READS)
    run_s = time.perf_counter() - started
    report(result, "pg_quorum")
    startups = [result.startup_s]
    for _ in range(2):
        with replica_set() as rs:
            startups.append(rs.startup_s)
    bench("pg_quorum_startup_s", min(startups), "s")
    bench("pg_quorum_run_s", run_s, "s")
    try:
        debian = run_quorum_commit((1, 2, 3), n=N, reads=0, engine="debian")
    except ServerNotInstalled as exc:
        print(f"# {exc}", file=sys.stderr)
        bench("pg_quorum_debian_started", 0, "count")
    else:
        report(debian, "pg_quorum_debian")
        bench("pg_quorum_debian_startup_s", debian.startup_s, "s")
    left = lifecycle.wait_gone([r.pid for r in lifecycle.tagged(os.environ[lifecycle.TAG_ENV])], 5.0)
    bench("pg_quorum_servers_left", len(left), "count")


if __name__ == "__main__":
    main()
