"""Reference solutions and known-wrong answers for chapter 2's exercises (see demo.py for the shape)."""
import distlab.grading.consensus  # noqa: F401  (registers the exercises)


def _vote(check_term=True, one_vote=True, new_term_clears=True, log_check="pair", retry_ok=True):
    def grant_vote(state, request):
        if check_term and request["term"] < state["term"]:
            return False
        voted = state["voted_for"]
        if new_term_clears and request["term"] > state["term"]:
            voted = None
        if one_vote and voted is not None and (voted != request["candidate"] or not retry_ok):
            return False
        mine = (state["last_log_term"], state["last_log_index"])
        theirs = (request["last_log_term"], request["last_log_index"])
        if log_check == "pair":
            return theirs >= mine
        if log_check == "index":
            return theirs[1] >= mine[1]
        if log_check == "strict":
            return theirs > mine
        return True
    return grant_vote


SOLUTIONS = {
    "consensus.vote_rule": _vote(),
    "consensus.quorum": lambda n: (n // 2 + 1, (n - 1) // 2),
    "consensus.livelock": lambda: {"timeout_ms": 24, "second_start_ms": 12},  # the demo's, scaled to 8 ms
}

MUTATIONS = {
    "consensus.vote_rule": {
        "stale_term": _vote(check_term=False),
        "votes_twice": _vote(one_vote=False),
        "old_vote_sticks": _vote(new_term_clears=False),
        "length_only": _vote(log_check="index"),
        "no_log_check": _vote(log_check="none"),
        "strictly_newer": _vote(log_check="strict"),
        "refuses_retry": _vote(retry_ok=False),
        "returns_int": lambda s, r: int(_vote()(s, r)),
    },
    "consensus.quorum": {
        "half": lambda n: (n // 2, n - n // 2),
        "round_up": lambda n: ((n + 1) // 2, n - (n + 1) // 2),
        "tolerate_half": lambda n: (n // 2 + 1, n // 2),
        "list": lambda n: [n // 2 + 1, (n - 1) // 2],
    },
    "consensus.livelock": {
        "too_short_timeout": lambda: {"timeout_ms": 5, "second_start_ms": 0},
        "patient": lambda: {"timeout_ms": 40, "second_start_ms": 5},
        "same_start": lambda: {"timeout_ms": 15, "second_start_ms": 0},
        "wrong_keys": lambda: {"timeout": 15, "start": 7.5},
        "copied_demo": lambda: {"timeout_ms": 15, "second_start_ms": 7.5},  # the notebook's demo cell
    },
}
