"""``distlab.transactions`` -- chapter 3: distributed transactions.

=================  =============================================================================
``twopc``           two-phase commit on the simulation kernel: coordinator, participants, durable
                    logs, timeouts, the cooperative termination protocol, every crash point, the
                    blocking rule, the slow-participant experiment and the Raft-replicated fix
                    (``docs/transactions.md``)
=================  =============================================================================
"""
