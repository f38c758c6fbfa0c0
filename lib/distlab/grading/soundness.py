"""Helpers that let each chapter prove its checks are sound.

A chapter puts its reference solutions outside the notebook, in
``tests/grading/solutions/<chapter>.py``::

    import distlab.grading.consensus          # registers the chapter's exercises
    SOLUTIONS = {"consensus.majority": lambda n: n // 2 + 1}
    MUTATIONS = {"consensus.majority": {"half": lambda n: n // 2, "all": lambda n: n}}

and ``tests/grading/test_solutions.py`` (already written) asserts, for every file there, that
every check *accepts* its solution and *rejects* every mutation (status ``failed`` -- a mutation
that only crashes the check or counts as "not attempted" proves nothing), and that every
registered exercise has a solution and at least one mutation.  The same functions can be called
directly from a chapter's own tests.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from . import registry
from .checks import evaluate


def accepts(exercise_id: str, solution: object) -> str | None:
    """None when the check passes `solution`, else a description of what went wrong."""
    v = evaluate(exercise_id, solution)
    return None if v.status == "passed" else f"{exercise_id}: solution got {v.status}: {v.message}"


def rejects(exercise_id: str, wrong: object, name: str = "mutation") -> str | None:
    """None when the check fails `wrong` with a hint, else a description of the problem."""
    v = evaluate(exercise_id, wrong)
    if v.status == "failed" and v.message:
        return None
    return f"{exercise_id}: {name} got {v.status} (expected failed with a hint): {v.message}"


def verify(exercise_id: str, solution: object, mutations: dict[str, object] | Iterable[object]) -> list[str]:
    """All problems with one exercise's check; an empty list means it is sound. `mutations` are
    known-wrong answers, named (a dict) or not."""
    if isinstance(mutations, dict):
        items = list(mutations.items())
    else:
        items = [(f"mutation {i}", m) for i, m in enumerate(mutations)]
    problems = [p for p in [accepts(exercise_id, solution)] if p]
    if not items:
        problems.append(f"{exercise_id}: no mutations given; add at least one known-wrong answer")
    problems += [p for name, m in items if (p := rejects(exercise_id, m, name))]
    return problems


def load_solution_module(path: str | Path) -> ModuleType:
    """Import a solutions file by path (its name is ``distlab_solutions_<stem>``)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"distlab_solutions_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"path must be a Python file, got {str(path)!r}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for attr in ("SOLUTIONS", "MUTATIONS"):
        if not isinstance(getattr(module, attr, None), dict):
            raise ValueError(f"{path.name} must define a dict {attr}")
    return module


def solution_cases(directory: str | Path) -> list[tuple[str, str, object, object]]:
    """``(file, exercise_id, solution, mutations)`` for every solutions file in `directory`,
    ready for ``pytest.mark.parametrize``."""
    cases = []
    for path in sorted(Path(directory).glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = load_solution_module(path)
        for ex_id, solution in module.SOLUTIONS.items():
            cases.append((path.name, ex_id, solution, module.MUTATIONS.get(ex_id, {})))
    return cases


def missing_solutions(covered: set[str]) -> list[str]:
    """Registered exercise ids that no solutions file covers."""
    registry.load_all()
    return [e.id for e in registry.all_exercises() if e.id not in covered]
