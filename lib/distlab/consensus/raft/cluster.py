"""The scenario API: a Raft cluster a tester (or a notebook) can drive, after MIT 6.5840's
``config.go`` but on simulated time.

>>> c = Cluster(3, seed=1)
>>> leader = c.check_one_leader()
>>> c.one("x", expected=3)           # submit a command, wait until all 3 servers applied it
1
>>> c.committed_log(leader)
['x']

Faults are the kernel's external actions: ``crash``/``restart`` (stable storage survives),
``disconnect``/``connect`` (MIT's: cut one server off both ways), ``partition``, one-way ``block``,
``heal``, and ``set_unreliable`` (10 % loss, 0-27 ms delay) / ``set_long_reordering``. Every wait is
in simulated seconds; a failed expectation raises :class:`ScenarioError` (an ``AssertionError``).
"""
from __future__ import annotations

from typing import Any

from distlab.sim import ms

from .cluster_actions import ClusterActions
from .cluster_core import MAX_NODES, N, ScenarioError

__all__ = ["MAX_NODES", "Cluster", "ScenarioError"]


class Cluster(ClusterActions[N]):
    """``n`` Raft servers named ``0 .. n-1`` in one seeded simulation, with safety checked after
    every step (``check_invariants=True``) and a record of what each server applied.

    ``config`` (a :class:`RaftConfig`) for every server; ``latency`` of the network (default 1-5 ms);
    ``unreliable``: MIT's lossy network from the start; ``trace``: keep the kernel's trace;
    ``node_class``: the server class (``RaftNode`` or a subclass); ``snapshot_every``: the service
    snapshots every so many applied entries; ``voters``: only the first ``voters`` servers form the
    initial configuration, the rest wait as spares.
    """

    # ------------------------------------------------------------------ checking (MIT's config.go)
    def check_one_leader(self, timeout: float = 5.0) -> int:
        """Wait until the connected servers have a leader (MIT's checkOneLeader); at most one per
        term among them, or :class:`ScenarioError`."""
        end = self.sim.now + timeout
        while self.sim.now < end:
            self.run(min(ms(450), end - self.sim.now))
            by_term: dict[int, list[int]] = {}
            for term, pid in self.leaders():
                by_term.setdefault(term, []).append(pid)
            for term, pids in by_term.items():
                if len(pids) > 1:
                    raise ScenarioError(f"term {term} has {len(pids)} (>1) leaders: {pids}")
            if by_term:
                return by_term[max(by_term)][0]
        raise ScenarioError("expected one leader, got none")

    def check_terms(self) -> int:
        """All connected servers agree on the term (MIT's checkTerms)."""
        terms = {self.nodes[p].current_term for p in self.pids if self.connected(p)}
        if len(terms) > 1:
            raise ScenarioError(f"servers disagree on term: {sorted(terms)}")
        return terms.pop() if terms else 0

    def check_no_leader(self) -> None:
        """No connected server believes it leads (MIT's checkNoLeader)."""
        found = self.leaders()
        if found:
            raise ScenarioError(f"expected no leader among connected servers, but {found} claim it")

    def n_committed(self, index: int) -> tuple[int, Any]:
        """How many servers applied ``index``, and the command (MIT's nCommitted)."""
        self._raise_apply_errors()
        count, cmd = 0, None
        for p in self.pids:
            if index in self.applied[p]:
                c = self.applied[p][index]
                if count > 0 and c != cmd:
                    raise ScenarioError(f"committed values do not match: index {index}, "
                                        f"{cmd!r}, {c!r}")
                count, cmd = count + 1, c
        return count, cmd

    def committed_log(self, pid: int) -> list[Any]:
        """The commands of ``pid``'s committed log prefix."""
        return self.node(pid).committed_commands()

    def state(self) -> dict[str, Any]:
        """Plain data for a view: every server's role, term, log and commit index, the messages
        in flight, blocked links and the invariant verdicts (``None`` = holds)."""
        nodes = [{"pid": p, "role": nd.role, "term": nd.current_term, "voted_for": nd.voted_for,
                  "log": [(e.term, e.command) for e in nd.log], "base_index": nd.base_index,
                  "commit_index": nd.commit_index, "last_applied": nd.last_applied,
                  "up": nd.up, "paused": nd.paused, "election_deadline": nd.election_deadline,
                  "members": list(nd.members)} for p, nd in self.nodes.items()]
        flight = [(e.id, e.src, e.dst, type(e.payload).__name__, e.sent_at, e.due)
                  for e in self.sim.network.in_flight.values()]
        return {"time": self.sim.now, "nodes": nodes, "in_flight": flight,
                "blocked": self.sim.network.blocked_pairs(),
                "invariants": self.sim.invariants.evaluate(self.sim)}

    def log_size(self) -> int:
        """The longest log (entries after the snapshot) any server keeps."""
        return max(len(nd.log) for nd in self.nodes.values())

    def rpc_count(self) -> int:
        """RPC requests sent so far (RequestVote + AppendEntries; replies not counted)."""
        return self.counter.rpcs

    def bytes_sent(self) -> int:
        """Bytes sent so far, requests and replies."""
        return self.counter.bytes

    # ------------------------------------------------------------------ clients
    def start(self, pid: int, command: Any) -> tuple[int, int, bool]:
        """Hand ``command`` to server ``pid`` (MIT's Start): ``(index, term, is_leader)``. A server
        that is not the leader refuses it (``is_leader`` False); it is never silently dropped."""
        nd = self.node(pid)
        if not nd.up:
            return 0, nd.current_term, False
        return nd.start(command)

    def one(self, command: Any, expected: int, retry: bool = True, timeout: float = 10.0) -> int:
        """Submit ``command`` to whichever server leads and wait until ``expected`` servers applied
        it; returns its index (MIT's one()). Retries on another leader if ``retry``."""
        if not isinstance(expected, int) or not 1 <= expected <= self.n:
            raise ValueError(f"expected must be an integer from 1 to {self.n}, got {expected!r}")
        end = self.sim.now + timeout
        starts = 0
        while self.sim.now < end:
            index = -1
            for k in range(self.n):
                pid = self.pids[(starts + k) % self.n]
                if self.connected(pid):
                    i, _, ok = self.start(pid, command)
                    if ok:
                        index = i
                        break
            starts += 1
            if index != -1:
                deadline = self.sim.now + 2.0
                while self.sim.now < deadline:
                    count, cmd = self.n_committed(index)
                    if count > 0 and count >= expected and cmd == command:
                        return index
                    self.run(ms(20))
                if not retry:
                    raise ScenarioError(f"one({command!r}) failed to reach agreement")
            else:
                self.run(ms(50))
        raise ScenarioError(f"one({command!r}) failed to reach agreement in {timeout} s")

    def submit(self, command: Any, timeout: float = 10.0) -> int:
        """Submit ``command`` and wait for a majority to apply it; returns the index."""
        return self.one(command, expected=self.n // 2 + 1, timeout=timeout)

    def wait(self, index: int, n: int, start_term: int = -1, timeout: float = 5.0) -> Any:
        """Wait until ``n`` servers applied ``index`` (MIT's wait); None if the term moved on."""
        end = self.sim.now + timeout
        while self.sim.now < end:
            count, _ = self.n_committed(index)
            if count >= n:
                break
            self.run(ms(10))
            if start_term > -1 and any(nd.current_term > start_term for nd in self.nodes.values()):
                return None
        count, cmd = self.n_committed(index)
        if count < n:
            raise ScenarioError(f"only {count} decided for index {index}; wanted {n}")
        return cmd
