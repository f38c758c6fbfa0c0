"""``distlab.transactions.outbox`` -- dual write vs the transactional outbox, on real engines.

=================  =============================================================================
``events``          ``Order``, ``Event`` (Debezium's columns id, aggregatetype, aggregateid, type,
                    payload), ``order_placed``
``crash_points``    the three variants, ``CRASH_POINTS`` (13, as data), ``CrashInjector``, ``Crashed``
``store``           ``SQLDatabase`` (SQLite / PostgreSQL) and ``MemoryDatabase``: orders, outbox,
                    inbox, shipments
``broker``          ``RedisStreamsBroker`` (XADD, XREADGROUP, XACK, XAUTOCLAIM) and ``MemoryBroker``
``redis_compat``    Redis 6.2 vs 7.x: ``autoclaim`` (deleted pending entries), ``set_nx_get``, ``Lease``
``producer``        ``commit_then_publish``, ``publish_then_commit``, ``place_with_outbox``
``relay``           ``Relay``: claim, XADD, mark sent (at least once; retries with chapter 5's
                    backoff); ``python -m distlab.transactions.outbox.relay``
``consumer``        ``Consumer``: consumer group + inbox dedup in its own transaction; ``take_over``
``scenario``        ``OutboxConfig`` / ``run_scenario(config, db, broker) -> ScenarioResult``
``enumeration``     ``crash_schedules()``, ``run_enumeration``, ``tally``
``matrix``          the panel: ``crash_point_matrix(MatrixConfig) -> MatrixResult``
=================  =============================================================================
"""
from .broker import BrokerUnavailable, Delivery, MemoryBroker, RedisStreamsBroker
from .consumer import Consumer
from .crash_points import (
    COMMIT_THEN_PUBLISH,
    CRASH_POINTS,
    OUTBOX,
    PUBLISH_THEN_COMMIT,
    VARIANTS,
    Crashed,
    CrashInjector,
    applies,
    points_for,
)
from .enumeration import Tally, crash_schedules, memory_engine, run_enumeration, tally
from .events import Event, Order, make_orders, order_placed
from .matrix import Cell, MatrixConfig, MatrixResult, crash_point_matrix
from .producer import commit_then_publish, place_order, place_with_outbox, publish_then_commit
from .redis_compat import Lease, autoclaim, set_nx_get
from .relay import MAX_BATCH, Relay
from .scenario import OutboxConfig, ScenarioResult, run_scenario
from .store import MemoryDatabase, SQLDatabase

__all__ = [
    "COMMIT_THEN_PUBLISH", "CRASH_POINTS", "OUTBOX", "PUBLISH_THEN_COMMIT", "VARIANTS", "MAX_BATCH",
    "BrokerUnavailable", "Cell", "Consumer", "CrashInjector", "Crashed", "Delivery", "Event", "Lease",
    "MatrixConfig", "MatrixResult", "MemoryBroker", "MemoryDatabase", "Order", "OutboxConfig", "RedisStreamsBroker",
    "Relay", "SQLDatabase", "ScenarioResult", "Tally", "applies", "autoclaim", "commit_then_publish",
    "crash_point_matrix", "crash_schedules", "make_orders", "memory_engine", "order_placed", "place_order",
    "place_with_outbox", "points_for", "publish_then_commit", "run_enumeration", "run_scenario", "set_nx_get",
    "tally",
]
