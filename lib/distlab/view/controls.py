"""Factories for the controls panels share: a seed, a size, a fraction, a log scale, a menu.

Each factory validates its arguments and returns a widget that *cannot* hold an invalid value:
ipywidgets' bounded sliders and text boxes clamp whatever is assigned to ``value`` into
``[min, max]``, and a `Dropdown` refuses any value that is not one of its options.  Panels therefore
never need to re-check a control's value before handing it to ``render``.

A panel's starting value is checked *before* the widget exists (a slider would silently clamp it, a
menu would raise a `traitlets.TraitError` naming no parameter): pass the panel's parameter as
`name` and a bad start raises ``ValueError: rate must be in [1, 50], got 60``,
``ValueError: n must be one of (3, 5, 7), got 4`` or ``ValueError: inbox must be True or False,
got 'yes'``.  Other keywords go to the widget as they are (``layout``, ``style``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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


def _check_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r}")


def seed_control(value: int = 0, *, description: str = "seed", name: str = "value",
                 max: int = MAX_SEED, **widget: Any) -> widgets.BoundedIntText:  # noqa: A002
    """A text box for the random seed, bounded to ``[0, max]`` (``max`` defaults to `MAX_SEED`)."""
    _check_int("max", max)
    _check_int(name, value)
    _check_range(name, value, 0, max)
    return widgets.BoundedIntText(**{"value": value, "min": 0, "max": max, "description": description,
                                     "style": _STYLE, "continuous_update": False, **widget})


def size_control(value: int, *, min: int = 1, max: int = 9, step: int = 1,  # noqa: A002
                 description: str = "nodes", name: str = "value", **widget: Any) -> widgets.IntSlider:
    """An integer slider such as the number of nodes; ``min <= value <= max`` is enforced."""
    for what, v in (("min", min), ("max", max), ("step", step), (name, value)):
        _check_int(what, v)
    if step < 1:
        raise ValueError(f"step must be >= 1, got {step!r}")
    if min > max:
        raise ValueError(f"min must be <= max, got min={min!r}, max={max!r}")
    _check_range(name, value, min, max)
    return widgets.IntSlider(**{"value": value, "min": min, "max": max, "step": step, "description": description,
                                "style": _STYLE, "continuous_update": True, **widget})


def fraction_control(value: float, *, min: float = 0.0, max: float = 1.0,  # noqa: A002
                     step: float = 0.05, description: str = "p", name: str = "value",
                     **widget: Any) -> widgets.FloatSlider:
    """A float slider (a probability, a ratio, a duration); bounds are validated and enforced."""
    if not min < max:
        raise ValueError(f"min must be < max, got min={min!r}, max={max!r}")
    if not 0 < step <= max - min:
        raise ValueError(f"step must be in (0, {max - min}], got {step!r}")
    _check_number(name, value)
    _check_range(name, value, min, max)
    return widgets.FloatSlider(**{"value": value, "min": min, "max": max, "step": step, "description": description,
                                  "style": _STYLE, "continuous_update": True, **widget})


def log_control(value: float, *, min: float, max: float, step: float = 0.25, base: float = 10,  # noqa: A002
                description: str = "", name: str = "value", **widget: Any) -> widgets.FloatLogSlider:
    """A log-scale float slider from ``base**min`` to ``base**max`` (`min` and `max` are exponents,
    as in `ipywidgets.FloatLogSlider`); `value` must lie in that range."""
    if not min < max:
        raise ValueError(f"min must be < max, got min={min!r}, max={max!r}")
    _check_number(name, value)
    _check_range(name, value, base**min, base**max)
    return widgets.FloatLogSlider(**{"value": value, "base": base, "min": min, "max": max, "step": step,
                                     "description": description, "style": _STYLE, **widget})


def choice_control(options: Sequence[Any], value: Any, *, name: str = "value",
                   kind: Callable[..., Any] = widgets.Dropdown, **widget: Any) -> Any:
    """A menu of `options` (or another selection widget `kind`: `widgets.ToggleButtons`,
    `widgets.SelectionSlider`) starting at `value`; only the listed options can ever be selected,
    and a `value` that is not one of them raises `ValueError` naming `name` and the options."""
    options = tuple(options)
    if not options:
        raise ValueError(f"{name}: options must list at least one choice")
    if value not in options:
        raise ValueError(f"{name} must be one of {options!r}, got {value!r}")
    return kind(options=options, value=value, **widget)


def switch_control(value: bool, *, name: str = "value", **widget: Any) -> widgets.Checkbox:
    """A checkbox starting at `value`, which must be True or False (a checkbox would refuse ``"yes"``
    naming no parameter, and take ``0`` or ``None`` for False)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return widgets.Checkbox(value=value, **widget)


def fault_control(options: Sequence[str] = FAULTS, value: str | None = None, *,
                  description: str = "fault", name: str = "value") -> widgets.Dropdown:
    """A menu of fault actions; only the listed options can ever be selected."""
    options = tuple(options)
    if len(set(options)) != len(options):
        raise ValueError(f"options must be distinct, got {options!r}")
    if not options:
        raise ValueError("options must list at least one fault")
    return choice_control(options, options[0] if value is None else value, name=name,
                          description=description, style=_STYLE)
