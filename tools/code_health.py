"""Code-health figures of the library, measured with ``ast`` (issue 15; ``make bench`` prints them too).

Prints ``bench code_<what> <value> <unit>`` lines:

* ``annotated_functions_pct`` (and ``_reliability_pct``, ``_sim_pct``, ``_raft_pct``): public
  functions and methods whose every parameter (``self``/``cls`` aside) and return are annotated;
* ``documented_classes_pct``, ``documented_methods_pct``, ``documented_functions_pct``: public
  classes, public methods and public module-level functions with a docstring;
* ``functions_over_60_lines`` and ``modules_over_300_lines``: counts that should reach zero.

"Public": the name does not start with ``_`` (so dunders are out) and neither does its class; nested
functions are not counted as public but are counted for length. A method without a docstring of its
own that overrides a documented method of a base class counts as documented (``inspect.getdoc``
inherits it), which is why the modules are imported; ``tests/test_code_health.py`` holds the bar. Usage:
``python tools/code_health.py [root ...]`` (default ``lib/distlab``).
"""
from __future__ import annotations

import ast
import importlib
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
LONG_FUNCTION, LONG_MODULE = 60, 300
AREAS = {"reliability": "reliability/", "sim": "sim/", "raft": "consensus/raft/"}

Func = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Counts:
    """Running totals over the files measured."""

    public_functions: list[tuple[str, bool]] = field(default_factory=list)  # (module path, annotated)
    classes: list[tuple[str, bool]] = field(default_factory=list)  # (where, documented)
    methods: list[tuple[str, bool]] = field(default_factory=list)
    functions: list[tuple[str, bool]] = field(default_factory=list)
    long_functions: list[str] = field(default_factory=list)
    long_modules: list[str] = field(default_factory=list)


def fully_annotated(fn: Func, is_method: bool) -> bool:
    """Every parameter but a method's first (``self``/``cls``), and the return, carry annotations."""
    args = fn.args
    params = [*args.posonlyargs, *args.args]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if is_method and not static and params:
        params = params[1:]
    params += args.kwonlyargs
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    return fn.returns is not None and all(p.annotation is not None for p in params)


def _walk(node: ast.AST, in_class: str | None, nested: bool) -> Iterator[tuple[Func | ast.ClassDef, str | None, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield child, in_class, nested
            yield from _walk(child, child.name, nested)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield child, in_class, nested
            yield from _walk(child, None, True)
        else:
            yield from _walk(child, in_class, nested)


def measure_file(path: Path, rel: str, counts: Counts) -> None:
    """Add one module's figures to ``counts``."""
    text = path.read_text()
    if len(text.splitlines()) > LONG_MODULE:
        counts.long_modules.append(rel)
    tree = ast.parse(text, filename=str(path))
    for node, cls, nested in _walk(tree, None, False):
        if isinstance(node, ast.ClassDef):
            if not nested and cls is None and not node.name.startswith("_"):
                counts.classes.append((f"{rel}:{node.lineno} class {node.name}", ast.get_docstring(node) is not None))
            continue
        end = node.end_lineno or node.lineno
        if end - node.lineno + 1 > LONG_FUNCTION:
            counts.long_functions.append(f"{rel}:{node.lineno} {node.name} ({end - node.lineno + 1} lines)")
        if nested or node.name.startswith("_") or (cls is not None and cls.startswith("_")):
            continue
        counts.public_functions.append((rel, fully_annotated(node, cls is not None)))
        where = f"{rel}:{node.lineno} {cls + '.' if cls else ''}{node.name}"
        documented = ast.get_docstring(node) is not None or (cls is not None and inherits_doc(rel, cls, node.name))
        (counts.methods if cls is not None else counts.functions).append((where, documented))


def inherits_doc(rel: str, cls: str, name: str) -> bool:
    """Whether ``cls.name`` in module ``rel`` overrides a base-class method that has a docstring."""
    module = "distlab." + rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    try:
        klass = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):  # a class defined inside a function, or a module that needs more
        return False
    return any(name in vars(base) and inspect.getdoc(vars(base)[name]) for base in klass.__mro__[1:])


def pct(flags: list[bool]) -> float:
    """Percentage of True in ``flags`` (100 for none)."""
    return 100.0 * sum(flags) / len(flags) if flags else 100.0


def measure(roots: list[Path]) -> Counts:
    """Figures over every ``.py`` file under ``roots``."""
    counts = Counts()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            measure_file(path, rel, counts)
    return counts


def main(argv: list[str]) -> int:
    """Print the figures for the roots in ``argv`` (``-v``: also list the offenders on stderr)."""
    verbose = "-v" in argv
    roots = [Path(a) for a in argv if a != "-v"] or [ROOT / "lib" / "distlab"]
    c = measure(roots)
    lines = [("annotated_functions_pct", pct([a for _, a in c.public_functions]), "%")]
    for area, prefix in AREAS.items():
        flags = [a for rel, a in c.public_functions if rel.startswith(prefix)]
        lines.append((f"annotated_functions_{area}_pct", pct(flags), "%"))
    lines += [
        ("documented_classes_pct", pct([d for _, d in c.classes]), "%"),
        ("documented_methods_pct", pct([d for _, d in c.methods]), "%"),
        ("documented_functions_pct", pct([d for _, d in c.functions]), "%"),
        ("public_functions", len(c.public_functions), "functions"),
        ("functions_over_60_lines", len(c.long_functions), "functions"),
        ("modules_over_300_lines", len(c.long_modules), "modules"),
    ]
    for name, value, unit in lines:
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        print(f"bench code_{name} {shown} {unit}", flush=True)
    if verbose:  # the offenders, one per line, on stderr
        undocumented = [f"{w} (no docstring)" for w, d in c.classes + c.methods + c.functions if not d]
        print("\n".join(c.long_functions + c.long_modules + undocumented), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
