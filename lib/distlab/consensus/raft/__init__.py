"""``distlab.consensus.raft`` -- Raft (Ongaro & Ousterhout, "In Search of an Understandable
Consensus Algorithm", 2014; Ongaro's dissertation "Consensus: Bridging Theory and Practice", 2014).

=================  =============================================================================
``state``           ``RaftState`` (every server's state, declared in one place), ``Entry``,
                    ``RaftConfig``, the up-to-date check
``messages``        RequestVote / AppendEntries / InstallSnapshot and their replies
``membership``      the configuration in use (``ConfigChange`` entries)
``snapshots``       taking, restoring and sending snapshots
``rules``           spontaneous actions: start_election, become_leader, advance_commit_index ...
``handlers``        one handler per RPC
``node``            ``RaftNode``: a :class:`distlab.sim.Process` made of the layers above
``invariants``      the five safety properties as named invariants (``RaftSafety``)
``cluster``         ``Cluster``: the scenario API the MIT 6.5840 tests are ported onto
``figure16``        Figure 16 of the paper: time without a leader after a crash
``split_vote``      the dissertation's split-vote formula
=================  =============================================================================
"""
from .cluster import Cluster, ScenarioError
from .invariants import NAMES as SAFETY_PROPERTIES, RaftSafety, install_safety
from .messages import AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply
from .node import RaftNode
from .state import CANDIDATE, FOLLOWER, LEADER, Entry, RaftConfig, is_up_to_date

__all__ = [
    "AppendEntries", "AppendEntriesReply", "CANDIDATE", "Cluster", "Entry", "FOLLOWER", "LEADER",
    "RaftConfig", "RaftNode", "RaftSafety", "RequestVote", "RequestVoteReply", "SAFETY_PROPERTIES",
    "ScenarioError", "install_safety", "is_up_to_date",
]
