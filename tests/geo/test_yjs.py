"""pycrdt (Yjs) converges in every delivery order too, and the comparison table's claims hold."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import yjs_table
from distlab.geo.crdts import Issue, Script, Sync, Update
from distlab.geo.yjs import (
    DOC_CHOICES,
    compare_maps,
    content,
    converge,
    edit,
    new_doc,
    random_doc_script,
    run_docs,
    sync,
)

NAMES = ("A", "B", "C")
issues = st.builds(Issue, st.sampled_from(NAMES), st.sampled_from(DOC_CHOICES))
syncs = st.builds(Sync, st.sampled_from(NAMES), st.sampled_from(NAMES)).filter(lambda s: s.src != s.dst)
scripts = st.lists(st.one_of(issues, syncs), max_size=16).map(lambda steps: Script(NAMES, tuple(steps)))


@settings(max_examples=60)
@given(scripts)
def test_yjs_documents_converge_in_every_delivery_order(script):
    docs = run_docs(script)
    contents = converge(docs)
    assert len(contents) == 6 and all(c == contents[0] for c in contents)
    for a in NAMES:                      # and replicas that exchange everything agree with the reader
        for b in NAMES:
            if a != b:
                sync(docs[a], docs[b])
    assert all(content(d) == contents[0] for d in docs.values())


@settings(max_examples=80)
@given(scripts)
def test_yjs_map_keeps_one_of_our_or_map_siblings(script):
    """Yjs's map value for a key is always one of the OR-Map's siblings for it, and a key Yjs has
    the OR-Map has (the reverse fails: see 'a remove after concurrent writes')."""
    m = compare_maps(script)
    assert set(m.yjs) <= set(m.or_map)
    assert all(m.yjs[k] in m.or_map[k] for k in m.yjs)


def test_random_scripts_repeat_and_differ_from_ours_sometimes():
    assert random_doc_script(3) == random_doc_script(3)
    comparisons = [compare_maps(random_doc_script(seed, steps=16)) for seed in range(200)]
    assert any(set(c.yjs) != set(c.or_map) for c in comparisons)
    assert any(c.yjs != c.lww_map for c in comparisons)


@pytest.mark.parametrize("first", ["A", "B"])
def test_concurrent_map_writes_the_higher_client_id_wins(first):
    second = "B" if first == "A" else "A"
    script = Script(("A", "B"), (Issue(first, Update("put", ("k", first))), Issue(second, Update("put", ("k", second))),
                                 Sync("A", "B"), Sync("B", "A")))
    docs = run_docs(script)
    assert content(docs["A"]).map == content(docs["B"]).map == {"k": "B"}


def test_every_claim_of_the_table():
    demos = {d.demo.__name__: d.demo() for d in yjs_table.TABLE}
    assert demos["concurrent_map_writes"] == ({"x": 0}, {"or-map": {"x": {0, 1}}, "lww-map": {"x": 1}})
    assert demos["write_after_seeing"] == ({"x": 1}, {"or-map": {"x": {1}}, "lww-map": {"x": 0}})
    assert demos["remove_after_concurrent_writes"] == ({}, {"or-map": {"x": {0}}, "lww-map": {}})
    assert demos["concurrent_remove_and_write"] == ({"x": 1}, {"or-map": {"x": {1}}, "lww-map": {}})
    assert demos["concurrent_increments"] == (1, {"g-counter": 2})
    assert demos["set_add_and_remove"] == ({"e"}, {"or-set": {"e"}, "2p-set": set()})
    assert demos["concurrent_inserts"] == ((["p", "q", "x"], "aXYZ123b"), {"or-set": {"p", "q", "x"}})
    number = demos["numbers"]
    assert isinstance(number.yjs, float) and isinstance(number.ours["lww-map"], int)
    delta, whole = demos["deltas"].yjs, demos["deltas"].ours["state-based"]
    assert delta * 5 < whole  # each side's bytes in its own column


def test_the_table_prints_the_same_every_run():
    rows = yjs_table.table()
    assert len(rows) == len(yjs_table.TABLE) and rows == yjs_table.table()
    assert rows[0].yjs_gave == "{x: 0.0}" and rows[0].ours_gave == "or-map: {x: {0, 1}}; lww-map: {x: 1}"


def test_bad_input_is_refused_by_name():
    with pytest.raises(ValueError, match=r"replica must be one of \['A', 'B'"):
        new_doc("Z")
    with pytest.raises(ValueError, match=r"update's kind must be one of \['put'"):
        edit(new_doc("A"), Update("inc", 1))
    with pytest.raises(ValueError, match="seed must be an integer from 0"):
        random_doc_script(-1)
    with pytest.raises(ValueError, match="replicas must be an integer from 1 to 8, got 0"):
        random_doc_script(0, replicas=0)
