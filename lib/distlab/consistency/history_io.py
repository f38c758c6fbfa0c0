"""Reading and writing histories: Jepsen etcd text logs, Jepsen/Knossos EDN, and our JSON Lines format.

``read_history(text)`` recognises the format from the content, never from a file name
(:func:`detect_format`), after an optional UTF-8 byte-order mark and ``;`` comment lines:

* a line starting ``INFO`` with ``jepsen.util``: an etcd log from Jepsen (Horn & Kroening's and
  Porcupine's test corpus) -- :mod:`~distlab.consistency.history_etcd`;
* a first form starting ``{`` (not ``{"``), ``[``, ``(`` or ``#``: Jepsen/Knossos EDN -- op maps
  one per line, a vector or list of them, or ``#jepsen.history.Op{…}`` records --
  :mod:`~distlab.consistency.history_edn`;
* a first line starting ``{"``: our JSON Lines format -- :mod:`~distlab.consistency.history_jsonl`.

Text with no operations at all (empty, blank, only comments or only a header) is an empty history.
Malformed input raises :class:`HistoryFormatError`, whose message names the line and the reason
(:mod:`~distlab.consistency.history_events` says which values are accepted).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distlab.consistency.edn import Keyword, dumps
from distlab.consistency.history_edn import read_edn
from distlab.consistency.history_etcd import read_etcd_log
from distlab.consistency.history_events import KV_FS, REGISTER_FS, HistoryFormatError
from distlab.consistency.history_jsonl import read_json_lines
from distlab.sim.history import History

__all__ = ["HistoryFormatError", "read_history", "read_file", "detect_format", "to_json_lines",
           "to_edn", "REGISTER_FS", "KV_FS", "BOM", "FORMATS"]

BOM = "\ufeff"
"""The UTF-8 byte-order mark some editors put first; every format tolerates it."""

FORMATS: dict[str, Callable[[str], History]] = {
    "etcd-log": read_etcd_log, "edn": read_edn, "json": read_json_lines}
"""The reader of each format :func:`detect_format` names."""

_LEAD = re.compile(r"(?:\s+|;[^\n]*)*")         # blank space and ; comment lines
_JSON_START = re.compile(r"\{[ \t]*\"")


def detect_format(text: str) -> str:
    """``'etcd-log'``, ``'edn'`` or ``'json'`` from the first meaningful line of ``text`` (after a
    byte-order mark, blank lines and ``;`` comments); ``'empty'`` when there is none (blank text or
    only comments), ``'unknown'`` when it is none of the three."""
    if text.startswith(BOM):
        text = text[1:]
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    if start == len(text):
        return "empty"
    end = text.find("\n", start)
    first = text[start:end if end >= 0 else len(text)]
    if first.startswith("INFO") and "jepsen.util" in first:
        return "etcd-log"
    if _JSON_START.match(first):
        return "json"
    if first[0] in "{[(#":
        return "edn"
    return "unknown"


def read_history(text: str) -> History:
    """Parse a history in any supported format (recognised from the content)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (the history's content; read_file reads a path), "
                        f"got {type(text).__name__}")
    if text.startswith(BOM):
        text = text[1:]
    fmt = detect_format(text)
    reader = FORMATS.get(fmt)
    if reader is not None:
        try:
            return reader(text)
        except RecursionError:
            raise HistoryFormatError(0, "values are nested too deeply to read") from None
    if fmt == "empty":
        return History()
    first = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip()), 1)
    raise HistoryFormatError(first, "unrecognised history format: expected an etcd log (INFO jepsen.util …), "
                                    "EDN op maps ({:process …}, [ … ], ( … ), #jepsen.history.Op{…}) "
                                    "or JSON Lines ({\"process\": …})")


def read_file(path: str | Path) -> History:
    """Read a history file; undecodable bytes are reported like any other malformed input."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise HistoryFormatError(line, f"file is not UTF-8 text ({err.reason} at byte {err.start})") from None
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
