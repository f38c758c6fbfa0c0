import pytest

from distlab.reliability.chooser import choose_limiter


@pytest.mark.parametrize("kw, strategy, store", [
    ({}, "token-bucket", "redis (Lua)"),
    ({"rough_cap_ok": True}, "fixed-window", "redis (INCR + TTL)"),
    ({"exact_counts": True}, "sliding-log", "redis (sorted set)"),
    ({"requests_per_second": 50_000, "exact_counts": True}, "local-budget", "redis (periodic INCRBY)"),
    ({"fleet": False}, "token-bucket", "memory"),
    ({"fleet": False, "exact_counts": True}, "sliding-log", "memory"),
])
def test_how_to_choose(kw, strategy, store):
    choice = choose_limiter(**kw)
    assert (choice.strategy, choice.store) == (strategy, store) and choice.reason


def test_chooser_rejects_bad_input():
    with pytest.raises(ValueError, match="requests_per_second"):
        choose_limiter(requests_per_second=-1)
