"""History reading speed: our EDN reader against the ``edn-format`` package on a 20,000-operation
Jepsen-style history, and the whole history readers on that history and on the etcd corpus.

Prints ``bench <name> <value> <unit>`` lines, each the best of 5 runs. Issue 14 keeps our EDN
reader only while it is at least 2x faster than edn-format (``edn_speedup_vs_edn_format``).
"""
from __future__ import annotations

from pathlib import Path

import edn_format  # type: ignore[import-untyped]

from besttime import best_of
from distlab.consistency.edn import read_all
from distlab.consistency.generate import linearizable_history
from distlab.consistency.history_io import read_file, read_history
from distlab.sim.history import History

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "etcd"
N_OPS = 20_000


def _edn(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, tuple):
        return "[" + " ".join(_edn(v) for v in value) + "]"
    return str(value)


def jepsen_edn(h: History) -> str:
    """``h`` as Jepsen writes ``history.edn``: one event map per line, ``:time`` in nanoseconds, ``:index``."""
    events = sorted([(o.invoke, 0, o) for o in h] + [(o.complete, 1, o) for o in h if o.complete is not None],
                    key=lambda e: (e[0], e[1], e[2].index))
    lines = []
    for index, (t, done, o) in enumerate(events):
        typ = o.status if done else "invoke"
        value = o.result if o.is_read and done else (None if o.is_read else o.value)
        lines.append(f"{{:type :{typ}, :f :{o.f}, :value {_edn(value)}, :process {o.process}, "
                     f":time {round(t * 1e9)}, :index {index}}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    h = linearizable_history(14, N_OPS, 10, model="cas-register", p_info=0.02)
    text = jepsen_edn(h)
    assert len(read_history(text)) == N_OPS
    forms: list[list[object]] = []
    ours = best_of(5, lambda: read_all(text))
    theirs = best_of(5, lambda: forms.append(edn_format.loads_all(text)))
    assert len(forms[0]) == len(read_all(text)) == len(text.splitlines())
    print(f"bench edn_read_20k_ops_s {ours:.3f} s")
    print(f"bench edn_format_read_20k_ops_s {theirs:.3f} s")
    print(f"bench edn_speedup_vs_edn_format {theirs / ours:.1f} x")
    print(f"bench history_read_edn_20k_ops_s {best_of(5, lambda: read_history(text)):.3f} s")
    files = sorted(DATA.glob("*.log"))
    corpus = best_of(5, lambda: [read_file(f) for f in files])
    print(f"bench history_read_etcd_corpus_s {corpus:.3f} s")


if __name__ == "__main__":
    main()
