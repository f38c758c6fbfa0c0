"""The Redis strategies on a real server: same decisions as in-process, atomic under concurrency."""
from __future__ import annotations

import itertools
import multiprocessing
import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from distlab.reliability import STRATEGIES, ManualClock, RateLimiter, RedisStore, StoreUnavailable
from distlab.reliability.local_budget import RedisCounter

VARIANTS = [(name, {}) for name in sorted(STRATEGIES)] + [
    ("fixed-window", {"align": "first-hit", "charge_rejected": True}),
    ("sliding-window-counter", {"rounding": "floor"}),
]

_examples = itertools.count()  # Hypothesis reuses function-scoped fixtures across examples

trace = st.lists(st.tuples(st.integers(0, 400), st.sampled_from([1, 1, 2, 3])), min_size=1, max_size=40)


@pytest.mark.parametrize("name, opts", VARIANTS, ids=[f"{n}{'-' + '-'.join(map(str, o.values())) if o else ''}"
                                                     for n, o in VARIANTS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=trace, spec=st.sampled_from(["3/second", "4/2 seconds; 6/10 seconds"]))
def test_redis_decides_like_memory(redis_client, rl_prefix, name, opts, steps, spec):
    clock = ManualClock(1_000_000.0)
    prefix = f"{rl_prefix}{next(_examples)}:"
    assert not list(redis_client.scan_iter(match=prefix + "*")), "each example starts from an empty keyspace"
    store = RedisStore(redis_client, prefix=prefix)
    remote = RateLimiter(name, store, spec, clock=clock, namespace=f"n{len(steps)}", **opts)
    local = RateLimiter(name, None, spec, clock=clock, **opts)
    for gap_ms, cost in steps:
        clock.advance(gap_ms / 1000)
        assert remote.test("k", cost) == local.test("k", cost)
        assert remote.hit("k", cost) == local.hit("k", cost)
    assert [s.remaining for s in remote.stats("k")] == [s.remaining for s in local.stats("k")]
    for ours, theirs in zip(remote.stats("k"), local.stats("k")):
        assert ours.retry_after == pytest.approx(theirs.retry_after, abs=1e-6)


def _connection_kwargs(client):
    kw = client.connection_pool.connection_kwargs
    return {k: kw[k] for k in ("host", "port", "path", "db") if k in kw}


def _hammer(kwargs, name, prefix, n, out):
    import redis

    from distlab.reliability import ManualClock, RateLimiter, RedisStore

    if "path" in kwargs:
        client = redis.Redis(unix_socket_path=kwargs["path"], db=kwargs.get("db", 0))
    else:
        client = redis.Redis(host=kwargs["host"], port=kwargs["port"], db=kwargs.get("db", 0))
    rl = RateLimiter(name, RedisStore(client, prefix=prefix), "25/minute", clock=ManualClock(5_000.0))
    out.put(sum(rl.hit("shared") for _ in range(n)))


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_many_threads_and_processes_never_exceed_the_limit(redis_client, rl_prefix, name):
    kwargs = _connection_kwargs(redis_client)
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(kwargs, name, rl_prefix, 40, q)) for _ in range(2)]
    for p in procs:
        p.start()
    results = []
    threads = [threading.Thread(target=lambda: _hammer(kwargs, name, rl_prefix, 40, _ListQueue(results)))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    total = sum(results) + sum(q.get(timeout=10) for _ in procs)
    assert total == 25  # 320 attempts at one fixed instant: exactly the limit, never more


class _ListQueue:
    def __init__(self, out):
        self.out = out

    def put(self, v):
        self.out.append(v)


def test_sliding_log_memory_grows_in_redis(redis_client, rl_prefix):
    clock = ManualClock(50.0)
    rl = RateLimiter("sliding-log", RedisStore(redis_client, prefix=rl_prefix), "100/minute", clock=clock)
    for _ in range(30):
        rl.hit("k")
        clock.advance(0.1)
    assert redis_client.zcard(f"{rl_prefix}sliding-log/k/100/60") == 30


def test_local_budget_counter_on_redis(redis_client, rl_prefix):
    c = RedisCounter(redis_client, prefix=rl_prefix)
    assert c.incr("w", 3, 1.0) == 3 and c.incr("w", 2, 1.0) == 5
    assert 0 < redis_client.pttl(f"{rl_prefix}w") <= 1000


def _unreachable():
    import socket

    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here now
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    return client, port


def test_unreachable_redis_is_a_clear_error():
    client, port = _unreachable()
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}.*unreachable"):
        RedisStore(client)


@pytest.mark.parametrize("mode, expected", [("open", True), ("closed", False)])
def test_failure_mode_is_explicit(mode, expected):
    client, _ = _unreachable()
    store = RedisStore(client, on_error=mode, check=False)
    rl = RateLimiter("gcra", store, "1/second", clock=ManualClock())
    assert [rl.hit("k") for _ in range(3)] == [expected] * 3
    assert store.failures == 3
    raising = RateLimiter("gcra", RedisStore(client, check=False), "1/second", clock=ManualClock())
    with pytest.raises(StoreUnavailable, match="failed during a rate-limit decision"):
        raising.hit("k")
    with pytest.raises(ValueError, match="on_error"):
        RedisStore(client, on_error="maybe", check=False)


def test_connect_uses_the_services_layer(rl_prefix):
    from distlab.services.errors import ServiceUnavailable

    store = RedisStore.connect(prefix=rl_prefix)
    assert RateLimiter("gcra", store, "1/second", clock=ManualClock()).hit("k")
    _client, port = _unreachable()
    with pytest.raises(ServiceUnavailable, match=str(port)):
        RedisStore.connect(f"redis://127.0.0.1:{port}/0")
