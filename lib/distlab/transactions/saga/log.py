"""The saga log: the orchestrator's only memory that survives a crash, kept in SQL.

Two tables, in the same database as the services' tables, so that each log row is written **in the
same local transaction as the step's effect** (a step is done exactly when its row is there):

* ``saga_instance(saga_id, definition, state, params)``: one row per saga; ``state`` is one of
  :data:`STATES` (``running`` -> ``completed``, or ``running`` -> ``compensating`` ->
  ``compensated``);
* ``saga_log(saga_id, seq, step, event)``: the history, one row per :data:`EVENTS` entry.

``resume`` needs nothing else: the next action is the first step without ``action_done``; the next
compensation is the last ``action_done`` step of a compensatable kind without ``compensation_done``.
Works on SQLite and PostgreSQL (``?`` placeholders, no engine-specific SQL).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.services.sql import SQLBackend

RUNNING, COMPENSATING, COMPLETED, COMPENSATED = "running", "compensating", "completed", "compensated"
STATES = (RUNNING, COMPENSATING, COMPLETED, COMPENSATED)
TERMINAL = (COMPLETED, COMPENSATED)

STARTED, ACTION_DONE, ACTION_FAILED = "started", "action_done", "action_failed"
COMPENSATION_DONE = "compensation_done"
EVENTS = (STARTED, ACTION_DONE, ACTION_FAILED, COMPENSATION_DONE, COMPLETED, COMPENSATED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS saga_instance (
    saga_id TEXT PRIMARY KEY, definition TEXT NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS saga_log (
    saga_id TEXT NOT NULL, seq INTEGER NOT NULL, step TEXT NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (saga_id, seq))
"""


@dataclass(frozen=True)
class SagaInstance:
    """One saga as its log tells it: which definition, its state, its parameters."""

    saga_id: str
    definition: str
    state: str
    params: Mapping[str, Any]

    @property
    def terminal(self) -> bool:
        """True once the saga is ``completed`` or ``compensated``."""
        return self.state in TERMINAL


class Progress(NamedTuple):
    """What a saga's history says was done: the steps with ``action_done`` and those with
    ``compensation_done``, each in log order."""

    actions: list[str]
    compensations: list[str]


class Snapshot(NamedTuple):
    """A saga's row and its whole history, read together in one statement (:meth:`SagaLog.snapshot`)."""

    instance: SagaInstance
    history: list[tuple[str, str]]  # (step, event) in log order

    def steps_with(self, event: str) -> list[str]:
        """Steps that have ``event`` in the history, in log order."""
        return [step for step, ev in self.history if ev == event]

    def progress(self) -> Progress:
        """The actions and the compensations done."""
        return Progress(self.steps_with(ACTION_DONE), self.steps_with(COMPENSATION_DONE))


_PARAMS_CACHE = 4096  # parsed ``params`` texts kept per log (a text is parsed once, not at every read)


class SagaLog:
    """Reads and writes the two saga tables through one :class:`SQLBackend`."""

    def __init__(self, db: SQLBackend) -> None:
        self.db = db
        self._params: dict[str, dict[str, Any]] = {}
        db.script(SCHEMA)

    def _parse(self, params: object) -> dict[str, Any]:
        """``params`` (the column's JSON text) as a fresh dict; the text is parsed once."""
        text = str(params)
        parsed = self._params.get(text)
        if parsed is None:
            if len(self._params) >= _PARAMS_CACHE:
                self._params.clear()
            parsed = self._params[text] = json.loads(text)
        return dict(parsed)

    # -- writes: always inside the caller's transaction -----------------------------------------
    def create(self, tx: SQLBackend, saga_id: str, definition: str, params: Mapping[str, Any]) -> bool:
        """Record a new saga (state ``running``); False if ``saga_id`` already exists."""
        cursor = tx.execute("INSERT INTO saga_instance (saga_id, definition, state, params) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (saga_id) DO NOTHING",
                            (saga_id, definition, RUNNING, json.dumps(dict(params), sort_keys=True)))
        if cursor.rowcount != 1:
            return False
        self.append(tx, saga_id, "", STARTED)
        return True

    def append(self, tx: SQLBackend, saga_id: str, step: str, event: str) -> None:
        """Append one event to the saga's history."""
        if event not in EVENTS:
            raise ValueError(f"event must be one of {EVENTS}, got {event!r}")
        # the next seq from a scalar subquery on the log's key: one statement, no temporary table on SQLite
        tx.execute("INSERT INTO saga_log (saga_id, seq, step, event) VALUES "
                   "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM saga_log WHERE saga_id = ?), ?, ?)",
                   (saga_id, saga_id, step, event))

    def set_state(self, tx: SQLBackend, saga_id: str, state: str) -> None:
        """Move the saga to ``state`` (one of :data:`STATES`)."""
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, got {state!r}")
        tx.execute("UPDATE saga_instance SET state = ? WHERE saga_id = ?", (state, saga_id))

    # -- reads --------------------------------------------------------------------------------------
    def instance(self, saga_id: str) -> SagaInstance | None:
        """The saga's row, or None if it was never started."""
        row = self.db.query_one("SELECT saga_id, definition, state, params FROM saga_instance WHERE saga_id = ?",
                                (saga_id,))
        if row is None:
            return None
        return SagaInstance(str(row[0]), str(row[1]), str(row[2]), self._parse(row[3]))

    def snapshot(self, saga_id: str) -> Snapshot | None:
        """The saga's row and history from one statement (a join on the log's primary key), or None."""
        rows = self.db.query("SELECT i.definition, i.state, i.params, l.step, l.event FROM saga_instance i "
                             "LEFT JOIN saga_log l ON l.saga_id = i.saga_id WHERE i.saga_id = ? ORDER BY l.seq",
                             (saga_id,))
        if not rows:
            return None
        definition, state, params = rows[0][:3]
        history = [(str(step), str(event)) for *_, step, event in rows if event is not None]
        return Snapshot(SagaInstance(saga_id, str(definition), str(state), self._parse(params)), history)

    def history(self, saga_id: str) -> list[tuple[str, str]]:
        """The saga's ``(step, event)`` rows in order."""
        rows = self.db.query("SELECT step, event FROM saga_log WHERE saga_id = ? ORDER BY seq", (saga_id,))
        return [(str(step), str(event)) for step, event in rows]

    def steps_with(self, saga_id: str, event: str) -> list[str]:
        """Steps that have ``event`` in the history, in log order."""
        return [step for step, ev in self.history(saga_id) if ev == event]

    def progress(self, saga_id: str) -> Progress:
        """The actions and the compensations done, from one read of the history."""
        history = self.history(saga_id)
        return Progress([step for step, ev in history if ev == ACTION_DONE],
                        [step for step, ev in history if ev == COMPENSATION_DONE])

    def unfinished(self) -> list[str]:
        """Ids of every saga not yet in a terminal state, in id order."""
        rows = self.db.query("SELECT saga_id FROM saga_instance WHERE state IN (?, ?) ORDER BY saga_id",
                             (RUNNING, COMPENSATING))
        return [str(r[0]) for r in rows]

    def states(self) -> dict[str, str]:
        """Every saga's state, by id."""
        return {str(s): str(st) for s, st in self.db.query("SELECT saga_id, state FROM saga_instance ORDER BY saga_id")}
