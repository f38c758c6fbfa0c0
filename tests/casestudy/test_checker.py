"""The bank checker: silent on every correct run, and naming the right violation when one rule breaks."""
import pytest
from hypothesis import given, settings, strategies as st

from distlab.casestudy.checker import Applied, BankRecord, check_bank
from distlab.sim.history import History, Op

OPENING = {"a": 500, "b": 500, "c": 0, "d": 0}


def correct_run(steps):
    """A correct service: transfers applied one at a time, a read of every balance after each."""
    balances, ops, applied, t = dict(OPENING), [], [], 0.0
    for n, (source, target, cents) in enumerate(steps):
        key = f"k{n}"
        if source == target:
            continue
        moved = balances[source] >= cents
        if moved:
            balances[source] -= cents
            balances[target] += cents
            applied.append(Applied(f"id-{key}", key, source, target, cents))
        ops.append(Op(f"client{n % 3}", "transfer", (key, source, target, cents), invoke=t, complete=t + 1,
                      status="ok", result="applied" if moved else "refused"))
        ops.append(Op("reader", "read", None, invoke=t + 1.5, complete=t + 2, status="ok", result=dict(balances)))
        t += 3
    history = History.of(ops)
    return BankRecord(history, sum(OPENING.values()), tuple(applied), {},
                      {a.key: "completed" for a in applied}, tuple(a.id for a in applied))


steps = st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd"), st.integers(1, 400)), min_size=1,
                 max_size=30)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_a_correct_run_has_no_violation(run):
    verdict = check_bank(correct_run(run))
    assert verdict.ok, verdict.violations


def _kinds(record):
    return {v.kind for v in check_bank(record).violations}


def _with_a_move(run):
    record = correct_run(run)
    if not record.applied:
        record = correct_run([("a", "b", 100), *run])
    return record


@settings(max_examples=60, deadline=None)
@given(steps)
def test_a_key_applied_twice_is_named(run):
    record = _with_a_move(run)
    again = record.applied[0]._replace(id="id-retry")
    record = record._replace(applied=(*record.applied, again), notifications=(*record.notifications, "id-retry"))
    verdict = check_bank(record)
    twice = [v for v in verdict.violations if v.kind == "applied twice"]
    assert len(twice) == 1 and again.key in twice[0].message and twice[0].ops


@settings(max_examples=60, deadline=None)
@given(steps, st.integers(-300, 300).filter(bool))
def test_money_created_or_destroyed_in_a_read_is_named_with_the_transfers_before_it(run, delta):
    record = _with_a_move(run)
    ops = list(record.history.ops)
    last = max(i for i, o in enumerate(ops) if o.f == "read")
    changed = dict(ops[last].result)
    changed["c"] += delta
    ops[last] = Op(ops[last].process, "read", None, invoke=ops[last].invoke, complete=ops[last].complete,
                   status="ok", result=changed, index=ops[last].index)
    verdict = check_bank(record._replace(history=History(tuple(ops))))
    money = [v for v in verdict.violations if v.kind == "money"]
    assert money and ("created" if delta > 0 else "destroyed") in money[0].message
    assert ops[last].index in money[0].ops


def test_each_store_rule_is_named():
    record = correct_run([("a", "b", 100), ("b", "c", 50)])
    assert _kinds(record._replace(sagas={"k0": "completed", "k1": "debited"})) == {"saga"}
    assert _kinds(record._replace(notifications=("id-k0",))) == {"notification"}
    assert _kinds(record._replace(notifications=(*record.notifications, "id-k0"))) == {"notification"}
    assert _kinds(record._replace(notifications=(*record.notifications, "id-ghost"))) == {"notification"}
    assert _kinds(record._replace(applied=record.applied[:1])) == {"lost", "notification"}


def test_a_transfer_reported_failed_that_moved_money_is_a_phantom():
    record = correct_run([("a", "b", 100)])
    ops = list(record.history.ops)
    ops[0] = Op("client0", "transfer", ops[0].value, invoke=0, complete=1, status="fail", index=0)
    assert _kinds(record._replace(history=History(tuple(ops)))) == {"phantom"}


def test_overdraft_counts_a_joint_group_by_its_sum():
    ops = [Op("r", "read", None, invoke=0, complete=1, status="ok", result={"a": -50, "b": 100, "c": 950})]
    record = BankRecord(History.of(ops), 1000, groups={"a": "couple", "b": "couple"})
    assert check_bank(record).ok
    bad = record._replace(history=History.of([Op("r", "read", None, invoke=0, complete=1, status="ok",
                                                  result={"a": -150, "b": 100, "c": 1050})]))
    assert [v.kind for v in check_bank(bad).violations] == ["overdraft"] and "couple" in check_bank(bad).first.message


@pytest.mark.parametrize(("field", "value"), [("history", []), ("total_cents", 10.0), ("total_cents", True)])
def test_bad_records_are_refused_by_name(field, value):
    record = correct_run([("a", "b", 1)])._replace(**{field: value})
    with pytest.raises(TypeError, match=field):
        check_bank(record)
