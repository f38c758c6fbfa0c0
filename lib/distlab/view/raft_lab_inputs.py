"""What a run of chapter 2's cluster lab is made of -- its settings and its actions, validated --
and their JSON form: the shareable run.

A run of `raft_lab.ClusterLab` is a function of its inputs: the settings (servers, election
timeout range, one-way latency, loss, seed) and the actions taken at given frames.  The recorded
frames are never written down: replaying the inputs from the seed gives them back exactly.  So a
learner can send a teacher the run that surprised them as one short line::

    {"distlab_run":1,"settings":{"nodes":5,"timeout_ms":[150,300],"latency_ms":5.0,"loss":0.0,
     "seed":0},"actions":[[101,"request"],[152,"crash",1]],"frames":203,"frame":180}

* ``distlab_run`` -- the format's version, `FORMAT_VERSION`;
* ``settings`` -- as `check_settings` takes them (one left out takes its default);
* ``actions`` -- ``[frame, action]`` or ``[frame, action, server]``, in time order: the action was
  taken when the run held ``frame`` frames, so the frame it records (every action but ``run``
  records one, with what happened as its note) has that index;
* ``frames`` -- how many frames the run holds; ``frame`` -- the one on screen (default: the last).

A forked run exports the branch on screen: a fork drops the later frames and the actions taken in
them, so the string holds the history that leads to what the learner sees and nothing of the
abandoned branch.  A string pasted with the quotes Jupyter shows around a str (``'...'``) or a
copy adds (``"..."``) is read without them.  Bad input is a `RunFormatError` (a `ValueError`)
naming what is wrong in the learner's terms (curly quotes from a chat app, an empty string, a run
too long to share, ...).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple, TypeGuard

FORMAT_VERSION = 1          #: the ``distlab_run`` value this module writes and reads
FRAME_MS = 10               #: simulated milliseconds between frames
MAX_FRAMES = 30_000         #: 300 simulated seconds: a longer run would take minutes to replay
MAX_MESSAGE = 300           #: characters of a `RunFormatError` message
NODE_CHOICES = (3, 5, 7)
TIMEOUT_BOUNDS_MS = (10, 1000)
LATENCY_BOUNDS_MS = (1, 100)
LOSS_BOUNDS = (0.0, 0.5)
SERVER_ACTIONS = ("crash", "restart", "isolate", "reconnect")    #: actions on one server
ACTIONS = SERVER_ACTIONS + ("split", "heal", "request", "run")   #: every action a lab takes
_FIELDS = ("distlab_run", "settings", "actions", "frames", "frame")
NOT_A_RUN = 'not a run string (it should start with {"distlab_run":)'
CURLY_QUOTES = "\u201c\u201d\u2018\u2019"   #: what a chat app or a word processor puts for " and '
CURLY_MESSAGE = ("the string has curly quotes (\u201c \u201d) \u2014 copy it again from the export box, "
                 "or replace them with straight quotes")


class RunFormatError(ValueError):
    """A run string that cannot be loaded; the message names what is wrong with it (cut to
    `MAX_MESSAGE` characters, however long the bad part was)."""

    def __init__(self, message: str) -> None:
        super().__init__(message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…")


class Settings(NamedTuple):
    """A lab's validated settings (`check_settings`): with the actions, they fix the whole run."""

    nodes: int = 5
    timeout_ms: tuple[int, int] = (150, 300)
    latency_ms: float = 5.0
    loss: float = 0.0
    seed: int = 0


class Action(NamedTuple):
    """One action of a run: `name` (one of `ACTIONS`), on server `pid` for a server action (else
    None), taken when the run held `frame` frames."""

    frame: int
    name: str
    pid: int | None = None


class SharedRun(NamedTuple):
    """A run's inputs -- what `dump_run` writes and `parse_run` reads: the settings, the actions,
    how many frames the run holds and the one on screen."""

    settings: Settings
    actions: tuple[Action, ...]
    frames: int
    frame: int


def _is_number(x: object) -> TypeGuard[float]:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_whole(x: object) -> TypeGuard[int]:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_timeout(timeout_ms: object) -> tuple[int, int]:
    """The election timeout range: a (low, high) pair of whole milliseconds in `TIMEOUT_BOUNDS_MS`,
    as the slider gives (a fraction would be cut off by the cluster, so it is refused)."""
    lo_b, hi_b = TIMEOUT_BOUNDS_MS
    if not isinstance(timeout_ms, (tuple, list)) or len(timeout_ms) != 2:
        raise ValueError(f"timeout_ms must be a (low, high) pair of milliseconds, got {timeout_ms!r}")
    low, high = timeout_ms
    if not _is_number(low) or not lo_b <= low <= hi_b:
        raise ValueError(f"timeout_ms low must be in [{lo_b}, {hi_b}] ms, got {low!r}")
    if not _is_number(high) or not low <= high <= hi_b:
        raise ValueError(f"timeout_ms high must be in [low={low}, {hi_b}] ms, got {high!r}")
    for end, value in (("low", low), ("high", high)):
        if not float(value).is_integer():
            raise ValueError(f"timeout_ms {end} must be whole milliseconds, got {value!r}")
    return int(low), int(high)


def check_settings(nodes: int = 5, timeout_ms: tuple[int, int] = (150, 300), latency_ms: float = 5.0,
                   loss: float = 0.0, seed: int = 0) -> Settings:
    """Validated settings; anything out of range is a `ValueError` naming the parameter."""
    if not _is_whole(nodes) or nodes not in NODE_CHOICES:
        raise ValueError(f"nodes must be one of {NODE_CHOICES}, got {nodes!r}")
    timeout = _check_timeout(timeout_ms)
    if not _is_number(latency_ms) or not LATENCY_BOUNDS_MS[0] <= latency_ms <= LATENCY_BOUNDS_MS[1]:
        raise ValueError(f"latency_ms must be in {list(LATENCY_BOUNDS_MS)} ms, got {latency_ms!r}")
    if not _is_number(loss) or not LOSS_BOUNDS[0] <= loss <= LOSS_BOUNDS[1]:
        raise ValueError(f"loss must be in {list(LOSS_BOUNDS)}, got {loss!r}")
    if not _is_whole(seed) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return Settings(nodes, timeout, float(latency_ms), float(loss), seed)


def settings_from(raw: Mapping[str, Any]) -> Settings:
    """`check_settings(**raw)`, with a setting it does not know a `ValueError` naming it."""
    unknown = [k for k in raw if k not in Settings._fields]
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(Settings._fields)})")
    return check_settings(**raw)


def check_action(name: str, pid: object, nodes: int) -> int | None:
    """The server action `name` acts on: `pid` for a server action (crash, restart, isolate,
    reconnect), None for the others.  A `ValueError` names an unknown action, a server action
    given no server or one the cluster does not have (0 to nodes - 1), and an action on the
    whole cluster given a server."""
    if not isinstance(name, str) or name not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}; got {name!r}")
    servers = f"this {nodes}-server cluster (0-{nodes - 1})"
    if name not in SERVER_ACTIONS:
        if pid is not None:
            raise ValueError(f"{name!r} acts on the whole cluster and takes no server, got {pid!r}")
        return None
    if pid is None:
        raise ValueError(f"{name!r} acts on one server and none was given: name a server of {servers}")
    if not _is_whole(pid) or not 0 <= pid < nodes:
        raise ValueError(f"{name!r} needs a server of {servers}, got {pid!r}")
    return pid


def records_frame(name: str) -> bool:
    """Whether action `name` records a frame of its own (all but ``run``, which only runs on)."""
    return name != "run"


def _entry(action: Action) -> list[object]:
    """An action as the JSON holds it: ``[frame, name]``, or ``[frame, name, server]``."""
    return [action.frame, action.name] if action.pid is None else list(action)


def _check_action(i: int, action: Action, nodes: int) -> None:
    try:
        check_action(action.name, action.pid, nodes)
    except ValueError as exc:
        raise RunFormatError(f"actions[{i}] {json.dumps(_entry(action), default=repr)}: {exc}") from None
    if not _is_whole(action.frame) or action.frame < 1:
        raise RunFormatError(f"actions[{i}]: frame must be a whole number >= 1, got {action.frame!r}")


def check_run(run: SharedRun) -> SharedRun:
    """`run` if it can be replayed: settings in bounds, known actions on servers the cluster has,
    in time order from frame 1 and each after the frame the previous one recorded, `frames` in
    [1, `MAX_FRAMES`] and covering them all, `frame` one of them.  Otherwise a `RunFormatError`
    naming the first problem."""
    try:
        check_settings(*run.settings)
    except ValueError as exc:
        raise RunFormatError(f"settings: {exc}") from None
    frames, frame = run.frames, run.frame
    if not _is_whole(frames) or frames < 1:
        raise RunFormatError(f"frames must be a whole number >= 1, got {frames!r}")
    if frames > MAX_FRAMES:
        raise RunFormatError(f"a shared run may hold at most {_seconds(MAX_FRAMES)} ({MAX_FRAMES:,} frames) "
                             f"and this one holds {_seconds(frames)} ({frames:,} frames); fork at an "
                             "earlier frame to share the part that matters")
    held = 1  # frame 0, the start, is recorded before any action
    for i, action in enumerate(run.actions):
        _check_action(i, action, run.settings.nodes)
        if action.frame < held:
            raise RunFormatError(f"actions[{i}] at frame {action.frame} is too early: the run holds {held} "
                                 f"frames by then (actions come in time order, from frame 1)")
        held = action.frame + (1 if records_frame(action.name) else 0)
    if frames < held:
        raise RunFormatError(f"frames must be at least {held} to hold every action, got {frames}")
    if not _is_whole(frame) or not 0 <= frame < frames:
        raise RunFormatError(f"frame must be one of the run's frames, 0 to {frames - 1}, got {frame!r}")
    return run


def _seconds(frames: int) -> str:
    """`frames` as simulated time, e.g. ``300 s``."""
    return f"{frames * FRAME_MS / 1000:g} s"


def dump_run(run: SharedRun) -> str:
    """`run` as one compact JSON line (the same run always gives the same string)."""
    check_run(run)
    doc = {"distlab_run": FORMAT_VERSION, "settings": run.settings._asdict(),
           "actions": [_entry(a) for a in run.actions],
           "frames": run.frames, "frame": run.frame}
    return json.dumps(doc, separators=(",", ":"))


def _parse_settings(raw: object) -> Settings:
    if not isinstance(raw, dict):
        raise RunFormatError(f"settings must be a JSON object, got {raw!r}")
    try:
        return settings_from(raw)
    except ValueError as exc:
        raise RunFormatError(f"settings: {exc}") from None


def _parse_action(i: int, entry: object) -> Action:
    """Only the shape: `check_run` checks the action, its server and its frame."""
    if not isinstance(entry, list) or len(entry) not in (2, 3):
        raise RunFormatError(f"actions[{i}] must be [frame, action] or [frame, action, server], got {entry!r}")
    return Action(entry[0], entry[1], entry[2] if len(entry) == 3 else None)


def unquote(text: str) -> str:
    """`text` without the whitespace around it and without one pair of matching straight quotes
    around it, as Jupyter shows a str (``'...'``) or a copy may add (``"..."``)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text


def _parse_doc(text: object) -> dict[str, Any]:
    if not isinstance(text, str):
        raise RunFormatError(f"{NOT_A_RUN}: a run is a str, got {type(text).__name__}")
    text = unquote(text)
    if not text:
        raise RunFormatError(f"{NOT_A_RUN}; the string is empty")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        if any(q in text for q in CURLY_QUOTES):
            raise RunFormatError(CURLY_MESSAGE) from None
        raise RunFormatError(f"{NOT_A_RUN}; {exc}") from None
    if not isinstance(doc, dict) or "distlab_run" not in doc:
        raise RunFormatError(f'{NOT_A_RUN}; this is JSON but not an object with a "distlab_run" field')
    version = doc["distlab_run"]
    if not _is_whole(version) or version != FORMAT_VERSION:
        raise RunFormatError(f"distlab_run version {version!r} is not supported "
                             f"(this distlab reads version {FORMAT_VERSION})")
    unknown = [k for k in doc if k not in _FIELDS]
    if unknown:
        raise RunFormatError(f"unknown field {unknown[0]!r} (known: {', '.join(_FIELDS)})")
    if "frames" not in doc:
        raise RunFormatError('missing field "frames" (how many frames the run holds)')
    return doc


def parse_run(text: str) -> SharedRun:
    """The run a `dump_run` string describes (see `unquote`), validated without running anything:
    every problem (not JSON, curly quotes, a missing or unknown version, an unknown action, a
    server the cluster does not have, a frame out of range, settings out of bounds) is a
    `RunFormatError` naming it."""
    doc = _parse_doc(text)
    settings = _parse_settings(doc.get("settings", {}))
    entries = doc.get("actions", [])
    if not isinstance(entries, list):
        raise RunFormatError(f"actions must be a JSON list, got {entries!r}")
    actions = tuple(_parse_action(i, entry) for i, entry in enumerate(entries))
    frames = doc["frames"]
    frame = doc.get("frame", frames - 1 if _is_whole(frames) else 0)
    return check_run(SharedRun(settings, actions, frames, frame))
