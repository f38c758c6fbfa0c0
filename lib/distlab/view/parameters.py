"""A notebook's parameters, checked once, by name, right after the ``parameters`` cell.

papermill (``papermill nb.ipynb out.ipynb -p seed 3``) writes its values into a cell it inserts after
the cell tagged ``parameters``; ``-p trials 2.5`` or ``-p seed x`` would otherwise surface minutes
later as a bare ``TypeError`` or a widget's ``TraitError`` deep in a panel. Each notebook's next cell
calls :func:`check_parameters` with every parameter, which refuses a wrong one with its name, its
valid range and how to set it:

>>> check_parameters("05_reliability", seed=0, backoff_runs=2.5, redis_url="")
Traceback (most recent call last):
...
distlab.view.parameters.ParameterError: notebook parameter backoff_runs must be an integer from 1 to 100, \
got 2.5 (set it in the parameters cell, or with papermill -p backoff_runs VALUE)

The ranges are those the notebook's own calls accept, so a value that passes here runs.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from distlab.casestudy.engines import check_postgres_url
from distlab.services.etcd import check_endpoint
from distlab.services.redis import check_url

from .settings import real, seed_of, whole

__all__ = ["PARAMETERS", "ParameterError", "check_parameters"]

Check = Callable[[Mapping[str, Any], str], object]


class ParameterError(ValueError):
    """A notebook parameter with a wrong type or out of its range (the message names it)."""


def _seed(config: Mapping[str, Any], name: str) -> int:
    return seed_of(config)


def _whole(low: int, high: int) -> Check:
    return lambda config, name: whole(config, name, low, high)


def _real(low: float, high: float, unit: str = "") -> Check:
    return lambda config, name: real(config, name, low, high, unit)


def _address(check: Callable[[str, str], str], example: str) -> Check:
    """A service address: ``""`` for the course's default, else one ``check`` accepts (loopback)."""
    def checked(config: Mapping[str, Any], name: str) -> str:
        value = config[name]
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string: \"\" for the default, or e.g. {example!r}; got {value!r}")
        return check(value, name) if value else value
    return checked


PARAMETERS: dict[str, dict[str, Check]] = {
    "01_consistency_ladder": {"seed": _seed, "trials": _whole(1, 10), "lag_ms": _real(5.0, 500.0, "ms")},
    "02_consensus": {"seed": _seed, "fig16_scale": _real(0.01, 1.0),
                     "etcd_endpoint": _address(check_endpoint, "http://127.0.0.1:2379")},
    "03_transactions": {"seed": _seed, "participants": _whole(2, 5),
                        "redis_url": _address(check_url, "redis://127.0.0.1:6379/0")},
    "04_geo": {"seed": _seed},
    "05_reliability": {"seed": _seed, "backoff_runs": _whole(1, 100),
                       "redis_url": _address(check_url, "redis://127.0.0.1:6379/0")},
    "06_case_study": {"seed": _seed,
                      "database_url": _address(check_postgres_url, "postgresql://user@127.0.0.1:5432/db"),
                      "redis_url": _address(check_url, "redis://127.0.0.1:6379/0")},
}
"""Each notebook's parameters (its ``parameters`` cell, name for name) and their checks."""


def check_parameters(notebook: str, **values: Any) -> None:
    """Refuse a parameter of ``notebook`` (e.g. ``"01_consistency_ladder"``) that its cells could not
    use, naming it; every parameter of the notebook must be passed, and no other."""
    spec = PARAMETERS.get(notebook)
    if spec is None:
        raise ValueError(f"notebook must be one of {', '.join(sorted(PARAMETERS))}, got {notebook!r}")
    unknown, missing = sorted(set(values) - set(spec)), sorted(set(spec) - set(values))
    if unknown or missing:
        raise TypeError(f"check_parameters({notebook!r}) takes {', '.join(spec)}: "
                        f"unknown {unknown}, missing {missing}")
    for name, check in spec.items():
        try:
            check(values, name)
        except ValueError as exc:
            raise ParameterError(f"notebook parameter {exc} (set it in "
                                 f"the parameters cell, or with papermill -p {name} VALUE)") from None
