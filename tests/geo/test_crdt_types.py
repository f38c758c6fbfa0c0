"""What each CRDT keeps and loses, on hand-made cases, and the specifications themselves."""
import doctest

import pytest

import distlab.geo.crdt_base
import distlab.geo.crdt_counters
import distlab.geo.crdt_dots
import distlab.geo.crdt_laws
import distlab.geo.crdt_maps
import distlab.geo.crdt_registers
import distlab.geo.crdt_sets
import distlab.geo.crdts
import distlab.geo.vclock
from distlab.geo.crdts import (
    KINDS,
    Crdt,
    GCounter,
    GSet,
    Issue,
    LWWMap,
    LWWRegister,
    MVRegister,
    ORMap,
    ORSet,
    PNCounter,
    Script,
    Sync,
    TwoPSet,
    Update,
    new,
    replay,
    show,
)


@pytest.mark.parametrize("module", [distlab.geo.crdts, distlab.geo.crdt_counters, distlab.geo.crdt_sets,
                                    distlab.geo.crdt_registers, distlab.geo.crdt_maps, distlab.geo.crdt_laws,
                                    distlab.geo.vclock])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_every_kind_meets_the_protocol_and_prints_stably():
    for kind in KINDS.values():
        state = kind.new()
        assert isinstance(state, Crdt)
        assert state.merge(state) == state
        for update in kind.choices:
            state = kind.apply(state, update, "A", 1.0)
        assert str(state) == str(state.merge(kind.new()))


def test_counters_count_every_increment_once():
    a = GCounter().increment("A").increment("A")
    b = GCounter().increment("B", 3)
    assert a.merge(b).value() == 5 and a.merge(b).merge(a).value() == 5
    assert PNCounter().increment("A", 5).merge(PNCounter().decrement("B", 2)).value() == 3
    with pytest.raises(ValueError, match="amount must be an integer >= 1"):
        GCounter().increment("A", 0)
    with pytest.raises(ValueError, match="amount"):
        PNCounter().decrement("A", -1)


def test_gset_and_2pset():
    assert GSet().add("a").merge(GSet().add("b")).value() == {"a", "b"}
    s = TwoPSet().add("a")
    gone = s.remove("a")
    assert gone.merge(s.add("a")).value() == frozenset()          # remove wins, for ever
    assert gone.add("a").value() == frozenset()                   # and a re-add is invisible
    assert TwoPSet().remove("a") == TwoPSet()                     # not seen: nothing to remove


def test_orset_add_wins_and_removes_what_it_saw():
    base = ORSet().add("milk", "A").add("eggs", "A")
    removed = base.remove("eggs")
    readded = base.add("eggs", "B")                               # concurrent with the remove
    assert removed.merge(readded).value() == {"milk", "eggs"}     # add-wins
    assert removed.merge(base).value() == {"milk"}                # the remove saw base's add
    assert base.add("milk", "A").entries()["milk"] == (distlab.geo.vclock.Dot("A", 3),)  # re-add replaces
    assert show(removed.value()) == "{milk}"


def test_registers():
    a = LWWRegister().assign("x", 1.0, "A")
    b = LWWRegister().assign("y", 1.0, "B")
    assert a.merge(b).value() == "y" == b.merge(a).value()         # equal stamps: the higher node
    assert a.assign("late", 0.5, "A").value() == "x"               # a stamp from behind loses at once
    base = MVRegister().assign(0, "A")
    both = base.assign(1, "A").merge(base.assign(2, "B"))
    assert both.value() == {1, 2} and len(both.siblings()) == 2
    assert both.assign(3, "C").value() == {3}                      # a write that saw both replaces them


def test_maps():
    base = ORMap().put("k", 0, "A")
    assert base.put("k", 1, "A").merge(base.put("k", 2, "B")).value() == {"k": frozenset({1, 2})}
    assert base.remove("k").merge(base.put("k", 5, "B")).value() == {"k": frozenset({5})}
    assert base.remove("k").merge(base).value() == {}
    assert base.remove("absent") is base
    lww = LWWMap().put("k", 1, 1.0, "A")
    assert lww.remove("k", 2.0, "B").merge(lww).value() == {}
    assert lww.remove("k", 0.5, "B").merge(lww).value() == {"k": 1}
    with pytest.raises(ValueError, match="value must not be None"):
        LWWMap().put("k", None, 1.0, "A")


def test_new_and_unknown_kinds():
    assert new("or-set") == ORSet()
    with pytest.raises(ValueError, match=r"kind must be one of \['g-counter'"):
        new("counter")


def _spec(name, *steps):
    kind = KINDS[name]
    return kind.spec(replay(Script(("A", "B"), steps), kind).events)


def test_the_specifications_on_hand_made_histories():
    add, rem = (lambda e: Update("add", e)), (lambda e: Update("remove", e))
    # A adds a; B, having seen it, removes it; A adds a again concurrently: add-wins keeps it
    assert _spec("or-set", Issue("A", add("a")), Sync("A", "B"), Issue("B", rem("a")), Issue("A", add("a"))) == {"a"}
    assert _spec("or-set", Issue("A", add("a")), Sync("A", "B"), Issue("B", rem("a"))) == frozenset()
    assert _spec("or-set", Issue("A", add("a")), Issue("B", rem("a"))) == {"a"}   # B never saw the add
    assert _spec("2p-set", Issue("A", add("a")), Sync("A", "B"), Issue("B", rem("a")), Issue("A", add("a"))) == set()
    assert _spec("2p-set", Issue("A", add("a")), Issue("B", rem("a"))) == {"a"}   # not seen: no effect
    assert _spec("g-counter", Issue("A", Update("inc", 2)), Issue("B", Update("inc", 3))) == 5
    w = lambda v: Update("write", v)  # noqa: E731
    assert _spec("mv-register", Issue("A", w(1)), Issue("B", w(2))) == {1, 2}
    assert _spec("mv-register", Issue("A", w(1)), Sync("A", "B"), Issue("B", w(2))) == {2}
    assert _spec("lww-register", Issue("B", w(1)), Issue("A", w(2))) == 2          # later step, later stamp
    put = lambda k, v: Update("put", (k, v))  # noqa: E731
    assert _spec("or-map", Issue("A", put("x", 1)), Issue("B", put("x", 0))) == {"x": {0, 1}}
    assert _spec("or-map", Issue("A", put("x", 1)), Sync("A", "B"), Issue("B", Update("remove", "x"))) == {}
    assert _spec("lww-map", Issue("A", put("x", 1)), Issue("B", Update("remove", "x"))) == {}
