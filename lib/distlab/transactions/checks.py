"""The parameter checks every transactions config shares: a bad value raises ``ValueError`` naming
the field and its valid range."""
from __future__ import annotations


def check_int(name: str, value: object, low: int, high: int) -> None:
    """Raise ValueError unless ``value`` is an integer from ``low`` to ``high``."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")


def check_seconds(name: str, value: object, low: float = 0.0, high: float = 3600.0,
                  *, open_low: bool = False) -> None:
    """Raise ValueError unless ``value`` is a number of seconds in ``[low, high]`` (or
    ``(low, high]`` with ``open_low``)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value <= high \
        and (value > low if open_low else value >= low)
    if not ok:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be a number of seconds in {bracket}{low}, {high}], "
                         f"got {value!r}")
