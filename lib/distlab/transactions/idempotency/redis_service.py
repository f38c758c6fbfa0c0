"""Idempotency keys in Redis alone (``SET key value NX PX ms``) while the charge lives in SQL:
the shortcut, and the window in which it cannot give exactly once. A lesson, not a bug.

``SET idem:<key> <in-flight> NX PX <lock_ms>`` lets exactly one of several concurrent requests
claim a key, and the ``PX`` expiry frees the key of a handler that crashed. The result is stored
with a compare-and-set (a Lua script: replace the value only if it is still *my* in-flight value,
whose fencing token came from ``INCR``), so only the current holder stores a result. What Redis
cannot do is commit the **charge** -- a row in another system -- atomically with the key's state:

* **crash after the effect, before the result is stored**: the charge is committed, the lock
  expires, the retry claims the key again and charges again;
* **the lock expires while its holder is still working** (a GC pause, a slow card network): a
  retry takes the key over and charges; the old holder wakes up and charges too. Fencing refuses
  its *result*, but its *charge* went to a system that never saw the token.

The SQL service (:mod:`.service`) closes both windows because the key's progress and the charge
commit in one transaction, fenced by the token. (Kleppmann, "How to do distributed locking", 2016:
a lock with an expiry is safe only if the resource itself checks a fencing token.)

:class:`RedisLocks` speaks to a real Redis (embedded 6.2, Debian 7.0); :class:`MemoryLocks` is the
same four operations in memory on an injected clock, for a notebook panel that must answer in
milliseconds and deterministically.
"""
from __future__ import annotations

import json
import time
from typing import Any, Protocol

from distlab.services.sql import SQLBackend

from .charge import charge_id, charged_body, declined_body, server_error_body, validate_charge
from .keys import (
    DEFAULT_LOCK_TIMEOUT_S,
    MIN_RETENTION_S,
    IdempotencyConflict,
    IdempotencyKeyReused,
    LockLost,
    ManualClock,
    Response,
    check_timeouts,
    fingerprint,
    validate_key,
)
from .service import Steps, run_steps
from .sql_store import CHARGES_TABLE, install_schema

_REPLACE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""


class LockStore(Protocol):
    """Where the Redis-style service keeps its keys: set-if-absent with expiry, and friends."""

    def acquire(self, name: str, value: str, px_ms: int) -> bool:
        """``SET name value NX PX px_ms``: True if this call set it."""

    def get(self, name: str) -> str | None:
        """The value, or None if absent or expired."""

    def replace_if(self, name: str, expected: str, value: str, px_ms: int) -> bool:
        """Atomically set *value* (with a new expiry) only if the current value is *expected*."""

    def next_token(self, name: str) -> int:
        """A fencing token: ``INCR name``."""

    def wait_expired(self, name: str) -> None:
        """Let time pass until *name* has expired."""


class RedisLocks:
    """:class:`LockStore` on a real Redis client (``decode_responses=True``)."""

    def __init__(self, client: Any, *, max_wait_s: float = 5.0):
        self.client = client
        self.max_wait_s = max_wait_s
        self._replace_if = client.register_script(_REPLACE_IF)

    def acquire(self, name: str, value: str, px_ms: int) -> bool:
        """``SET name value NX PX px_ms``."""
        return bool(self.client.set(name, value, nx=True, px=px_ms))

    def get(self, name: str) -> str | None:
        """``GET name``."""
        value = self.client.get(name)
        return None if value is None else str(value)

    def replace_if(self, name: str, expected: str, value: str, px_ms: int) -> bool:
        """Compare-and-set in one Lua call."""
        return bool(self._replace_if(keys=[name], args=[expected, value, px_ms]))

    def next_token(self, name: str) -> int:
        """``INCR name``."""
        return int(self.client.incr(name))

    def wait_expired(self, name: str) -> None:
        """Poll until Redis has expired *name* (real time: the server owns ``PX``)."""
        deadline = time.monotonic() + self.max_wait_s
        while self.client.exists(name):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name!r} did not expire within {self.max_wait_s} s")
            time.sleep(0.002)


class MemoryLocks:
    """:class:`LockStore` in memory, expiring on an injected clock (seconds)."""

    def __init__(self, clock: ManualClock):
        self.clock = clock
        self.values: dict[str, tuple[str, float]] = {}
        self.counters: dict[str, int] = {}

    def _live(self, name: str) -> str | None:
        entry = self.values.get(name)
        if entry is None or entry[1] <= self.clock():
            self.values.pop(name, None)
            return None
        return entry[0]

    def acquire(self, name: str, value: str, px_ms: int) -> bool:
        """Set-if-absent with expiry."""
        if self._live(name) is not None:
            return False
        self.values[name] = (value, self.clock() + px_ms / 1000.0)
        return True

    def get(self, name: str) -> str | None:
        """The live value."""
        return self._live(name)

    def replace_if(self, name: str, expected: str, value: str, px_ms: int) -> bool:
        """Compare-and-set."""
        if self._live(name) != expected:
            return False
        self.values[name] = (value, self.clock() + px_ms / 1000.0)
        return True

    def next_token(self, name: str) -> int:
        """A counter per name."""
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def wait_expired(self, name: str) -> None:
        """Advance the clock to the expiry of *name*."""
        entry = self.values.get(name)
        if entry is not None and entry[1] > self.clock():
            self.clock.advance(entry[1] - self.clock())


class RedisChargeService:
    """``POST /v1/charges`` with keys in a :class:`LockStore` and charges in SQL (two systems)."""

    def __init__(self, locks: LockStore, db: SQLBackend, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
                 retention: float = MIN_RETENTION_S, create_schema: bool = True):
        check_timeouts(lock_timeout, retention)
        self.locks, self.db = locks, db
        self.lock_ms, self.retention_ms = max(1, round(lock_timeout * 1000)), round(retention * 1000)
        if create_schema:
            install_schema(db)

    def handle(self, key: str, params: dict[str, Any]) -> Response:
        """One request, run to the end."""
        return run_steps(self.steps(key, params))

    def let_lock_expire(self, key: str) -> None:
        """Let time pass until the in-flight lock on *key* has expired (a stored result stays)."""
        current = self.locks.get("idem:" + key)
        if current is not None and json.loads(current)["state"] == "in_flight":
            self.locks.wait_expired("idem:" + key)

    def steps(self, key: str, params: dict[str, Any]) -> Steps:
        """The handler as a generator yielding each crash point it passes; returns the response."""
        validate_key(key)
        amount, currency, card = validate_charge(params)
        print_ = fingerprint(params)
        yield "before_start"
        name = "idem:" + key
        token = self.locks.next_token("idem-token:" + key)
        mine = json.dumps({"state": "in_flight", "fingerprint": print_, "token": token})
        if not self.locks.acquire(name, mine, self.lock_ms):
            return self._existing(name, key, print_)
        yield "after_claim"
        if card == "tok_chargeDeclined":
            return self._store(name, mine, key, token, print_, Response(402, declined_body()))
        if card == "tok_processingError":
            failed = Response(500, server_error_body(RuntimeError("the card network did not answer")))
            return self._store(name, mine, key, token, print_, failed)
        charge = charge_id(key, token)
        self.db.run_transaction(lambda db: db.execute(
            f"INSERT INTO {CHARGES_TABLE} (charge_id, idempotency_key, lock_token, amount, currency) "
            "VALUES (?, ?, ?, ?, ?)", (charge, key, token, amount, currency)), max_attempts=50)
        yield "after_charged"
        response = Response(201, charged_body(charge, amount, currency))
        yield "before_store_result"
        self._store(name, mine, key, token, print_, response)
        yield "after_finished"
        return response

    def _existing(self, name: str, key: str, print_: str) -> Response:
        current = self.locks.get(name)
        if current is None:  # expired between our SET and GET: still nothing to replay
            raise IdempotencyConflict(key)
        data = json.loads(current)
        if data["fingerprint"] != print_:
            raise IdempotencyKeyReused(key)
        if data["state"] == "done":
            return Response.from_json(data["response"])
        raise IdempotencyConflict(key)

    def _store(self, name: str, mine: str, key: str, token: int, print_: str, response: Response) -> Response:
        done = json.dumps({"state": "done", "fingerprint": print_, "response": response.to_json()})
        if not self.locks.replace_if(name, mine, done, self.retention_ms):
            raise LockLost(key, token)  # fenced out -- but any charge it made already happened
        return response


def memory_service(db: SQLBackend, clock: ManualClock | None = None, *,
                   lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S) -> RedisChargeService:
    """A :class:`RedisChargeService` on :class:`MemoryLocks` (for panels: no server, injected time)."""
    return RedisChargeService(MemoryLocks(clock if clock is not None else ManualClock()), db,
                              lock_timeout=lock_timeout)

