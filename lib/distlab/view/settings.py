"""A render's settings, checked by name: what a learner types into ``render_*(...)`` is refused with
the setting's name and its valid range instead of being coerced (``int(3.5)`` is 3, ``bool("no")``
is True, ``float("nan")`` passes every comparison) and drawn as if it meant something. One module for
every chapter's panels: `whole`, `real`, `flag`, `seed_of` and chapter 1's `number_setting`."""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from .controls import MAX_SEED

__all__ = ["flag", "number_setting", "real", "seed_of", "whole"]


def whole(config: Mapping[str, Any], name: str, low: int, high: int) -> int:
    """``config[name]`` as an ``int`` from ``low`` to ``high`` (any integer type, never a bool)."""
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= int(value) <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def real(config: Mapping[str, Any], name: str, low: float, high: float, unit: str = "") -> float:
    """``config[name]`` as a finite ``float`` from ``low`` to ``high`` (in ``unit``, for the message)."""
    value = config[name]
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
    if not ok or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}{' ' + unit if unit else ''}, "
                         f"got {value!r}")
    return float(value)


def flag(config: Mapping[str, Any], name: str) -> bool:
    """``config[name]``, which must be True or False (a string such as ``"no"`` is not)."""
    value = config[name]
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def seed_of(config: Mapping[str, Any]) -> int:
    """The ``seed`` setting: an integer from 0 to the seed box's maximum."""
    return whole(config, "seed", 0, MAX_SEED)


def number_setting(config: Mapping[str, Any], name: str, low: float, high: float, unit: str = "", *,
                   integer: bool = False, default: float | None = None) -> float:
    """``config[name]`` (or ``default``) as a number in [low, high]; a bool, a string, NaN, an
    infinity or (with ``integer``) a fraction is refused by ``name``, never converted."""
    value = config.get(name, default)
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (numeric and low <= value <= high) or (integer and value != int(value)):
        raise ValueError(f"{name} must be in [{low:g}, {high:g}]{unit}{' (an integer)' if integer else ''}, "
                         f"got {value!r}")
    return float(value)
