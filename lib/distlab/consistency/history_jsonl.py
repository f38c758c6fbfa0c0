"""Our JSON Lines history format (``docs/history-format.md``): an optional header line
``{"distlab_history": 1, …}``, then one operation per line -- already paired, unlike Jepsen's events.

Every field is checked, and a bad one is a :class:`HistoryFormatError` naming the line and the
field: times must be finite numbers, not negative, with ``complete`` not before ``invoke``;
``status`` one of ``ok``/``fail``/``info``; ``f`` a string; values hashable (arrays become
tuples; objects are refused); a header's ``model`` one of :data:`~distlab.consistency.specs.MODELS`.
"""
from __future__ import annotations

import json
from typing import Any

from distlab.consistency.history_events import (
    KV_FS,
    HistoryFormatError,
    check_kv_value,
    check_process,
    check_time,
    check_value,
    ops_history,
)
from distlab.consistency.specs import MODELS
from distlab.sim.history import STATUSES, History, Op

__all__ = ["read_json_lines", "OP_FIELDS", "REQUIRED_FIELDS"]

OP_FIELDS = frozenset({"process", "f", "value", "key", "invoke", "complete", "status", "result"})
"""The fields an operation line may have."""
REQUIRED_FIELDS = frozenset({"process", "f", "invoke"})
"""The fields an operation line must have."""


def _parse(line: int, raw: str) -> dict[str, Any]:
    """One line's JSON object."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as err:
        raise HistoryFormatError(line, f"invalid JSON: {err.msg} (column {err.colno})") from None
    except ValueError as err:                   # e.g. an integer over Python's digit limit
        raise HistoryFormatError(line, f"invalid JSON: {err}") from None
    except RecursionError:
        raise HistoryFormatError(line, "values are nested too deeply to read") from None
    if not isinstance(obj, dict):
        raise HistoryFormatError(line, "each line must be a JSON object")
    return obj


def _header(line: int, obj: dict[str, Any]) -> dict[str, Any]:
    """The metadata a header line carries, checked."""
    version = obj["distlab_history"]
    if type(version) is not int or version != 1:
        raise HistoryFormatError(line, f"unsupported format version {version!r}; valid: 1")
    meta = {k: v for k, v in obj.items() if k != "distlab_history"}
    model = meta.get("model")
    if model is not None and (not isinstance(model, str) or model not in MODELS):
        raise HistoryFormatError(line, f"unknown model {model!r}; valid models: {', '.join(sorted(MODELS))}")
    return meta


def _fields(line: int, obj: dict[str, Any]) -> dict[str, Any]:
    """An operation line's fields, checked, as keyword arguments for :class:`Op`."""
    missing = REQUIRED_FIELDS - obj.keys()
    if missing:
        raise HistoryFormatError(line, f"operation has no {', '.join(sorted(missing))}")
    extra = obj.keys() - OP_FIELDS
    if extra:
        raise HistoryFormatError(line, f"unknown field(s) {', '.join(sorted(extra))}")
    f, status = obj["f"], obj.get("status", "info")
    if not isinstance(f, str):
        raise HistoryFormatError(line, f"f must be a string, got {json.dumps(f)[:40]}")
    if not isinstance(status, str) or status not in STATUSES:
        raise HistoryFormatError(line, f"status must be one of {', '.join(STATUSES)}; got {json.dumps(status)[:40]}")
    invoke = check_time(line, "invoke", obj["invoke"])
    complete = obj.get("complete")
    if complete is None:
        if status != "info":
            raise HistoryFormatError(line, f"a {status!r} operation needs a completion time 'complete'")
    elif check_time(line, "complete", complete) < invoke:
        raise HistoryFormatError(line, f"complete ({complete}) must not be before invoke ({invoke})")
    value, result = check_value(line, "value", obj.get("value")), check_value(line, "result", obj.get("result"))
    if f in KV_FS:
        check_kv_value(line, f, "value", value)
        check_kv_value(line, f, "result", result)
    key = obj.get("key")
    return {"process": check_process(line, obj["process"]), "f": f, "value": value,
            "key": None if key is None else check_value(line, "key", key),
            "invoke": invoke, "complete": complete, "status": status, "result": result}


def read_json_lines(text: str) -> History:
    """The history in our JSON Lines format; malformed input raises :class:`HistoryFormatError`."""
    rows: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    first = True
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        obj = _parse(n, raw)
        if "distlab_history" in obj:
            if not first:
                raise HistoryFormatError(n, "the header {\"distlab_history\": …} must be the first line")
            meta = _header(n, obj)
        else:
            rows.append(_fields(n, obj))
        first = False
    rows.sort(key=lambda r: r["invoke"])        # stable: ties keep the order of the lines
    return ops_history([Op(**r, index=i) for i, r in enumerate(rows)], **meta)
