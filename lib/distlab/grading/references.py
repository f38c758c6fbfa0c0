"""Answers that hand the work to the library: found in the answer's syntax tree, before it runs.

Each exercise asks the learner to write something the course library already has -- a token bucket,
an inbox, an OR-Set merge. An answer that merely calls that code (``TokenBucket()``, the saga
engine, ``a.merge(b)``) or the grader's own reference solutions (anything under ``distlab.grading``)
solved nothing, so the grader gives it the status ``uses-reference`` and no points, and says which
name it used. Names are resolved through the imports of the chapter's setup cells and of the answer
(``from distlab.reliability import TokenBucket as TB`` then ``TB(...)``, or a star import of a
course module); a reference that starts with ``.`` is a method name, matched on any object
(``.merge``) but not on an imported module (``heapq.merge``). What this cannot see: names built at
run time (``getattr(module, "Token" + "Bucket")``); the grader's docs say so.
"""
from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable, Sequence

__all__ = ["ALLOWED", "ALWAYS", "REFERENCES", "used_references"]

#: never part of an answer: the checks, and the reference solutions they compare against
ALWAYS = ("distlab.grading",)
#: ...except the notebook's own feedback calls, which an answer cell may keep
ALLOWED = ("distlab.grading.check", "distlab.grading.start")

#: per exercise, the library code that does what the exercise asks the learner to write
REFERENCES: dict[str, tuple[str, ...]] = {
    "consistency.token_read": (),
    "consistency.classify": ("distlab.consistency.classify", "distlab.consistency.check",
                             "distlab.consistency.check_linearizable", "distlab.consistency.ladder",
                             "distlab.consistency.rungs", "distlab.consistency.linearizability"),
    "consistency.choose_rungs": ("distlab.consistency.chooser",),
    "consensus.vote_rule": ("distlab.consensus.raft.is_up_to_date", "distlab.consensus.raft.handlers"),
    "consensus.quorum": (),
    "consensus.livelock": (),
    "transactions.compensations": ("distlab.transactions.saga",),
    "transactions.inbox": ("distlab.transactions.outbox.consumer", "distlab.transactions.outbox.Consumer"),
    "transactions.idempotent_charge": ("distlab.transactions.idempotency",),
    "geo.quorum_choice": ("distlab.geo.quorum_overlap", "distlab.geo.chooser"),
    "geo.orset_merge": (".merge", "distlab.geo.crdt_dots"),
    "geo.placement": ("distlab.geo.placement.best_leader", "distlab.geo.placement_compare",
                      "distlab.geo.placement_multi", "distlab.geo.chooser"),
    "reliability.token_bucket": ("distlab.reliability.TokenBucket", "distlab.reliability.token_bucket",
                                 "distlab.reliability.RateLimiter", "distlab.reliability.GCRA",
                                 "distlab.reliability.make_strategy", "distlab.reliability.limiter",
                                 "distlab.reliability.gcra", "distlab.reliability.strategy"),
    "reliability.breaker_tuning": (),
    "reliability.end_storm": (),
    "casestudy.double_charge": ("distlab.casestudy.trials.crash_trial",),  # explore with it, answer without
    "casestudy.isolation": (),  # running the interleavings at each level is the exercise
    "casestudy.bulkhead": ("distlab.casestudy.trials.bulkhead_trial",),
}


def _aliases(trees: Iterable[ast.AST]) -> dict[str, str]:
    """Local name -> the dotted name it was imported as."""
    names: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        names[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name == "*":
                        names.update((name, f"{node.module}.{name}") for name in _public(node.module))
                    else:
                        names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _public(module: str) -> tuple[str, ...]:
    """What ``from module import *`` binds, for the course's own modules (imported: trusted code);
    nothing for any other module (the grader never imports what a submission names)."""
    if module != "distlab" and not module.startswith("distlab."):
        return ()
    try:
        imported = importlib.import_module(module)
    except Exception:  # noqa: BLE001 - a misspelt module: running the answer will say so
        return ()
    names = getattr(imported, "__all__", None)
    return tuple(str(n) for n in names) if names is not None else tuple(n for n in dir(imported) if n[:1] != "_")


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id], *reversed(parts)])
    return None


def _uses(tree: ast.AST, aliases: dict[str, str]) -> Iterable[tuple[str, str]]:
    """``(dotted name, how)`` for every imported name, attribute chain, method and string used."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield from ((f"{node.module}.{a.name}", "import") for a in node.names)
        elif isinstance(node, ast.Import):
            yield from ((a.name, "import") for a in node.names)
        elif isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, aliases)
            if dotted:  # an imported module's function (heapq.merge) is not a method of the course's objects
                yield dotted, "name"
            elif isinstance(node, ast.Attribute):
                yield f".{node.attr}", "method"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("distlab"):
            yield node.value, "string"


def _matches(used: str, reference: str) -> bool:
    return used == reference or used.startswith(reference + ".")


def used_references(exercise_id: str, code: str, prelude: Sequence[str] = ()) -> list[str]:
    """The references of ``exercise_id`` (and :data:`ALWAYS`) that ``code`` uses, in order of
    first use; ``[]`` when it uses none or does not parse (running it will say why)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    setup = []
    for source in prelude:
        try:
            setup.append(ast.parse(source))
        except SyntaxError:
            continue
    aliases = _aliases([*setup, tree])
    wanted = (*ALWAYS, *REFERENCES.get(exercise_id, ()))
    found: list[str] = []
    for used, how in _uses(tree, aliases):
        if any(_matches(used, allowed) for allowed in ALLOWED):
            continue
        for reference in wanted:
            method = reference.startswith(".")
            if (how == "method") == method and _matches(used, reference) and reference not in found:
                found.append(reference)
    return found
