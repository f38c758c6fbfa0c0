"""Jepsen's etcd text logs (Jepsen 0.0.x), the format of Horn & Kroening's and Porcupine's corpus.

One event per line, ``INFO  jepsen.util - <process> :<type> :<f> <value>``; the value is EDN and
the line number is the time. A keyword value such as ``:timed-out`` carries no information and
reads as nil; the ``:nemesis`` process's lines are skipped.
"""
from __future__ import annotations

import re
from typing import Any

from distlab.consistency.edn import EdnError, Keyword, read_all
from distlab.consistency.history_events import (
    TYPES,
    HistoryFormatError,
    RawEvent,
    check_value,
    pair_events,
)
from distlab.sim.history import History

__all__ = ["read_etcd_log", "ETCD_LINE"]

ETCD_LINE = re.compile(r"\s*INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\w[\w-]*)\s+:(\w[\w-]*)\s*(.*?)\s*$")
"""One line of an etcd log: process, type, function and the value's EDN text."""
_INTEGER = re.compile(r"-?[0-9]+")
_MISSING = object()


def _value(text: str, line: int) -> Any:
    """The value an event's EDN text spells (nil when there is none, or only a keyword)."""
    try:
        forms = read_all(text)
    except EdnError as err:
        raise HistoryFormatError(line, f"bad value {text[:40]!r}: {err.reason}") from None
    value = forms[0] if len(forms) == 1 else (tuple(forms) if forms else None)
    if isinstance(value, Keyword):       # e.g. ":timed-out" carries no value
        value = None
    return check_value(line, "value", value)


def read_etcd_log(text: str) -> History:
    """The history in an etcd log; malformed lines raise :class:`HistoryFormatError`."""
    events: list[RawEvent] = []
    values: dict[str, Any] = {}             # the same value text recurs: parse it once
    processes: dict[str, int | str] = {}
    match = ETCD_LINE.match
    for n, raw in enumerate(text.splitlines(), start=1):
        m = match(raw)
        if m is None:
            if not raw.strip():
                continue
            raise HistoryFormatError(n, f"not an etcd log line '<process> :<type> :<f> <value>': {raw[:60]!r}")
        proc, typ, f, val = m.groups()
        if proc == ":nemesis":
            continue
        if typ not in TYPES:
            raise HistoryFormatError(n, f"type :{typ} is not one of :invoke :ok :fail :info")
        value = values.get(val, _MISSING)
        if value is _MISSING:
            value = values[val] = _value(val, n)
        process = processes.get(proc)
        if process is None:
            process = processes[proc] = int(proc) if _INTEGER.fullmatch(proc) else proc
        events.append(RawEvent(n, process, typ, f, value, None, float(n)))
    return pair_events(events)
