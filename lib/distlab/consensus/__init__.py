"""``distlab.consensus`` -- chapter 2: many nodes agreeing on one value despite crashes and loss.

``distlab.consensus.raft``   Raft (Ongaro & Ousterhout 2014): election, log replication, safety
                             invariants, the ``Cluster`` scenario API, Figure 16 and split votes.
"""
