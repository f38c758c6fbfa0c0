"""distlab.casestudy: chapter 6, a global money-transfer service built from chapters 1-5.

=================  ============================================================================
``ledger``          double-entry accounts and transfers, one SQL transaction each (SQLite, PostgreSQL)
``isolation``       two transfers interleaved on a real PostgreSQL at each isolation level
``contention``      many transfers interleaved on the real engine, judged by the bank checker
``checker``         the bank checker (after Jepsen's bank test): money, overdraft, keys, sagas, notifications
``config``          ``BankConfig`` (workload, limits) and ``Safeguards`` (the switches)
``messages``        what clients, gateway, service and fraud service say to each other
``clients``         the customers (every attempt an operation of the history) and the auditor
``gateway``         token bucket, bounded priority queue, ``workers`` requests in flight
``transfer_saga``   fraud check -> ledger -> notification, each step's event in the outbox
``service``         idempotency key + saga + fraud behind a breaker and a bulkhead, on the kernel
``backoffice``      the fraud service, the outbox relay and the notifier
``chaos``           faults as data (saga/relay/notifier crashes, slowdown, partition, spike, duplicates)
``engines``         the real engines under a run (SQLite or PostgreSQL, Redis), fresh per run
``run``             ``run_bank(config, chaos) -> BankRun``: build, attack, settle, judge
``schedules``       many seeded chaos schedules across cores
``safeguards``      one safeguard off, its scenario, and the check that catches the harm
``trials``          the exercises' small experiments (a crash point; a bulkhead size)
``series``          a run as time series, for the dashboard
``quiz``            the course's final five questions
=================  ============================================================================
"""
