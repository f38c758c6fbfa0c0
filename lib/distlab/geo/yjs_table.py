"""Where Yjs's Map, Array and Text differ from our CRDTs: a table whose claims are demonstrated.

Each row of :data:`TABLE` names a situation, says what Yjs does and what ours do, and points at a
demo that runs it -- through pycrdt documents with fixed client ids and through our types, in the
same order of edits and deliveries -- so :func:`table` shows the claims beside what actually came
out, and the tests hold every claim to its demo. What Yjs does not have at all (counters, sets,
multi-value registers) shows as what its Map does when an application builds them on it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pycrdt import Array, Doc, Map, Text

from distlab.geo.crdt_base import show
from distlab.geo.crdt_kinds import KINDS, Update
from distlab.geo.crdt_laws import Issue, Script, Sync, replay
from distlab.geo.crdt_maps import LWWMap
from distlab.geo.crdt_sets import ORSet, TwoPSet
from distlab.geo.yjs import content, new_doc, run_docs, sync

__all__ = ["TABLE", "Demo", "Difference", "Row", "table"]


class Demo(NamedTuple):
    """What a situation gave: Yjs's result, and ours by type name."""

    yjs: Any
    ours: dict[str, Any]


class Difference(NamedTuple):
    """One row: the situation, what Yjs does, what ours do, and the demo that shows it."""

    topic: str
    yjs: str
    ours: str
    demo: Callable[[], Demo]


def _both(*steps: Issue | Sync, replicas: tuple[str, ...] = ("A", "B")) -> tuple[Script, Any]:
    """Run the steps, then deliver everything everywhere; Yjs's merged map, and the script."""
    script = Script(replicas, (*steps, *(Sync(a, b) for a in replicas for b in replicas if a != b)))
    return script, content(run_docs(script)["A"]).map


def _ours(script: Script, kind: str) -> Any:
    return replay(script, KINDS[kind]).finals["A"].value()


def _put(replica: str, key: str, value: Any) -> Issue:
    return Issue(replica, Update("put", (key, value)))


def concurrent_map_writes() -> Demo:
    """B (client 2) writes x = 0, then A (client 1), not having seen it, writes x = 1."""
    script, yjs = _both(_put("B", "x", 0), _put("A", "x", 1))
    return Demo(yjs, {"or-map": _ours(script, "or-map"), "lww-map": _ours(script, "lww-map")})


def write_after_seeing() -> Demo:
    """B writes x = 0; A sees it and writes x = 1 -- with a clock 0.5 s behind B's."""
    script, yjs = _both(_put("B", "x", 0), Sync("B", "A"), _put("A", "x", 1))
    lww = LWWMap[str]().put("x", 0, 1.0, "B")
    return Demo(yjs, {"or-map": _ours(script, "or-map"), "lww-map": lww.put("x", 1, 0.5, "A").value()})


def remove_after_concurrent_writes() -> Demo:
    """A writes x = 0 while B writes x = 1; B, having seen only its own write, removes x."""
    script, yjs = _both(_put("A", "x", 0), _put("B", "x", 1), Issue("B", Update("remove", "x")))
    return Demo(yjs, {"or-map": _ours(script, "or-map"), "lww-map": _ours(script, "lww-map")})


def concurrent_remove_and_write() -> Demo:
    """A writes x = 0 and B sees it; then A removes x while B, concurrently and earlier, writes x = 1."""
    script, yjs = _both(_put("A", "x", 0), Sync("A", "B"), _put("B", "x", 1), Issue("A", Update("remove", "x")))
    return Demo(yjs, {"or-map": _ours(script, "or-map"), "lww-map": _ours(script, "lww-map")})


def concurrent_increments() -> Demo:
    """A counter in a map: both replicas read n = 0 and write n + 1 concurrently."""
    a, b = new_doc("A"), new_doc("B")
    a.get("map", type=Map)["n"] = 0
    sync(a, b)
    for doc in (a, b):
        ymap = doc.get("map", type=Map)
        ymap["n"] = ymap["n"] + 1
    sync(a, b)
    sync(b, a)
    counter = KINDS["g-counter"].new().increment("A").merge(KINDS["g-counter"].new().increment("B"))
    return Demo(content(a).map["n"], {"g-counter": counter.value()})


def concurrent_inserts() -> Demo:
    """A list [x] and a text "ab" seen by both; A inserts p (text XYZ) and B q (text 123) at the
    same place, concurrently."""
    a, b = new_doc("A"), new_doc("B")
    a.get("array", type=Array).append("x")
    a.get("text", type=Text).insert(0, "ab")
    sync(a, b)
    for doc, item, run in ((a, "p", "XYZ"), (b, "q", "123")):
        doc.get("array", type=Array).insert(0, item)
        doc.get("text", type=Text).insert(1, run)
    sync(a, b)
    sync(b, a)
    merged = ORSet[str]().add("x", "A").add("p", "A").merge(ORSet[str]().add("q", "B"))
    got = content(a)
    return Demo((got.array, got.text), {"or-set": merged.value()})


def set_add_and_remove() -> Demo:
    """A set kept as a map of e -> True: e is in; A removes it while B, concurrently, adds it again."""
    _, yjs = _both(_put("A", "e", True), Sync("A", "B"), Issue("A", Update("remove", "e")), _put("B", "e", True))
    base = TwoPSet[str]().add("e")
    two_p = base.remove("e").merge(base.add("e"))
    or_set = ORSet[str]().add("e", "A")
    return Demo(set(yjs), {"or-set": or_set.remove("e").merge(or_set.add("e", "B")).value(),
                           "2p-set": two_p.value()})


def numbers() -> Demo:
    """Write the integer 1 into a map."""
    doc = new_doc("A")
    doc.get("map", type=Map)["n"] = 1
    return Demo(content(doc).map["n"], {"lww-map": LWWMap[str]().put("n", 1, 1.0, "A").value()["n"]})


def deltas() -> Demo:
    """After 200 characters both replicas have, A types one more: the bytes Yjs ships to B, and
    the bytes of A's whole document (what a state-based CRDT ships)."""
    a: Doc[Any] = new_doc("A")
    b: Doc[Any] = new_doc("B")
    text = a.get("text", type=Text)
    for i in range(200):
        text.insert(i, "abcdefghij"[i % 10])
    sync(a, b)
    text.insert(100, "!")
    return Demo(len(a.get_update(b.get_state())), {"state-based": len(a.get_update())})


TABLE: tuple[Difference, ...] = (
    Difference("concurrent writes to one map key", "one value: the higher client id wins",
               "OR-Map keeps both (siblings); LWW-Map keeps the higher (timestamp, node)", concurrent_map_writes),
    Difference("a map write after seeing another", "the later write wins, whatever the client ids",
               "OR-Map: the later write; LWW-Map: the higher timestamp, even if it is the earlier write",
               write_after_seeing),
    Difference("a remove after concurrent writes", "the losing write is gone at once, so the remove "
               "takes the key away although it never saw that write",
               "OR-Map keeps the write the remover never saw (add-wins); LWW-Map: the newest stamp",
               remove_after_concurrent_writes),
    Difference("a remove concurrent with a write", "the write survives (add-wins)",
               "OR-Map: the write survives; LWW-Map: whichever has the higher timestamp",
               concurrent_remove_and_write),
    Difference("counters", "no counter type: a number in a map is last-writer-wins, so a concurrent "
               "increment is lost", "G-Counter / PN-Counter count every increment", concurrent_increments),
    Difference("sets", "no set type: a map of e -> True behaves as add-wins",
               "OR-Set add-wins; 2P-Set: a removed element never comes back", set_add_and_remove),
    Difference("sequences (Array, Text)", "ordered: concurrent inserts at one place both kept, the lower "
               "client id first, a typed run never interleaved", "no sequence CRDT: an OR-Set keeps the "
               "items but no order", concurrent_inserts),
    Difference("numbers", "JavaScript doubles: 1 comes back as 1.0", "any Python value, unchanged", numbers),
    Difference("what is shipped (bytes, one keystroke after 200 characters)",
               "the delta the receiver lacks, from its state vector",
               "the whole state, every time (state-based)", deltas),
)
"""The rows, in the order the chapter discusses them."""


class Row(NamedTuple):
    """A row of :func:`table`: the claims, and what the demo gave (printed)."""

    topic: str
    yjs: str
    ours: str
    yjs_gave: str
    ours_gave: str


def table() -> list[Row]:
    """Every row of :data:`TABLE` with its demo run now (about 10 ms in all)."""
    rows = []
    for diff in TABLE:
        demo = diff.demo()
        ours = "; ".join(f"{name}: {show(value)}" for name, value in demo.ours.items())
        rows.append(Row(diff.topic, diff.yjs, diff.ours, show(demo.yjs), ours))
    return rows
