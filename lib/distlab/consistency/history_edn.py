"""Jepsen and Knossos histories in EDN: op maps one per line, in a vector ``[…]`` or a list ``(…)``,
plain or as ``#jepsen.history.Op{…}`` tagged records, with ``;`` comments.

Each map is one event: ``:process``, ``:type`` (``:invoke``, ``:ok``, ``:fail``, ``:info``),
``:f``, and optionally ``:value``, ``:key``, ``:time`` (any other field, such as ``:index``, is
ignored). Events without ``:time`` are timed by their position. Key-value operations take
``:key`` or Jepsen's independent-key tuples ``:value [k v]``; independent *registers* write
``[k v]`` too, recognised when every register event carries such a pair and one is unmistakable.
The ``:nemesis`` process's events are skipped.
"""
from __future__ import annotations

from typing import Any

from distlab.consistency.edn import EdnError, EdnMap, Keyword, read_all
from distlab.consistency.history_events import (
    KV_FS,
    REGISTER_FS,
    TYPES,
    HistoryFormatError,
    RawEvent,
    check_kv_value,
    check_process,
    check_time,
    check_value,
    pair_events,
    show,
)
from distlab.sim.history import History

__all__ = ["read_edn"]

_PROCESS, _TYPE, _F, _TIME, _KEY, _VALUE = map(Keyword, ("process", "type", "f", "time", "key", "value"))
_NEMESIS = Keyword("nemesis")
_TYPE_NAMES: dict[str, str] = {Keyword(t): t for t in TYPES}


def _forms(text: str) -> tuple[list[Any], bool]:
    """The top-level forms, or the elements of the one vector or list that holds them all (and
    whether they were in one)."""
    try:
        forms = read_all(text)
    except EdnError as err:
        raise HistoryFormatError(err.line, err.reason) from None
    if len(forms) == 1 and isinstance(forms[0], tuple):
        return list(forms[0]), True
    return forms, False


def _not_a_map(text: str, form: Any, pos: int, nested: bool, last_line: int) -> HistoryFormatError:
    """The error for a form that is not an op map: on its own line when it stands at the top level
    (read again to find it), or after the previous operation when it is inside the vector or list."""
    reason = f"expected an operation map {{:process …}}, got {show(form)}"
    if nested:
        return HistoryFormatError(last_line, reason + (f" (after the operation on line {last_line})" if pos else ""))
    lines: list[int] = []
    read_all(text, lines)
    return HistoryFormatError(lines[pos], reason)


def _event(m: EdnMap, pos: int) -> RawEvent | None:
    """The event an op map describes (None for the nemesis's), its fields checked."""
    line = m.line
    proc = m.get(_PROCESS)
    if proc == _NEMESIS:
        return None
    for field in (_PROCESS, _TYPE, _F):
        if field not in m:
            raise HistoryFormatError(line, f"operation map has no :{field}")
    t, f = m[_TYPE], m[_F]
    typ = _TYPE_NAMES.get(t) if isinstance(t, str) else None
    if typ is None:
        raise HistoryFormatError(line, f":type must be one of :invoke :ok :fail :info, got {show(t)}")
    if not isinstance(f, str):
        raise HistoryFormatError(line, f":f must be a keyword, got {show(f)}")
    t = m.get(_TIME)
    time = float(pos) if t is None else float(check_time(line, ":time", t))
    key, value = m.get(_KEY), check_value(line, ":value", m.get(_VALUE))
    if key is not None:
        key = check_value(line, ":key", key)
    elif f in KV_FS and type(value) is tuple and len(value) == 2:
        key, value = value            # Jepsen's independent-key [k v] tuples
    if f in KV_FS:
        check_kv_value(line, f, ":value", value)
    return RawEvent(line, check_process(line, proc), typ, str(f), value, key, time)


def read_edn(text: str) -> History:
    """The history in Jepsen/Knossos EDN; malformed input raises :class:`HistoryFormatError`."""
    events: list[RawEvent] = []
    forms, nested = _forms(text)
    last_line = 1
    for pos, m in enumerate(forms):
        if type(m) is not EdnMap:
            raise _not_a_map(text, m, pos, nested, last_line)
        last_line = m.line
        e = _event(m, pos)
        if e is not None:
            events.append(e)
    _unpack_independent(events)
    return pair_events(events)


def _unpack_independent(events: list[RawEvent]) -> None:
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
