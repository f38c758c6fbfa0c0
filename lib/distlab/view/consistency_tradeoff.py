"""The measured trade-off down the ladder: every read policy of the store experiment on the same
workloads and partition (:func:`tradeoff`), as a text table (:func:`tradeoff_table`) and as anomalies,
tail latency and availability side by side (:func:`render_tradeoff`). With ``rtt_ms`` the leader is a
real round trip away from the clients (the followers stay near): :func:`coordination_table` then
shows what each step down the ladder saves -- latency, and requests answered during the partition."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from distlab.consistency.verdict import plural

from .consistency_store import store_run
from .style import BAD, CYCLE, label_axes, prepare

__all__ = ["LADDER_ORDER", "tradeoff", "tradeoff_table", "coordination_table", "render_tradeoff", "rung_label"]

#: Read policies from the top of the ladder down (policy, write acknowledgement).
LADDER_ORDER = (("leader", "leader"), ("quorum", "majority"), ("token", "leader"), ("sticky", "leader"),
                ("any", "leader"))


def tradeoff(seeds: Sequence[int] = (0, 1, 2), lag_ms: float = 50.0, partition_s: float = 1.0,
             replicas: int = 3, rtt_ms: float = 0.0) -> list[dict[str, Any]]:
    """Every policy of :data:`LADDER_ORDER` on the same workloads; averaged over ``seeds``; ``rtt_ms``
    is the extra round trip between each client and the leader (:class:`~distlab.consistency.StoreConfig`'s
    ``leader_rtt``)."""
    if (isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds)):
        raise ValueError(f"seeds must be a non-empty sequence of integer seeds, e.g. (0, 1, 2), got {seeds!r}")
    rows = []
    for policy, ack in LADDER_ORDER:
        runs = [store_run({"replicas": replicas, "lag_ms": lag_ms, "policy": policy, "write_ack": ack,
                           "partition_s": partition_s, "seed": s, "rtt_ms": rtt_ms}) for s in seeds]
        def mean(f: Callable[[dict[str, Any]], float], runs: list[dict[str, Any]] = runs) -> float:
            return sum(f(r["metrics"]) for r in runs) / len(runs)

        answers = [", ".join(r["strongest"]) or "none" for r in runs]
        strongest = sorted(set(answers), key=lambda a: (-answers.count(a), a))
        rows.append({"policy": policy, "write_ack": ack, "strongest": " / ".join(strongest),
                     "strongest_seeds": [(a, answers.count(a)) for a in strongest],
                     "stale_pct": mean(lambda m: 100 * m["stale_read_rate"]),
                     "session_violations": mean(lambda m: m["ryw_violations"] + m["mr_violations"]),
                     "session_pct": sum(100 * (r["metrics"]["ryw_violations"] + r["metrics"]["mr_violations"])
                                        / max(1, r["reads"]) for r in runs) / len(runs),
                     "read_p99_ms": mean(lambda m: m["read_latency_ms"]["p99"] or 0.0),
                     "write_p99_ms": mean(lambda m: m["write_latency_ms"]["p99"] or 0.0),
                     "read_avail_pct": mean(lambda m: 100 * (m["read_availability"] or 0.0)),
                     "write_avail_pct": mean(lambda m: 100 * (m["write_availability"] or 0.0)),
                     "read_p50_ms": mean(lambda m: m["read_latency_ms"]["p50"] or 0.0),
                     "write_p50_ms": mean(lambda m: m["write_latency_ms"]["p50"] or 0.0),
                     "read_partition_pct": mean(lambda m: _pct(m["read_availability_during_partition"])),
                     "write_partition_pct": mean(lambda m: _pct(m["write_availability_during_partition"]))})
    return rows


def _pct(fraction: float | None) -> float:
    """A fraction as a percentage (NaN when there was nothing to measure, e.g. no partition)."""
    return float("nan") if fraction is None else 100.0 * fraction


def coordination_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """What each policy's coordination costs (rows of :func:`tradeoff`, best run with ``rtt_ms``): the
    strongest rung (each seed's answer when they differ, as :func:`tradeoff_table`), median and p99
    latency of reads and writes, and the share of reads and writes answered while the partition lasted."""
    head = (f"{'policy':8}{'read p50':>9}{'read p99':>10}{'write p50':>11}{'reads answered':>16}"
            f"{'writes answered':>17}  strongest rung")
    lines = [head, f"{'':38}{'(during the partition)':>33}"]
    for r in rows:
        rung = _per_seed(r)
        lines.append(f"{r['policy']:8}{r['read_p50_ms']:7.0f}ms{r['read_p99_ms']:8.0f}ms{r['write_p50_ms']:9.0f}ms"
                     f"{r['read_partition_pct']:15.0f}%{r['write_partition_pct']:16.0f}%  {rung}")
    return "\n".join(lines)


def tradeoff_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows of `tradeoff` as a text table, one policy per line (strongest policy first), and a
    last line saying how the strongest-rung column reads when the seeds' runs differ."""
    head = (f"{'policy':8}{'acks':>9}  {'stale %':>7}{'RYW+MR':>7}{'read p99':>9}{'write p99':>10}"
            f"{'reads ok':>9}{'writes ok':>10}  strongest rung")
    lines = [head]
    for r in rows:
        lines.append(f"{r['policy']:8}{r['write_ack']:>9}  {r['stale_pct']:7.0f}{r['session_violations']:7.1f}"
                     f"{r['read_p99_ms']:7.0f}ms{r['write_p99_ms']:8.0f}ms{r['read_avail_pct']:8.0f}%"
                     f"{r['write_avail_pct']:9.0f}%  {_per_seed(r)}")
    seeds = max((sum(n for _, n in r.get("strongest_seeds", ())) for r in rows), default=0)
    lines.append(f"(averages over {plural(seeds, 'seed')}; RYW+MR: read-your-writes and monotonic-reads violations "
                 "per run; acks: who acknowledges a write;\n the strongest rung is the checker's for each seed's "
                 "run -- where they differ, ' / ' separates the answers, the most common first)")
    return "\n".join(lines)


def _per_seed(row: Mapping[str, Any]) -> str:
    """The strongest-rung column: one answer, or each answer with how many seeds' runs reached it."""
    answers = row.get("strongest_seeds") or [(row["strongest"], 1)]
    if len(answers) == 1:
        return str(answers[0][0])
    return " / ".join(f"{a} ({plural(n, 'seed')})" for a, n in answers)


_SHORT = {"linearizable": "lin.", "sequential": "seq.", "causal": "causal", "pram": "PRAM",
          "read-your-writes": "RYW", "monotonic-reads": "MR", "monotonic-writes": "MW",
          "writes-follow-reads": "WFR", "consistent-prefix": "prefix", "none": "none"}


def rung_label(row: Mapping[str, Any]) -> str:
    """A short tick label for a row's strongest rung over its seeds: every rung of the most common
    answer (``MR+MW``), with its share of the seeds when they differ (``lin. 2/3``), or ``mixed`` when no
    answer is more common than another (a tie is not "the most common")."""
    answers = row.get("strongest_seeds") or [(row["strongest"], 1)]
    total = sum(n for _, n in answers)
    (top, n), rest = answers[0], answers[1:]
    if rest and rest[0][1] == n:
        return "mixed"
    short = "+".join(_SHORT.get(rung.strip(), rung.strip()) for rung in top.split(","))
    return short if n == total else f"{short} {n}/{total}"


def render_tradeoff(rows: Sequence[Mapping[str, Any]], fig: Figure | None = None) -> Figure:
    """Three panels over the policies, strongest first: anomalies, p99 latency, availability."""
    fig = prepare(fig, figsize=(11.0, 4.0))
    labels = [f"{r['policy']}\n{rung_label(r)}" for r in rows]
    x = range(len(rows))
    specs = (("Anomalies", "% of reads", [("stale_pct", "stale (any session)", BAD),
                                          ("session_pct", "own session's view broken (RYW+MR)", CYCLE[2])]),
             ("Tail latency", "p99 latency (ms)",
              [("read_p99_ms", "reads", CYCLE[0]), ("write_p99_ms", "writes", CYCLE[1])]),
             ("Availability (partition 0.2 s in)", "operations answered (%)",
              [("read_avail_pct", "reads", CYCLE[0]), ("write_avail_pct", "writes", CYCLE[1])]))
    for k, (title, ylabel, series) in enumerate(specs):
        ax = fig.add_subplot(1, 3, k + 1)
        w = 0.8 / len(series)
        for j, (field, name, colour) in enumerate(series):
            ax.bar([i + (j - (len(series) - 1) / 2) * w for i in x], [r[field] for r in rows], w,
                   color=colour, label=name)
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, fontsize=8)
        label_axes(ax, title=title, xlabel="read policy (strongest rung; seeds agreeing)", ylabel=ylabel)
        if field.endswith("_pct") and k == 2:
            ax.set_ylim(0, 118)
        else:                                     # head room: the legend stays above the tallest bar
            ax.set_ylim(0, 1.25 * max([r[f] for r in rows for f, _, _ in series] + [1.0]))
        ax.legend(fontsize=7, ncol=1 if k == 0 else 2, loc="upper center")
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.25, top=0.88, wspace=0.3)
    return fig
