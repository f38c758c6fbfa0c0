"""Bulkheads: a separate, bounded pool per dependency, so one slow dependency cannot take all threads.

Named after a ship's watertight compartments. Without them, a dependency that slows from 20 ms to
2 s keeps every worker of a shared pool waiting on it and requests for healthy dependencies starve
too; with them, only that dependency's pool fills and its excess calls are rejected at once
(resilience4j's ``SemaphoreBulkhead``, Hystrix's thread-pool isolation).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from distlab.validate import integer, text

T = TypeVar("T")


class BulkheadFull(RuntimeError):
    """The dependency's pool is full; the call was rejected without waiting."""


class Bulkhead:
    """At most ``max_concurrent`` calls in flight for one dependency; thread-safe."""

    def __init__(self, name: str, max_concurrent: int) -> None:
        text("name", name)
        integer("max_concurrent", max_concurrent)
        self.name = name
        self.max_concurrent = max_concurrent
        self.in_flight = 0
        self.rejected = 0
        self.peak = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take a slot if one is free (counting a rejection if not); never waits."""
        with self._lock:
            if self.in_flight >= self.max_concurrent:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return True

    def release(self) -> None:
        """Give back a slot taken by :meth:`try_acquire`."""
        with self._lock:
            if self.in_flight == 0:
                raise RuntimeError(f"bulkhead {self.name!r}: release() without a matching acquire")
            self.in_flight -= 1

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in a slot, or raise :class:`BulkheadFull` at once."""
        if not self.try_acquire():
            raise BulkheadFull(f"bulkhead {self.name!r} is full ({self.max_concurrent} calls in flight)")
        try:
            return fn(*args, **kwargs)
        finally:
            self.release()


class Bulkheads:
    """One :class:`Bulkhead` per dependency name, with a default size and per-name overrides."""

    def __init__(self, default: int = 10, sizes: dict[str, int] | None = None) -> None:
        integer("default", default)
        for dependency, size in (sizes or {}).items():
            integer(f"sizes[{dependency!r}]", size)
        self.default = default
        self.sizes = dict(sizes or {})
        self._pools: dict[str, Bulkhead] = {}

    def __getitem__(self, dependency: str) -> Bulkhead:
        pool = self._pools.get(dependency)
        if pool is None:
            pool = self._pools[dependency] = Bulkhead(dependency, self.sizes.get(dependency, self.default))
        return pool
