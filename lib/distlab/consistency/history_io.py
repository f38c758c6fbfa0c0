"""Reading and writing histories: Jepsen etcd text logs, Jepsen EDN, and our JSON Lines format.

``read_history(text)`` recognises the format from the content, never from a file name:

* a line starting ``INFO`` with ``jepsen.util -``: an etcd log from Jepsen (Horn & Kroening's and
  Porcupine's test corpus): ``<process> :<type> :<f> <value>`` per line, time = line order;
* a first form starting ``{:`` or ``[``: Jepsen EDN, one op map per line or a vector of them;
* a first line starting ``{"``: our JSON Lines format (``docs/history-format.md``).

Jepsen records two *events* per operation, an ``:invoke`` and a completion (``:ok``, ``:fail`` or
``:info``), paired by process. We pair them into one :class:`~distlab.sim.history.Op`. A completion
of ``:info`` -- or no completion at all -- leaves the operation open: it may have taken effect at
any time after its invocation, or never, so its ``complete`` is ``None``. Malformed input raises
:class:`HistoryFormatError`, whose message names the line and the reason.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distlab.consistency.edn import EdnError, EdnMap, Keyword, dumps, read_all
from distlab.sim.history import History, Op

__all__ = ["HistoryFormatError", "read_history", "read_file", "detect_format", "to_json_lines",
           "to_edn", "REGISTER_FS", "KV_FS"]

REGISTER_FS = ("read", "write", "cas")
KV_FS = ("get", "put", "append")
_TYPES = ("invoke", "ok", "fail", "info")


class HistoryFormatError(ValueError):
    """A history file could not be read; ``line`` is 1-based (0 when not tied to a line)."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


@dataclass
class _Event:
    line: int
    process: Any
    type: str
    f: str
    value: Any
    key: Any
    time: float
    seq: int = 0


def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


def _pair(events: Iterable[_Event]) -> History:
    """Pair invoke/completion events by process into operations."""
    open_: dict[Any, _Event] = {}
    ops: list[Op] = []
    for seq, e in enumerate(events):
        e.seq = seq
        if e.type == "invoke":
            if e.process in open_:
                prev = open_[e.process]
                raise HistoryFormatError(e.line, f"process {e.process!r} invokes again while its "
                                                 f"operation from line {prev.line} is still open")
            open_[e.process] = e
            continue
        inv = open_.pop(e.process, None)
        if inv is None:
            raise HistoryFormatError(e.line, f"':{e.type}' for process {e.process!r} without an ':invoke'")
        if e.f != inv.f:
            raise HistoryFormatError(e.line, f"completion function :{e.f} does not match :{inv.f} "
                                             f"invoked on line {inv.line}")
        if e.time < inv.time:
            raise HistoryFormatError(e.line, f"completion time {e.time} is before its invocation {inv.time}")
        ops.append(_make_op(inv, e))
    for inv in open_.values():
        ops.append(_make_op(inv, None))
    return History.of(ops)


def _make_op(inv: _Event, done: _Event | None) -> Op:
    status = "info" if done is None else done.type
    key = inv.key if inv.key is not None else (done.key if done else None)
    value, result = inv.value, None
    if inv.f in ("read", "get"):
        value = None
        if done is not None and status == "ok":
            result = done.value
    elif done is not None and status == "ok" and done.value is not None and inv.value is None:
        value = done.value
    complete = None if done is None or status == "info" else done.time
    return Op(inv.process, inv.f, value, key, invoke=inv.time, complete=complete, status=status,
              result=result, index=inv.seq)     # ties in time keep the order of invocation


# ----------------------------------------------------------------- etcd text logs (Jepsen 0.0.x)
_ETCD = re.compile(r"^\s*INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\w[\w-]*)\s+:(\w[\w-]*)\s*(.*?)\s*$")


def _read_etcd_log(text: str) -> History:
    events = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        m = _ETCD.match(raw)
        if not m:
            raise HistoryFormatError(n, f"not an etcd log line '<process> :<type> :<f> <value>': {raw[:60]!r}")
        proc, typ, f, val = m.groups()
        if proc == ":nemesis":
            continue
        if typ not in _TYPES:
            raise HistoryFormatError(n, f"type :{typ} is not one of :invoke :ok :fail :info")
        try:
            forms = read_all(val) if val else [None]
        except EdnError as err:
            raise HistoryFormatError(n, f"bad value {val!r}: {err.reason}") from None
        value = forms[0] if len(forms) == 1 else tuple(forms)
        if isinstance(value, Keyword):       # e.g. ":timed-out" carries no value
            value = None
        process: int | str
        try:
            process = int(proc)
        except ValueError:
            process = proc
        events.append(_Event(n, process, typ, f, _freeze(value), None, float(n)))
    return _pair(events)


# ---------------------------------------------------------------------------------- Jepsen EDN
def _read_edn(text: str) -> History:
    try:
        forms = read_all(text)
    except EdnError as err:
        raise HistoryFormatError(err.line, err.reason) from None
    if len(forms) == 1 and isinstance(forms[0], tuple):
        forms = list(forms[0])
    events = []
    for pos, m in enumerate(forms):
        line = getattr(m, "line", 0)
        if not isinstance(m, EdnMap):
            raise HistoryFormatError(line, f"expected an operation map {{:process …}}, got {dumps(m)[:40]}")
        proc = m.get(Keyword("process"))
        if proc == Keyword("nemesis"):
            continue
        for field in ("process", "type", "f"):
            if Keyword(field) not in m:
                raise HistoryFormatError(line, f"operation map has no :{field}")
        typ, f = m.get(Keyword("type")), m.get(Keyword("f"))
        if not isinstance(typ, Keyword) or typ not in _TYPES:
            raise HistoryFormatError(line, f":type must be one of :invoke :ok :fail :info, got {dumps(typ)}")
        if not isinstance(f, str):
            raise HistoryFormatError(line, f":f must be a keyword, got {dumps(f)}")
        t = m.get(Keyword("time"))
        if t is not None and not isinstance(t, (int, float)):
            raise HistoryFormatError(line, f":time must be a number, got {dumps(t)}")
        key, value = m.get(Keyword("key")), m.get(Keyword("value"))
        if key is None and f in KV_FS and isinstance(value, tuple) and len(value) == 2:
            key, value = value            # Jepsen's independent-key [k v] tuples
        events.append(_Event(line, proc, str(typ), str(f), value, key, float(pos if t is None else t)))
    _unpack_independent(events)
    return _pair(events)


def _unpack_independent(events: list[_Event]) -> None:
    """Jepsen's independent registers write ``:value [k v]`` (``[k [a b]]`` for cas): if every
    register event carries such a pair and at least one is unmistakable (a cas pair, or a read
    pair), move ``k`` into ``key``."""
    reg = [e for e in events if e.f in REGISTER_FS and e.key is None]
    if not reg or not all(isinstance(e.value, tuple) and len(e.value) == 2 for e in reg):
        return
    telltale = any((e.f == "cas" and isinstance(e.value[1], tuple) and len(e.value[1]) == 2)
                   or e.f == "read" for e in reg)
    if telltale:
        for e in reg:
            e.key, e.value = e.value


# --------------------------------------------------------------------------- our JSON Lines
_OP_FIELDS = {"process", "f", "value", "key", "invoke", "complete", "status", "result"}


def _read_json_lines(text: str) -> History:
    ops, meta = [], {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as err:
            raise HistoryFormatError(n, f"invalid JSON: {err.msg} (column {err.colno})") from None
        if not isinstance(obj, dict):
            raise HistoryFormatError(n, "each line must be a JSON object")
        if "distlab_history" in obj:
            if obj["distlab_history"] != 1:
                raise HistoryFormatError(n, f"unsupported format version {obj['distlab_history']!r}; valid: 1")
            meta = {k: v for k, v in obj.items() if k != "distlab_history"}
            continue
        missing = {"process", "f", "invoke"} - obj.keys()
        if missing:
            raise HistoryFormatError(n, f"operation has no {', '.join(sorted(missing))}")
        extra = obj.keys() - _OP_FIELDS
        if extra:
            raise HistoryFormatError(n, f"unknown field(s) {', '.join(sorted(extra))}")
        if obj.get("status", "info") in ("ok", "fail") and obj.get("complete") is None:
            raise HistoryFormatError(n, f"a {obj['status']!r} operation needs a completion time 'complete'")
        try:
            ops.append(Op(_freeze(obj["process"]), obj["f"], _freeze(obj.get("value")), _freeze(obj.get("key")),
                          invoke=obj["invoke"], complete=obj.get("complete"),
                          status=obj.get("status", "info"), result=_freeze(obj.get("result"))))
        except (ValueError, TypeError) as err:
            raise HistoryFormatError(n, str(err)) from None
    return History.of(ops, **meta)


def detect_format(text: str) -> str:
    """``'etcd-log'``, ``'edn'`` or ``'json'`` from the first meaningful line of ``text``."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("INFO") and "jepsen.util" in line:
            return "etcd-log"
        if line.startswith('{"') or line.startswith("{ \""):
            return "json"
        if line.startswith("{") or line.startswith("["):
            return "edn"
        break
    return "unknown"


def read_history(text: str) -> History:
    """Parse a history in any supported format (recognised from the content)."""
    fmt = detect_format(text)
    try:
        if fmt == "etcd-log":
            return _read_etcd_log(text)
        if fmt == "edn":
            return _read_edn(text)
        if fmt == "json":
            return _read_json_lines(text)
    except RecursionError:
        raise HistoryFormatError(0, "values are nested too deeply to read") from None
    if not text.strip():
        return History.of([])
    first = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip()), 1)
    raise HistoryFormatError(first, "unrecognised history format: expected an etcd log (INFO jepsen.util …), "
                                    "EDN op maps ({:process …}) or JSON Lines ({\"process\": …})")


def read_file(path: str | Path) -> History:
    """Read a history file; undecodable bytes are reported like any other malformed input."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise HistoryFormatError(0, f"file is not UTF-8 text ({err.reason})") from None
    return read_history(text)


# -------------------------------------------------------------------------------------- writers
def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    return v


def to_json_lines(history: History, **meta: Any) -> str:
    """Our JSON Lines format: a header line, then one operation per line."""
    lines = [json.dumps({"distlab_history": 1, **meta})]
    for o in history:
        lines.append(json.dumps({
            "process": o.process, "f": o.f, "key": _jsonable(o.key), "value": _jsonable(o.value),
            "invoke": o.invoke, "complete": o.complete, "status": o.status, "result": _jsonable(o.result)}))
    return "\n".join(lines) + "\n"


def to_edn(history: History) -> str:
    """Jepsen-style EDN: one event map per line (invoke, then completion), ordered by time."""
    events = []
    for o in history:
        base = {Keyword("process"): o.process, Keyword("f"): Keyword(o.f)}
        if o.key is not None:
            base[Keyword("key")] = o.key
        events.append((o.invoke, 0, o.index, {**base, Keyword("type"): Keyword("invoke"),
                                              Keyword("value"): o.value, Keyword("time"): o.invoke}))
        if o.complete is not None:
            value = o.result if o.is_read else o.value
            events.append((o.complete, 1, o.index, {**base, Keyword("type"): Keyword(o.status),
                                                    Keyword("value"): value, Keyword("time"): o.complete}))
    events.sort(key=lambda e: e[:3])
    return "\n".join(dumps(e[3]) for e in events) + "\n"
