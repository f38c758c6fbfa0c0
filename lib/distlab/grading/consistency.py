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
    from distlab.consistency.ladder import Classification
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


def _token_advice(want: tuple[str, int, int] | None, mine: object, token: int) -> str:
    """Why a read path's answer differs from the reference, when it is only the new token or the
    value of an absent key ("" for nothing to say)."""
    if want is None or not isinstance(mine, tuple) or len(mine) != 3:
        return ""
    if mine[1:] == want[1:] and want[1] == 0:
        return " -- the key is absent from that replica: an absent key reads as ('', 0)"
    if mine[:2] != want[:2]:
        return ""
    new = mine[2]
    if isinstance(new, (int, float)) and new < token:
        return (f" -- the token went down from {token} to {new!r}: the session would forget what it had seen; "
                "the new token is max(token, version)")
    return (" -- the right value, but the new token is the highest version the session has seen: "
            "max(token, version), not what else the replica has applied (that would make the next read "
            "wait for versions the session never saw)")


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
        return ("r2 has applied version 5 and the token is 5, so r2 has caught up and can answer: a replica "
                "serves the read when applied >= token (not >), and the first such replica answers, not the "
                "freshest -- sending every read to the freshest defeats the point")
    if read_with_token([behind], "a", 3) is not None:
        return "no replica has reached the token: return None (the client must wait)"
    rng = random.Random(7)
    for _case in range(300):
        replicas = _replica_states(rng)
        key, token = rng.choice(("a", "b", "c")), rng.randint(0, 8)
        want, mine = reference_token_read(replicas, key, token), read_with_token(replicas, key, token)
        if mine != want:
            return (f"replicas applied {[r['applied'] for r in replicas]}, token {token}, key {key!r}: "
                    f"expected {want!r}, got {mine!r}{_token_advice(want, mine, token)}")
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
            "B": _readable(g.plant_stale_read(empty)),
            "C": _readable(g.plant_lost_write(empty)),
            "D": _readable(g.plant_answer_before_question(empty))}


def _readable(history: History) -> History:
    """A planted anomaly as a learner reads it: processes numbered from 0 and values without the
    generator's ``planted-`` tag (``write old``, not ``write planted-old`` by process 1000)."""
    from dataclasses import replace

    from distlab.sim.history import History

    first = min((o.process for o in history if isinstance(o.process, int)), default=0)

    def plain(v: Any) -> Any:
        return v.removeprefix("planted-") if isinstance(v, str) else v

    return History.of([replace(o, process=o.process - first if isinstance(o.process, int) else o.process,
                               value=plain(o.value), result=plain(o.result)) for o in history])


def _classifications() -> dict[str, Classification]:
    """Every puzzle placed on the ladder by :func:`distlab.consistency.classify` (deterministic budget)."""
    from distlab.consistency import Budget, classify

    budget = lambda: Budget(timeout=20.0, max_steps=400_000)  # noqa: E731 (deterministic verdicts)
    return {name: classify(h, "register", budget_factory=budget) for name, h in puzzles().items()}


def expected_strongest() -> dict[str, set[str]]:
    """The answer key: each puzzle's strongest rungs, as :func:`distlab.consistency.classify` places it."""
    return {name: set(c.strongest) for name, c in _classifications().items()}


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
    placed = _classifications()
    if not isinstance(answers, dict) or set(answers) != set(placed):
        return f"my_answers() must return a dict with the keys {sorted(placed)}"
    for name in sorted(placed):
        got = answers[name]
        if isinstance(got, str):
            got = [got]
        if not isinstance(got, (list, tuple, set, frozenset)) or not all(isinstance(r, str) for r in got):
            return f"history {name}: give a rung name or a list of rung names, got {answers[name]!r}"
        problem = _placement_problem(name, set(got), placed[name])
        if problem:
            return problem
    return True


def _placement_problem(name: str, got: set[str], placed: Classification) -> str | None:
    """What is wrong with naming ``got`` as the strongest rungs of puzzle ``name`` (None: nothing):
    a name that is no rung, a rung that is violated, one implied by another that holds, or how many
    strongest rungs are missing -- without naming the missing ones."""
    from distlab.consistency.ladder import implies_all

    unknown = got - set(RUNG_NAMES[:-1])
    if unknown:
        return f"history {name}: {sorted(unknown)} is not a rung; use names from {list(RUNG_NAMES[:-1])}"
    want = set(placed.strongest)
    for rung in sorted(got - want):
        if placed.rungs[rung] != "holds":
            return f"history {name}: {rung} is {placed.rungs[rung]} -- a rung that fails cannot be among its strongest"
        above = sorted(r for r in got if r != rung and rung in implies_all(r))
        by = f"by {' and '.join(above)}, which you named too" if above else "by a stronger rung that holds too"
        return f"history {name}: {rung} holds, but it is implied {by} -- name only the strongest rungs"
    missing = len(want - got)
    if missing:
        return (f"history {name}: {missing} of its {len(want)} strongest rungs "
                f"{'is' if missing == 1 else 'are'} missing -- a rung that holds and is not implied by another")
    return None


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
