"""Figure 16 of the Raft paper (extended version, §9.3; dissertation ch. 9): how long a 5-server
cluster is without a leader after its leader crashes, for ranges of randomized election timeouts.

The published setup, re-created on the simulator:

* 5 servers on a LAN: one-way latency ``Uniform(1 ms, 2 ms)``;
* heartbeat interval = half the minimum election timeout;
* the leader sends a synchronized heartbeat and crashes uniformly at random within the next
  heartbeat interval;
* "the servers in each trial had different log lengths, so some candidates were not eligible to
  become leader" (the paper's words): the leader holds 5 entries and the survivors 4, 3, 2 and 1
  (``LOG_LENGTHS``). Server 1 can win with any two votes, server 2 only with the votes of servers 3
  and 4, and servers 3 and 4 can never gather three: 2 of the 4 survivors are ineligible. Every
  survivor is a :class:`SlowDisk` follower whose log writes do not finish during the trial, so the
  lengths stay as set up. (``EQUAL_PAIRS`` is the other reading, two equal eligible logs and two
  equal shorter ones; docs/consensus.md compares the two);
* downtime runs from the crash until every other survivor has received an AppendEntries from the
  new leader; a trial is capped at 120 simulated seconds.

How LogCabin (the implementation the paper measured) behaves, as read in its source
(``Server/RaftConsensus.cc``, ``Core/Random.cc``, ``Server/SimpleFileLog.cc`` of
github.com/logcabin/logcabin, 2012-2015 versions agree), each an option of :class:`LogCabinModel`
(the default) so that its effect can be switched off and measured:

* ``timeout_granularity`` = 1 ms: ``setElectionTimer`` draws ``randomRange(lo, hi)``, an
  ``lround`` of a uniform draw, as whole ``std::chrono::milliseconds``;
* ``persist_before_request_vote``: ``startNewElection`` writes the new term and self-vote
  (``updateLogMetadata``, under the lock the peer threads need) before any RequestVote leaves;
* ``write_each_persist``: a voter that adopts the candidate's newer term writes twice before it
  replies (``stepDown`` writes the term, then the granted vote is written);
* a write (``protoToFile``: write, fsync the file, fsync the directory, on an SSD) of
  ``Uniform(1 ms, 2 ms)``. The write time is not published; the paper's "broadcast time of roughly
  15 ms" cannot be one such write, because with the candidate's write in front of every
  RequestVote a 10-14 ms write makes 150-155 ms need seconds and 12-24 ms never elect
  (docs/consensus.md, Figure 16, has the table);
* stepping down to a newer term does not reset the election timer (``stepDown`` re-arms it only
  when the server was leader); granting a vote or hearing a leader does -- as ``RaftNode`` does.

``downtime(seed, low, high)`` runs one trial (``trial`` also names the winner); ``sweep`` runs them all and
``summary`` gives the quantiles that ``raft-fig16.tsv`` (bundled in ``distlab/consensus/data``) lists for the paper.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.consensus import checks
from distlab.sim import Latency, Simulation, Uniform, derive_seed, ms

from .messages import AppendEntries
from .node import RaftNode
from .state import Entry, RaftConfig

RANGES_MS = ((150, 150), (150, 151), (150, 155), (150, 175), (150, 200), (150, 300),
             (12, 24), (25, 50), (50, 100), (100, 200))
PAPER_TRIALS: dict[tuple[int, ...], int] = {(150, 150): 100}  # every other range: 1000
DEFAULT_LATENCY = Uniform(ms(1), ms(2))
DEFAULT_DISK = Uniform(ms(1), ms(2))
CAP = 120.0
MAX_TIMEOUT_MS = 60_000.0  #: the longest election timeout a trial takes (ms)
SERVERS = (0, 1, 2, 3, 4)
LEADER = 0
LOG_LENGTHS = (5, 4, 3, 2, 1)  # per server; the leader's is the longest, every survivor's differs
EQUAL_PAIRS = (2, 2, 2, 1, 1)  # the other reading: servers 1-2 equal and eligible, 3-4 shorter
DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "raft-fig16.tsv")


class SlowDisk(RaftNode):
    """A follower whose log writes do not finish in time: it acknowledges AppendEntries without
    storing their entries, so its log keeps the length it started the trial with."""

    def handle_append_entries(self, src: Hashable, m: AppendEntries) -> None:
        if m.entries:
            m = m._replace(entries=())
        super().handle_append_entries(src, m)


class _Watch:
    """Notes when each survivor first hears AppendEntries from a leader newer than term 1."""

    def __init__(self) -> None:
        self.heard: dict[Hashable, float] = {}
        self.new_leader: Hashable | None = None


class _Survivor(RaftNode):
    watch: _Watch

    def handle_append_entries(self, src: Hashable, m: AppendEntries) -> None:
        if m.term > 1 and self.pid not in self.watch.heard:
            self.watch.heard[self.pid] = self.sim.now
            self.watch.new_leader = src
        super().handle_append_entries(src, m)


class _SlowSurvivor(SlowDisk, _Survivor):
    pass


def _check_lengths(log_lengths: Any) -> tuple[int, ...]:
    lengths = tuple(log_lengths) if isinstance(log_lengths, (tuple, list)) else ()
    if (len(lengths) != len(SERVERS) or not all(isinstance(n, int) and n >= 1 for n in lengths)
            or max(lengths) != lengths[LEADER]):
        raise ValueError(f"log_lengths must be {len(SERVERS)} whole numbers >= 1, one per server, the "
                         f"leader's (server {LEADER}) the longest; got {log_lengths!r}")
    return lengths


@dataclass(frozen=True)
class LogCabinModel:
    """How the measured implementation behaved (see the module docstring); each field maps to the
    :class:`RaftConfig` option of the same name. ``LogCabinModel.textbook()`` turns all three off
    (real-valued timeouts, the candidate's write overlapped with its requests, one write per
    step), which is how ``RaftNode`` behaves by default."""

    timeout_granularity: float | None = ms(1)
    persist_before_request_vote: bool = True
    write_each_persist: bool = True

    @classmethod
    def textbook(cls) -> LogCabinModel:
        """Textbook Raft: all three LogCabin behaviours off."""
        return cls(None, False, False)


LOGCABIN = LogCabinModel()


def _check_range(low_ms: float, high_ms: float) -> None:
    checks.number("low_ms", low_ms, 0, MAX_TIMEOUT_MS, "milliseconds", open_low=True)
    checks.number("high_ms", high_ms, low_ms, MAX_TIMEOUT_MS, "milliseconds")  # low_ms <= high_ms


class Trial(NamedTuple):
    """One trial's outcome."""

    downtime: float  # seconds without a leader (``cap`` if none was elected in time)
    leader: Hashable | None  # the server that won, None if nobody did within ``cap``


def downtime(seed: int, low_ms: float, high_ms: float, **options: Any) -> float:
    """One trial: seconds without a leader after the leader crashes (at most ``cap``); the options
    are :func:`trial`'s."""
    return trial(seed, low_ms, high_ms, **options).downtime


def trial(seed: int, low_ms: float, high_ms: float, *, latency: Latency = DEFAULT_LATENCY,
          disk: Latency | None = DEFAULT_DISK, model: LogCabinModel = LOGCABIN,
          log_lengths: tuple[int, ...] = LOG_LENGTHS, warmup_heartbeats: int = 4, cap: float = CAP) -> Trial:
    """One trial: how long the cluster was without a leader after the leader crashed, and who won."""
    checks.seed(seed)
    _check_range(low_ms, high_ms)
    checks.whole("warmup_heartbeats", warmup_heartbeats, 1, 1000)
    checks.number("cap", cap, 0, 3600.0, "seconds", open_low=True)
    lengths = _check_lengths(log_lengths)
    if not isinstance(model, LogCabinModel):
        raise ValueError(f"model must be a LogCabinModel, got {model!r}")
    cfg = RaftConfig(election_timeout=(ms(low_ms), ms(high_ms)), heartbeat_interval=ms(low_ms) / 2,
                     disk_write=disk, timeout_granularity=model.timeout_granularity,
                     persist_before_request_vote=model.persist_before_request_vote,
                     write_each_persist=model.write_each_persist)
    sim = Simulation(seed, trace=False)
    sim.network.configure(latency=latency)
    watch = _Watch()
    nodes = {}
    for pid in SERVERS:
        node = _SlowSurvivor(pid, SERVERS, cfg)
        node.watch = watch
        node.stable.update(current_term=1, voted_for=LEADER,
                           log=[Entry(1, f"x{i}") for i in range(lengths[pid])])
        nodes[pid] = sim.add(node)
    sim.schedule(0.0, nodes[LEADER].become_leader)  # the leader of term 1, already elected
    hb = cfg.heartbeat
    crash_at = (warmup_heartbeats + sim.rng("crash").random()) * hb
    sim.run(crash_at)
    sim.crash(LEADER)
    others = [p for p in SERVERS if p != LEADER]
    limit = crash_at + cap

    def done(s: Simulation) -> bool:
        if s.now >= limit:
            return True
        nl = watch.new_leader
        return nl is not None and all(p in watch.heard for p in others if p != nl)

    sim.run(done)
    nl = watch.new_leader
    if nl is None or not all(p in watch.heard for p in others if p != nl):
        return Trial(cap, None)
    return Trial(min(cap, max(watch.heard[p] for p in others if p != nl) - crash_at), nl)


def trials_for(rng_ms: Sequence[int], scale: float = 1.0) -> int:
    """The paper's trial count for a range (100 for 150-150, else 1000), times ``scale``."""
    return max(1, round(PAPER_TRIALS.get(tuple(rng_ms), 1000) * scale))


class PlannedTrial(NamedTuple):
    """One trial of a sweep, before it runs: its timeout range (ms) and its seed."""

    range_ms: tuple[int, int]
    seed: int


def plan(seed: int = 0, scale: float = 1.0,
         ranges: Sequence[tuple[int, int]] = RANGES_MS) -> list[PlannedTrial]:
    """Every trial `sweep` runs, in its order: each range's seeds count up from one derived from
    `seed` and the range, so a range's downtimes do not depend on the other ranges."""
    checks.seed(seed)
    checks.number("scale", scale, 0, 1, open_low=True)
    trials = []
    for lo, hi in ranges:
        base = derive_seed(seed, f"fig16/{lo}-{hi}") % (2**62)
        trials += [PlannedTrial((lo, hi), base + t) for t in range(trials_for((lo, hi), scale))]
    return trials


def sweep(seed: int = 0, scale: float = 1.0, ranges: Sequence[tuple[int, int]] = RANGES_MS,
          **kw: Any) -> dict[tuple[int, int], list[float]]:
    """Downtimes (seconds) per range: ``{(low, high): [..]}``; ``scale`` < 1 runs fewer trials."""
    trials = plan(seed, scale, ranges)
    out: dict[tuple[int, int], list[float]] = {(lo, hi): [] for lo, hi in ranges}
    for t in trials:
        out[t.range_ms].append(downtime(t.seed, *t.range_ms, **kw))
    return out


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile by linear interpolation between order statistics."""
    if not sorted_values:
        raise ValueError("sorted_values must not be empty")
    pos = q * (len(sorted_values) - 1)
    i = int(pos)
    j = min(i + 1, len(sorted_values) - 1)
    return sorted_values[i] + (sorted_values[j] - sorted_values[i]) * (pos - i)


@dataclass(frozen=True)
class Summary:
    """Quantiles of a range's downtimes, in milliseconds (as the paper's ``raft-fig16.tsv``)."""

    trials: int
    p10_ms: float
    p25_ms: float
    median_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float


def summary(downtimes: Sequence[float]) -> Summary:
    """The :class:`Summary` of downtimes given in seconds."""
    v = sorted(x * 1000 for x in downtimes)
    p10, p25, p50, p75, p90, p99 = (quantile(v, q) for q in (0.10, 0.25, 0.50, 0.75, 0.90, 0.99))
    return Summary(len(v), p10, p25, p50, p75, p90, p99, v[-1], sum(v) / len(v))


def published() -> dict[tuple[int, int], Summary]:
    """The paper's quantiles per range, from the bundled ``raft-fig16.tsv``."""
    out = {}
    with open(DATA, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            lo, hi = (int(x) for x in row["range_ms"].split("-"))
            out[(lo, hi)] = Summary(int(row["trials"]), *(float(row[k]) for k in (
                "p10_ms", "p25_ms", "median_ms", "p75_ms", "p90_ms", "p99_ms", "max_ms",
                "mean_ms")))
    return out


def tolerance(rng_ms: Sequence[int]) -> float:
    """Allowed relative error of the median: 30 % for the steep 150-155 ms curve, else 25 %."""
    return 0.30 if tuple(rng_ms) == (150, 155) else 0.25
