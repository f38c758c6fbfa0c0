"""Sagas: definitions refused with reasons, the orchestrator's outcomes, timelines, the isolation anomaly."""
from __future__ import annotations

import doctest
import re

import pytest

from distlab.reliability.retry import RetryRefused
from distlab.services import sql
from distlab.transactions.saga import enumeration, scenario
from distlab.transactions.saga.crash_points import CrashPoint, crash_points
from distlab.transactions.saga.definition import COMPENSATABLE, PIVOT, RETRIABLE, SagaDefinition, SagaStep
from distlab.transactions.saga.log import SagaLog
from distlab.transactions.saga.orchestrator import Orchestrator
from distlab.transactions.saga.scenario import SagaConfig, run_saga
from distlab.transactions.saga.travel import STEP_NAMES, install, travel_saga, trip_params


def noop(tx: object, ctx: object) -> None:
    """An action that does nothing."""


def test_docstring_examples() -> None:
    for module in (scenario, enumeration):
        assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(("steps", "message"), [
    ((SagaStep("a", noop, None, COMPENSATABLE),), "step 'a': a compensatable step needs a compensation"),
    ((SagaStep("a", noop, None, PIVOT), SagaStep("b", noop, noop, COMPENSATABLE)),
     "step 'b': comes after the pivot 'a', so it must be retriable"),
    ((SagaStep("a", noop, None, PIVOT), SagaStep("b", noop, None, PIVOT)), "step 'b': a second pivot"),
    ((SagaStep("a", noop, None, RETRIABLE),), "step 'a': a retriable step must come after the pivot"),
    ((SagaStep("a", noop, noop, PIVOT),), "step 'a': a pivot step is never compensated"),
    ((SagaStep("a", noop, noop), SagaStep("a", noop, noop)), "step 'a': the name is used twice"),
    ((SagaStep("a", noop, noop, "maybe"),), "step 'a': kind must be one of"),
    ((SagaStep("a b", noop, noop),), "steps[0]: name must be"),
    ((), "steps: a saga needs a non-empty tuple"),
    (("not a step",), "steps[0]: expected a SagaStep"),
])
def test_bad_definitions_are_refused_naming_the_step(steps: tuple[SagaStep, ...], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SagaDefinition("s", steps)


def test_good_shapes_are_accepted() -> None:
    assert travel_saga().pivot == "charge_card"
    assert SagaDefinition("all_undoable", (SagaStep("a", noop, noop), SagaStep("b", noop, noop))).pivot is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"fail_step": "fly"}, "fail_step"), ({"crash_point": "sometime"}, "crash_point"),
    ({"crash_point": "before_compensation:charge_card"}, "crash_point"), ({"seed": -1}, "seed"),
    ({"sagas": 0}, "sagas"), ({"transient_failures": 8}, "transient_failures"), ({"step_time": -1}, "step_time"),
    ({"semantic_lock": "yes"}, "semantic_lock"), ({"crash_point": "after_action:nope"}, "step"),
])
def test_bad_config_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SagaConfig(**kwargs)  # type: ignore[arg-type]


def test_crash_points_are_data() -> None:
    points = crash_points(travel_saga())
    assert len(points) == 5 * 3 + 2 * 3
    assert CrashPoint.parse("during_compensation:reserve_seat") in points
    assert all(CrashPoint.parse(p.name) == p for p in points)


@pytest.mark.parametrize("fail_step", [None, *STEP_NAMES])
def test_outcome_by_failing_step(fail_step: str | None) -> None:
    result = run_saga(SagaConfig(fail_step=fail_step))
    expected = "completed" if fail_step in (None, "issue_ticket", "confirm_booking") else "compensated"
    assert result.outcome == expected and result.violations == ()
    compensations = [e.step for e in result.timeline if e.event == "compensation_done"]
    done = [e.step for e in result.timeline if e.event == "action_done" and e.step in ("create_booking",
                                                                                       "reserve_seat")]
    assert compensations == (list(reversed(done)) if expected == "compensated" else [])


def test_retriable_step_is_retried_with_backoff_in_simulated_time() -> None:
    result = run_saga(SagaConfig(fail_step="issue_ticket", transient_failures=3, seed=7))
    retries = [e for e in result.timeline if e.event == "retry"]
    assert len(retries) == 3 and all("backoff" in e.detail for e in retries)
    assert result.outcome == "completed"
    again = run_saga(SagaConfig(fail_step="issue_ticket", transient_failures=3, seed=7))
    assert again.timeline == result.timeline  # deterministic for a seed
    other = run_saga(SagaConfig(fail_step="issue_ticket", transient_failures=3, seed=8))
    assert other.timeline != result.timeline  # the jitter comes from the seed


def test_retry_policy_giving_up_leaves_the_saga_resumable() -> None:
    from distlab.reliability.retry import Backoff, RetryPolicy

    with sql.connect() as db:
        install(db)
        orch = Orchestrator(db, travel_saga(), retry=RetryPolicy(max_attempts=2, backoff=Backoff()))
        with pytest.raises(RetryRefused):
            orch.run("t", trip_params(fail_step="issue_ticket", transient_failures=3))
        assert SagaLog(db).instance("t").state == "running"  # type: ignore[union-attr]
        # a fresh orchestrator: attempts counted from 1 again, so the 3 transient failures recur, and pass
        assert Orchestrator(db, travel_saga()).resume() == {"t": "completed"}


def test_a_retry_budget_is_spent_and_stops_retrying() -> None:
    from distlab.reliability.retry import BUDGET_SPENT, Backoff, RetryBudget, RetryPolicy

    budget = RetryBudget(max_tokens=4, token_ratio=0.5)  # retries only while more than 2 tokens are left
    with sql.connect() as db:
        install(db)
        orch = Orchestrator(db, travel_saga(), retry=RetryPolicy(max_attempts=8, backoff=Backoff(), budget=budget))
        assert orch.run("ok", trip_params()) == "completed" and budget.tokens == 4  # successes refund (capped)
        with pytest.raises(RetryRefused) as refused:
            orch.run("t", trip_params(fail_step="issue_ticket", transient_failures=3))
        assert refused.value.reason == BUDGET_SPENT and refused.value.attempts == 2  # 4 -> 3 (retry) -> 2 (no)
        assert budget.tokens == 2
        assert [e.event for e in orch.timeline.events if e.saga_id == "t"].count("retry") == 1
        assert SagaLog(db).instance("t").state == "running"  # type: ignore[union-attr]


def test_a_policy_retrying_every_exception_does_not_retry_a_crash() -> None:
    from distlab.reliability.retry import RetryPolicy
    from distlab.transactions.saga.crash_points import OrchestratorCrash
    from distlab.transactions.saga.orchestrator import CrashPlan

    with sql.connect() as db:
        install(db)
        plan = CrashPlan([(CrashPoint.parse("before_action:issue_ticket"), None)])
        orch = Orchestrator(db, travel_saga(), retry=RetryPolicy(max_attempts=8, retry_on=(Exception,)), crashes=plan)
        with pytest.raises(OrchestratorCrash):
            orch.run("t", trip_params())
        assert plan.fired and SagaLog(db).instance("t").state == "running"  # type: ignore[union-attr]


def test_a_stuck_saga_is_reported_once_and_only_by_its_own_run() -> None:
    from distlab.reliability.retry import Backoff, RetryPolicy
    from distlab.transactions.saga.invariants import check_saga

    with sql.connect() as db:
        install(db)
        with pytest.raises(RetryRefused):
            Orchestrator(db, travel_saga(), retry=RetryPolicy(max_attempts=2, backoff=Backoff())).run(
                "stuck", trip_params(fail_step="issue_ticket", transient_failures=3))
        found = check_saga(db, SagaLog(db), travel_saga(), "stuck")
        assert [v for v in found if "terminal" in v] == ["saga stuck: not terminal"]
        assert run_saga(SagaConfig(), db, prefix="later").violations == ()  # another run's saga is not its own


def test_start_is_idempotent_and_unknown_ids_refused() -> None:
    with sql.connect() as db:
        install(db)
        orch = Orchestrator(db, travel_saga())
        assert orch.run("t", trip_params()) == "completed"
        assert orch.run("t", trip_params()) == "completed"  # a client's retry starts nothing new
        assert SagaLog(db).history("t").count(("", "completed")) == 1
        with pytest.raises(ValueError, match="saga_id"):
            orch.step("nobody")
        with pytest.raises(ValueError, match="saga_id"):
            orch.start("")


@pytest.mark.parametrize("fail_step", [None, "charge_card"])
def test_a_snapshot_is_the_row_and_the_history_in_one_read(fail_step: str | None) -> None:
    with sql.connect() as db:
        install(db)
        log = SagaLog(db)
        assert log.snapshot("nobody") is None
        Orchestrator(db, travel_saga()).run("t", trip_params(fail_step=fail_step))
        snap = log.snapshot("t")
        assert snap is not None
        assert snap.instance == log.instance("t")
        assert snap.instance.state == ("completed" if fail_step is None else "compensated")
        assert snap.history == log.history("t") and snap.history[0] == ("", "started")
        assert snap.progress() == log.progress("t")
        params = snap.instance.params
        assert isinstance(params, dict)
        params["amount"] = -1  # a caller's change to its copy never reaches the next read
        assert log.snapshot("t").instance.params == trip_params(fail_step=fail_step)  # type: ignore[union-attr]


def test_one_step_reads_the_log_once() -> None:
    with sql.connect() as db:
        install(db)
        orch = Orchestrator(db, travel_saga())
        orch.start("t", trip_params())
        seen: list[str] = []
        db.connection.set_trace_callback(seen.append)
        assert orch.step("t")
        reads = [s for s in seen if s.lstrip().upper().startswith("SELECT") and "saga_" in s]
        assert len(reads) == 1 and "saga_log" in reads[0] and "saga_instance" in reads[0]  # row and history at once


@pytest.mark.parametrize("fail_step", [None, "charge_card", "issue_ticket"])
def test_isolation_anomaly_and_semantic_lock(fail_step: str | None) -> None:
    without = run_saga(SagaConfig(fail_step=fail_step, sagas=3, seed=1))
    with_lock = run_saga(SagaConfig(fail_step=fail_step, sagas=3, seed=1, semantic_lock=True))
    assert without.anomalies > 0 and with_lock.anomalies == 0
    seen = [o for o in without.observations if o.anomaly]
    assert all(o.seat == "RESERVED" and not o.charged for o in seen)
    assert with_lock.violations == without.violations == ()


def test_timeline_rows_are_plain_and_monotonic() -> None:
    result = run_saga(SagaConfig(fail_step="charge_card", crash_point="during_compensation:create_booking"))
    times = [e.time for e in result.timeline]
    assert times == sorted(times)
    assert [e.event for e in result.timeline if e.event in ("crash", "resume")] == ["crash", "resume"]
