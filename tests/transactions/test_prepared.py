"""Two-phase commit on real PostgreSQL servers: PREPARE TRANSACTION, in-doubt locks, recovery."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from distlab.services import postgres, sql
from distlab.services.errors import ServiceUnavailable
from distlab.transactions import prepared
from distlab.transactions.prepared import CRASH_POINTS, Coordinator, CoordinatorCrashed, Write


def transfer(amount: int) -> list[Write]:
    return [Write("a", "UPDATE account SET balance = balance - ? WHERE id = 1", (amount,)),
            Write("b", "UPDATE account SET balance = balance + ? WHERE id = 1", (amount,))]


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.services)])
def urls(request):
    """Two participants: two embedded servers, or two databases of Debian's PostgreSQL."""
    if request.param == "embedded":
        return prepared.participants(("a", "b"), url=None) if postgres.configured_url() is None else \
            pytest.skip("DISTLAB_DATABASE_URL is set: the embedded servers are not used")
    return prepared.participants(("a", "b"), url=request.getfixturevalue("postgres_url"))


def balances(dbs) -> dict:
    return {n: db.query_one("SELECT balance FROM account WHERE id = 1")[0] for n, db in dbs.items()}


def test_both_commit_and_nothing_stays_prepared(urls, tmp_path):
    with prepared.accounts(urls) as dbs:
        coordinator = Coordinator(urls, str(tmp_path / "log.db"))
        outcome = coordinator.run("t1", transfer(30))
        assert (outcome.decision, outcome.votes) == ("commit", {"a": "yes", "b": "yes"})
        assert balances(dbs) == {"a": 70, "b": 130}
        assert prepared.in_doubt(urls["a"]) == [] and prepared.in_doubt(urls["b"]) == []


def test_a_no_vote_aborts_everywhere(urls, tmp_path):
    with prepared.accounts(urls) as dbs:
        outcome = Coordinator(urls, str(tmp_path / "log.db")).run("t2", transfer(500))  # a would go negative
        assert outcome.decision == "abort" and outcome.votes["a"].startswith("no:")
        assert balances(dbs) == {"a": 100, "b": 100}
        assert prepared.in_doubt(urls["a"]) == [] and prepared.in_doubt(urls["b"]) == []


EXPECTED = {  # crash point -> (in doubt on a, in doubt on b, outcome after recovery)
    "after-first-prepare": (True, False, "abort"),
    "after-all-prepared": (True, True, "abort"),
    "after-decision-logged": (True, True, "commit"),
    "after-first-commit": (False, True, "commit"),
}


def gids(url: str) -> list:
    return [gid for gid, _ in prepared.in_doubt(url)]


@pytest.mark.parametrize("crash_at", CRASH_POINTS)
def test_a_crashed_coordinator_leaves_locked_rows_in_doubt_until_recovery(urls, tmp_path, crash_at):
    log = str(tmp_path / "log.db")
    doubt_a, doubt_b, final = EXPECTED[crash_at]
    with prepared.accounts(urls) as dbs:
        with pytest.raises(CoordinatorCrashed):
            Coordinator(urls, log).run("t3", transfer(30), crash_at=crash_at)
        assert gids(urls["a"]) == (["distlab:t3:a"] if doubt_a else [])
        assert gids(urls["b"]) == (["distlab:t3:b"] if doubt_b else [])
        for name, held in (("a", doubt_a), ("b", doubt_b)):  # another session wants the same row
            verdict = prepared.try_write(urls[name], "UPDATE account SET balance = balance WHERE id = 1")
            assert verdict == ("refused: canceling statement due to lock timeout" if held else "done")
        assert Coordinator(urls, log).recover() == {"t3": final}
        assert balances(dbs) == ({"a": 70, "b": 130} if final == "commit" else {"a": 100, "b": 100})
        assert gids(urls["a"]) == [] and gids(urls["b"]) == []


def test_a_prepared_transaction_survives_a_crash_of_its_server_and_keeps_its_lock(tmp_path):
    if postgres.configured_url() is not None:
        pytest.skip("restarts an embedded server")
    urls = prepared.participants(("a", "b"))
    log = str(tmp_path / "log.db")
    with prepared.accounts(urls) as dbs:
        with pytest.raises(CoordinatorCrashed):
            Coordinator(urls, log).run("t4", transfer(30), crash_at="after-decision-logged")
        for db in dbs.values():
            db.close()
        postgres.embedded("participant-a").crash()  # SIGKILL: every backend gone at once
        postgres.embedded("participant-a").start()  # crash recovery replays the prepared state
        assert gids(urls["a"]) == ["distlab:t4:a"]
        assert prepared.try_write(urls["a"], "UPDATE account SET balance = 0 WHERE id = 1").startswith(
            "refused: canceling statement due to lock timeout")
        assert Coordinator(urls, log).recover() == {"t4": "commit"}
        with sql.connect(urls["a"]) as a, sql.connect(urls["b"]) as b:
            assert balances({"a": a, "b": b}) == {"a": 70, "b": 130}


KILLED_COORDINATOR = textwrap.dedent("""
    import sys, time
    from distlab.transactions import prepared
    urls = dict(arg.split("=", 1) for arg in sys.argv[2:])
    def hang(*args):            # every participant voted yes; die before the decision is logged
        print("prepared", flush=True)
        time.sleep(600)
    coordinator = prepared.Coordinator(urls, sys.argv[1])
    coordinator._log_decision = hang
    coordinator.run("t5", [prepared.Write("a", "UPDATE account SET balance = balance - 30 WHERE id = 1"),
                           prepared.Write("b", "UPDATE account SET balance = balance + 30 WHERE id = 1")])
""")


def test_a_coordinator_killed_with_sigkill_is_recovered_by_presumed_abort(urls, tmp_path):
    log = str(tmp_path / "log.db")
    with prepared.accounts(urls) as dbs:
        proc = subprocess.Popen([sys.executable, "-c", KILLED_COORDINATOR, log, *(f"{n}={u}" for n, u in urls.items())],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "prepared"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        assert gids(urls["a"]) == ["distlab:t5:a"] and gids(urls["b"]) == ["distlab:t5:b"]
        assert Coordinator(urls, log).recover() == {"t5": "abort"}
        assert balances(dbs) == {"a": 100, "b": 100}


def test_a_server_without_prepared_transactions_gets_a_message_naming_the_setting(tmp_path):
    if postgres.configured_url() is not None:
        pytest.skip("starts an embedded server")
    url = postgres.url("no-2pc", settings={"max_prepared_transactions": 0})
    with pytest.raises(ServiceUnavailable, match="max_prepared_transactions is 0"):
        Coordinator({"a": url}, str(tmp_path / "log.db")).run("t6", [Write("a", "SELECT 1")])
    postgres.shutdown_embedded()  # the others restart lazily when next asked for


@pytest.mark.parametrize("txid", ["it's", "", "x" * 300, "a b", "naïve"])
def test_a_bad_txid_is_refused_before_anything_runs(txid, tmp_path):
    with pytest.raises(ValueError, match=r"^txid: "):
        Coordinator({"a": "postgresql://postgres@127.0.0.1:1/x"}, str(tmp_path / "log.db")).run(
            txid, [Write("a", "SELECT 1")])


def test_bad_arguments_name_the_parameter(tmp_path):
    coordinator = Coordinator({"a": "postgresql://postgres@127.0.0.1:1/x"}, str(tmp_path / "log.db"))
    with pytest.raises(ValueError, match=r"^crash_at: "):
        coordinator.run("t", [], crash_at="later")
    with pytest.raises(ValueError, match=r"^writes: unknown participant"):
        coordinator.run("t", [Write("z", "SELECT 1")])
    with pytest.raises(ValueError, match=r"^names: "):
        prepared.participants(("a", "a"))
    with pytest.raises(ValueError, match=r"^names: "):
        prepared.participants(("A; DROP", "b"))
