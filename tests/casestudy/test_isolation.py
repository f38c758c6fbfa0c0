"""Hermitage's PostgreSQL table, produced by the real engine: which isolation level admits which anomaly."""
import pytest

from distlab.casestudy.isolation import ANOMALIES, interleave
from distlab.grading.casestudy import HERMITAGE
from distlab.services import postgres, sql

#: (anomaly, isolation) -> does the anomaly happen? (Hermitage, PostgreSQL) -- the table exercise 2 grades by
TABLE = {(row.anomaly, row.isolation): row.admitted for row in HERMITAGE}


@pytest.fixture(params=["embedded", pytest.param("debian", marks=pytest.mark.services)])
def fresh_postgres(request):
    """An empty database on the embedded PostgreSQL, or on the session's Debian server."""
    url = postgres.embedded("casestudy").url if request.param == "embedded" else request.getfixturevalue("postgres_url")
    with sql.connect(url) as admin:
        admin.script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    return url


@pytest.mark.parametrize(("anomaly", "isolation"), list(TABLE))
def test_each_level_admits_exactly_the_anomalies_hermitage_lists(fresh_postgres, anomaly, isolation):
    run = interleave(anomaly, isolation, fresh_postgres)
    assert run.anomalous is TABLE[anomaly, isolation], run
    if anomaly == "lost update" and run.anomalous:
        assert run.created_cents == 6_000 and [r.status for r in run.results] == ["applied", "applied"]
    if anomaly == "write skew" and run.anomalous:
        assert run.overdrawn == ("couple",) and run.created_cents == 0
    if not run.anomalous:  # the engine aborted the second transfer; its retry was refused, not lost
        assert run.conflicts >= 1 and [r.status for r in run.results] == ["applied", "refused"]


def test_bad_arguments_are_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="anomaly must be one of"):
        interleave("dirty read", "serializable", "sqlite:///x.db")
    with pytest.raises(ValueError, match="url must name a PostgreSQL"):
        interleave("lost update", "serializable", f"sqlite:///{tmp_path / 'x.db'}")
    assert set(ANOMALIES) == {a for a, _ in TABLE}
