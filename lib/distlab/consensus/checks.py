"""The parameter checks chapter 2's public functions share: a bad value raises ``ValueError`` naming
the parameter and its valid range (docs/DESIGN.md) instead of being coerced or silently accepted.

Python's comparisons let a bool pass as 0 or 1, a NaN fail every bound *silently* (``nan > 0`` is
merely False, so a check written ``if x <= 0: raise`` lets it through) and an infinity pass every
lower bound (a simulation run for ``inf`` seconds never ends); a string fails with a bare ``'<' not
supported``. These checks refuse all of them by name. A valid value is returned unchanged, so
results do not move: the checks return nothing.
"""
from __future__ import annotations

import math
import numbers

__all__ = ["flag", "number", "seed", "timeout_range", "whole"]


def whole(name: str, value: object, low: int, high: int | None = None) -> None:
    """Raise unless ``value`` is an integer (any integer type, never a bool) from ``low`` to ``high``
    (no upper bound when ``high`` is None)."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    n = int(value) if ok else low - 1  # type: ignore[call-overload]  # an Integral when ok
    if n < low or (high is not None and n > high):
        span = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {span}, got {value!r}")


def number(name: str, value: object, low: float, high: float, unit: str = "", *,
           open_low: bool = False) -> None:
    """Raise unless ``value`` is a finite real number (never a bool) in ``[low, high]`` (``(low,
    high]`` with ``open_low``; ``high`` may be ``math.inf``); ``unit`` names its unit in the message."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    v = float(value) if ok else math.nan  # type: ignore[arg-type]  # a Real when ok
    if not (math.isfinite(v) and (v > low if open_low else v >= low) and v <= high):
        span = (f"{'>' if open_low else '>='} {low:g}" if high == math.inf else
                f"in {'(' if open_low else '['}{low:g}, {high:g}]")
        raise ValueError(f"{name} must be a finite number{' of ' + unit if unit else ''} {span}, got {value!r}")


def flag(name: str, value: object) -> None:
    """Raise unless ``value`` is True or False (``"no"``, 1 and NaN are not)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def seed(value: object, name: str = "seed") -> None:
    """Raise unless ``value`` is a seed: an integer >= 0 (as `distlab.sim.Simulation` takes)."""
    whole(name, value, 0)


def timeout_range(name: str, value: object, high: float, unit: str = "seconds") -> None:
    """Raise unless ``value`` is a ``(low, high)`` pair (tuple or list) of finite numbers with
    ``0 < low <= high`` and both at most ``high``: an election timeout range."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a (low, high) pair of {unit}, got {value!r}")
    number(f"{name} low", value[0], 0, high, unit, open_low=True)
    number(f"{name} high", value[1], value[0], high, unit)
