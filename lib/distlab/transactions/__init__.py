"""``distlab.transactions`` -- chapter 3: distributed transactions.

=================  =============================================================================
``twopc``           two-phase commit on the simulation kernel: coordinator, participants, durable
                    logs, timeouts, the cooperative termination protocol, every crash point, the
                    blocking rule, the slow-participant experiment and the Raft-replicated fix
``prepared``        two-phase commit on real PostgreSQL servers (``PREPARE TRANSACTION``): a
                    coordinator with a durable decision log, in-doubt rows, recovery
``saga``            sagas: compensatable / pivot / retriable steps, an orchestrator that resumes
                    from its SQL log, compensations newest first, the semantic lock, choreography
``outbox``          dual writes vs the transactional outbox over Redis Streams; the relay and the
                    consumer's inbox
``idempotency``     idempotency keys with Stripe's semantics on SQL and on Redis; recovery points
``quiz``            the chapter's five questions (data)
=================  =============================================================================

Each subpackage's docstring names its public API; ``docs/transactions.md`` explains the models,
what they leave out, and how each claim of the lecture is checked.
"""
