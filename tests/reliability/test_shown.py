"""The chapter's claims that were only stated, now measured (`distlab.reliability.shown`)."""
from __future__ import annotations

import time

from distlab.reliability import shown


def test_a_retried_charge_charges_twice_and_a_key_makes_the_retry_safe():
    blind, none, keyed = shown.retried_charges()
    assert (blind.attempts, blind.charged, blind.caller_saw) == (2, 2, "paid")  # a double charge
    assert (none.attempts, none.charged) == (1, 1) and "paid or not?" in none.caller_saw
    assert (keyed.attempts, keyed.charged, keyed.caller_saw) == (2, 1, "paid")


def test_check_then_increment_admits_twice_where_one_script_admits_once(redis_client, rl_prefix):
    race = shown.check_then_increment_race(redis_client, limit=10, namespace=f"{rl_prefix}race")
    assert race.racy_admitted == 2 and race.racy_counter == 10  # 11 admitted, and the counter says 10
    assert race.atomic_admitted == 1


def test_the_fixed_window_key_expires_within_its_window(redis_client, rl_prefix):
    life = shown.fixed_window_key_ttl(redis_client, window=0.2, prefix=rl_prefix)
    assert life.bounded and 150 <= life.ttl_ms <= 200
    from distlab.reliability import RateLimit, RateLimiter, RedisStore
    from distlab.reliability.clock import ManualClock

    rl = RateLimiter("fixed-window", RedisStore(redis_client, prefix=rl_prefix, ttl_floor=0.0), RateLimit(5, 0.2),
                     clock=ManualClock(0.0), namespace="gone")
    rl.hit("k")
    assert list(redis_client.scan_iter(f"{rl_prefix}gone/*"))
    time.sleep(0.3)  # Redis's own clock runs the TTL out
    assert not list(redis_client.scan_iter(f"{rl_prefix}gone/*"))
