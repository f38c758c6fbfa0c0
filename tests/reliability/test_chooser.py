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


def test_a_requirement_the_choice_cannot_meet_is_named_not_silently_dropped():
    """At 10^6 req/s with exact counts ticked the chooser picks local budgets, which overshoot: it must say so."""
    choice = choose_limiter(requests_per_second=1e6, exact_counts=True)
    assert choice.strategy == "local-budget"
    assert len(choice.dropped) == 1 and choice.dropped[0].startswith("exact counts: dropped")
    assert choose_limiter(requests_per_second=1e6).dropped == ()
    assert choose_limiter(exact_counts=True).dropped == ()


def test_the_chooser_panel_shows_the_dropped_requirement():
    from distlab.view import reliability as rv

    html = rv.render_choice(dict(fleet=True, rps=1e6, exact_counts=True, rough_cap_ok=False))
    assert "Not met: exact counts: dropped" in html
    assert "Not met" not in rv.render_choice(dict(fleet=True, rps=1e6, exact_counts=False, rough_cap_ok=False))
