"""The ledger on SQLite and PostgreSQL: double entry, no overdraft, bad input moves no money."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from distlab.casestudy.ledger import MAX_CENTS, Ledger, LedgerError
from distlab.services import sql


def _bank(db, **opening):
    ledger = Ledger(db)
    for name, cents in opening.items():
        ledger.open_account(name, cents)
    return ledger


def test_a_transfer_is_one_debit_and_one_credit(sql_backend):
    ledger = _bank(sql_backend, alice=10_000, bob=0)
    result = ledger.transfer("t1", "alice", "bob", 2_500)
    assert result.status == "applied"
    assert ledger.balances() == {"alice": 7_500, "bob": 2_500}
    entries = sql_backend.query("SELECT account, amount_cents FROM entry ORDER BY account")
    assert [(a, int(c)) for a, c in entries] == [("alice", -2_500), ("bob", 2_500)]
    assert ledger.audit() == []


def test_an_overdraft_is_refused_and_a_repeated_id_applied_once(sql_backend):
    ledger = _bank(sql_backend, alice=1_000, bob=0)
    assert ledger.transfer("big", "alice", "bob", 1_001).status == "refused"
    assert ledger.transfer("t1", "alice", "bob", 600).status == "applied"
    again = ledger.transfer("t1", "alice", "bob", 600)
    assert again.status == "duplicate" and ledger.balances() == {"alice": 400, "bob": 600}


def test_a_joint_group_may_go_below_zero_on_one_account_but_not_in_sum(sql_backend):
    ledger = Ledger(sql_backend)
    ledger.open_account("checking", 100, group="couple")
    ledger.open_account("savings", 100, group="couple")
    ledger.open_account("shop", 0)
    assert ledger.transfer("t1", "checking", "shop", 150).status == "applied"
    assert ledger.transfer("t2", "savings", "shop", 100).status == "refused"
    assert ledger.balances() == {"checking": -50, "savings": 100, "shop": 150}


@pytest.mark.parametrize(("args", "names"), [
    (("t", "alice", "bob", 0), "amount_cents"), (("t", "alice", "bob", -5), "amount_cents"),
    (("t", "alice", "bob", 1.5), "amount_cents"), (("t", "alice", "bob", True), "amount_cents"),
    (("t", "alice", "bob", "500"), "amount_cents"), (("t", "alice", "bob", math.nan), "amount_cents"),
    (("t", "alice", "bob", MAX_CENTS + 1), "amount_cents"), (("t", "alice", "zoe", 5), "target: unknown"),
    (("t", "mallory", "bob", 5), "source: unknown"), (("t", "alice", "alice", 5), "same account"),
    (("", "alice", "bob", 5), "transfer id"), (("t1", "alice", "bob", 7), "used for"),
])
def test_bad_input_is_refused_by_name_and_moves_no_money(sql_backend, args, names):
    ledger = _bank(sql_backend, alice=1_000, bob=0)
    ledger.transfer("t1", "alice", "bob", 5)
    before = ledger.balances()
    with pytest.raises(LedgerError, match=names):
        ledger.transfer(*args)
    assert ledger.balances() == before and ledger.audit() == []


def test_bad_accounts_and_settings_are_refused_by_name(sql_backend):
    ledger = _bank(sql_backend, alice=1)
    for bad, name in [(("", 5), "account"), (("x", -1), "opening_cents"), (("x", 2.0), "opening_cents"),
                      (("x", 5, ""), "group")]:
        with pytest.raises(LedgerError, match=name):
            ledger.open_account(*bad)
    with pytest.raises(LedgerError, match="max_attempts"):
        Ledger(sql_backend, max_attempts=0)


def test_sqlite_has_only_serializable(tmp_path):
    db = sql.connect(f"sqlite:///{tmp_path / 'l.db'}")
    with pytest.raises(ValueError, match=r"isolation must be one of serializable on sqlite, got 'read committed'"):
        Ledger(db, isolation="read committed")


def test_the_audit_catches_a_balance_that_drifted_from_its_entries(sql_backend):
    ledger = _bank(sql_backend, alice=1_000, bob=0)
    ledger.transfer("t1", "alice", "bob", 300)
    sql_backend.execute("UPDATE account SET balance_cents = 999 WHERE id = 'bob'")
    assert ledger.audit() == ["bob: balance 999 but opening + entries = 300"]


ACCOUNTS = ("a", "b", "c", "d")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 3_000),
                          st.integers(0, 30)), max_size=40))
def test_any_sequence_of_transfers_conserves_money_and_never_overdraws(transfers):
    with sql.connect(":memory:") as db:
        ledger = _bank(db, a=5_000, b=5_000, c=0, d=1)
        for source, target, cents, key in transfers:
            if source != target:
                ledger.transfer(f"t{key}-{source}-{target}-{cents}", source, target, cents)
        balances = ledger.balances()
        assert sum(balances.values()) == 10_001
        assert min(balances.values()) >= 0 and ledger.audit() == []
