"""The ledger under contention, judged by the bank checker: each isolation level breaks what Hermitage says."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from distlab.casestudy.contention import DEFAULT_ACCOUNTS, Account, ContentionConfig, empty, plan, run_contention
from distlab.services import postgres

SEEDS = range(50)


@pytest.fixture(scope="module")
def embedded_url():
    """The embedded PostgreSQL of this file (its own cluster, so no other test shares it)."""
    return postgres.embedded("contention").url


def runs(url, isolation, seeds, **knobs):
    """One run per seed, each on the one database, emptied (its tables truncated) before each."""
    return [run_contention(ContentionConfig(seed, isolation, **knobs), empty(url)) for seed in seeds]


def transfers_told(run):
    """How many transfers the clients saw complete ok (none may be lost to a conflict)."""
    return sum(1 for op in run.history if op.f == "transfer" and op.status == "ok")


def assert_hermitage(results, isolation, at_least):
    """The checker names the anomaly the level admits on >= ``at_least`` runs, and nothing the level forbids."""
    money = sum("money" in r.kinds for r in results)
    overdraft = sum("overdraft" in r.kinds for r in results)
    assert all(transfers_told(r) == r.config.transfers for r in results)
    assert all(set(r.kinds) <= {"money", "overdraft"} for r in results), [r.kinds for r in results]
    if isolation == "serializable":
        assert (money, overdraft) == (0, 0), [r.verdict.first for r in results]
        assert all(r.created_cents == 0 for r in results)
        assert sum(r.conflicts for r in results) >= len(results)  # contended, retried, never lost
    elif isolation == "repeatable read":  # no lost update, but write skew on the joint limit
        assert money == 0 and all(r.created_cents == 0 for r in results)
        assert overdraft >= at_least, overdraft
        assert all("group couple" in v.message for r in results for v in r.verdict.violations)
    else:  # read committed: a lost update creates or destroys money, and the books show it
        assert money >= at_least, money
        assert all(("money" in r.kinds) == (r.created_cents != 0) for r in results)


@pytest.mark.parametrize("isolation", ["serializable", "repeatable read", "read committed"])
def test_each_level_breaks_what_hermitage_says_on_50_seeds(embedded_url, isolation):
    assert_hermitage(runs(embedded_url, isolation, SEEDS), isolation, at_least=40)


@pytest.mark.services
@pytest.mark.parametrize("isolation", ["serializable", "repeatable read", "read committed"])
def test_each_level_on_the_debian_server(postgres_url, isolation):
    assert_hermitage(runs(postgres_url, isolation, range(5)), isolation, at_least=3)


def test_a_money_violation_names_the_transfers_and_the_read(embedded_url):
    run = runs(embedded_url, "read committed", [0])[0]
    first = next(v for v in run.verdict.violations if v.kind == "money")
    ops = [run.history[i] for i in first.ops]
    assert ops[-1].f == "read" and ops[-1].status == "ok"
    assert all(op.f == "transfer" for op in ops[:-1])
    assert sum(ops[-1].result.values()) != sum(a.opening_cents for a in DEFAULT_ACCOUNTS)


def test_sqlite_is_serializable_whatever_the_seed(tmp_path):
    results = [run_contention(ContentionConfig(seed), f"sqlite:///{tmp_path / f'{seed}.db'}") for seed in range(3)]
    assert all(r.verdict.ok and r.created_cents == 0 for r in results), [r.verdict.first for r in results]
    assert all(transfers_told(r) == r.config.transfers for r in results)
    assert sum(r.conflicts for r in results) >= 1  # the sessions did contend for the write lock


def test_sqlite_refuses_weaker_levels_and_private_memory(tmp_path):
    with pytest.raises(ValueError, match="isolation must be one of serializable on sqlite"):
        run_contention(ContentionConfig(0, "read committed"), f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="in-memory SQLite"):
        run_contention(ContentionConfig(0), "sqlite:///:memory:")


def test_a_database_that_is_not_empty_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'used.db'}"
    run_contention(ContentionConfig(0, transfers=2), url)
    with pytest.raises(ValueError, match="url must name an empty database, but it holds 8 accounts"):
        run_contention(ContentionConfig(0, transfers=2), url)
    assert run_contention(ContentionConfig(0, transfers=2), empty(url)).verdict.ok  # emptied, it runs again


def test_same_seed_same_history(embedded_url):
    for isolation in ("serializable", "read committed"):
        first, again, other = runs(embedded_url, isolation, [7, 7, 8])
        assert first.history == again.history and first.balances == again.balances
        assert first.conflicts == again.conflicts and first.verdict == again.verdict
        assert first.history != other.history


def test_the_plan_mixes_joint_withdrawals_refills_and_the_rest():
    transfers = plan(ContentionConfig(3))
    joint = {a.name for a in DEFAULT_ACCOUNTS if a.group}
    assert len(transfers) == 80 and len({t.id for t in transfers}) == 80
    out = sum(t.source in joint for t in transfers)
    into = sum(t.target in joint for t in transfers)
    assert 30 <= out <= 65 and 5 <= into <= 30 and all(2_000 <= t.amount_cents <= 5_000 for t in transfers)
    assert plan(ContentionConfig(3)) == transfers != plan(ContentionConfig(4))


@pytest.mark.parametrize(("field", "value"), [
    ("seed", -1), ("seed", True), ("seed", math.nan), ("seed", "1"), ("seed", 1.0),
    ("isolation", "snapshot"), ("isolation", 3), ("sessions", 1), ("sessions", 17), ("sessions", True),
    ("sessions", math.nan), ("transfers", 0), ("transfers", "60"), ("read_every", 0), ("read_every", math.inf),
    ("amounts", (0, 5_000)), ("amounts", (5_000, 2_000)), ("amounts", (math.nan, 2_000)), ("amounts", "2000"),
    ("accounts", (Account("alone", 100),)), ("accounts", (Account("a", 1), Account("a", 1))),
    ("accounts", (Account("a", -1), Account("b", 1))),
])
def test_bad_config_is_refused_by_name(field, value):
    with pytest.raises(ValueError, match=f"^{field}"):
        ContentionConfig(**{"seed": 0, field: value})


def test_a_config_is_required():
    with pytest.raises(TypeError, match="config must be a ContentionConfig"):
        run_contention({"seed": 0}, "sqlite:///:memory:")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), sessions=st.integers(2, 16), transfers=st.integers(1, 30),
       read_every=st.integers(1, 10))
def test_serializable_never_violates(embedded_url, seed, sessions, transfers, read_every):
    config = ContentionConfig(seed, sessions=sessions, transfers=transfers, read_every=read_every)
    run = run_contention(config, empty(embedded_url))
    assert run.verdict.ok and run.created_cents == 0, run.verdict.first
    assert transfers_told(run) == transfers
