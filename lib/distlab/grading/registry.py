"""The exercise registry: every exercise has an id, the notebook it belongs to, a check function,
hints and a number of points.

A chapter declares its exercises in ``distlab/grading/<chapter>.py``::

    from distlab.grading.registry import exercise

    @exercise("consensus.majority", notebook="02_consensus", points=1,
              hints=["A majority of n is more than half of n.", "Try n = 4: is 2 a majority?"])
    def check_majority(majority):           # receives what the learner passed to check()
        if majority(4) == 2:
            return "2 of 4 is only half: two halves could each elect a leader."
        return all(majority(n) == n // 2 + 1 for n in range(1, 12))

A check function returns ``True`` (passed), ``False`` (failed, the next generic hint is shown) or a
``str`` (failed, with that specific hint).  Calling the learner's stub may raise
`NotImplementedError`; `distlab.grading.check` turns that into "not attempted".

Knowing which notebook holds which exercise lets the headless grader report an exercise the
notebook never reached as ``error`` instead of silently leaving it out.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

#: Modules of this package that are framework, not chapter exercise definitions.
CORE_MODULES = frozenset({"__main__", "registry", "checks", "grader", "quiz", "soundness", "time_limit", "course",
                          "matching", "sandbox", "runner", "references", "submission", "gradebook"})

CheckFn = TypeVar("CheckFn", bound=Callable[..., object])


@dataclass(frozen=True)
class Exercise:
    """One exercise.  `points` is its maximum score; `hints` go from gentle to explicit."""

    id: str
    notebook: str
    check_fn: Callable[[object], object]
    hints: tuple[str, ...] = ()
    points: int = 1
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValueError(f"id must be a non-empty string, got {self.id!r}")
        if not isinstance(self.notebook, str) or not self.notebook.strip():
            raise ValueError(f"notebook must be a non-empty string, got {self.notebook!r}")
        if not callable(self.check_fn):
            raise ValueError(f"check_fn must be callable, got {self.check_fn!r}")
        if isinstance(self.points, bool) or not isinstance(self.points, int) or self.points < 1:
            raise ValueError(f"points must be an integer >= 1, got {self.points!r}")
        object.__setattr__(self, "hints", tuple(self.hints))


_REGISTRY: dict[str, Exercise] = {}
_LOAD_ERRORS: dict[str, str] = {}


def register(ex: Exercise) -> Exercise:
    """Add `ex`.  Re-registering the same id from the same function (a module imported twice)
    replaces it; a different function under a taken id is a `ValueError`."""
    old = _REGISTRY.get(ex.id)
    if old is not None and _qualname(old.check_fn) != _qualname(ex.check_fn):
        raise ValueError(f"exercise id {ex.id!r} is already registered by "
                         f"{_qualname(old.check_fn)}")
    _REGISTRY[ex.id] = ex
    return ex


def exercise(id: str, *, notebook: str, hints: Iterable[str] = (), points: int = 1,  # noqa: A002
             title: str = "") -> Callable[[CheckFn], CheckFn]:
    """Decorator form of `register` for a check function (returned unchanged)."""
    def wrap(fn: CheckFn) -> CheckFn:
        register(Exercise(id=id, notebook=notebook, check_fn=fn, hints=tuple(hints),
                          points=points, title=title or id))
        return fn
    return wrap


def unregister(exercise_id: str) -> None:
    """Remove an exercise (tests use this to clean up)."""
    _REGISTRY.pop(exercise_id, None)


def get(exercise_id: str) -> Exercise | None:
    """The exercise with this id, loading the chapter modules on a miss; None if unknown."""
    if exercise_id not in _REGISTRY:
        load_all()
    return _REGISTRY.get(exercise_id)


def all_exercises() -> list[Exercise]:
    """Every registered exercise, sorted by id."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def exercises_for(notebook: str) -> list[Exercise]:
    """The exercises a notebook contains, in registration order.  `notebook` is the name used at
    registration (e.g. ``"02_consensus"``); a path or a ``.ipynb`` suffix is accepted too."""
    load_all()
    key = notebook.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".ipynb")
    return [e for e in _REGISTRY.values() if e.notebook == key]


def load_all() -> dict[str, str]:
    """Import every chapter module ``distlab.grading.<chapter>`` so its exercises register.
    A module that fails to import is remembered (returned) instead of raising: `check` must keep
    working for the other chapters."""
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in CORE_MODULES or info.name.startswith("_"):
            continue
        name = f"{__package__}.{info.name}"
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            _LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"
    return dict(_LOAD_ERRORS)


def _qualname(fn: object) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
