"""External actions on a :class:`~distlab.consensus.raft.cluster.Cluster`: faults (crash, restart,
disconnect, partition, one-way block, heal, unreliable network, long reordering) and membership
changes (add or remove one server). Faults are the kernel's actions (``distlab.sim``); the view's
buttons call exactly these methods.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

from distlab.sim import Uniform, ms


class ScenarioError(AssertionError):
    """An expectation of a scenario failed (no leader elected, a command never committed...)."""


class ClusterActions:
    """Mixed into ``Cluster``; uses its ``sim``, ``nodes``, ``pids`` and waiting helpers."""

    # ------------------------------------------------------------------ membership
    def add_server(self, timeout: float = 10.0) -> Hashable:
        """Start a new, empty server and add it to the configuration (one server at a time);
        returns its pid once the change is committed."""
        pid = max(self.pids) + 1
        node = self.nodes[pid] = self._node_class(pid, [], self.config, self._on_apply)
        self.pids.append(pid)
        self.applied[pid] = {}
        self.n = len(self.pids)
        self.safety.pids.append(pid)
        self.sim.add(node)
        self._change(lambda members: members + [pid], timeout)
        return pid

    def remove_server(self, pid, timeout: float = 10.0) -> None:
        """Remove ``pid`` from the configuration (it keeps running, outside the cluster)."""
        self.node(pid)
        self._change(lambda members: [m for m in members if m != pid], timeout)

    def members(self) -> list:
        """The configuration the current leader (or any server) uses."""
        leader = self.leader()
        return list(self.nodes[leader if leader is not None else self.pids[0]].members)

    def _change(self, edit, timeout: float) -> None:
        end = self.sim.now + timeout
        while self.sim.now < end:
            leader = self.leader()
            if leader is not None:
                nd = self.nodes[leader]
                index, term, ok = nd.change_membership(edit(list(nd.members)))
                if ok:
                    self.run_until(lambda c, nd=nd, index=index, term=term:
                                   nd.commit_index >= index or nd.current_term != term,
                                   timeout=max(0.0, end - self.sim.now))
                    if nd.current_term == term and nd.commit_index >= index:
                        return  # committed by the leader that appended it: it stays
                    continue
            self.run(ms(20))
        raise ScenarioError("membership change did not commit in time")

    # ------------------------------------------------------------------ faults
    def crash(self, pid) -> None:
        """Crash ``pid`` (MIT's crash1): volatile state lost, stable storage kept."""
        if self.node(pid).up:
            self.sim.crash(pid)

    def restart(self, pid) -> None:
        """Restart ``pid`` from its stable storage, crashing it first if it runs (MIT's start1).
        It re-applies its log from index 1, so its record of applied commands starts afresh."""
        if self.node(pid).up:
            self.sim.crash(pid)
        self.applied[pid] = {}
        self.sim.restart(pid)

    def disconnect(self, pid) -> None:
        """Cut ``pid`` off from every other server, both ways."""
        self.node(pid)
        if pid not in self.disconnected:
            self.disconnected.append(pid)
        self._apply_partition()

    def connect(self, pid) -> None:
        self.node(pid)
        if pid in self.disconnected:
            self.disconnected.remove(pid)
        self._apply_partition()

    def _apply_partition(self) -> None:
        # processes that are not servers (clients) stay with the connected servers
        groups = [[p for p in self.sim.processes if p not in self.disconnected]]
        groups += [[p] for p in self.disconnected]
        self.sim.network.partition([g for g in groups if g])

    def partition(self, groups: Sequence[Sequence[Hashable]]) -> None:
        """Split the servers into groups that cannot talk to each other."""
        for g in groups:
            for p in g:
                self.node(p)
        self.disconnected = []
        self.sim.network.partition(groups)

    def block(self, src, dst) -> None:
        """A one-way partition: ``src`` can no longer reach ``dst``."""
        self.node(src), self.node(dst)
        self.sim.network.block(src, dst)

    def heal(self) -> None:
        self.disconnected = []
        self.sim.network.heal()

    def set_unreliable(self, unreliable: bool) -> None:
        """MIT's unreliable network: 10 % of messages dropped and 0-27 ms of delay."""
        if unreliable:
            self.sim.network.configure(loss=0.1, latency=Uniform(0, ms(27)))
        else:
            self.sim.network.configure(loss=0.0, latency=self._reliable_latency)

    def set_long_reordering(self, on: bool, probability: float = 2 / 3) -> None:
        """Hold back a fraction of replies by 0.2-2.2 s, so later ones overtake them (labrpc's
        long reordering: two replies in three when on)."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
        self.counter.reply_reorder = probability if on else 0.0
