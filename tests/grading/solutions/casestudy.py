"""Reference solutions and known-wrong answers for chapter 6's exercises (see demo.py for the shape)."""
import distlab.grading.casestudy  # noqa: F401  (registers the exercises)

LEVELS = {"lost update": "repeatable read", "write skew": "serializable"}

SOLUTIONS = {
    "casestudy.double_charge": lambda points: {p for p in points if "_action:" in p},
    "casestudy.isolation": LEVELS.get,
    "casestudy.bulkhead": lambda: 4,
}

MUTATIONS = {
    "casestudy.double_charge": {
        "only_after_the_money_moved": lambda points: {p for p in points
                                                      if p.endswith(":notify") or p == "after_action:ledger"},
        "every_point": set,
        "none": lambda points: set(),
        "only_after_the_ledger": lambda points: {"after_action:ledger"},
        "a_list_of_one_string": lambda points: "after_action:ledger",
        "passed_the_set": {"after_action:ledger"},
    },
    "casestudy.isolation": {
        "always_serializable": lambda anomaly: "serializable",
        "repeatable_read_for_both": lambda anomaly: "repeatable read",
        "read_committed_for_lost_update": {"lost update": "read committed", "write skew": "serializable"}.get,
        "called": LEVELS.get("write skew"),
    },
    "casestudy.bulkhead": {
        "no_bulkhead": lambda: 16,
        "one": lambda: 1,
        "too_small": lambda: 2,
        "too_big": lambda: 8,
        "float": lambda: 4.0,
        "zero": lambda: 0,
        "returns_a_string": lambda: "4",
    },
}
