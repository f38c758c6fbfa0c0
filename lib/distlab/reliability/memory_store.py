"""In-process store: a dict of states behind one lock -- thread-safe, not shared across processes.

One uncontended ``threading.Lock`` costs tens of nanoseconds, far less than a striped lock table
would save at the request rates one Python process can make, so a single lock it is. States are
kept until :meth:`clear` (idle keys are not expired automatically: call :meth:`forget_all` or use a
store per experiment).
"""
from __future__ import annotations

import threading


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict = {}
        self._lock = threading.Lock()

    def evaluate(self, strategy, keys, limits, cost, now, consume):
        data = self._data
        with self._lock:
            if len(keys) == 1:
                k = keys[0]
                ok, new = strategy.apply(data.get(k), limits[0], cost, now, consume)
                if new is not None:
                    data[k] = new
                return ok
            ok = all(strategy.apply(data.get(k), lim, cost, now, False)[0] for k, lim in zip(keys, limits))
            if consume and (ok or strategy.charges_rejected):
                for k, lim in zip(keys, limits):
                    new = strategy.apply(data.get(k), lim, cost, now, True)[1]
                    if new is not None:
                        data[k] = new
            return ok

    def stats(self, strategy, keys, limits, now):
        with self._lock:
            return [strategy.stats(self._data.get(k), lim, now) for k, lim in zip(keys, limits)]

    def size(self, strategy, key):
        with self._lock:
            return sum(strategy.size(s) for k, s in self._data.items() if k == key or k.startswith(key + "/"))

    def clear(self, key):
        with self._lock:
            for k in [k for k in self._data if k == key or k.startswith(key + "/")]:
                del self._data[k]

    def forget_all(self) -> None:
        with self._lock:
            self._data.clear()
