"""Run every benchmark (`benchmarks/bench_*.py`) in its own process, in name order.

Each prints lines `bench <name> <value> <unit>`; this runner passes them through, adds
`bench bench_<file>_s <seconds> s` for the time each file took, and exits non-zero if any failed.
"""
from __future__ import annotations

import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    only = set(argv)
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        area = path.stem[len("bench_"):]
        if only and area not in only:
            continue
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(path)], cwd=HERE.parent)
        print(f"bench bench_{area}_s {time.perf_counter() - start:.1f} s", flush=True)
        if proc.returncode:
            failed.append(path.name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
