"""Raft's five safety properties (Figure 3 of the paper) as named invariants of the global state.

=========================  =====================================================================
``election_safety``         at most one leader is ever elected in a given term
``leader_append_only``      a leader never overwrites or deletes entries in its log
``log_matching``            two logs holding an entry with the same index and term are identical
                            in all entries up to that index
``leader_completeness``     an entry committed in some term is in the log of every leader of
                            every later term
``state_machine_safety``    no two servers ever apply different commands at the same index
=========================  =====================================================================

They are checked after every step (``Simulation(check_invariants=True)``) and must stay cheap, so
:class:`RaftSafety` keeps a little history -- which server led each term, a fingerprint of every
(index, term) ever seen, what was committed and applied -- and updates it incrementally: a log is
re-read from the first entry that differs from what the checker saw one step earlier.

A fingerprint is a chain hash ``h_i = hash((h_{i-1}, term_i, command_i))``: equal fingerprints at
index ``i`` mean equal logs up to ``i`` (up to a 64-bit collision), which turns log matching and
leader completeness into dictionary look-ups. The checker reads servers; it never trusts a
server's own claims beyond its state variables (role, term, log, commitIndex, lastApplied).
"""
from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable

from distlab.sim import Simulation

from .node import RaftNode
from .state import LEADER, Entry

NAMES = ("election_safety", "leader_append_only", "log_matching", "leader_completeness",
         "state_machine_safety")


class _Seen:
    """What the checker last saw of one server."""

    __slots__ = ("log", "chain", "base", "lead_term", "truncated_at", "applied_ok")

    def __init__(self) -> None:
        self.log: list[Entry] = []
        self.base = 0           # the server's snapshot index when last read
        self.chain: list[Hashable] = [0]  # chain[k] = fingerprint of the entries up to index base + k
        self.lead_term = -1      # term in which it was leader at the last check (-1: not leader)
        self.truncated_at = 0    # >0: index of the first entry removed since the last check
        self.applied_ok = 0      # applied entries already checked


class RaftSafety:
    """Incremental checker of the five safety properties over the Raft nodes of a simulation."""

    def __init__(self, nodes: Iterable[RaftNode] | None = None) -> None:
        self.pids = None if nodes is None else [n.pid for n in nodes]
        self.seen: dict[Hashable, _Seen] = {}
        self.leader_of_term: dict[int, Hashable] = {}
        self.fingerprint: dict[tuple[int, int], Hashable] = {}  # (index, term) -> chain hash
        self.committed_index = 0
        self.committed_chain: list[Hashable] = [0]  # chain hash of the committed prefix, per index
        self.committed_bound: list[int] = [0]  # per index: a term >= the term in which it committed
        self.applied: dict[int, Hashable] = {}  # index -> chain hash of the applied prefix
        self._synced_at = -1
        self.problems: list[str] = []

    def install(self, sim: Simulation) -> RaftSafety:
        """Register the five invariants on ``sim`` under their names."""
        for name in NAMES:
            sim.invariants.add(name, getattr(self, name))
        return self

    # ------------------------------------------------------------------ incremental reading
    def _nodes(self, sim: Simulation) -> list[RaftNode]:
        if self.pids is None:
            return [p for p in sim.processes.values() if hasattr(p, "commit_index")]
        return [sim.processes[p] for p in self.pids]

    def _sync(self, sim: Simulation) -> None:
        if self._synced_at == sim.events_run and self._synced_at >= 0:
            return
        self._synced_at = sim.events_run
        self.problems = []
        for node in self._nodes(sim):
            self._read(node)
        self._read_commits(sim)

    def _read(self, node: RaftNode) -> None:
        s = self.seen.get(node.pid)
        if s is None:
            s = self.seen[node.pid] = _Seen()
        log, old = node.log, s.log
        s.truncated_at = 0
        base = node.base_index
        if base != s.base:  # compacted, or a snapshot installed: read again from the new base
            if base <= self.committed_index:
                base_fp = self.committed_chain[base]
            elif s.base <= base < s.base + len(s.chain):
                # it committed and compacted within one step (a leader does): the entries it
                # snapshotted are the ones read one step earlier -- note them as committed
                base_fp = s.chain[base - s.base]
                self._commit_from(node.pid, s, min(base, node.commit_index), node.current_term)
            else:
                base_fp = ("snapshot", base, node.base_term)
            s.base, s.chain, s.log, old = base, [base_fp], [], []
        if len(log) == len(old) and log == old:
            return
        if len(log) >= len(old) and log[: len(old)] == old:
            k = len(old)
        else:
            k = 0
            limit = min(len(log), len(old))
            while k < limit and log[k] == old[k]:
                k += 1
            if k < len(old):
                s.truncated_at = k + 1
        chain = s.chain
        del chain[k + 1:]
        fp = self.fingerprint
        h = chain[k]
        for i in range(k, len(log)):
            e = log[i]
            h = hash((h, e.term, e.command))
            chain.append(h)
            known = fp.setdefault((base + i + 1, e.term), h)
            if known != h:
                self.problems.append(
                    f"log_matching: {node.pid!r} holds index {base + i + 1} term {e.term} with "
                    f"a different prefix than another server did")
        s.log = list(log)

    def _read_commits(self, sim: Simulation) -> None:
        for node in self._nodes(sim):
            s = self.seen[node.pid]
            self._commit_from(node.pid, s, node.commit_index, node.current_term)

    def _commit_from(self, pid: Hashable, s: _Seen, commit_index: int, term: int) -> None:
        """Extend the committed prefix with what server ``pid`` (read as ``s``) has committed."""
        c = min(commit_index, s.base + len(s.chain) - 1)
        if c <= self.committed_index or s.base > self.committed_index:
            return
        chain = s.chain
        if chain[self.committed_index - s.base] != self.committed_chain[self.committed_index]:
            self.problems.append(
                f"state_machine_safety: {pid!r} committed a different entry at or "
                f"before index {self.committed_index} than was committed before")
            return
        bound = max(self.committed_bound[-1], term)
        for i in range(self.committed_index + 1, c + 1):
            self.committed_chain.append(chain[i - s.base])
            self.committed_bound.append(bound)
        self.committed_index = c

    # ------------------------------------------------------------------ the five properties
    def election_safety(self, sim: Simulation) -> str | None:
        """At most one leader is ever elected in a given term."""
        self._sync(sim)
        for node in self._nodes(sim):
            if node.up and node.role == LEADER:
                first = self.leader_of_term.setdefault(node.current_term, node.pid)
                if first != node.pid:
                    return (f"two leaders in term {node.current_term}: {first!r} and "
                            f"{node.pid!r}")
        return None

    def leader_append_only(self, sim: Simulation) -> str | None:
        """A leader never overwrites or deletes entries in its log (within its term)."""
        self._sync(sim)
        for node in self._nodes(sim):
            s = self.seen[node.pid]
            leading = node.up and node.role == LEADER
            if leading and s.lead_term == node.current_term and s.truncated_at:
                return (f"leader {node.pid!r} of term {node.current_term} removed entries from "
                        f"index {s.truncated_at}")
            s.lead_term = node.current_term if leading else -1
        return None

    def log_matching(self, sim: Simulation) -> str | None:
        """Two logs holding an entry with the same index and term agree on every entry up to it."""
        self._sync(sim)
        bad = [p for p in self.problems if p.startswith("log_matching")]
        return bad[0] if bad else None

    def leader_completeness(self, sim: Simulation) -> str | None:
        """An entry committed in some term is in the log of every leader of every later term."""
        self._sync(sim)
        for node in self._nodes(sim):
            if not (node.up and node.role == LEADER):
                continue
            # the highest committed index whose commit term is certainly below this leader's term
            i = bisect.bisect_left(self.committed_bound, node.current_term) - 1
            if i <= 0:
                continue
            s = self.seen[node.pid]
            if i <= s.base:
                continue  # inside its snapshot, which holds only committed state
            chain = s.chain
            if len(chain) <= i - s.base or chain[i - s.base] != self.committed_chain[i]:
                return (f"leader {node.pid!r} of term {node.current_term} lacks committed "
                        f"entry {i} (or holds a different one)")
        return None

    def state_machine_safety(self, sim: Simulation) -> str | None:
        """No two servers ever apply different commands at the same index."""
        self._sync(sim)
        bad = [p for p in self.problems if p.startswith("state_machine_safety")]
        if bad:
            return bad[0]
        applied = self.applied
        for node in self._nodes(sim):
            s = self.seen[node.pid]
            upto = min(node.last_applied, s.base + len(s.chain) - 1)
            if upto < s.applied_ok:
                s.applied_ok = 0  # restarted: it re-applies from its snapshot on
            for i in range(max(s.applied_ok, s.base) + 1, upto + 1):
                h = applied.setdefault(i, s.chain[i - s.base])
                if h != s.chain[i - s.base]:
                    return f"{node.pid!r} applied a different command at index {i}"
            s.applied_ok = max(s.applied_ok, upto)
        return None


def install_safety(sim: Simulation, nodes: Iterable[RaftNode] | None = None) -> RaftSafety:
    """Create a :class:`RaftSafety` for ``nodes`` (default: every Raft node) and register it."""
    return RaftSafety(nodes).install(sim)
