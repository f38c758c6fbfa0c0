"""Reference solutions and known-wrong answers for chapter 3's exercises (see demo.py for the shape).

The wrong answers are the ones a learner writes first: compensations in forward order, the failed
step undone too, the pivot undone; a consumer that checks its inbox outside the transaction or
acknowledges nothing; a charge that looks the key up outside the transaction that inserts it.
"""

import distlab.grading.transactions  # noqa: F401  (registers the exercises)


# ---------------------------------------------------------------- exercise 1
def compensations(completed, steps):
    kinds = dict(steps)
    if any(kinds[name] == "pivot" for name in completed):
        return []  # past the pivot the saga only moves forward
    return [name for name in reversed(completed) if kinds[name] == "compensatable"]


def compensates_after_the_pivot(completed, steps):
    kinds = dict(steps)
    return [name for name in reversed(completed) if kinds[name] == "compensatable"]


def forward_order(completed, steps):
    return list(reversed(compensations(completed, steps)))


def every_completed_step(completed, steps):
    return list(reversed(completed))  # the pivot too, and after it


def includes_the_failed_step(completed, steps):
    names = [n for n, _ in steps]
    failed = names[len(completed)]
    return [failed, *compensations(completed, steps)]


def written_for_the_trip_only(completed, steps):
    if "charge_card" in completed:
        return []
    return [name for name in ("reserve_seat", "create_booking") if name in completed]


def all_compensatable_steps(completed, steps):
    return [name for name, kind in reversed(steps) if kind == "compensatable"]


# ---------------------------------------------------------------- exercise 2
def handle(db, event):
    with db.transaction():
        if db.query_one("SELECT 1 FROM inbox WHERE event_id = ?", (event["id"],)):
            return
        db.execute("INSERT INTO inbox (event_id) VALUES (?)", (event["id"],))
        db.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (event["amount"], event["account"]))


def no_dedup(db, event):
    db.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (event["amount"], event["account"]))


def dedup_outside_a_transaction(db, event):
    if db.query_one("SELECT 1 FROM inbox WHERE event_id = ?", (event["id"],)):
        return
    db.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (event["amount"], event["account"]))
    db.execute("INSERT INTO inbox (event_id) VALUES (?)", (event["id"],))


def inbox_committed_before_the_effect(db, event):
    with db.transaction():
        if db.query_one("SELECT 1 FROM inbox WHERE event_id = ?", (event["id"],)):
            return
        db.execute("INSERT INTO inbox (event_id) VALUES (?)", (event["id"],))
    db.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (event["amount"], event["account"]))


def remembers_in_memory(seen=None):
    seen = set() if seen is None else seen

    def handle_in_memory(db, event):
        if event["id"] in seen:
            return
        db.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (event["amount"], event["account"]))
        seen.add(event["id"])

    return handle_in_memory


# ---------------------------------------------------------------- exercise 3
def charge(db, key, amount):
    with db.transaction():
        found = db.query_one("SELECT charge_id FROM idempotency_keys WHERE key = ?", (key,))
        if found:
            return found[0]
        cursor = db.execute("INSERT INTO charges (amount) VALUES (?) RETURNING id", (amount,))
        charge_id = cursor.fetchone()[0]
        db.execute("INSERT INTO idempotency_keys (key, charge_id) VALUES (?, ?)", (key, charge_id))
        return charge_id


def charge_without_a_key(db, key, amount):
    cursor = db.execute("INSERT INTO charges (amount) VALUES (?) RETURNING id", (amount,))
    return cursor.fetchone()[0]


def key_stored_after_the_charge_commits(db, key, amount):
    found = db.query_one("SELECT charge_id FROM idempotency_keys WHERE key = ?", (key,))
    if found:
        return found[0]
    cursor = db.execute("INSERT INTO charges (amount) VALUES (?) RETURNING id", (amount,))
    charge_id = cursor.fetchone()[0]
    db.execute("INSERT INTO idempotency_keys (key, charge_id) VALUES (?, ?)", (key, charge_id))
    return charge_id


def returns_something_else_on_a_retry(db, key, amount):
    with db.transaction():
        if db.query_one("SELECT charge_id FROM idempotency_keys WHERE key = ?", (key,)):
            return "already charged"
        cursor = db.execute("INSERT INTO charges (amount) VALUES (?) RETURNING id", (amount,))
        charge_id = cursor.fetchone()[0]
        db.execute("INSERT INTO idempotency_keys (key, charge_id) VALUES (?, ?)", (key, charge_id))
        return charge_id


SOLUTIONS = {
    "transactions.compensations": compensations,
    "transactions.inbox": handle,
    "transactions.idempotent_charge": charge,
}

MUTATIONS = {
    "transactions.compensations": {
        "forward_order": forward_order,
        "every_completed_step": every_completed_step,
        "includes_the_failed_step": includes_the_failed_step,
        "all_compensatable_steps": all_compensatable_steps,
        "returns_a_tuple": lambda completed, steps: tuple(compensations(completed, steps)),
        "compensates_after_the_pivot": compensates_after_the_pivot,
        "written_for_the_trip_only": written_for_the_trip_only,
    },
    "transactions.inbox": {
        "no_dedup": no_dedup,
        "dedup_outside_a_transaction": dedup_outside_a_transaction,
        "inbox_committed_before_the_effect": inbox_committed_before_the_effect,
        "remembers_in_memory": remembers_in_memory(),
    },
    "transactions.idempotent_charge": {
        "charge_without_a_key": charge_without_a_key,
        "key_stored_after_the_charge_commits": key_stored_after_the_charge_commits,
        "returns_something_else_on_a_retry": returns_something_else_on_a_retry,
    },
}
