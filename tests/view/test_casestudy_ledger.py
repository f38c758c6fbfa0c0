"""Chapter 6's first sections as one-liners: the demo ledger, the isolation table, the contention table."""
import pytest

from distlab.view.casestudy_ledger import contention_table, demo_ledger, isolation_table, try_amounts


def test_the_demo_ledger_refuses_bad_amounts_by_name(capsys):
    ledger = demo_ledger()
    try_amounts(ledger, [2_500, 0, 1.5, "100", 10**9])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2500: TransferResult(id='try-0', status='applied'")
    assert all("refused -- amount_cents must be whole cents" in line for line in out[1:4])
    assert "status='refused'" in out[4] and "7500 cents available" in out[4]
    assert ledger.balances() == {"alice": 7_500, "bob": 2_500} and ledger.audit() == []


def test_the_isolation_table_is_hermitages_on_the_real_engine():
    rows = isolation_table().splitlines()
    assert len(rows) == 6
    assert "money created: 6000 cents" in rows[0] and rows[0].startswith("lost update  read committed")
    assert all("books balance" in row for row in (rows[1], rows[2], rows[5]))
    assert "overdrawn: couple" in rows[3] and "overdrawn: couple" in rows[4]


def test_the_contention_table_counts_what_the_checker_found_at_each_level():
    rows = contention_table(seeds=2).splitlines()
    assert [row.split()[0] for row in rows] == ["read", "repeatable", "serializable"]
    assert "overdraft in 0 of 2" in rows[2] and "money in 0 of 2" in rows[2]
    assert "money in 0 of 2" in rows[1]
    with pytest.raises(ValueError, match="seeds must be a whole number from 1 to 50"):
        contention_table(seeds=0)


def test_the_lessons_never_touch_the_learners_own_tables():
    from distlab.services import postgres, sql

    url = postgres.embedded("casestudy-learner").url
    with sql.connect(url) as db:
        db.script("CREATE TABLE IF NOT EXISTS public.mine (x INT); DELETE FROM public.mine; "
                  "INSERT INTO public.mine VALUES (42); CREATE TABLE IF NOT EXISTS public.account (id TEXT); "
                  "DELETE FROM public.account; INSERT INTO public.account VALUES ('kept')")
    assert len(isolation_table(url).splitlines()) == 6
    contention_table(url, seeds=1)
    with sql.connect(url) as db:
        assert db.query("SELECT x FROM public.mine") == [(42,)]
        assert db.query("SELECT id FROM public.account") == [("kept",)]
    with pytest.raises(ValueError, match="database_url"):
        isolation_table("mysql://127.0.0.1/x")
