"""An idempotent charge under retries, for a notebook panel: a frozen config in, a record out.

A client sends one charge. Its first attempt crashes at ``crash_point`` (the server dies there, or
with ``after_finished`` the reply is lost on the way back); without a reply it retries, every
``retry_delay`` simulated seconds, up to ``retries`` times, until it gets an answer other than a
409. With a key, every attempt carries the same key; without one, the server cannot recognise a
retry and each attempt is a new charge. The record says how many charges were made and what each
attempt got back. In-memory SQLite and, for the Redis backend, :class:`~.redis_service.MemoryLocks`
(Redis's ``SET NX PX`` on the injected clock): a few milliseconds, identical on every run.

>>> r = run_charge_retries(ChargeRetriesConfig(crash_point="before_store_result", backend="redis"))
>>> r.charges, r.replies
(2, ('crash at before_store_result', '201 charged'))
>>> run_charge_retries(ChargeRetriesConfig(crash_point="before_store_result", backend="sql")).charges
1
"""
from __future__ import annotations

from dataclasses import dataclass

from distlab.services import sql

from .charge import NO_CRASH, check_crash_point
from .keys import MIN_RETENTION_S, ManualClock, check_timeouts
from .redis_service import memory_service
from .scenarios import PARAMS, Service, attempt
from .service import SQLChargeService
from .sql_store import charges_per_key

BACKENDS = ("sql", "redis")
MAX_RETRIES = 20


@dataclass(frozen=True)
class ChargeRetriesConfig:
    """The panel's knobs: retries, where the first attempt crashes, the backend, key or no key,
    the client's delay between attempts and the server's lock timeout (simulated seconds)."""

    retries: int = 3
    crash_point: str = "after_charged"
    backend: str = "sql"
    with_key: bool = True
    retry_delay: float = 61.0
    lock_timeout: float = 60.0

    def __post_init__(self) -> None:
        if not isinstance(self.retries, int) or isinstance(self.retries, bool) \
                or not 0 <= self.retries <= MAX_RETRIES:
            raise ValueError(f"retries: must be an integer from 0 to {MAX_RETRIES}, got {self.retries!r}")
        check_crash_point(self.crash_point)
        if self.backend not in BACKENDS:
            raise ValueError(f"backend: must be one of {list(BACKENDS)}, got {self.backend!r}")
        if not isinstance(self.retry_delay, (int, float)) or not 0 <= self.retry_delay <= 3600:
            raise ValueError(f"retry_delay: must be from 0 to 3600 seconds, got {self.retry_delay!r}")
        check_timeouts(self.lock_timeout, MIN_RETENTION_S)


@dataclass(frozen=True)
class ChargeRetriesResult:
    """How many charges the client's one intended payment produced, and each attempt's reply
    (``"crash at <point>"`` when it got none) at its simulated time."""

    config: ChargeRetriesConfig
    charges: int
    replies: tuple[str, ...]
    times: tuple[float, ...]

    @property
    def double_charged(self) -> bool:
        """More than one charge for one intended payment."""
        return self.charges > 1


def _service(config: ChargeRetriesConfig, clock: ManualClock) -> Service:
    db = sql.connect()  # a private in-memory SQLite
    if config.backend == "sql":
        return SQLChargeService(db, clock=clock, lock_timeout=config.lock_timeout)
    return memory_service(db, clock, lock_timeout=config.lock_timeout)


def run_charge_retries(config: ChargeRetriesConfig) -> ChargeRetriesResult:
    """Play the client of the module docstring against a fresh server; the record."""
    clock = ManualClock()
    service = _service(config, clock)
    replies: list[str] = []
    times: list[float] = []
    for number in range(config.retries + 1):
        key = "charge-order-42" if config.with_key else f"no-key-attempt-{number}"
        crash = config.crash_point if number == 0 else NO_CRASH
        times.append(clock())
        replies.append(attempt(service, key, PARAMS, crash))
        if not replies[-1].startswith(("crash", "409")):  # an answer: the client stops
            break
        clock.advance(config.retry_delay)
    try:
        charges = sum(charges_per_key(service.db).values())
    finally:
        service.db.close()
    return ChargeRetriesResult(config, charges, tuple(replies), tuple(times))
