"""Reference solutions and known-wrong answers for chapter 1's exercises (see demo.py for the shape)."""
import distlab.grading.consistency  # noqa: F401  (registers the exercises)


def read_with_token(replicas, key, token):
    for r in replicas:
        if r["applied"] >= token:
            value, version = r["data"].get(key, ("", 0))
            return value, version, max(token, version)
    return None


def _ignores_token(replicas, key, token):
    value, version = replicas[0]["data"].get(key, ("", 0))
    return value, version, max(token, version)


def _strictly_newer(replicas, key, token):
    for r in replicas:
        if r["applied"] > token:
            value, version = r["data"].get(key, ("", 0))
            return value, version, max(token, version)
    return None


def _token_never_advances(replicas, key, token):
    got = read_with_token(replicas, key, token)
    return None if got is None else (got[0], got[1], token)


def _freshest(replicas, key, token):
    best = max(replicas, key=lambda r: r["applied"])
    if best["applied"] < token:
        return None
    value, version = best["data"].get(key, ("", 0))
    return value, version, max(token, version)


def _absent_is_none(replicas, key, token):
    for r in replicas:
        if r["applied"] >= token:
            value, version = r["data"].get(key, (None, 0))
            return value, version, max(token, version)
    return None


ANSWERS = {"A": ["linearizable"], "B": ["sequential"],
           "C": ["monotonic-reads", "monotonic-writes", "writes-follow-reads", "consistent-prefix"],
           "D": ["read-your-writes", "monotonic-writes"]}
RUNGS = {"coupon code": "linearizable", "video view count": "monotonic-reads",
         "notification settings": "read-your-writes", "forum reply": "writes-follow-reads",
         "shopping cart": "pram", "trending topics": "eventual"}

SOLUTIONS = {
    "consistency.token_read": read_with_token,
    "consistency.classify": lambda: ANSWERS,
    "consistency.choose_rungs": lambda: RUNGS,
}

MUTATIONS = {
    "consistency.token_read": {
        "ignores_token": _ignores_token,
        "strictly_newer": _strictly_newer,
        "token_never_advances": _token_never_advances,
        "always_freshest": _freshest,
        "absent_key_is_none": _absent_is_none,
    },
    "consistency.classify": {
        "stale_read_linearizable": lambda: {**ANSWERS, "B": ["linearizable"]},
        "implied_rung_listed": lambda: {**ANSWERS, "A": ["linearizable", "sequential"]},
        "lost_write_keeps_ryw": lambda: {**ANSWERS, "C": ANSWERS["C"] + ["read-your-writes"]},
        "missing_key": lambda: {"A": ["linearizable"]},
        "not_a_rung": lambda: {**ANSWERS, "D": ["strong"]},
    },
    "consistency.choose_rungs": {
        "everything_linearizable": lambda: {k: "linearizable" for k in RUNGS},
        "everything_eventual": lambda: {k: "eventual" for k in RUNGS},
        "settings_eventual": lambda: {**RUNGS, "notification settings": "eventual"},
        "coupon_causal": lambda: {**RUNGS, "coupon code": "causal"},
        "reply_monotonic_reads": lambda: {**RUNGS, "forum reply": "monotonic-reads"},
        "reply_causal": lambda: {**RUNGS, "forum reply": "causal"},
        "reply_consistent_prefix": lambda: {**RUNGS, "forum reply": "consistent-prefix"},
        "views_eventual": lambda: {**RUNGS, "video view count": "eventual"},
        "settings_sequential": lambda: {**RUNGS, "notification settings": "sequential"},
        "cart_read_your_writes": lambda: {**RUNGS, "shopping cart": "read-your-writes"},
        "cart_causal": lambda: {**RUNGS, "shopping cart": "causal"},
        "trending_monotonic_reads": lambda: {**RUNGS, "trending topics": "monotonic-reads"},
        "lecture_examples_copied": lambda: {"account balance": "linearizable", "like count": "monotonic-reads",
                                            "profile bio": "read-your-writes", "chat message": "writes-follow-reads"},
    },
}
