"""Every crash point x failing step, resumed from the SQL saga log, on SQLite and PostgreSQL; then
Hypothesis over random failing steps, several crash points and several concurrent sagas."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from distlab.reliability.retry import Backoff, RetryPolicy
from distlab.services.sql import SQLBackend
from distlab.transactions.saga.crash_points import crash_points
from distlab.transactions.saga.enumeration import crash_schedules, enumerate_crashes, judge
from distlab.transactions.saga.invariants import check_saga, terminal_only
from distlab.transactions.saga.log import SagaLog
from distlab.transactions.saga.orchestrator import CrashPlan, Orchestrator
from distlab.transactions.saga.scenario import SagaConfig, drive
from distlab.transactions.saga.timeline import Timeline
from distlab.transactions.saga.travel import STEP_NAMES, install, travel_saga, trip_effects, trip_params


def test_every_crash_point_and_failing_step_on_the_engine(sql_backend: SQLBackend) -> None:
    report = enumerate_crashes(db=sql_backend)
    assert report.violations == ()
    assert report.runs == 6 * 22
    # crashes that can fire: no failure 15 (every action point), create_booking fails 1 (before its
    # action), reserve_seat 3+1+3, charge_card 3+3+1+3+3, a retriable step fails 15 (it succeeds later)
    assert report.crashed == 15 + 1 + 7 + 13 + 15 + 15
    assert (report.completed, report.compensated) == (66, 66)


def test_a_crash_during_a_step_rolls_it_back_and_resume_redoes_it(sql_backend: SQLBackend) -> None:
    result, violations = judge(SagaConfig(crash_point="during_action:charge_card"), sql_backend)
    assert violations == [] and result.outcome == "completed"
    assert result.effects["trip-0"].applied["charge_card"] == 1
    events = [(e.step, e.event) for e in result.timeline if e.step == "charge_card"]
    assert events == [("charge_card", "crash"), ("charge_card", "action_done")]


def test_after_a_committed_step_resume_does_not_apply_it_twice(sql_backend: SQLBackend) -> None:
    for point in crash_points(travel_saga()):
        config = SagaConfig(fail_step="charge_card", crash_point=point)
        result, violations = judge(config, sql_backend, prefix=f"p-{point.name}")
        assert violations == [], point.name
        applied = result.effects[f"p-{point.name}-0"].applied
        assert all(n == 1 for n in applied.values()), (point.name, applied)


def test_semantic_lock_changes_no_outcome_under_crashes() -> None:
    report = enumerate_crashes(crash_schedules(semantic_lock=True, sagas=2))
    assert report.violations == () and report.runs == 132


@settings(max_examples=60)
@given(data=st.data())
def test_random_failures_crashes_and_concurrent_sagas(data: st.DataObject) -> None:
    from distlab.services import sql

    n = data.draw(st.integers(1, 4), label="sagas")
    fails = data.draw(st.lists(st.sampled_from([None, *STEP_NAMES]), min_size=n, max_size=n), label="fail")
    points = crash_points(travel_saga())
    armed = data.draw(st.lists(st.tuples(st.sampled_from(points), st.integers(0, n - 1)), max_size=4), label="crash")
    seed = data.draw(st.integers(0, 1000), label="seed")
    with sql.connect() as db:
        install(db)
        requests = [(f"t{i}", trip_params(fail_step=f, transient_failures=2)) for i, f in enumerate(fails)]
        plan = CrashPlan([(p, f"t{i}") for p, i in armed])
        drive(db, requests, timeline=Timeline(seed), crashes=plan, schedule_seed=seed,
              retry=RetryPolicy(max_attempts=8, backoff=Backoff(base=0.01, cap=0.1)))
        log = SagaLog(db)
        assert terminal_only(log) == []
        for i, fail in enumerate(fails):
            assert check_saga(db, log, travel_saga(), f"t{i}") == []
            fails_for_good = fail in ("create_booking", "reserve_seat", "charge_card")
            assert log.instance(f"t{i}").state == ("compensated" if fails_for_good else "completed")  # type: ignore[union-attr]
        seats = sum(trip_effects(db, f"t{i}").seat == "RESERVED" for i in range(n))
        tickets = sum(trip_effects(db, f"t{i}").ticket for i in range(n))
        assert seats == tickets == sum(f not in ("create_booking", "reserve_seat", "charge_card") for f in fails)


def test_a_second_orchestrator_resumes_what_the_first_left(sql_backend: SQLBackend) -> None:
    """Two orchestrator objects on two connections: the second sees only the log."""
    from distlab.services import sql

    install(sql_backend)
    first = Orchestrator(sql_backend, travel_saga(), crashes=CrashPlan([(points_named("after_action:reserve_seat"),
                                                                          None)]))
    first.start("t", trip_params(fail_step="charge_card"))
    try:
        while first.step("t"):
            pass
    except Exception as crash:
        assert type(crash).__name__ == "OrchestratorCrash"
    with sql.connect(sql_backend.url) as other:
        assert Orchestrator(other, travel_saga()).resume() == {"t": "compensated"}
        assert check_saga(other, SagaLog(other), travel_saga(), "t") == []


def points_named(name: str):  # type: ignore[no-untyped-def]
    """The crash point called ``name``."""
    return next(p for p in crash_points(travel_saga()) if p.name == name)


class ForwardOrderOrchestrator(Orchestrator):
    """A mutant: compensates in the order the steps ran, not in reverse."""

    def _backward(self, inst, definition, snap):  # type: ignore[no-untyped-def]
        from distlab.transactions.saga.log import ACTION_DONE, COMPENSATION_DONE

        done = snap.steps_with(ACTION_DONE)
        undone = snap.steps_with(COMPENSATION_DONE)
        todo = [definition.step(n) for n in done if n not in undone and definition.step(n).compensatable]
        if not todo:
            return super()._backward(inst, definition, snap)
        return self._local(inst, todo[0], "compensation", todo[0].compensation, COMPENSATION_DONE, retry=True)


def test_the_checkers_catch_mutants() -> None:
    from distlab.services import sql

    with sql.connect() as db:
        install(db)
        ForwardOrderOrchestrator(db, travel_saga()).run("t", trip_params(fail_step="charge_card"))
        assert any("expected ['reserve_seat', 'create_booking']" in v
                   for v in check_saga(db, SagaLog(db), travel_saga(), "t"))
        Orchestrator(db, travel_saga()).run("u", trip_params(fail_step="charge_card"))
        assert check_saga(db, SagaLog(db), travel_saga(), "u") == []
        db.execute("INSERT INTO trip_audit (saga_id, effect) VALUES ('u', 'release_seat')")  # a double undo
        assert any("release_seat applied 2 times" in v for v in check_saga(db, SagaLog(db), travel_saga(), "u"))
