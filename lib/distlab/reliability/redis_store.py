"""Redis store: every decision is one atomic round trip -- a Lua script per strategy.

The script for a strategy is ``prelude.lua`` + ``<strategy>.lua`` + ``driver.lua`` (see those files):
read the state of each limit, decide, write back, all inside Redis' single-threaded script
execution, so any number of threads and processes sharing the server never admit more than the
limit. The time comes from the caller's injected clock as a script argument (``now``), never from
the server, so tests are deterministic; key TTLs (real server time) are only garbage collection and
are at least ``ttl_floor`` seconds, so a slow fake clock never loses state.

The store takes a ready ``redis.Redis`` client (in the course: ``distlab.services.redis.connect()``;
in tests the ``redis_client`` fixture). It never starts a server.

Failure is explicit: ``on_error="raise"`` (default) raises :class:`~.store.StoreUnavailable`;
``"open"`` admits and ``"closed"`` rejects while Redis is down -- and counts each such decision in
``failures`` so a dashboard can show it. Keys generated inside scripts (``<key>:<window>``,
``<key>:seq``) are not declared in KEYS, so the scripts target a single Redis, not a Cluster.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distlab.validate import flag, number, text

from .limits_spec import RateLimit
from .store import Store, StoreUnavailable, check_failure_mode
from .strategy import LimitStats, Strategy

_HERE = Path(__file__).resolve().parent


def script_source(lua_name: str) -> str:
    """The full Lua text run for one strategy."""
    parts = [(_HERE / name).read_text() for name in ("prelude.lua", lua_name, "driver.lua")]
    return "\n".join(parts)


def _connection_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class RedisStore(Store):
    """A :class:`~.store.Store` on a Redis server: one Lua script per decision, shared by a fleet."""

    def __init__(self, client: Any, *, prefix: str = "distlab:rl:", on_error: str = "raise", ttl_floor: float = 60.0,
                 check: bool = True) -> None:
        if client is None or not hasattr(client, "register_script"):
            raise ValueError(f"client must be a redis.Redis client, got {client!r}")
        text("prefix", prefix)
        number("ttl_floor (seconds)", ttl_floor, low=0)
        flag("check", check)
        self.client = client
        self.prefix = prefix
        self.on_error = check_failure_mode(on_error)
        self.ttl_floor = float(ttl_floor)
        self.failures = 0
        self._scripts: dict[str, Any] = {}
        self._errors = _connection_errors()
        if check:
            try:
                client.ping()
            except self._errors as exc:
                raise StoreUnavailable(f"Redis at {self._where()} is unreachable: {exc}") from exc

    @classmethod
    def connect(cls, url: str | None = None, **options: Any) -> RedisStore:
        """A store on ``distlab.services.redis.connect(url)``: the embedded server unless a URL (or
        ``DISTLAB_REDIS_URL``) names another; raises ``ServiceUnavailable`` naming it if unreachable."""
        from distlab.services import redis as dredis

        return cls(dredis.connect(url), **options)

    def _where(self) -> str:
        kwargs = getattr(getattr(self.client, "connection_pool", None), "connection_kwargs", {})
        if "path" in kwargs:
            return f"unix:{kwargs['path']}"
        return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"

    def _script(self, strategy: Strategy[Any]) -> Any:
        script = self._scripts.get(strategy.lua)
        if script is None:
            script = self._scripts[strategy.lua] = self.client.register_script(script_source(strategy.lua))
        return script

    def _run(self, strategy: Strategy[Any], keys: Sequence[str], limits: Sequence[RateLimit], op: str, cost: int,
             now: float) -> Any:
        opts = strategy.lua_options()
        args: list[str | int | float] = [op, repr(float(now)), int(cost), repr(self.ttl_floor), len(opts), *opts]
        for lim in limits:
            args += [lim.amount, repr(lim.window), lim.capacity]
        return self._script(strategy)(keys=[self.prefix + k for k in keys], args=args)

    def evaluate(self, strategy: Strategy[Any], keys: Sequence[str], limits: Sequence[RateLimit], cost: int,
                 now: float, consume: bool) -> bool:
        try:
            return bool(self._run(strategy, keys, limits, "hit" if consume else "test", cost, now) == 1)
        except self._errors as exc:
            self.failures += 1
            if self.on_error == "open":
                return True
            if self.on_error == "closed":
                return False
            raise StoreUnavailable(f"Redis at {self._where()} failed during a rate-limit decision: {exc}") from exc

    def stats(self, strategy: Strategy[Any], keys: Sequence[str], limits: Sequence[RateLimit],
              now: float) -> list[LimitStats]:
        try:
            out = self._run(strategy, keys, limits, "stats", 1, now)
        except self._errors as exc:
            raise StoreUnavailable(f"Redis at {self._where()} failed while reading limiter stats: {exc}") from exc
        return [LimitStats(lim, int(float(out[2 * i])), float(out[2 * i + 1])) for i, lim in enumerate(limits)]

    def size(self, strategy: Strategy[Any], key: str) -> int:
        """Stored members for this key's limits (sorted-set members for the sliding log)."""
        total = 0
        for k in self.client.scan_iter(match=self.prefix + key + "/*"):
            kind = self.client.type(k)
            kind = kind.decode() if isinstance(kind, bytes) else kind
            total += {"zset": self.client.zcard, "hash": self.client.hlen}.get(kind, lambda _k: 1)(k)
        return total

    def clear(self, key: str) -> None:
        """Delete every Redis key holding ``key``'s limits."""
        for k in list(self.client.scan_iter(match=self.prefix + key + "/*")):
            self.client.delete(k)
