"""Does ``--timeout`` hold? Whole-process wall times of ``python -m distlab.consistency`` on
histories too big to decide in the budget (issue 14: within 10 % + 0.5 s of the timeout, reading
included, for any history up to 100,000 operations).

Prints ``bench <name> <value> <unit>`` lines: the wall time of each run, and
``checker_timeout_worst_overshoot_s``, the largest (wall time - 1.1 x timeout) over the runs: the
promise holds while it stays at or below 0.5 s.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distlab.consistency.generate import linearizable_history
from distlab.consistency.history_io import to_edn, to_json_lines

RUNS = [  # (figure, command, file, timeout)
    ("checker_timeout_check_5000rw_t2_s", "check", "rw5000.jsonl", 2.0),
    ("checker_timeout_classify_5000rw_t5_s", "classify", "rw5000.jsonl", 5.0),
    ("checker_timeout_check_100k_jsonl_t2_s", "check", "big.jsonl", 2.0),
    ("checker_timeout_check_100k_edn_t2_s", "check", "big.edn", 2.0),
    ("checker_timeout_classify_100k_t5_s", "classify", "big.jsonl", 5.0),
]


def _write_histories(folder: Path) -> None:
    rw = linearizable_history(1, 5000, 100, model="register", p_info=0.0)
    (folder / "rw5000.jsonl").write_text(to_json_lines(rw))
    big = linearizable_history(3, 100_000, 200, model="register", p_info=0.05)
    (folder / "big.jsonl").write_text(to_json_lines(big))
    (folder / "big.edn").write_text(to_edn(big))


def main() -> None:
    """Write the histories, run each command in a fresh process, print the figures."""
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_histories(folder)
        for name, command, file, timeout in RUNS:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "distlab.consistency", command, "--timeout", str(timeout),
                            str(folder / file)], capture_output=True, check=False)
            wall = time.perf_counter() - start
            worst = max(worst, wall - timeout - 0.1 * timeout)
            print(f"bench {name} {wall:.2f} s", flush=True)
    print(f"bench checker_timeout_worst_overshoot_s {worst:.2f} s", flush=True)


if __name__ == "__main__":
    main()
