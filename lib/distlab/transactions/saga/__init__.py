"""``distlab.transactions.saga`` -- sagas: local transactions stitched together, compensated on failure.

=================  =============================================================================
``definition``      ``SagaStep`` / ``SagaDefinition``: compensatable, pivot and retriable steps,
                    validated (Garcia-Molina & Salem 1987; Temporal / Eventuate Tram's step kinds)
``log``             ``SagaLog``: saga state in SQL, written in each step's own local transaction
``crash_points``    ``CrashPoint`` and ``crash_points(definition)``: before/during/after every
                    action and compensation, as data
``timeline``        ``Timeline`` / ``TimelineEvent``: simulated time, seeded jitter, what a plot draws
``orchestrator``    ``Orchestrator``: forward steps, backward recovery, retries with chapter 5's
                    backoff, ``resume()`` from the log after a crash
``travel``          the book-trip example: booking, flight, payment and ticketing tables
``invariants``      terminal_only, compensated_in_reverse, effects_applied_once, trip_consistent
``isolation``       the no-isolation anomaly as data, and the semantic lock
``scenario``        ``SagaConfig`` -> ``run_saga(config, db)`` -> ``SagaResult``
``enumeration``     every crash point x failing step, resumed and judged
``choreography``    the same saga driven by events on a small ``EventBus`` (in-process, deterministic);
                    ``run_choreography(..., bus=)`` takes another bus
``streams_bus``     ``RedisStreamsBus``: that ``EventBus`` on Redis Streams (a consumer group per
                    subscription, ``XACK`` after the handler returned, pending entries redelivered)
=================  =============================================================================
"""
