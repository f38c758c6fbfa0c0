"""Checks the library's public configs and constructors run on their parameters (chapters 1, 5, ...).

A wrong parameter raises an error naming the parameter and its valid range (docs/DESIGN.md): a
value of the wrong type (a string, a bool where a number is meant, a float where a count is meant)
raises :class:`ParameterTypeError`, a ``TypeError`` that is also a ``ValueError`` (so callers that
catch the DESIGN's ``ValueError`` keep working); a number of the right type outside its range -- NaN and the infinities
included, since ``nan > 0`` is merely False and ``inf`` slips through ``> 0`` -- raises ``ValueError``.
Nothing is converted: a valid value is kept exactly as given, so results do not move.
"""
from __future__ import annotations

import math
from collections.abc import Iterable


class ParameterTypeError(TypeError, ValueError):
    """A parameter of the wrong type; both a ``TypeError`` and a ``ValueError``."""


def _describe(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return ""


def number(name: str, value: object, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False, allow_inf: bool = False,
           none_ok: bool = False) -> None:
    """Raise unless ``value`` is a real number (not a bool) within the given bounds; NaN never passes,
    an infinity only with ``allow_inf``; None only with ``none_ok``."""
    if value is None and none_ok:
        return
    what = (f"{'a number' if allow_inf else 'a finite number'} {_describe(low, high, low_open, high_open)}".rstrip()
            + (" (inf allowed)" if allow_inf else ""))
    if none_ok:
        what += " or None"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterTypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
    v = float(value)
    ok = not math.isnan(v) and (allow_inf or not math.isinf(v))
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        raise ValueError(f"{name} must be {what}, got {value!r}")


def integer(name: str, value: object, *, low: int | None = 1, none_ok: bool = False) -> None:
    """Raise unless ``value`` is an ``int`` (not a bool, not a float such as 2.5) and ``>= low``
    (any integer when ``low`` is None, as for a seed)."""
    if value is None and none_ok:
        return
    what = ("an integer" if low is None else f"an integer >= {low}") + (" or None" if none_ok else "")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterTypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
    if low is not None and value < low:
        raise ValueError(f"{name} must be {what}, got {value!r}")


def flag(name: str, value: object) -> None:
    """Raise unless ``value`` is True or False (a string such as ``"no"`` would be truthy)."""
    if not isinstance(value, bool):
        raise ParameterTypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")


def choice(name: str, value: object, options: Iterable[str]) -> None:
    """Raise unless ``value`` is one of the strings ``options``."""
    opts = tuple(options)
    if not isinstance(value, str):
        raise ParameterTypeError(f"{name} must be one of {opts}, got {value!r} ({type(value).__name__})")
    if value not in opts:
        raise ValueError(f"{name} must be one of {opts}, got {value!r}")


def text(name: str, value: object) -> None:
    """Raise unless ``value`` is a string."""
    if not isinstance(value, str):
        raise ParameterTypeError(f"{name} must be a string, got {value!r} ({type(value).__name__})")


def instant(name: str, value: float) -> float:
    """A time read from a clock: ``value`` itself once it is checked to be a finite number of seconds."""
    number(name, value)
    return value
