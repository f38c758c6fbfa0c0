"""``distlab.consensus.paxos`` -- Paxos (Lamport, "The Part-Time Parliament", 1998; "Paxos Made
Simple", 2001).

===============  ================================================================================
``messages``      Prepare / Promise / Nack / Accept / Accepted (+ Multi-Paxos heartbeats)
``single``        single-decree ``PaxosNode``: proposer, acceptor, learner; retry policies
``multi``         ``MultiPaxosNode``: a stable leader, phase 1 once, phase 2 per slot
``invariants``    at most one value chosen (per slot); a learned value never changes
``scenarios``     duelling proposers (livelock and fixes), random fault schedules
``cluster``       ``PaxosCluster``: the Multi-Paxos scenario API
===============  ================================================================================
"""
from .invariants import NAMES as SAFETY_PROPERTIES, PaxosSafety
from .multi import MultiPaxosNode
from .single import RETRY_POLICIES, PaxosNode

__all__ = ["MultiPaxosNode", "PaxosNode", "PaxosSafety", "RETRY_POLICIES", "SAFETY_PROPERTIES"]
