"""Re-execute notebooks in place so their stored outputs are current (`make notebooks`).

Each notebook runs top to bottom in a fresh `python3` kernel with its own folder as the working
directory, on the embedded defaults (any DISTLAB_*_URL/ENDPOINT variables are removed, so the stored
outputs never depend on a server). Widget state is not stored, execution timings are dropped, and a
notebook is only rewritten when it ran without an error.
"""
from __future__ import annotations

import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

SERVER_VARIABLES = ("DISTLAB_REDIS_URL", "DISTLAB_DATABASE_URL", "DISTLAB_ETCD_ENDPOINT")


def run(path: pathlib.Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> int:
    for name in SERVER_VARIABLES:
        os.environ.pop(name, None)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if not paths:
        print("usage: run_notebooks.py NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for p in paths:
        path = pathlib.Path(p)
        if not path.exists():  # an unmatched glob when there are no notebooks yet
            continue
        print(f"{path}: {run(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
