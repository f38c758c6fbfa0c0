"""What a limit is: ``amount`` units per ``window`` seconds, optionally with a separate ``burst``.

The *what* of rate limiting, kept apart from the *how* (a strategy: token bucket, GCRA, fixed
window, sliding log, sliding window counter) and the *where* (a store: in-process or Redis) -- the
split the ``limits`` library makes (its ``RateLimitItem`` / strategy / storage).

Limit strings follow the common notation: ``"10/second"``, ``"10 per second"``, ``"5/2 minutes"``,
``"100 per 30 seconds"``; several limits are separated by ``;``, ``,`` or ``|``. Windows are
whole multiples of a granularity, as in ``limits``; a :class:`RateLimit` built directly may use any
positive float window.

For the bucket-shaped strategies (token bucket, GCRA) a limit means: capacity ``burst`` (default
``amount``) refilled at ``amount / window`` units per second.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from distlab.validate import integer, number

GRANULARITIES: dict[str, float] = {
    "second": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "month": 30 * 86400.0,
    "year": 365 * 86400.0,
}

_ONE = re.compile(
    r"^\s*(?P<amount>\d+)\s*(?:/|\s+per\s+)\s*(?P<multiples>\d+)?\s*(?P<unit>[a-z]+?)s?\s*$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[;,|]")


@dataclass(frozen=True)
class RateLimit:
    """``amount`` units per ``window`` seconds; ``burst`` is the bucket capacity (default ``amount``)."""

    amount: int
    window: float
    burst: int | None = None

    def __post_init__(self) -> None:
        integer("amount", self.amount)
        number("window", self.window, low=0, low_open=True)
        integer("burst", self.burst, none_ok=True)
        if not math.isfinite(self.amount / self.window):  # RateLimit(5, 5e-324): the rate would overflow
            raise ValueError(f"window must be > 0 seconds and large enough that amount / window is finite, "
                             f"got amount={self.amount!r}, window={self.window!r}")
        object.__setattr__(self, "window", float(self.window))

    @property
    def capacity(self) -> int:
        """Bucket size for token bucket and GCRA: ``burst`` if given, else ``amount``."""
        return self.burst if self.burst is not None else self.amount

    @property
    def rate(self) -> float:
        """Refill rate in units per second (``amount / window``)."""
        return self.amount / self.window

    @property
    def slug(self) -> str:
        """A short, stable text form used inside store keys."""
        burst = f"b{self.burst}" if self.burst is not None else ""
        return f"{self.amount}/{self.window:g}{burst}"

    def __str__(self) -> str:
        return f"{self.amount} per {self.window:g} s" + (f" (burst {self.burst})" if self.burst else "")


def parse_limit(text: str) -> RateLimit:
    """Parse one limit such as ``"10/second"`` or ``"5 per 2 minutes"``.

    >>> parse_limit("5 per 2 minutes")
    RateLimit(amount=5, window=120.0, burst=None)
    """
    if not isinstance(text, str):
        raise ValueError(f"limit must be a string like '10/second', got {text!r}")
    match = _ONE.match(text)
    if not match:
        raise ValueError(
            f"cannot parse limit {text!r}: expected '<amount>/<unit>' or '<amount> per [<n>] <unit>s', "
            f"units {sorted(GRANULARITIES)}"
        )
    unit = match["unit"].lower()
    if unit not in GRANULARITIES:
        raise ValueError(f"unknown time unit {match['unit']!r} in limit {text!r}; valid: {sorted(GRANULARITIES)}")
    multiples = int(match["multiples"]) if match["multiples"] else 1
    if multiples <= 0:
        raise ValueError(f"window multiple must be >= 1 in limit {text!r}")
    amount = int(match["amount"])
    if amount <= 0:
        raise ValueError(f"amount must be >= 1 in limit {text!r}")
    return RateLimit(amount, GRANULARITIES[unit] * multiples)


#: What a limiter accepts as its limits: a string, a limit, or a list of either.
LimitSpec = str | RateLimit | Sequence[str | RateLimit]


def parse_limits(spec: LimitSpec) -> list[RateLimit]:
    """Turn a string with several limits (``"10/second; 100/minute"``), a limit, or a list into a list."""
    if isinstance(spec, RateLimit):
        return [spec]
    if isinstance(spec, str):
        parts = [p for p in _SEPARATORS.split(spec)]
        if not spec.strip() or any(not p.strip() for p in parts):
            raise ValueError(f"cannot parse limits {spec!r}: empty limit between separators")
        return [parse_limit(p) for p in parts]
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise ValueError("limits must not be empty")
        out: list[RateLimit] = []
        for item in spec:
            out.extend(parse_limits(item))
        return out
    raise ValueError(f"limits must be a string, a RateLimit or a list of them, got {spec!r}")
