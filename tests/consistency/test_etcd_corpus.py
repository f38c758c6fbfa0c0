"""The whole etcd corpus (102 real Jepsen histories): every verdict as expected.

Its speed is measured by ``make bench``."""
import csv
from pathlib import Path

import pytest

from distlab.consistency import check_linearizable, read_file

DATA = Path(__file__).resolve().parent.parent / "data" / "etcd"
with open(DATA / "EXPECTED.tsv") as _f:
    EXPECTED = {row["file"]: row["linearizable"] == "true" for row in csv.DictReader(_f, delimiter="\t")}


def test_corpus_is_complete():
    assert len(EXPECTED) == 102
    assert sum(EXPECTED.values()) == 23
    assert all((DATA / name).exists() for name in EXPECTED)
    assert "MIT" in (DATA / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_matches_expected(name):
    v = check_linearizable(read_file(DATA / name), "cas-register")
    assert v.status == ("holds" if EXPECTED[name] else "violated"), v.explanation
    if v.status == "holds":
        assert v.witness and len(set(v.witness)) == len(v.witness)
    else:
        assert v.window and v.details["failed_op"] in [o.index for o in v.window]
