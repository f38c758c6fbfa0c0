"""``distlab.geo.yjs`` -- the same edits through pycrdt (Yjs for Python), beside our CRDTs.

Yjs (Nicolaescu, Jahns, Derntl and Klamma, "Near Real-Time Peer-to-Peer Shared Editing on
Extensible Data Types", GROUP 2016; the YATA algorithm) is an operation-based CRDT library for
shared documents; ``pycrdt`` binds its Rust port, Yrs. A document holds a ``Map``, an ``Array`` and a
``Text``. Here each replica is a :class:`pycrdt.Doc` with a **fixed client id** (A = 1, B = 2, ...):
Yjs settles concurrent map writes by client id, so random ids (pycrdt's default) would change the
outcome on every run.

A :class:`~distlab.geo.crdt_laws.Script` drives the documents exactly as it drives our CRDTs: an
``Issue`` edits one document, a ``Sync`` sends the receiver what it lacks (``get_update`` from its
state vector) and applies it. :func:`converge` then checks that every order of delivering the
documents to a fresh reader gives one content; :func:`compare_maps` runs the map edits through our
LWW-Map and OR-Map too. ``yjs_table`` holds the table of where Yjs's semantics differ from ours.
"""
from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from typing import Any, NamedTuple

from pycrdt import Array, Doc, Map, Text

from distlab.geo.crdt_kinds import KINDS, Update
from distlab.geo.crdt_laws import REPLICAS, Issue, Script, Sync, random_script, replay
from distlab.transactions.checks import check_int

__all__ = ["CLIENT_IDS", "DOC_CHOICES", "Content", "MapComparison", "compare_maps", "content", "converge",
           "edit", "new_doc", "random_doc_script", "run_docs", "sync"]

CLIENT_IDS = {name: number for number, name in enumerate(REPLICAS, 1)}
"""Each replica's Yjs client id: A = 1, B = 2, ... (fixed, so runs repeat)."""
READER_ID = 1000  # a document that only receives (its id never decides anything)

_FRACTIONS = (0.0, 0.5, 1.0)  # where in the list or text an edit lands, as a fraction of its length
DOC_CHOICES: tuple[Update, ...] = (
    KINDS["or-map"].choices
    + tuple(Update("insert", (f, v)) for f in _FRACTIONS for v in ("p", "q"))
    + tuple(Update("delete", f) for f in _FRACTIONS)
    + tuple(Update("type", (f, s)) for f in _FRACTIONS for s in ("ab", "XY"))
    + tuple(Update("erase", f) for f in _FRACTIONS)
)
"""The edits random document scripts draw: the OR-Map's puts and removes on the ``map``;
``insert``/``delete`` on the ``array``; ``type``/``erase`` on the ``text`` (positions as fractions)."""


EDITS = ("put", "remove", "insert", "delete", "type", "erase")


class Content(NamedTuple):
    """What a document holds: its map (numbers as Yjs gives them: floats), array and text."""

    map: dict[str, Any]
    array: list[Any]
    text: str


def new_doc(replica: str) -> Doc[Any]:
    """A document for ``replica`` with its fixed client id, and its three shared types."""
    if replica not in CLIENT_IDS:
        raise ValueError(f"replica must be one of {list(CLIENT_IDS)}, got {replica!r}")
    doc: Doc[Any] = Doc(client_id=CLIENT_IDS[replica])
    doc.get("map", type=Map)
    doc.get("array", type=Array)
    doc.get("text", type=Text)
    return doc


def _at(fraction: float, length: int, *, inclusive: bool) -> int:
    return min(int(fraction * (length + inclusive)), length - (not inclusive))


def edit(doc: Doc[Any], update: Update) -> None:
    """Apply one edit of :data:`DOC_CHOICES` (deletes and erases of an empty array or text do nothing)."""
    kind, arg = update
    if kind not in EDITS:
        raise ValueError(f"update's kind must be one of {list(EDITS)}, got {kind!r}")
    if kind in ("put", "remove"):
        ymap = doc.get("map", type=Map)
        if kind == "put":
            ymap[arg[0]] = arg[1]
        elif arg in ymap:
            del ymap[arg]
        return
    shared: Array[Any] | Text = doc.get("array", type=Array) if kind in ("insert", "delete") else \
        doc.get("text", type=Text)
    length = len(shared)
    if kind in ("insert", "type"):
        shared.insert(_at(arg[0], length, inclusive=True), arg[1])
    elif length:
        del shared[_at(arg, length, inclusive=False)]


def sync(src: Doc[Any], dst: Doc[Any]) -> None:
    """Deliver to ``dst`` what it lacks of ``src`` (an update computed from ``dst``'s state vector)."""
    dst.apply_update(src.get_update(dst.get_state()))


def content(doc: Doc[Any]) -> Content:
    """The document's map (keys sorted: Yrs keeps them in a hash map whose order varies between
    runs), array and text as plain Python values."""
    ymap = doc.get("map", type=Map).to_py() or {}
    return Content(dict(sorted(ymap.items())), doc.get("array", type=Array).to_py() or [],
                   str(doc.get("text", type=Text)))


def run_docs(script: Script) -> dict[str, Doc[Any]]:
    """Run ``script`` on one document per replica: issues edit, syncs deliver."""
    docs = {r: new_doc(r) for r in script.replicas}
    for step in script.steps:
        if isinstance(step, Issue):
            edit(docs[step.replica], step.update)
        else:
            sync(docs[step.src], docs[step.dst])
    return docs


def converge(docs: Mapping[str, Doc[Any]], limit: int = 24) -> list[Content]:
    """Deliver every document to a fresh reader in each order of the replicas (up to ``limit``
    orders); the content each order gives (all equal when Yjs converges)."""
    out = []
    for order in itertools.islice(itertools.permutations(list(docs)), limit):
        reader: Doc[Any] = Doc(client_id=READER_ID)
        for name in order:
            reader.apply_update(docs[name].get_update())
        out.append(content(reader))
    return out


def random_doc_script(seed: int, *, replicas: int = 3, steps: int = 12) -> Script:
    """A seeded random script of :data:`DOC_CHOICES` edits and deliveries."""
    check_int("seed", seed, 0, 2**63 - 1)
    check_int("replicas", replicas, 1, len(REPLICAS))
    check_int("steps", steps, 0, 10_000)
    return random_script(DOC_CHOICES, random.Random(seed), replicas=replicas, steps=steps)


class MapComparison(NamedTuple):
    """One script's map edits, merged everywhere: Yjs's map, our LWW-Map (timestamps = step
    numbers, so clocks never disagree with causality) and our OR-Map (siblings)."""

    yjs: dict[str, Any]
    lww_map: dict[str, Any]
    or_map: dict[str, frozenset[Any]]


def _merged(script: Script, kind: str) -> Any:
    only_map = Script(script.replicas, tuple(s for s in script.steps
                                             if isinstance(s, Sync) or s.update.kind in ("put", "remove")))
    finals = list(replay(only_map, KINDS[kind]).finals.values())
    state = finals[0]
    for other in finals[1:]:
        state = state.merge(other)
    return state.value()


def compare_maps(script: Script) -> MapComparison:
    """Run ``script`` through Yjs documents and through our maps; every replica's edits merged."""
    yjs = converge(run_docs(script), limit=1)[0].map
    return MapComparison({k: _plain(v) for k, v in yjs.items()}, dict(sorted(_merged(script, "lww-map").items())),
                         dict(sorted(_merged(script, "or-map").items())))


def _plain(value: Any) -> Any:
    """A whole float back to an int (Yjs numbers are JavaScript doubles)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
