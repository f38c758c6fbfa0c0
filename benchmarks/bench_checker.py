"""Checker speed: the whole etcd corpus (102 Jepsen histories), its slowest history, seeded
~2,000-operation key-value histories from 50 clients over 10 keys, and (issue 14) Porcupine-style
50-client histories checked by a whole process.

Prints ``bench <name> <value> <unit>`` lines. Targets (issue 3): corpus < 2 s in one process, no
history > 0.5 s, the kv history < 5 s. Issue 14: ``checker_kv_50clients_ok_s`` and
``checker_kv_50clients_bad_s`` <= 0.5 s each -- a *whole process* (``python -c``: start-up and
imports, reading the history from an EDN file, checking it, and for the bad one explaining the
violation), best of 5, on the seeded histories of :func:`distlab.consistency.workloads.kv_clients_history`
(seed 1: 50 clients, 10 keys, 2,000 operations, 4,000 events; the bad one with a planted stale
read). ``checker_thin_air_5000_s``: the same for 4,999 indeterminate writes and a read of a value
none of them wrote (violated without search).
"""
from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distlab.consistency import check_linearizable, read_file, to_edn
from distlab.consistency.workloads import kv_clients_history, thin_air_history

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "etcd"


def kv_history(seed: int = 7):
    """~2,000 get/put/append operations, 50 clients, 10 keys, overlapping in time.

    Recorded from the replicated store simulator with linearizable (leader) reads when it is
    available; otherwise from a seeded atomic in-memory model.
    """
    try:
        from distlab.consistency.store_experiment import StoreConfig, run_store
    except ImportError:
        from distlab.consistency.generate import linearizable_history
        return linearizable_history(seed, 2000, 50, model="kv", keys=10, p_info=0.02), "in-memory model"
    cfg = StoreConfig(clients=50, keys=10, ops_per_client=40, read_fraction=0.4, append_fraction=0.5,
                      read_policy="leader", seed=seed)
    return run_store(cfg).history, "store simulator"


def main() -> None:
    with open(DATA / "EXPECTED.tsv") as f:
        names = [row["file"] for row in csv.DictReader(f, delimiter="\t")]
    start = time.perf_counter()
    worst = 0.0
    for name in names:
        t = time.perf_counter()
        v = check_linearizable(read_file(DATA / name), "cas-register")
        worst = max(worst, time.perf_counter() - t)
        assert v.status in ("holds", "violated"), (name, v.explanation)
    corpus = time.perf_counter() - start
    print(f"bench checker_etcd_corpus_s {corpus:.3f} s")
    print(f"bench checker_etcd_max_history_s {worst:.3f} s")
    print(f"bench checker_etcd_histories {len(names)} count")

    h, source = kv_history()
    t = time.perf_counter()
    v = check_linearizable(h, "kv")
    dt = time.perf_counter() - t
    print(f"bench checker_kv_2000ops_s {dt:.3f} s")
    print(f"bench checker_kv_2000ops_ops {len(h)} count")
    print(f"# kv history from the {source}: {v.status}", file=sys.stderr)

    # a denser one: the in-memory atomic model overlaps operations far more than the store does
    from distlab.consistency.generate import linearizable_history
    dense = linearizable_history(7, 2000, 50, model="kv", keys=10, p_info=0.02)
    t = time.perf_counter()
    v = check_linearizable(dense, "kv")
    print(f"bench checker_kv_2000ops_dense_s {time.perf_counter() - t:.3f} s")
    print(f"# dense kv history from the in-memory model: {v.status}", file=sys.stderr)
    many_clients()


WHOLE = ("import sys; from distlab.consistency import check_linearizable, read_file; "
         "v = check_linearizable(read_file(sys.argv[1])); print(v.status, bool(v.window))")


def whole_process(path: Path, runs: int = 5) -> tuple[float, str]:
    """Best wall time of ``runs`` fresh processes that read ``path`` and check it, and their output."""
    best, out = float("inf"), ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", WHOLE, str(path)], capture_output=True, text=True, check=True)
        best, out = min(best, time.perf_counter() - start), proc.stdout.strip()
    return best, out


def many_clients() -> None:
    """The issue-14 figures (see the module doc)."""
    with tempfile.TemporaryDirectory() as tmp:
        cases = {"checker_kv_50clients_ok_s": kv_clients_history(1),
                 "checker_kv_50clients_bad_s": kv_clients_history(1, stale_reads=1),
                 "checker_thin_air_5000_s": thin_air_history(4999)}
        for name, history in cases.items():
            path = Path(tmp) / f"{name}.edn"
            path.write_text(to_edn(history))
            seconds, out = whole_process(path)
            print(f"bench {name} {seconds:.3f} s")
            print(f"# {name}: {out} (verdict, window shown)", file=sys.stderr)


if __name__ == "__main__":
    main()
