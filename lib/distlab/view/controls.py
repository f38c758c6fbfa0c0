"""Factories for the controls every panel shares: a seed, a size and a fault picker.

Each factory validates its arguments (bad bounds raise `ValueError` naming the parameter and the
valid range) and returns a widget that *cannot* hold an invalid value: ipywidgets' bounded sliders
and text boxes clamp whatever is assigned to ``value`` into ``[min, max]``, and a `Dropdown`
refuses any value that is not one of its options.  Panels therefore never need to re-check a
control's value before handing it to ``render``.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

#: Largest seed we offer; fits every random generator we use.
MAX_SEED = 2**31 - 1

#: The external fault actions of DESIGN.md principle 6, in the order a menu shows them.
FAULTS = ("none", "crash", "restart", "pause", "partition", "one-way partition", "heal",
          "drop", "duplicate", "delay", "clock skew")

_STYLE = {"description_width": "initial"}


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")


def _check_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")


def seed_control(value: int = 0, *, description: str = "seed") -> widgets.BoundedIntText:
    """A text box for the random seed, bounded to ``[0, MAX_SEED]``."""
    _check_int("value", value)
    _check_range("value", value, 0, MAX_SEED)
    return widgets.BoundedIntText(value=value, min=0, max=MAX_SEED, description=description,
                                  style=_STYLE, continuous_update=False)


def size_control(value: int, *, min: int = 1, max: int = 9, step: int = 1,  # noqa: A002
                 description: str = "nodes") -> widgets.IntSlider:
    """An integer slider such as the number of nodes; ``min <= value <= max`` is enforced."""
    for name, v in (("min", min), ("max", max), ("step", step), ("value", value)):
        _check_int(name, v)
    if step < 1:
        raise ValueError(f"step must be >= 1, got {step!r}")
    if min > max:
        raise ValueError(f"min must be <= max, got min={min!r}, max={max!r}")
    _check_range("value", value, min, max)
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             style=_STYLE, continuous_update=True)


def fraction_control(value: float, *, min: float = 0.0, max: float = 1.0,  # noqa: A002
                     step: float = 0.05, description: str = "p") -> widgets.FloatSlider:
    """A float slider (a probability, a ratio); bounds are validated and enforced."""
    if not min < max:
        raise ValueError(f"min must be < max, got min={min!r}, max={max!r}")
    if not 0 < step <= max - min:
        raise ValueError(f"step must be in (0, {max - min}], got {step!r}")
    _check_range("value", value, min, max)
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               style=_STYLE, continuous_update=True)


def fault_control(options: Sequence[str] = FAULTS, value: str | None = None, *,
                  description: str = "fault") -> widgets.Dropdown:
    """A menu of fault actions; only the listed options can ever be selected."""
    options = tuple(options)
    if not options:
        raise ValueError("options must list at least one fault")
    if len(set(options)) != len(options):
        raise ValueError(f"options must be distinct, got {options!r}")
    if value is None:
        value = options[0]
    if value not in options:
        raise ValueError(f"value must be one of {options!r}, got {value!r}")
    return widgets.Dropdown(options=options, value=value, description=description, style=_STYLE)
