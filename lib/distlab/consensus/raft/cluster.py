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

from collections.abc import Callable, Hashable
from typing import Any

from distlab.sim import Simulation, Uniform, ms

from .cluster_actions import ClusterActions, ScenarioError
from .invariants import RaftSafety
from .messages import RPC_REQUESTS
from .node import RaftNode
from .snapshots import Snapshot
from .state import LEADER, RaftConfig

MAX_NODES = 15


class _Wire:
    """Counts RPC requests (not replies) and bytes, as MIT's labrpc counts calls, and -- like
    labrpc's "long reordering" -- can hold back a fraction of *replies* by 0.2-2.2 s. (The kernel's
    own ``reorder`` setting applies to every message; labrpc delays replies only.)"""

    def __init__(self, sim):
        self.sim = sim
        self.network = sim.network
        self.rpcs = 0
        self.bytes = 0
        self.reply_reorder = 0.0
        self._send = sim.network.send
        sim.network.send = self.send  # an instance attribute wrapping the kernel's method

    def send(self, src, dst, payload, size=0):
        if type(payload) in RPC_REQUESTS:
            self.rpcs += 1
        elif self.reply_reorder:
            rng = self.sim.rng("long-reordering")
            if rng.random() < self.reply_reorder:
                self.sim.schedule(0.2 + 2.0 * rng.random(), self._send, src, dst, payload, size)
                self.bytes += size
                return
        self.bytes += size
        self._send(src, dst, payload, size)


class Cluster(ClusterActions):
    """``n`` Raft servers named ``0 .. n-1`` in one seeded simulation, with safety checked after
    every step (``check_invariants=True``) and a record of what each server applied."""

    def __init__(self, n: int = 3, *, seed: int = 0, config: RaftConfig | None = None,
                 latency=None, unreliable: bool = False, check_invariants: bool = True,
                 trace: bool = False, node_class: type = RaftNode,
                 snapshot_every: int | None = None, voters: int | None = None):
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_NODES:
            raise ValueError(f"n (cluster size) must be an integer from 1 to {MAX_NODES}, got {n!r}")
        if snapshot_every is not None and (not isinstance(snapshot_every, int)
                                           or snapshot_every < 1):
            raise ValueError(f"snapshot_every must be None or an integer >= 1, got "
                             f"{snapshot_every!r}")
        if voters is not None and (not isinstance(voters, int) or not 1 <= voters <= n):
            raise ValueError(f"voters must be None or an integer from 1 to n ({n}), got {voters!r}")
        self.snapshot_every = snapshot_every
        self.n = n
        self.config = config if config is not None else RaftConfig()
        self.sim = Simulation(seed, trace=trace, check_invariants=check_invariants)
        self.sim.network.configure(latency=latency if latency is not None else Uniform(ms(1), ms(5)))
        self.counter = _Wire(self.sim)
        self.pids = list(range(n))
        self.applied: dict = {p: {} for p in self.pids}  # pid -> {index: command}, kept over crashes
        self.apply_errors: list[str] = []
        self._node_class = node_class
        # the first `voters` servers form the initial configuration; the rest wait as spares
        initial = self.pids[:voters] if voters is not None else self.pids
        self.nodes = {p: node_class(p, initial if p in initial else [], self.config,
                                    self._on_apply) for p in self.pids}
        for p in self.pids:
            self.sim.add(self.nodes[p])
        self.safety = RaftSafety(self.nodes.values()).install(self.sim)
        self.disconnected: list = []
        self._reliable_latency = self.sim.network.default.latency
        if unreliable:
            self.set_unreliable(True)

    # ------------------------------------------------------------------ applying (MIT's applier)
    def _on_apply(self, pid, index, command) -> None:
        if type(command) is Snapshot:  # the server's state machine was replaced by a snapshot
            self.applied[pid] = {}
            for i, cmd in enumerate(command.data, start=1):
                self._on_apply(pid, i, cmd)
            return
        log = self.applied[pid]
        if index > 1 and index - 1 not in log and index - 1 > self.nodes[pid].base_index:
            self.apply_errors.append(f"server {pid} applied index {index} out of order")
        for other in self.pids:
            have = self.applied[other].get(index, command)
            if other != pid and have != command:
                self.apply_errors.append(f"commit index={index} server={pid} {command!r} != "
                                         f"server={other} {have!r}")
        log[index] = command
        every = self.snapshot_every
        if every and index % every == 0 and self.nodes[pid].last_applied == index:
            # like the lab's applierSnap: the service snapshots every `every` entries
            self.nodes[pid].take_snapshot(index, tuple(log[i] for i in range(1, index + 1)))

    # ------------------------------------------------------------------ running
    @property
    def now(self) -> float:
        return self.sim.now

    def run(self, duration: float) -> None:
        """Run for ``duration`` simulated seconds."""
        if not isinstance(duration, (int, float)) or not duration >= 0:
            raise ValueError(f"duration must be a number of seconds >= 0, got {duration!r}")
        self.sim.run_for(duration)
        self._raise_apply_errors()

    def run_until(self, predicate: Callable[[Cluster], bool], timeout: float,
                  poll: float = ms(10)) -> bool:
        """Run until ``predicate(cluster)`` holds (checked every ``poll`` seconds) or ``timeout``
        passes; returns whether it held."""
        end = self.sim.now + timeout
        while True:
            if predicate(self):
                return True
            if self.sim.now >= end:
                return False
            self.sim.run(min(end, self.sim.now + poll))
            self._raise_apply_errors()

    def _raise_apply_errors(self) -> None:
        if self.apply_errors:
            raise ScenarioError(self.apply_errors[0])

    # ------------------------------------------------------------------ observing
    def node(self, pid) -> RaftNode:
        if pid not in self.nodes:
            raise ValueError(f"pid must be one of {self.pids}, got {pid!r}")
        return self.nodes[pid]

    def connected(self, pid) -> bool:
        return self.nodes[pid].up and pid not in self.disconnected

    def leaders(self) -> list:
        """Connected, running servers that believe they lead, as (term, pid)."""
        return [(nd.current_term, p) for p, nd in self.nodes.items()
                if self.connected(p) and nd.role == LEADER]

    def leader(self) -> Hashable | None:
        """The connected leader with the highest term, or None."""
        found = self.leaders()
        return max(found)[1] if found else None

    def check_one_leader(self, timeout: float = 5.0) -> Hashable:
        """Wait until the connected servers have a leader (MIT's checkOneLeader); at most one per
        term among them, or :class:`ScenarioError`."""
        end = self.sim.now + timeout
        while self.sim.now < end:
            self.run(min(ms(450), end - self.sim.now))
            by_term: dict = {}
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

    def committed_log(self, pid) -> list:
        """The commands of ``pid``'s committed log prefix."""
        return self.node(pid).committed_commands()

    def state(self) -> dict:
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
        return self.counter.bytes

    # ------------------------------------------------------------------ clients
    def start(self, pid, command) -> tuple:
        """Hand ``command`` to server ``pid`` (MIT's Start): ``(index, term, is_leader)``. A server
        that is not the leader refuses it (``is_leader`` False); it is never silently dropped."""
        nd = self.node(pid)
        if not nd.up:
            return 0, nd.current_term, False
        return nd.start(command)

    def one(self, command, expected: int, retry: bool = True, timeout: float = 10.0) -> int:
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

    def submit(self, command, timeout: float = 10.0) -> int:
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
