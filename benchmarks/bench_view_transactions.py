"""Benchmark: chapter 3's panels, control change -> finished PNG (`distlab.view.transactions`).

Prints ``bench view_transactions_<panel>_median_ms`` and ``..._p95_ms`` (budget: median < 100 ms,
p95 < 150 ms idle). The value lists revisit settings, as a learner dragging a slider back and forth
does, and the panels remember their runs, so these lines include cache hits; the
``..._first_visit_*`` lines clear the panel's cache before every change.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from distlab.view import transactions as tv
from distlab.view.timing import first_visits, measure_updates, percentile
from distlab.view.transactions import idempotency, outbox, saga, twopc

PANELS = [
    ("slow", lambda: tv.slow_panel(), "delay", [0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 0.6, 0.2] * 2, twopc.slow_sweep),
    ("twopc", lambda: tv.twopc_panel(), "recovery_time", [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 1.2, 0.8] * 2, twopc._run),
    ("fix", lambda: tv.fix_panel(), "recovery_time", [0.5, 1.0, 1.5, 2.0, 2.5, 3.0] * 2, twopc._run),
    ("saga", lambda: tv.saga_panel(), "fail_step", list(saga.FAIL_CHOICES) * 2, saga._run),
    ("outbox", lambda: tv.outbox_panel(), "duplicates", [1, 2, 0, 1, 2, 0] * 2, outbox._matrix),
    ("charges", lambda: tv.charge_panel(), "retry_delay", list(idempotency.RETRY_DELAYS) * 2, idempotency._run),
]


def main() -> None:
    for name, make, control, values, cache in PANELS:
        timing = measure_updates(make().controls[control], values, warmup=2)
        print(f"bench view_transactions_{name}_median_ms {timing['median_ms']:.2f} ms")
        print(f"bench view_transactions_{name}_p95_ms {timing['p95_ms']:.2f} ms")
        cold = first_visits(make().controls[control], values, cache.cache_clear)
        print(f"bench view_transactions_{name}_first_visit_median_ms {percentile(cold, 50):.2f} ms")
        print(f"bench view_transactions_{name}_first_visit_p95_ms {percentile(cold, 95):.2f} ms")


if __name__ == "__main__":
    main()
