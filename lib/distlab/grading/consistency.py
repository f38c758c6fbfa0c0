"""Chapter 1's graded exercises (``notebooks/01_consistency_ladder.ipynb``).

* ``consistency.token_read`` -- implement the version-token read path: given the replicas in order
  of preference and the session's token, answer from the first replica that has caught up (or say
  the client must wait) and advance the token; checked on seeded replica states and by replaying
  sessions against lagging replicas (no read-your-writes or monotonic-reads violation allowed);
* ``consistency.classify`` -- place four small histories (:func:`puzzles`) on the ladder: the
  strongest rungs each satisfies, compared with :func:`distlab.consistency.classify`;
* ``consistency.choose_rungs`` -- the rule of thumb: a rung for each item of
  :data:`distlab.consistency.chooser.EXERCISE_ITEMS` (not the worked examples the notebook prints),
  graded by :func:`distlab.consistency.chooser.judge` -- the same chooser the notebook's section 6
  shows, one rule (:data:`~distlab.consistency.chooser.RULE`).

Each check returns True, or a string saying what went wrong (`distlab.grading.registry`).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from distlab.grading.registry import exercise

if TYPE_CHECKING:
    from distlab.sim.history import History

NOTEBOOK = "01_consistency_ladder"
RUNG_NAMES = ("linearizable", "sequential", "causal", "pram", "read-your-writes", "monotonic-reads",
              "monotonic-writes", "writes-follow-reads", "consistent-prefix", "eventual")

#: ``{"name", "applied", "data"}``: a replica as the read path sees it (``data``: key -> (value, version))
Replica = dict[str, Any]
#: the learner's read path: ``(replicas, key, token) -> (value, version, new_token)`` or None
ReadPath = Callable[[list[Replica], str, int], Any]


# ----------------------------------------------------------------------------------- token reads
def reference_token_read(replicas: list[Replica], key: str, token: int) -> tuple[str, int, int] | None:
    """The reference read path: first replica (in the given order) with ``applied >= token``."""
    for r in replicas:
        if r["applied"] >= token:
            value, version = r["data"].get(key, ("", 0))
            return value, version, max(token, version)
    return None


def _replica_states(rng: random.Random, n_versions: int = 8, keys: tuple[str, ...] = ("a", "b"),
                    n_replicas: int = 3) -> list[Replica]:
    """A leader log and replicas that hold random prefixes of it (as a lagging follower would)."""
    log = [(v, rng.choice(keys), f"x{v}") for v in range(1, n_versions + 1)]
    out = []
    for i in range(n_replicas):
        applied = rng.randint(0, n_versions)
        data = {}
        for v, k, val in log[:applied]:
            data[k] = (val, v)
        out.append({"name": f"r{i}", "applied": applied, "data": data})
    return out


def _session_violations(read_path: ReadPath, seed: int) -> str | None:
    """Replay one session: writes go to the leader; reads go through ``read_path`` over lagging
    followers (listed first, as the nearest) and the leader. Returns a description of the first
    read-your-writes or monotonic-reads violation, or None."""
    rng = random.Random(seed)
    log: list[tuple[int, str, str]] = []
    followers = [0, 0]
    token = 0
    own: dict[Any, int] = {}
    seen: dict[Any, Any] = {}
    for step in range(40):
        followers = [min(len(log), f + rng.randint(0, 2)) for f in followers]
        key = rng.choice(("a", "b"))
        if rng.random() < 0.4:
            v = len(log) + 1
            log.append((v, key, f"s{seed}.{step}"))
            token, own[key] = max(token, v), v
            continue
        replicas = [{"name": f"f{i}", "applied": a, "data": _state(log, a)} for i, a in enumerate(followers)]
        replicas.append({"name": "leader", "applied": len(log), "data": _state(log, len(log))})
        got = read_path(replicas, key, token)
        if got is None:
            return f"read {step}: no answer although the leader is always up to date (applied >= any token)"
        _value, version, token = got
        if version < own.get(key, 0):
            return (f"read of {key!r} returned version {version}, older than the session's own write "
                    f"(version {own[key]}): read-your-writes violated")
        if version < seen.get(key, 0):
            return (f"read of {key!r} returned version {version} after the session had already read version "
                    f"{seen[key]}: monotonic reads violated")
        seen[key] = version
    return None


def _state(log: list[tuple[int, str, str]], applied: int) -> dict[str, tuple[str, int]]:
    data = {}
    for v, k, val in log[:applied]:
        data[k] = (val, v)
    return data


@exercise("consistency.token_read", notebook=NOTEBOOK, points=2, title="The version-token read path",
          hints=["A replica can serve the read only if replica['applied'] >= token; try them in the order given.",
                 "Return (value, version, new_token): an absent key reads as ('', 0), and the new token is "
                 "max(token, version) -- never smaller than before.",
                 "If no replica has caught up, return None: the client waits (or asks the leader)."])
def check_token_read(read_with_token: ReadPath) -> bool | str:
    """Three hand-made cases first (a replica behind the token must not answer; the first caught-up
    replica answers, not the freshest; none caught up: None), then agreement with
    :func:`reference_token_read` on seeded replica states, then 20 replayed sessions against lagging
    followers with no read-your-writes or monotonic-reads violation."""
    if not callable(read_with_token):
        return "pass the function read_with_token itself (not a call to it)"
    behind = {"name": "r1", "applied": 2, "data": {"a": ("old", 2)}}
    fresh = {"name": "r2", "applied": 5, "data": {"a": ("new", 5)}}
    got = read_with_token([behind, fresh], "a", 4)
    if not isinstance(got, tuple) or len(got) != 3:
        return f"return a tuple (value, version, new_token) or None, got {got!r}"
    if got[0] == "old":
        return "r1 has applied only version 2 but the token is 4: it must not answer (that is the stale read)"
    got = read_with_token([fresh, {"name": "r3", "applied": 9, "data": {"a": ("newest", 9)}}], "a", 5)
    if got is not None and got[0] == "newest":
        return ("r2 has applied version 5 and the token is 5, so r2 can answer: use the first replica that "
                "has caught up (>=), not the freshest -- sending every read to the freshest defeats the point")
    if read_with_token([behind], "a", 3) is not None:
        return "no replica has reached the token: return None (the client must wait)"
    rng = random.Random(7)
    for _case in range(300):
        replicas = _replica_states(rng)
        key, token = rng.choice(("a", "b", "c")), rng.randint(0, 8)
        want, mine = reference_token_read(replicas, key, token), read_with_token(replicas, key, token)
        if mine != want:
            return (f"replicas applied {[r['applied'] for r in replicas]}, token {token}, key {key!r}: "
                    f"expected {want!r}, got {mine!r}")
    for seed in range(20):
        problem = _session_violations(read_with_token, seed)
        if problem:
            return f"session {seed}: {problem}"
    return True


# ----------------------------------------------------------------------------------- classify
def puzzles() -> dict[str, History]:
    """Four small histories to place on the ladder: name -> History (register model)."""
    from distlab.consistency import generate as g
    from distlab.sim.history import History

    empty = History.of([])
    return {"A": g.linearizable_history(3, n_ops=6, n_processes=2, model="register"),
            "B": g.plant_stale_read(empty),
            "C": g.plant_lost_write(empty),
            "D": g.plant_answer_before_question(empty)}


def expected_strongest() -> dict[str, set[str]]:
    """The answer key: each puzzle's strongest rungs, as :func:`distlab.consistency.classify` places it."""
    from distlab.consistency import Budget, classify

    budget = lambda: Budget(timeout=20.0, max_steps=400_000)  # noqa: E731 (deterministic verdicts)
    return {name: set(classify(h, "register", budget_factory=budget).strongest) for name, h in puzzles().items()}


@exercise("consistency.classify", notebook=NOTEBOOK, points=2, title="Place histories on the ladder",
          hints=["For each history list every rung that holds and is not implied by another rung that holds.",
                 "B: the read starts after both writes completed -- which rung ignores real time?",
                 "C and D break a session guarantee; the rungs that survive are the ones not implied by it."])
def check_classify(my_answers: Callable[[], object]) -> bool | str:
    """``my_answers()`` maps each of :func:`puzzles` to its strongest rungs (a name or a collection of
    names), which must equal :func:`expected_strongest`."""
    if not callable(my_answers):
        return "pass the function my_answers itself (it returns a dict)"
    answers = my_answers()
    want = expected_strongest()
    if not isinstance(answers, dict) or set(answers) != set(want):
        return f"my_answers() must return a dict with the keys {sorted(want)}"
    for name in sorted(want):
        got = answers[name]
        got = {got} if isinstance(got, str) else set(got)
        unknown = got - set(RUNG_NAMES)
        if unknown:
            return f"{name}: {sorted(unknown)} is not a rung; use names from {list(RUNG_NAMES[:-1])}"
        if got != want[name]:
            missing, extra = want[name] - got, got - want[name]
            if extra:
                return (f"history {name}: {sorted(extra)} is not among its strongest rungs "
                        "(violated, or implied by one that holds)")
            return f"history {name}: a strongest rung is missing ({len(missing)} of {len(want[name])} not named)"
    return True


# ----------------------------------------------------------------------------------- rule of thumb
@exercise("consistency.choose_rungs", notebook=NOTEBOOK, points=1, title="Choose a rung for each kind of data",
          hints=["Spend linearizability only on invariants that must never bend.",
                 "Everything else: the weakest rung that forbids the bug its users would notice (section 3).",
                 "The rule: the chooser's rung passes; a weaker one fails with what it breaks; a stronger one "
                 "works, but pays for coordination it does not need."])
def check_choose_rungs(my_rungs: Callable[[], object]) -> bool | str:
    """``my_rungs()`` maps every chooser item to a rung, judged by
    :func:`distlab.consistency.chooser.judge`: the chooser's rung passes, a rung that does not give it
    fails with what it breaks, a stronger one fails as paying for coordination it does not need."""
    from distlab.consistency.chooser import EXERCISE_ITEMS, judge

    if not callable(my_rungs):
        return "pass the function my_rungs itself (it returns a dict)"
    answers = my_rungs()
    names = [i.name for i in EXERCISE_ITEMS]
    if not isinstance(answers, dict) or set(answers) != set(names):
        return f"my_rungs() must return a dict with exactly the keys {names}"
    for item in EXERCISE_ITEMS:
        got = answers[item.name]
        if got not in RUNG_NAMES:
            return f"{item.name}: {got!r} is not a rung; use one of {list(RUNG_NAMES)}"
        problem = judge(item, got)
        if problem:
            return problem
    return True
