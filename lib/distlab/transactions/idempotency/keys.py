"""Idempotency keys as Stripe defines them: what a valid key is, how a request is fingerprinted,
what a stored response looks like, and the errors a client can get back instead of a response.

Stripe's rules (API reference, "Idempotent requests", https://docs.stripe.com/api/idempotent_requests):

* a key is chosen by the client (a V4 UUID is suggested) and is **at most 255 characters**; here it
  must also be 1-255 *printable ASCII* characters (``0x20``-``0x7e``), checked before anything is
  stored, so a bad key is a :class:`ValueError` naming ``key`` and costs nothing;
* the **first result is saved and replayed**, errors included (a 500 stays a 500);
* the incoming parameters are **compared** with the first request's: a different request under the
  same key is refused (:class:`IdempotencyKeyReused`, Stripe's ``idempotency_error``, HTTP 400);
* a request whose key is **still in flight** gets a conflict (:class:`IdempotencyConflict`, HTTP 409),
  never a second execution;
* results are saved **only once execution began**: a request refused by validation or by the in-flight
  conflict stores nothing and may simply be retried;
* keys may be pruned once **at least 24 hours** old; a key reused after that is a new request.

Time is injected: every store takes a ``clock`` (a zero-argument callable returning seconds);
:class:`ManualClock` is the one lessons and tests use.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

MAX_KEY_LENGTH = 255
MIN_RETENTION_S = 24 * 3600.0  # Stripe: keys are kept at least 24 hours
DEFAULT_LOCK_TIMEOUT_S = 60.0  # how long an in-flight key stays locked if its handler never finishes
ENDPOINT = "POST /v1/charges"  # the one endpoint of the lesson; part of every fingerprint


class IdempotencyError(Exception):
    """A request refused by the idempotency layer; ``status`` is the HTTP status Stripe would use."""

    status = 400
    code = "idempotency_error"


class IdempotencyKeyReused(IdempotencyError):
    """The key was first used with other parameters: the new request is refused, nothing stored."""

    status = 400
    code = "idempotency_key_reused"

    def __init__(self, key: str):
        self.key = key
        super().__init__(
            f"idempotency key {_shown(key)} was already used with different parameters; "
            "use a new key for a different request")


class IdempotencyConflict(IdempotencyError):
    """Another request with this key is still executing (HTTP 409): retry later, nothing stored."""

    status = 409
    code = "idempotency_conflict"

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"a request with idempotency key {_shown(key)} is still in flight; retry later")


class LockLost(IdempotencyError):
    """This handler's lock expired and another request took the key over (its fencing token is
    newer): the handler's phase was rolled back and it must stop."""

    status = 409
    code = "lock_lost"

    def __init__(self, key: str, token: int):
        self.key, self.token = key, token
        super().__init__(f"lock on idempotency key {_shown(key)} lost (fencing token {token} is stale)")


def _shown(key: str) -> str:
    return repr(key if len(key) <= 40 else key[:37] + "...")


def validate_key(key: object) -> str:
    """Return *key* if it is 1-255 printable ASCII characters, else raise ValueError naming ``key``.

    >>> validate_key("order-42")
    'order-42'
    >>> validate_key("")
    Traceback (most recent call last):
    ...
    ValueError: key: must be 1-255 printable ASCII characters, got an empty string
    """
    if not isinstance(key, str):
        raise ValueError(f"key: must be a string of 1-{MAX_KEY_LENGTH} printable ASCII characters, "
                         f"got {type(key).__name__}")
    if not key:
        raise ValueError(f"key: must be 1-{MAX_KEY_LENGTH} printable ASCII characters, got an empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"key: must be 1-{MAX_KEY_LENGTH} printable ASCII characters, got {len(key)} characters")
    for index, char in enumerate(key):
        if not " " <= char <= "~":
            raise ValueError(f"key: must be 1-{MAX_KEY_LENGTH} printable ASCII characters (0x20-0x7e), "
                             f"got {char!r} at position {index}")
    return key


def fingerprint(params: object, endpoint: str = ENDPOINT) -> str:
    """SHA-256 of the endpoint and the parameters as canonical JSON (sorted keys), in hex.

    Equal requests have equal fingerprints whatever the order of their fields; anything that is
    not a JSON object of JSON values is a ValueError naming ``params``.
    """
    if not isinstance(params, dict):
        raise ValueError(f"params: must be a dict of JSON values, got {type(params).__name__}")
    try:
        text = json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"params: must be a dict of JSON values ({exc})") from exc
    return hashlib.sha256(f"{endpoint}\n{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Response:
    """What a request got back: an HTTP-like ``status``, a JSON ``body``, and whether it was
    ``replayed`` from the stored first result rather than executed now."""

    status: int
    body: dict[str, Any]
    replayed: bool = False

    def to_json(self) -> str:
        """The stored form: status and body as one JSON text."""
        return json.dumps({"status": self.status, "body": self.body}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, replayed: bool = True) -> Response:
        """The response stored by :meth:`to_json` (replayed by default)."""
        data = json.loads(text)
        return cls(int(data["status"]), dict(data["body"]), replayed)


class ManualClock:
    """A clock that moves only when told to: ``clock()`` is the time in seconds.

    >>> clock = ManualClock(); clock.advance(90); clock()
    90.0
    """

    def __init__(self, now: float = 0.0):
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward by *seconds* (>= 0)."""
        if not seconds >= 0:
            raise ValueError(f"seconds: must be >= 0, got {seconds!r}")
        self.now += float(seconds)


def check_timeouts(lock_timeout: float, retention: float) -> None:
    """ValueError unless ``0 < lock_timeout < retention`` and ``retention`` >= 24 hours."""
    if not isinstance(lock_timeout, (int, float)) or not lock_timeout > 0:
        raise ValueError(f"lock_timeout: must be a number of seconds > 0, got {lock_timeout!r}")
    if not isinstance(retention, (int, float)) or not retention >= MIN_RETENTION_S:
        raise ValueError(f"retention: keys are kept at least 24 hours ({MIN_RETENTION_S:.0f} s), got {retention!r}")
    if lock_timeout >= retention:
        raise ValueError(f"lock_timeout: must be shorter than retention ({retention} s), got {lock_timeout!r}")
