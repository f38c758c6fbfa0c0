"""Shared test data for chapter 6: a run whose history is replaced by one that breaks a rule."""
from __future__ import annotations

import dataclasses

from distlab.casestudy.checker import Applied, BankRecord, check_bank
from distlab.casestudy.metrics import Metrics
from distlab.casestudy.run import BankRun
from distlab.sim.history import History, Op


def money_violation(run: BankRun) -> BankRun:
    """``run`` with a history whose second read sums to one cent more than the bank holds."""
    total = run.config.total_cents
    ops = [Op("auditor", "read", invoke=0.0, complete=0.1, status="ok", result={"a0": total}),
           Op("c0", "transfer", ("c0-0", "a0", "a1", 5), invoke=0.2, complete=0.3, status="ok", result="applied"),
           Op("auditor", "read", invoke=0.5, complete=0.6, status="ok", result={"a0": total - 5, "a1": 6})]
    record = BankRecord(History.of(ops), total, applied=(Applied("t0", "c0-0", "a0", "a1", 5),),
                        notifications=("t0",))
    return dataclasses.replace(run, record=record, verdict=check_bank(record), metrics=Metrics(), chaos=(), end=1.0)
