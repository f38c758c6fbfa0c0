"""Budgets hold inside the linearizability search: big generated histories stop within 10 % + 0.5 s
of the timeout, ``unknown`` says how far the search got, and a proven violation stays ``violated``
when the budget runs out while it is explained. (Timings belong in ``make bench``; these use small
timeouts.)"""
import time

import pytest

import distlab.consistency.explain as explain
from distlab.consistency import Budget, check_linearizable
from distlab.consistency.verdict import LOOK_EVERY, BudgetExceeded, Progress, StepLimit
from distlab.consistency.workloads import crowd_history, kv_clients_history
from distlab.sim.history import History, Op

TIMEOUT = 0.5


def _held(history: History, model: str) -> str:
    start = time.monotonic()
    v = check_linearizable(history, model, Budget(TIMEOUT))
    assert time.monotonic() - start <= TIMEOUT * 1.1 + 0.5, v.explanation
    return v.status


@pytest.mark.parametrize("history, model", [
    (crowd_history(0, 5000), "register"),                    # every operation overlaps every other
    (crowd_history(1, 5000, p_info=0.9), "register"),        # mostly indeterminate
    (kv_clients_history(2, ops_per_client=300, p_info=0.3), "kv"),
], ids=["5000-concurrent", "5000-mostly-info", "15000-kv-info"])
def test_the_budget_holds_on_big_histories(history, model):
    assert _held(history, model) in ("holds", "violated", "unknown")


def test_unknown_says_how_far_the_search_got():
    h = kv_clients_history(0, clients=20, keys=5, ops_per_client=30)
    v = check_linearizable(h, "kv", Budget(None, max_steps=60))
    assert v.status == "unknown"
    assert "decided" in v.explanation and "of 5 keys" in v.explanation
    assert "operations linearized" in v.explanation
    progress = v.details["progress"]
    assert progress.keys_total == 5 and 0 <= progress.linearized <= progress.operations


def test_unknown_before_the_search_began():
    assert "had not begun" in Progress().describe()


def _stale() -> History:
    """A stale read only a search finds (the values repeat, so the violation-first pass cannot)."""
    filler = [Op(0, "write", v % 2, None, 10 * v, 10 * v + 1, "ok") for v in range(1, 200)]
    return History.of([*filler, Op(1, "write", 999, None, 3000, 3001, "ok"),
                       Op(2, "read", None, None, 3002, 3003, "ok", result=1)])


def test_violated_survives_a_step_budget_running_out_while_it_is_explained():
    h = _stale()
    verdict_only = Budget(None)
    assert check_linearizable(h, "register", verdict_only, explain=False).status == "violated"
    v = check_linearizable(h, "register", Budget(None, max_steps=verdict_only.steps + 1))
    assert v.status == "violated" and v.window is None and "no window is shown" in v.explanation


def test_violated_survives_the_time_running_out_while_it_is_explained(monkeypatch):
    now = [0.0]
    search = explain.linearize_ops

    def late(*args, **kwargs):                  # the clock jumps past the deadline as explaining starts
        now[0] = 100.0
        return search(*args, **kwargs)

    monkeypatch.setattr(explain, "linearize_ops", late)
    v = check_linearizable(_stale(), "register", Budget(10.0, clock=lambda: now[0]))
    assert v.status == "violated" and v.window is None and "time budget" in v.explanation


def test_a_window_hunt_cut_short_still_reports_the_violation(monkeypatch):
    now = [0.0]
    hunt = explain.window_fails

    def late(*args, **kwargs):
        now[0] = 100.0
        return hunt(*args, **kwargs)

    monkeypatch.setattr(explain, "window_fails", late)
    v = check_linearizable(_stale(), "register", Budget(10.0, clock=lambda: now[0]))
    assert v.status == "violated" and v.window and v.window[-1].result == 1


def test_budget_api_is_backwards_compatible():
    readings = iter(range(10**6))
    b = Budget(2.0, clock=lambda: next(readings) / 1000)     # 1 ms per look at the clock
    assert b.timeout == 2.0 and b.max_steps is None and b.steps == 0 and b.deadline is not None
    b.tick()
    b.tick(3)
    assert b.steps == 4
    child = b.child(10)
    with pytest.raises(StepLimit):
        for _ in range(11):
            child.tick()
    assert b.steps == 15 and isinstance(StepLimit("x"), BudgetExceeded)
    with pytest.raises(BudgetExceeded, match="step budget"):
        Budget(None, max_steps=2).tick(3)
    left = b.remaining()
    assert left is not None and 0 < left <= 2.0
    looks = []
    watched = Budget(1.0, clock=lambda: looks.append(1) or 0.0)
    watched.charge(LOOK_EVERY * 10)                          # work that is not a step still looks
    assert len(looks) >= 2
    with pytest.raises(ValueError, match="timeout"):
        Budget(float("nan"))
