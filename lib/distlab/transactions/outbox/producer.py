"""The order service: three ways to store an order and announce it.

Each function places one order and reaches the crash points of :mod:`.crash_points` on the way.
The two dual writes touch two systems that share no transaction, so some crash point between the
two writes always leaves them disagreeing; the outbox touches one:

* :func:`commit_then_publish` -- COMMIT, then XADD: a crash after the COMMIT **loses** the event
  (the order exists, nobody hears of it);
* :func:`publish_then_commit` -- XADD inside the open transaction, then COMMIT: a crash after the
  XADD, or a failed COMMIT, leaves a **phantom** event (announced, never stored);
* :func:`place_with_outbox` -- the order and its event row in one local transaction (Richardson,
  "Pattern: Transactional outbox"); the relay (:mod:`.relay`) ships the row later.
"""
from __future__ import annotations

from .broker import Broker
from .crash_points import COMMIT_THEN_PUBLISH, OUTBOX, PUBLISH_THEN_COMMIT, CrashInjector, check_variant
from .events import Order, order_placed
from .store import Database


def commit_then_publish(order: Order, db: Database, broker: Broker, hooks: CrashInjector,
                        duplicates: int = 0) -> None:
    """Dual write: store the order, COMMIT, then XADD its event (``1 + duplicates`` times)."""
    with db.transaction() as tx:
        tx.insert_order(order)
        hooks.reach("producer/after_write")
        hooks.reach("producer/commit_fails")
    hooks.reach("producer/after_commit")
    broker.publish([order_placed(order)] * (1 + duplicates))
    hooks.reach("producer/after_publish")


def publish_then_commit(order: Order, db: Database, broker: Broker, hooks: CrashInjector,
                        duplicates: int = 0) -> None:
    """Dual write: store the order, XADD its event while the transaction is open, then COMMIT."""
    with db.transaction() as tx:
        tx.insert_order(order)
        hooks.reach("producer/after_write")
        broker.publish([order_placed(order)] * (1 + duplicates))
        hooks.reach("producer/after_publish")
        hooks.reach("producer/commit_fails")
    hooks.reach("producer/after_commit")


def place_with_outbox(order: Order, db: Database, hooks: CrashInjector) -> None:
    """The transactional outbox: the order row and the event row in one local transaction."""
    with db.transaction() as tx:
        tx.insert_order(order)
        tx.insert_outbox(order_placed(order))
        hooks.reach("producer/after_write")
        hooks.reach("producer/commit_fails")
    hooks.reach("producer/after_commit")


def place_order(variant: str, order: Order, db: Database, broker: Broker, hooks: CrashInjector,
                duplicates: int = 0) -> None:
    """Place ``order`` the ``variant`` way (one of :data:`.crash_points.VARIANTS`)."""
    check_variant(variant)
    if variant == COMMIT_THEN_PUBLISH:
        commit_then_publish(order, db, broker, hooks, duplicates)
    elif variant == PUBLISH_THEN_COMMIT:
        publish_then_commit(order, db, broker, hooks, duplicates)
    else:
        assert variant == OUTBOX
        place_with_outbox(order, db, hooks)
