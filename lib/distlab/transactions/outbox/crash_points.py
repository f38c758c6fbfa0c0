"""Where a process may crash while an order becomes an event, as data.

Three ways to get an order's event to the broker (the lecture's three columns):

=========================  ====================================================================
``commit_then_publish``     dual write: COMMIT the order, then XADD the event (a crash in between
                            loses the event)
``publish_then_commit``     dual write: XADD the event, then COMMIT (a crash in between, or a
                            failed COMMIT, invents a phantom event)
``outbox``                  the transactional outbox: the order and the event row in one local
                            transaction; a relay ships rows at least once; the consumer dedups
=========================  ====================================================================

Crash points are named ``<process>/<moment>``. The producer's points are moments, not lines of
code, so they mean the same for every variant ("right after the COMMIT", "right after the XADD");
a point that a variant never reaches (the outbox's producer never publishes; dual writes have no
relay) is *not applicable* to it (:func:`applies`).

A :class:`CrashInjector` is armed with one point and a number of crashes; the protocol code calls
``hooks.reach(point)`` at each point, and the injector raises :class:`Crashed` there (the first
``times`` times), so the protocol code never decides to fail. A raised ``Crashed`` unwinds through
an open transaction, which is rolled back exactly as a real crash's closed connection would be.
"""
from __future__ import annotations

from collections.abc import Mapping

COMMIT_THEN_PUBLISH = "commit_then_publish"
PUBLISH_THEN_COMMIT = "publish_then_commit"
OUTBOX = "outbox"
VARIANTS = (COMMIT_THEN_PUBLISH, PUBLISH_THEN_COMMIT, OUTBOX)
VARIANT_LABELS = {
    COMMIT_THEN_PUBLISH: "dual write (commit then publish)",
    PUBLISH_THEN_COMMIT: "dual write (publish then commit)",
    OUTBOX: "transactional outbox",
}

#: point -> what has happened when the process dies there
DESCRIPTIONS = {
    "producer/after_write": "the order (and outbox row) written, transaction still open",
    "producer/commit_fails": "the COMMIT fails; the transaction is rolled back",
    "producer/after_commit": "right after the COMMIT",
    "producer/after_publish": "right after the XADD",
    "relay/after_claim": "the relay read its batch of unsent rows; nothing published",
    "relay/mid_batch": "the relay XADDed half of its batch",
    "relay/after_publish": "the whole batch XADDed, nothing marked sent",
    "relay/before_mark_commit": "rows marked sent, that transaction not committed",
    "relay/after_mark": "the batch marked sent and committed",
    "consumer/after_read": "XREADGROUP delivered a batch; nothing processed",
    "consumer/before_commit": "effect and inbox row written, not committed",
    "consumer/after_commit": "effect committed, message not XACKed",
    "consumer/after_ack": "message XACKed",
}
CRASH_POINTS = tuple(DESCRIPTIONS)
PRODUCER_POINTS = tuple(p for p in CRASH_POINTS if p.startswith("producer/"))
RELAY_POINTS = tuple(p for p in CRASH_POINTS if p.startswith("relay/"))
CONSUMER_POINTS = tuple(p for p in CRASH_POINTS if p.startswith("consumer/"))


def check_variant(variant: object) -> str:
    """Return ``variant`` if it is one of :data:`VARIANTS`, else raise ValueError."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    return str(variant)


def check_point(point: object) -> str | None:
    """Return ``point`` if it is None or one of :data:`CRASH_POINTS`, else raise ValueError."""
    if point is not None and point not in DESCRIPTIONS:
        raise ValueError(f"crash_point must be None or one of {CRASH_POINTS}, got {point!r}")
    return None if point is None else str(point)


def applies(point: str, variant: str) -> bool:
    """True when ``variant`` ever reaches ``point`` (relays exist only in the outbox; only dual
    writes publish from the producer)."""
    check_point(point)
    check_variant(variant)
    if point in RELAY_POINTS:
        return variant == OUTBOX
    if point == "producer/after_publish":
        return variant != OUTBOX
    return True


def points_for(variant: str) -> tuple[str, ...]:
    """Every crash point ``variant`` reaches, in pipeline order."""
    return tuple(p for p in CRASH_POINTS if applies(p, variant))


class Crashed(Exception):
    """Raised at an armed crash point: the process dies here (its open transaction rolls back)."""

    def __init__(self, point: str) -> None:
        super().__init__(f"crashed at {point}")
        self.point = point


class CrashInjector:
    """Crash at ``point`` the first ``times`` times it is reached (or per point, with ``schedule``
    ``{point: times}``); count every crash in ``fired`` and every point reached in ``reached``."""

    def __init__(self, point: str | None = None, times: int = 1, *,
                 schedule: Mapping[str, int] | None = None) -> None:
        plan = dict(schedule or {})
        if point is not None:
            plan[point] = plan.get(point, 0) + times
        for name, count in plan.items():
            check_point(name)
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100:
                raise ValueError(f"times must be an integer from 0 to 100, got {count!r} for {name!r}")
        self.remaining = plan
        self.fired = 0
        self.reached: dict[str, int] = {}

    def reach(self, point: str) -> None:
        """The protocol is at ``point``: raise :class:`Crashed` if armed here and not yet spent."""
        self.reached[point] = self.reached.get(point, 0) + 1
        if self.remaining.get(point, 0) > 0:
            self.remaining[point] -= 1
            self.fired += 1
            raise Crashed(point)
