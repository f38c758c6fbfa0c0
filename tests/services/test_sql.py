"""distlab.services.sql: one API over SQLite and PostgreSQL, transactions and their conflicts."""

import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

from distlab.services import ServiceUnavailable, sql
from distlab.services.loopback import free_port
from distlab.services.transaction import RetriesExhausted, TransactionConflict

SCHEMA = "CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL)"


def _accounts(backend, *balances):
    backend.script(SCHEMA)
    backend.execute_many("INSERT INTO account (id, owner, balance) VALUES (?, ?, ?)",
                         [(i, f"owner{i}", b) for i, b in enumerate(balances, start=1)])


def balance(backend, account_id):
    return backend.query_one("SELECT balance FROM account WHERE id = ?", (account_id,))[0]


def test_commit_makes_writes_visible_to_another_connection(sql_backend):
    _accounts(sql_backend, 100, 0)
    with sql_backend.transaction() as tx:
        tx.execute("UPDATE account SET balance = balance - ? WHERE id = ?", (30, 1))
        tx.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (30, 2))
    with sql.connect(sql_backend.url) as other:
        assert other.query("SELECT id, balance FROM account ORDER BY id") == [(1, 70), (2, 30)]


def test_exception_rolls_back_every_statement(sql_backend):
    _accounts(sql_backend, 100, 0)
    with pytest.raises(ZeroDivisionError), sql_backend.transaction() as tx:
        tx.execute("UPDATE account SET balance = balance - 30 WHERE id = 1")
        _ = 1 / 0
    assert (balance(sql_backend, 1), balance(sql_backend, 2)) == (100, 0)
    assert sql_backend.query_one("SELECT COUNT(*) FROM account") == (2,)


def test_a_conflict_in_a_single_transaction_rolls_back_and_is_raised(sql_backend):
    _accounts(sql_backend, 100, 0)
    conflict = TransactionConflict("40001", "a concurrent writer won")
    with pytest.raises(TransactionConflict) as info, sql_backend.transaction() as tx:
        tx.execute("UPDATE account SET balance = balance - 30 WHERE id = 1")
        raise conflict
    assert info.value is conflict  # surfaced, not swallowed as a retry loop's attempt would
    assert balance(sql_backend, 1) == 100
    with sql_backend.transaction() as tx:  # the backend is usable again: no transaction left open
        tx.execute("UPDATE account SET balance = 1 WHERE id = 2")
    assert balance(sql_backend, 2) == 1


def test_same_sql_text_runs_on_both_engines(sql_backend):
    sql_backend.script(SCHEMA + "; CREATE TABLE note (k TEXT PRIMARY KEY, v TEXT)")
    # a literal '?' and '%' inside quotes must survive the placeholder rewrite
    sql_backend.execute("INSERT INTO note (k, v) VALUES (?, 'what? 100%')", ("q",))
    sql_backend.execute("INSERT INTO note (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", ("q", "dup"))
    assert sql_backend.query("SELECT k, v FROM note WHERE v LIKE '%?%'") == [("q", "what? 100%")]
    row = sql_backend.query_one("INSERT INTO account (id, owner, balance) VALUES (?, ?, ?) RETURNING id", (7, "x", 1))
    assert row == (7,)
    assert sql_backend.placeholder in ("?", "%s")


def test_nested_transaction_is_refused(sql_backend):
    _accounts(sql_backend, 1)
    with pytest.raises(RuntimeError, match="already inside a transaction"), sql_backend.transaction(), \
            sql_backend.transaction():
        pass
    assert balance(sql_backend, 1) == 1


def test_describe_is_one_line_naming_the_engine(sql_backend):
    line = sql_backend.describe()
    assert "\n" not in line
    assert line.startswith(f"SQL backend: {sql_backend.dialect} ")
    assert sql_backend.name in line


def _increment(url, times, errors):
    try:
        with sql.connect(url, timeout=30) as backend:
            for _ in range(times):
                backend.run_transaction(
                    lambda b: b.execute("UPDATE counter SET n = ? WHERE id = 1",
                                        (b.query_one("SELECT n FROM counter WHERE id = 1")[0] + 1,)),
                    max_attempts=50,
                )
    except Exception as exc:  # surfaced by the main thread
        errors.append(exc)


def test_read_then_write_counter_loses_no_update_under_two_threads(sql_backend):
    sql_backend.script("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    sql_backend.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    errors, times = [], 60
    threads = [threading.Thread(target=_increment, args=(sql_backend.url, times, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sql_backend.query_one("SELECT n FROM counter WHERE id = 1") == (2 * times,)


def test_sqlite_autocommit_read_then_write_loses_an_update(tmp_path):
    """The failure BEGIN IMMEDIATE fixes: two read-then-write sequences interleaved without a transaction."""
    url = f"sqlite:///{tmp_path / 'lost.db'}"
    with sql.connect(url) as a, sql.connect(url) as b:
        a.script("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        a.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
        read_a = a.query_one("SELECT n FROM counter WHERE id = 1")[0]
        read_b = b.query_one("SELECT n FROM counter WHERE id = 1")[0]
        a.execute("UPDATE counter SET n = ? WHERE id = 1", (read_a + 1,))
        b.execute("UPDATE counter SET n = ? WHERE id = 1", (read_b + 1,))
        assert a.query_one("SELECT n FROM counter WHERE id = 1") == (1,)  # two increments, one survives


def test_sqlite_begin_immediate_makes_the_second_writer_wait(tmp_path):
    url = f"sqlite:///{tmp_path / 'wait.db'}"
    with sql.connect(url) as a, sql.connect(url, timeout=10) as b:
        a.script("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        a.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
        a_has_read, seen_by_b = threading.Event(), []

        def second_writer():
            a_has_read.wait(10)
            with b.transaction():  # blocks on BEGIN IMMEDIATE until a commits
                seen_by_b.append(b.query_one("SELECT n FROM counter WHERE id = 1")[0])
                b.execute("UPDATE counter SET n = ? WHERE id = 1", (seen_by_b[0] + 1,))

        thread = threading.Thread(target=second_writer)
        thread.start()
        with a.transaction():
            n = a.query_one("SELECT n FROM counter WHERE id = 1")[0]
            a_has_read.set()
            thread.join(timeout=0.3)
            assert thread.is_alive()  # b is still waiting for the lock
            a.execute("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))
        thread.join(timeout=10)
        assert seen_by_b == [1]
        assert a.query_one("SELECT n FROM counter WHERE id = 1") == (2,)


# ---------------------------------------------------------------- PostgreSQL only
def _read_modify(backend, delta):
    (n,) = backend.query_one("SELECT balance FROM account WHERE id = 1")
    backend.execute("UPDATE account SET balance = ? WHERE id = 1", (n + delta,))


@pytest.mark.services
def test_postgres_concurrent_update_is_a_serialization_conflict(postgres_url):
    with sql.connect(postgres_url) as a, sql.connect(postgres_url) as b:
        _accounts(a, 100)
        assert a.dialect == "postgresql" and a.placeholder == "%s"
        a.begin()
        b.begin()
        assert balance(a, 1) == balance(b, 1) == 100
        a.execute("UPDATE account SET balance = 90 WHERE id = 1")
        a.commit()
        with pytest.raises(TransactionConflict) as info:
            b.execute("UPDATE account SET balance = 80 WHERE id = 1")
        assert info.value.code == "40001"
        b.rollback()
        assert balance(b, 1) == 90  # b's write never happened


@pytest.mark.services
def test_postgres_conflict_is_retried_and_applied_once(postgres_url):
    with sql.connect(postgres_url) as a, sql.connect(postgres_url) as intruder:
        _accounts(a, 100)
        tries = []

        def withdraw(backend):
            (n,) = backend.query_one("SELECT balance FROM account WHERE id = 1")
            tries.append(n)
            if len(tries) == 1:  # a concurrent transaction commits between our read and our write
                intruder.execute("UPDATE account SET balance = balance + 5 WHERE id = 1")
            backend.execute("UPDATE account SET balance = ? WHERE id = 1", (n - 10,))

        a.run_transaction(withdraw, max_attempts=3)
        assert tries == [100, 105]
        assert a.conflicts == 1
        assert balance(a, 1) == 95  # both the deposit and the withdrawal count


@pytest.mark.services
def test_postgres_retries_are_bounded(postgres_url):
    with sql.connect(postgres_url) as a, sql.connect(postgres_url) as intruder:
        _accounts(a, 100)

        def always_raced(backend):
            (n,) = backend.query_one("SELECT balance FROM account WHERE id = 1")
            intruder.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")
            backend.execute("UPDATE account SET balance = ? WHERE id = 1", (n - 10,))

        with pytest.raises(RetriesExhausted, match="gave up after 3 attempts") as info:
            a.run_transaction(always_raced, max_attempts=3)
        assert info.value.code == "40001"
        assert balance(a, 1) == 103  # only the intruder's commits landed


@pytest.mark.services
def test_postgres_describe_names_version_and_address(postgres_url):
    with sql.connect(postgres_url) as backend:
        assert backend.name.startswith("postgresql ")
        assert "127.0.0.1:" in backend.describe()


def test_env_var_selects_postgres(monkeypatch):
    monkeypatch.setenv(sql.ENV_VAR, f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")
    with pytest.raises(ServiceUnavailable, match="apt-get install postgresql"):
        sql.connect(timeout=1)


def test_default_is_sqlite_in_memory(monkeypatch):
    monkeypatch.delenv(sql.ENV_VAR, raising=False)
    with sql.connect() as backend:
        assert backend.dialect == "sqlite"
        assert backend.describe().endswith("in memory")
        assert backend.query_one("SELECT 1 + ?", (1,)) == (2,)


@pytest.mark.parametrize("url", ["mysql://127.0.0.1/db", "redis://127.0.0.1:6379", "http://x"])
def test_bad_scheme_names_the_parameter(url):
    with pytest.raises(ValueError, match=r"^url: unsupported scheme"):
        sql.connect(url)


def test_bad_env_scheme_names_the_env_var(monkeypatch):
    monkeypatch.setenv(sql.ENV_VAR, "oracle://127.0.0.1/db")
    with pytest.raises(ValueError, match=f"^{sql.ENV_VAR}: unsupported scheme"):
        sql.connect()


def test_non_loopback_postgres_is_refused_before_connecting():
    with pytest.raises(ValueError, match=r"url: host '192.168.1.20' is not a loopback"):
        sql.connect("postgresql://postgres@192.168.1.20:5432/postgres")


@pytest.mark.parametrize("attempts", [0, -2, 1.5])
def test_bad_attempt_count_names_the_parameter(attempts):
    with sql.connect(":memory:") as backend, pytest.raises(ValueError, match=r"^max_attempts: "):
        backend.run_transaction(lambda b: None, max_attempts=attempts)


@pytest.mark.services
def test_postgres_deadlock_is_a_conflict_too(postgres_url):
    with sql.connect(postgres_url) as a, sql.connect(postgres_url) as b:
        _accounts(a, 10, 20)
        for backend in (a, b):
            backend.execute("SET deadlock_timeout = '100ms'")
        a.begin()
        b.begin()
        a.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")
        b.execute("UPDATE account SET balance = balance + 1 WHERE id = 2")
        outcomes = {}

        def a_second_step():
            try:
                a.execute("UPDATE account SET balance = balance + 1 WHERE id = 2")  # waits for b
                outcomes["a"] = "ok"
            except TransactionConflict as exc:
                outcomes["a"] = exc.code

        thread = threading.Thread(target=a_second_step)
        thread.start()
        time.sleep(0.2)
        try:
            b.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")  # closes the cycle
            outcomes["b"] = "ok"
        except TransactionConflict as exc:
            outcomes["b"] = exc.code
        if outcomes.get("b") != "ok":
            b.rollback()
        thread.join(10)
        assert sorted(outcomes.values()) == ["40P01", "ok"]  # exactly one victim, named by SQLSTATE
        for backend, name in ((a, "a"), (b, "b")):
            backend.commit() if outcomes[name] == "ok" else backend.rollback()


def test_module_describe_defaults_to_sqlite_in_memory(monkeypatch):
    monkeypatch.delenv(sql.ENV_VAR, raising=False)
    assert sql.describe().startswith("SQL backend: sqlite ")


def test_module_describe_of_a_backend_is_its_own_line(sql_backend):
    assert sql.describe(sql_backend) == sql_backend.describe()


PARAM = "\x00"


def decode_psycopg(text):
    """Read *text* as psycopg does: ``%s`` is a parameter (shown as NUL), ``%%`` a literal ``%``."""
    out, i = [], 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in ("%s", "%%"):
            out.append(PARAM if pair == "%s" else "%")
            i += 2
        else:
            assert text[i] != "%", "a lone % would be read as a placeholder by psycopg"
            out.append(text[i])
            i += 1
    return "".join(out)


def mark_qmark_parameters(text):
    """Reference model: *text* with each ``?`` outside quotes shown as a parameter (NUL)."""
    out, quote = [], None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?":
            char = PARAM
        out.append(char)
    return "".join(out)


@settings(max_examples=400)
@given(st.text(alphabet="?%'\"s ab", max_size=30))
def test_placeholder_rewrite_means_the_same_to_psycopg(text):
    assert decode_psycopg(sql.qmark_to_format(text)) == mark_qmark_parameters(text)


def test_the_postgres_rewrite_is_computed_once_per_text():
    text = "SELECT '?', ? FROM t WHERE a LIKE '%x' AND b = ? -- h19"
    before = sql._native_text.cache_info()
    native = "SELECT '?', %s FROM t WHERE a LIKE '%%x' AND b = %s -- h19"
    assert sql._native_text(text) == sql.qmark_to_format(text) == native
    assert sql._native_text(text) == sql.qmark_to_format(text)
    after = sql._native_text.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)


@pytest.mark.services
def test_fixture_reset_survives_a_leaked_connection_holding_a_lock(postgres_url, _distlab_postgres_server):
    from distlab.services.pytest_plugin import _fresh_sql_url

    leaked = sql.connect(postgres_url)
    leaked.script(SCHEMA)
    leaked.begin()
    leaked.execute("LOCK TABLE account IN ACCESS EXCLUSIVE MODE")  # never committed, never closed
    assert _fresh_sql_url("postgresql", None, _distlab_postgres_server) == postgres_url
    with sql.connect(postgres_url) as check:
        assert check.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'") == []
