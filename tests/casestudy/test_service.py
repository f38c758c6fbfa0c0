"""The transfer service on the kernel: bad input moves no money, keys are honoured, crashes heal."""
import math
from collections.abc import Hashable
from typing import Any

import pytest

from distlab.casestudy.chaos import SAGA_POINTS, ChaosFault
from distlab.casestudy.config import BankConfig, Safeguards
from distlab.casestudy.engines import Engines
from distlab.casestudy.messages import BUSY, FAIL, OK, Reply, TransferRequest
from distlab.casestudy.run import Parts, run_bank
from distlab.sim import Process


@pytest.fixture(scope="module")
def engines():
    with_engines = Engines()
    yield with_engines
    with_engines.close()


class Probe(Process):
    """Sends scripted requests to the gateway (one every 10 ms, or at the given times) and keeps the replies."""

    def __init__(self, requests: list[TransferRequest], times: list[float] | None = None) -> None:
        super().__init__("probe")
        self.requests, self.replies = requests, {}
        self.times = times or [0.01 * i for i in range(len(requests))]

    def on_start(self) -> None:
        for i, (time, request) in enumerate(zip(self.times, self.requests, strict=True)):
            self.set_timer(f"send:{i}", time, request)

    def on_timer(self, name: str, data: Any) -> None:
        self.send("gateway", data)

    def on_message(self, src: Hashable, msg: Any) -> None:
        if isinstance(msg, Reply):
            self.replies.setdefault(msg.request, []).append(msg)


def _probe(engines, requests, times=None, **config):
    stores = engines.stores()
    try:
        parts = Parts(BankConfig(clients=0, **config), stores)
        probe = parts.sim.add(Probe(requests, times))
        parts.sim.run(5.0)
        return probe.replies, parts.ledger.balances(), parts.ledger.audit()
    finally:
        stores.close()


BAD = [-1, 0, 1.5, math.nan, True, "100", 10**12 + 1]


def test_bad_amounts_accounts_and_reused_keys_move_no_money(engines):
    requests = [TransferRequest(i, f"bad{i}", "a2", "a3", cents, "probe") for i, cents in enumerate(BAD)]
    requests += [TransferRequest(20, "k-unknown", "a2", "nobody", 100, "probe"),
                 TransferRequest(21, "k-same", "a2", "a2", 100, "probe"),
                 TransferRequest(22, "k1", "a2", "a3", 100, "probe"),
                 TransferRequest(23, "k1", "a2", "a3", 999, "probe"),  # the key reused with other parameters
                 TransferRequest(24, "k-big", "a4", "a5", 100_001, "probe")]  # beyond the balance
    replies, balances, audit = _probe(engines, requests, fraud_limit_cents=10**9)  # the fraud check clears all
    for request in [*range(len(BAD)), 20, 21, 23]:
        (reply,) = replies[request]
        assert (reply.status, reply.result) == (FAIL, "invalid"), (request, reply)
    assert "amount_cents must be whole cents" in replies[0][0].reason
    assert "unknown account 'nobody'" in replies[20][0].reason and "same account" in replies[21][0].reason
    assert "already used with different parameters" in replies[23][0].reason
    assert [(r.status, r.result) for r in replies[22]] == [(OK, "applied")]
    assert [(r.status, r.result) for r in replies[24]] == [(OK, "refused")]
    assert "available" in replies[24][0].reason
    moved = {"a2": 100_000 - 100, "a3": 100_000 + 100}
    assert balances == {a: moved.get(a, 100_000) for a in balances} and audit == []


def test_a_key_in_flight_answers_busy_and_a_finished_key_replays_its_result(engines):
    requests = [TransferRequest(1, "k", "a2", "a3", 500, "probe"), TransferRequest(2, "k", "a2", "a3", 500, "probe")]
    replies, balances, _ = _probe(engines, requests + [TransferRequest(3, "k", "a2", "a3", 500, "probe")],
                                  [0.0, 0.01, 0.5], fraud_latency_s=0.05, fraud_limit_cents=10**9)
    assert [r.status for r in replies[2]] == [BUSY]  # sent 10 ms later, while the saga waits for fraud
    assert [(r.status, r.result) for r in replies[1]] == [(OK, "applied")]
    assert [(r.status, r.result) for r in replies[3]] == [(OK, "applied")]  # replayed, not applied again
    assert balances["a2"] == 100_000 - 500


@pytest.mark.parametrize("point", SAGA_POINTS)
def test_a_crash_at_every_saga_point_heals_with_every_safeguard_on(engines, point):
    faults = [ChaosFault(1.0, "saga crash", point), ChaosFault(2.0, "saga crash", point),
              ChaosFault(3.0, "relay crash", "relay/after_publish")]
    run = run_bank(BankConfig(seed=5, transfers_per_client=8), faults, engines)
    assert any(n.kind == "crash" for n in run.metrics.notes) or "compensation" in point, point
    assert run.verdict.ok, run.verdict.violations[:3]
    assert run.settled and set(run.record.sagas.values()) <= {"completed", "compensated"}


def test_without_idempotency_a_retry_after_a_crash_moves_the_money_twice(engines):
    config = BankConfig(seed=2, transfers_per_client=8, safeguards=Safeguards(idempotency=False))
    run = run_bank(config, [ChaosFault(1.0, "saga crash", "after_action:ledger")], engines)
    twice = [v for v in run.verdict.violations if v.kind == "applied twice"]
    assert twice, run.verdict.violations
    key = twice[0].message.split()[1]
    assert sum(a.key == key for a in run.record.applied) == 2


def test_without_the_outbox_a_crash_after_the_commit_loses_the_notification(engines):
    config = BankConfig(seed=2, transfers_per_client=8, safeguards=Safeguards(outbox=False))
    run = run_bank(config, [ChaosFault(1.0, "saga crash", "after_action:notify")], engines)
    kinds = [v.kind for v in run.verdict.violations]
    assert kinds and set(kinds) == {"notification"}  # every publish in flight when it died is lost
    assert all("notified 0 times" in v.message for v in run.verdict.violations)


def test_the_same_seed_gives_the_same_run(engines):
    faults = [ChaosFault(1.0, "fraud slowdown", duration=1.0, amount=1.2), ChaosFault(2.0, "partition", "tokyo", 1.0),
              ChaosFault(2.5, "duplicates", duration=1.0, amount=0.5)]
    first, second = (run_bank(BankConfig(seed=11, transfers_per_client=6), faults, engines) for _ in range(2))
    assert first.history == second.history and first.record.applied == second.record.applied
    assert first.metrics.notes == second.metrics.notes


def test_the_engines_follow_the_course_settings(monkeypatch):
    from distlab.casestudy.engines import check_postgres_url

    monkeypatch.setenv("DISTLAB_DATABASE_URL", "postgresql://u@127.0.0.1:1/x")
    assert Engines().url == "postgresql://u@127.0.0.1:1/x"
    monkeypatch.setenv("DISTLAB_DATABASE_URL", "sqlite:///somewhere.db")  # not a PostgreSQL: SQLite in memory
    assert Engines().url is None
    with pytest.raises(ValueError, match=r"database_url: host '10\.0\.0\.1' is not a loopback"):
        check_postgres_url("postgresql://u@10.0.0.1/x", "database_url")
    with pytest.raises(ValueError, match="schema_prefix must be an identifier"):
        Engines(schema_prefix="no; drop")
