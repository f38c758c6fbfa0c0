"""``distlab.consensus`` -- chapter 2: many nodes agreeing on one value despite crashes and loss.

``distlab.consensus.raft``    Raft (Ongaro & Ousterhout 2014): election, log replication, snapshots,
                              membership change, a replicated KV store, safety invariants, the
                              ``Cluster`` scenario API, Figure 16 and the split-vote formula.
``distlab.consensus.paxos``   single-decree Paxos (duelling proposers and the fixes) and Multi-Paxos.
``distlab.consensus.compare`` the same fault schedule on Raft and on Multi-Paxos.
``distlab.consensus.coordination``  leases, locks with fencing, registries (rented consensus).
"""
