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
