"""External actions on a :class:`~distlab.consensus.raft.cluster.Cluster`: faults (crash, restart,
disconnect, partition, one-way block, heal) and membership changes (add or remove one server). Faults
are the kernel's actions (``distlab.sim``); the view's buttons call exactly these methods. (The
network's settings, ``set_unreliable`` and ``set_long_reordering``, are in ``cluster_core.py``.)
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import partial

from distlab.sim import ms

from .cluster_core import ClusterCore, N, ScenarioError
from .node import RaftNode

__all__ = ["ClusterActions", "ScenarioError"]


class ClusterActions(ClusterCore[N]):
    """Faults and membership changes, a layer on :class:`ClusterCore`."""

    # ------------------------------------------------------------------ membership
    def add_server(self, timeout: float = 10.0) -> int:
        """Start a new, empty server and add it to the configuration (one server at a time);
        returns its pid once the change is committed."""
        pid = max(self.pids) + 1
        node = self.nodes[pid] = self._node_class(pid, [], self.config, self._on_apply)
        self.pids.append(pid)
        self.applied[pid] = {}
        self.n = len(self.pids)
        if self.safety.pids is not None:
            self.safety.pids.append(pid)
        self.sim.add(node)
        self._change(lambda members: members + [pid], timeout)
        return pid

    def remove_server(self, pid: int, timeout: float = 10.0) -> None:
        """Remove ``pid`` from the configuration (it keeps running, outside the cluster)."""
        self.node(pid)
        self._change(lambda members: [m for m in members if m != pid], timeout)

    def members(self) -> list[Hashable]:
        """The configuration the current leader (or any server) uses."""
        leader = self.leader()
        return list(self.nodes[leader if leader is not None else self.pids[0]].members)

    def _change(self, edit: Callable[[list[Hashable]], list[Hashable]], timeout: float) -> None:
        end = self.sim.now + timeout
        while self.sim.now < end:
            leader = self.leader()
            if leader is not None:
                nd = self.nodes[leader]
                index, term, ok = nd.change_membership(edit(list(nd.members)))
                if ok:
                    self.run_until(partial(_settled, nd, index, term), timeout=max(0.0, end - self.sim.now))
                    if nd.current_term == term and nd.commit_index >= index:
                        return  # committed by the leader that appended it: it stays
                    continue
            self.run(ms(20))
        raise ScenarioError("membership change did not commit in time")

    # ------------------------------------------------------------------ faults
    def crash(self, pid: int) -> None:
        """Crash ``pid`` (MIT's crash1): volatile state lost, stable storage kept."""
        if self.node(pid).up:
            self.sim.crash(pid)

    def restart(self, pid: int) -> None:
        """Restart ``pid`` from its stable storage, crashing it first if it runs (MIT's start1).
        It re-applies its log from index 1, so its record of applied commands starts afresh."""
        if self.node(pid).up:
            self.sim.crash(pid)
        self.applied[pid] = {}
        self.sim.restart(pid)

    def disconnect(self, pid: int) -> None:
        """Cut ``pid`` off from every other server, both ways."""
        self.node(pid)
        if pid not in self.disconnected:
            self.disconnected.append(pid)
        self._apply_partition()

    def connect(self, pid: int) -> None:
        """Undo ``disconnect(pid)``."""
        self.node(pid)
        if pid in self.disconnected:
            self.disconnected.remove(pid)
        self._apply_partition()

    def _apply_partition(self) -> None:
        # processes that are not servers (clients) stay with the connected servers
        groups = [[p for p in self.sim.processes if p not in self.disconnected]]
        groups += [[p] for p in self.disconnected]
        self.sim.network.partition([g for g in groups if g])

    def partition(self, groups: Sequence[Sequence[int]]) -> None:
        """Split the servers into groups that cannot talk to each other."""
        for g in groups:
            for p in g:
                self.node(p)
        self.disconnected = []
        self.sim.network.partition(groups)

    def block(self, src: int, dst: int) -> None:
        """A one-way partition: ``src`` can no longer reach ``dst``."""
        self.node(src), self.node(dst)
        self.sim.network.block(src, dst)

    def heal(self) -> None:
        """End every partition and one-way block (``disconnect`` included)."""
        self.disconnected = []
        self.sim.network.heal()


def _settled(nd: RaftNode, index: int, term: int, _cluster: ClusterCore[RaftNode]) -> bool:
    """Has leader ``nd`` committed ``index`` -- or left the ``term`` in which it appended it?"""
    return nd.commit_index >= index or nd.current_term != term
