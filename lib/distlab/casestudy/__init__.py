"""distlab.casestudy: chapter 6, a global money-transfer service built from chapters 1-5.

* `ledger` -- double-entry accounts and transfers in one SQL transaction each (SQLite, PostgreSQL);
* `isolation` -- two transfers interleaved on a real PostgreSQL at each isolation level.
"""
