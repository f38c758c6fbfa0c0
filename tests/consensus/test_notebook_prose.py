"""Chapter 2's notebook as a learner reads it: what an exercise needs is stated in the prose before it,
not only cited by section number."""
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_consensus.ipynb"


@pytest.fixture(scope="module")
def cells():
    return nbformat.read(NOTEBOOK, as_version=4).cells


def prose_before(cells, marker):
    """The markdown of every cell before the first code cell containing `marker`, lower-cased."""
    first = next(i for i, c in enumerate(cells) if c.cell_type == "code" and marker in c.source)
    return " ".join(c.source for c in cells[:first] if c.cell_type == "markdown").lower()


def test_exercise_1_states_the_vote_rules_it_grades(cells):
    text = " ".join(prose_before(cells, "def grant_vote").split())
    assert "older term" in text                       # a stale term is refused
    assert "one vote per term" in text                # ... one vote per term
    assert "at least as up to date" in text           # ... the log comparison
    assert "last terms first" in text                 # the comparison's order: last term, then length


#: term -> words that define it, which must stand in the first cell that uses the term
DEFINED_AT_FIRST_USE = {
    "AppendEntries": "one message for copying log entries",
    "FLP": "fischer, lynch and paterson",
    "check-quorum": "has not heard from a majority",
    "LogCabin": "raft implementation by raft's authors",
    "broadcast time": "send a message to every other server",
    "Multi-Paxos": "one paxos instance per log index",
    "Zab": "zookeeper's own consensus protocol",
    "MVCC": "keeps older versions of each key",
    "read index": "confirms with a majority that it is still the leader",
    "election safety": "at most one leader in any term",
    "leader append-only": "never overwrites or deletes",
    "log matching": "identical up to that index",
    "leader completeness": "in the log of every leader of a later term",
    "state machine safety": "no two servers apply different commands",
    "learner": "find out what was chosen",
    # the learner's walk of session 18: every term a newcomer to distributed systems meets
    "term": "each begins with an election and has at most one leader",
    "log": "the list of client commands that every server applies in the same order",
    "quorum": "a set of servers whose answers are enough to decide",
    "majority": "more than half",
    "lease": "a grant with a time to live",
    "fencing token": "grows with every new lock holder",
    "election timeout": "drawn at random from a range",
    "heartbeat": "i am still leading",
    "log index": "numbered by its",
    "commit index": "the highest index it knows to be committed",
    "CDF": "the fraction of trials that had a new leader within",
    "quantile": "the times by which 10 %",
    "ballot": "one numbered attempt to get a value chosen",
    "backoff": "a pause that grows with each failed try",
    "liveness": "something good eventually happens",
    "GC": "garbage-collection",
    "revision": "numbers every change with one counter that only grows",
    "TTL": "time to live, a ttl",
    "linearizab": "seems to take effect at one instant",
    "session": "is their lease",
    "znode": "its keys, in a tree of paths",
    "ephemeral": "is deleted when its client's session ends",
    "gossip": "tells a few random others what it knows",
    "long poll": "requests the server holds open until something changes",
}


def _texts_in_order(cells):
    """(cell index, text) for every cell's source and then its outputs, in reading order."""
    for i, cell in enumerate(cells):
        yield i, cell.source
        for out in cell.get("outputs", []):
            yield i, "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))


@pytest.mark.parametrize("term", list(DEFINED_AT_FIRST_USE))
def test_every_term_is_defined_where_it_is_first_used(cells, term):
    word = re.compile(rf"\b{re.escape(term.lower())}", re.IGNORECASE)  # 'Zab', not linearizability
    first = next(i for i, text in _texts_in_order(cells) if word.search(text))
    where = " ".join(cells[first].source.lower().split())
    assert DEFINED_AT_FIRST_USE[term] in where, f"{term!r} first used in cell {first} without its definition"


def test_a_try_it_line_sits_right_before_the_panel_it_means(cells):
    """'Try 3 and 7 servers' stood two cells above the quorum panel, before unrelated cells."""
    panel = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "cv.quorum_panel(" in c.source)
    assert "Try 3 and 7 servers" in cells[panel - 1].source
