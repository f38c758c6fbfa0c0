"""Crashes and retries, as data: one attempt crashed at a named point, every schedule of crash
points enumerated, and the two windows in which Redis alone charges twice.

>>> from distlab.services import sql
>>> verdicts = enumerate_crashes(lambda: SQLChargeService(sql.connect()))
>>> len(verdicts), sorted({v.charges for v in verdicts})
(31, [1])
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from .charge import CRASH_POINTS, NO_CRASH, check_crash_point
from .keys import IdempotencyError, Response
from .redis_service import RedisChargeService
from .service import SQLChargeService, Steps
from .sql_store import charges_per_key

Service = SQLChargeService | RedisChargeService
PARAMS: dict[str, Any] = {"amount": 2000, "currency": "usd", "card": "tok_visa"}
WINDOWS = ("crash_after_effect", "lock_expired_while_working")


def label(outcome: Response | IdempotencyError) -> str:
    """A short reply label for a notebook: ``"201 charged"``, ``"201 replayed"``, ``"409 conflict"``..."""
    if isinstance(outcome, IdempotencyError):
        return f"{outcome.status} {outcome.code}"
    if outcome.replayed:
        return f"{outcome.status} replayed"
    return f"{outcome.status} charged" if outcome.status == 201 else f"{outcome.status} {_error_code(outcome)}"


def _error_code(response: Response) -> str:
    error = response.body.get("error", {})
    return str(error.get("code") or error.get("type") or "error")


def resume(steps: Steps, crash_point: str = NO_CRASH) -> str:
    """Run a handler generator on; crash it (stop resuming) when it reaches *crash_point*.

    Returns the reply label, or ``"crash at <point>"`` when the client got no reply.
    """
    try:
        while True:
            if next(steps) == crash_point:
                steps.close()
                return f"crash at {crash_point}"
    except StopIteration as stop:
        return label(stop.value)
    except IdempotencyError as refused:
        return label(refused)


def attempt(service: Service, key: str, params: dict[str, Any], crash_point: str = NO_CRASH) -> str:
    """One request with *key*, crashed at *crash_point* (``"none"``: run to the end); its reply label."""
    return resume(service.steps(key, params), check_crash_point(crash_point))


def crash_schedule(service: Service, key: str, crashes: Sequence[str],
                   params: dict[str, Any] | None = None) -> list[str]:
    """One attempt crashed at each point of *crashes* in turn, each followed by the lock's expiry,
    then a last attempt that runs through; the reply labels."""
    params = PARAMS if params is None else params
    replies = []
    for point in crashes:
        replies.append(attempt(service, key, params, point))
        service.let_lock_expire(key)
    replies.append(attempt(service, key, params))
    return replies


@dataclass(frozen=True)
class CrashVerdict:
    """One crash schedule's outcome for one key: how many charges, what each attempt got back."""

    crashes: tuple[str, ...]
    charges: int
    replies: tuple[str, ...]

    @property
    def exactly_once(self) -> bool:
        """Exactly one charge for the key, and the last attempt was answered with it."""
        return self.charges == 1 and self.replies[-1].startswith("201")


def crash_schedules(depth: int = 2) -> list[tuple[str, ...]]:
    """No crash, then every sequence of 1..*depth* crash points (a crash, then a crash of the retry...)."""
    if not isinstance(depth, int) or not 0 <= depth <= 4:
        raise ValueError(f"depth: must be an integer from 0 to 4, got {depth!r}")
    out: list[tuple[str, ...]] = [()]
    for length in range(1, depth + 1):
        out.extend(product(CRASH_POINTS, repeat=length))
    return out


def enumerate_crashes(make_service: Callable[[], Service], depth: int = 2) -> list[CrashVerdict]:
    """Every crash schedule of :func:`crash_schedules`, each on a fresh key of one service."""
    service = make_service()
    verdicts = []
    for index, crashes in enumerate(crash_schedules(depth)):
        key = f"crash-{index}"
        replies = crash_schedule(service, key, crashes)
        charges = charges_per_key(service.db).get(key, 0)
        verdicts.append(CrashVerdict(crashes, charges, tuple(replies)))
    return verdicts


def window(service: Service, name: str, key: str = "window") -> CrashVerdict:
    """One of :data:`WINDOWS` on *service*: Redis alone charges twice, SQL once.

    ``crash_after_effect``: the first attempt crashes after its charge, before storing the result;
    the lock expires; a retry runs. ``lock_expired_while_working``: the first attempt claims the
    key and stalls; its lock expires; a retry runs through; then the first attempt wakes up.
    """
    if name == "crash_after_effect":
        replies = crash_schedule(service, key, ["before_store_result"])
        crashes: tuple[str, ...] = ("before_store_result",)
    elif name == "lock_expired_while_working":
        first = service.steps(key, PARAMS)
        while next(first) != "after_claim":
            pass
        service.let_lock_expire(key)
        second = attempt(service, key, PARAMS)
        replies = [resume(first), second]
        crashes = ("pause after_claim",)
    else:
        raise ValueError(f"name: must be one of {list(WINDOWS)}, got {name!r}")
    return CrashVerdict(crashes, charges_per_key(service.db).get(key, 0), tuple(replies))
