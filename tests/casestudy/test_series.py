"""The money-transfer run as time series (`distlab.casestudy.series`): bins that add up, marks where
the notes put them, and a violation that shows."""
from __future__ import annotations

import dataclasses
import math

import pytest

from distlab.casestudy.chaos import ChaosFault
from distlab.casestudy.config import BankConfig, Safeguards
from distlab.casestudy.metrics import Metrics
from distlab.casestudy.run import BankRun, run_bank
from distlab.casestudy.series import BankSeries, bank_series
from tests.casestudy.bankruns import money_violation

CHAOS = (ChaosFault(1.0, "spike", duration=2.0, amount=120.0),
         ChaosFault(3.5, "fraud slowdown", duration=4.0, amount=5.0),
         ChaosFault(6.0, "partition", "tokyo", duration=2.0),
         ChaosFault(7.0, "saga crash", "after_action:ledger"))


@pytest.fixture(scope="module")
def run() -> BankRun:
    """Every fault kind that draws a mark; without the bulkhead the fraud slowdown opens the breaker."""
    return run_bank(BankConfig(seed=1, safeguards=Safeguards(bulkhead=False)), CHAOS)


@pytest.fixture(scope="module")
def series(run: BankRun) -> BankSeries:
    return bank_series(run)


def test_bins_cover_the_run(run: BankRun, series: BankSeries) -> None:
    assert series.bins == math.ceil(run.end / 0.25)
    assert series.starts[0] == 0.0 and series.starts[-1] < run.end <= series.starts[-1] + 0.25
    for name in ("completed", "ok", "success_rate", "applied", "p50_ms", "p99_ms", "retries",
                 "rate_limited", "shed", "expired", "breaker"):
        assert len(getattr(series, name)) == series.bins, name


def test_bins_add_up_to_the_history(run: BankRun, series: BankSeries) -> None:
    transfers = [op for op in run.history if op.f == "transfer"]
    assert sum(series.completed) == sum(op.complete is not None for op in transfers)
    assert sum(series.ok) == sum(op.status == "ok" for op in transfers)
    assert sum(series.applied) == sum(op.result == "applied" for op in transfers)
    assert sum(series.retries) == len(transfers) - len({op.value[0] for op in transfers}) > 0
    assert sum(series.rate_limited) == sum(op.result == "rate limited" for op in transfers) > 0
    assert sum(series.shed) == len(run.metrics.of("shed"))
    assert sum(series.expired) == len(run.metrics.of("expired"))
    reads = [op for op in run.history if op.f == "read" and op.status == "ok"]
    assert len(series.reads) == len(reads)
    assert series.conserved and all(r.total_cents == run.config.total_cents == series.total_cents
                                    for r in series.reads)


def test_rates_and_latencies_per_bin(run: BankRun, series: BankSeries) -> None:
    for ok, completed, rate in zip(series.ok, series.completed, series.success_rate, strict=True):
        assert math.isnan(rate) if completed == 0 else rate == ok / completed
    for ok, p50, p99 in zip(series.ok, series.p50_ms, series.p99_ms, strict=True):
        assert (math.isnan(p50) and math.isnan(p99)) if ok == 0 else 0 < p50 <= p99
    slowest = max((op.complete - op.invoke) * 1000 for op in run.history
                  if op.f == "transfer" and op.status == "ok" and op.complete is not None)
    assert max(p for p in series.p99_ms if not math.isnan(p)) == pytest.approx(slowest)
    # the fraud slowdown (3.5 s to 7.5 s) without a bulkhead: success falls below what it was before
    before = [r for s, r in zip(series.starts, series.success_rate, strict=True) if s < 1.0]
    during = [r for s, r in zip(series.starts, series.success_rate, strict=True)
              if 4.0 <= s < 7.5 and not math.isnan(r)]
    assert min(before) == 1.0 and min(during) < 0.5


def test_breaker_and_fault_marks_where_the_notes_say(run: BankRun, series: BankSeries) -> None:
    opened = run.metrics.of("breaker")
    assert [n.detail for n in opened][:1] == ["open"]
    first_open = series.breaker.index("open")
    assert series.starts[first_open] <= opened[0].time < series.starts[first_open] + 0.25
    assert set(series.breaker[:first_open]) == {"closed"}
    faults = [m for m in series.marks if m.kind == "fault"]
    assert [(m.time, m.label) for m in faults] == [(1.0, "spike +120/s"), (3.5, "fraud slow 5s"),
                                                   (6.0, "tokyo cut off"), (7.0, "service crash")]
    crashes = [m for m in series.marks if m.kind == "crash"]
    assert [(m.time, m.label) for m in crashes] == [(n.time, "service down") for n in run.metrics.of("crash")]
    assert [(w.start, w.end, w.kind) for w in series.windows] == [
        (1.0, 3.0, "spike"), (3.5, 7.5, "fraud slowdown"), (6.0, 8.0, "partition")]


def test_breaker_states_follow_synthetic_notes(run: BankRun) -> None:
    metrics = Metrics()
    for time, state in ((0.6, "open"), (1.1, "half-open"), (1.2, "closed"), (1.3, "open")):
        metrics.note(time, "breaker", state)
    metrics.note(0.1, "shed")
    metrics.note(0.2, "expired")
    metrics.note(0.3, "expired")
    series = bank_series(dataclasses.replace(run, metrics=metrics), bin_s=0.5)
    assert series.breaker[:4] == ("closed", "open", "open", "open")
    assert (series.shed[0], series.expired[0], sum(series.shed), sum(series.expired)) == (1, 2, 1, 2)
    assert series.marks == ()


def test_a_violation_shows(run: BankRun) -> None:
    """A read that sums to a cent more than the bank holds: the series and the checker both show it."""
    total = run.config.total_cents
    bad = money_violation(run)
    series = bank_series(bad)
    assert not series.conserved
    assert [r.total_cents - total for r in series.reads] == [0, 1]
    assert series.violations[0].kind == "money" and series.violations[0].time == 0.6


def test_a_clean_run_has_no_violations(series: BankSeries) -> None:
    assert series.violations == ()


@pytest.mark.parametrize("bad", [0, 0.001, 61, -1, float("nan"), float("inf")])
def test_bad_bin_width_is_refused(run: BankRun, bad: float) -> None:
    with pytest.raises(ValueError, match=r"bin_s must be a number of seconds from 0\.01 to 60"):
        bank_series(run, bin_s=bad)


@pytest.mark.parametrize("bad", [True, "0.25", None])
def test_a_bin_width_that_is_no_number_is_refused(run: BankRun, bad: object) -> None:
    with pytest.raises(TypeError, match="bin_s"):
        bank_series(run, bin_s=bad)  # type: ignore[arg-type]
