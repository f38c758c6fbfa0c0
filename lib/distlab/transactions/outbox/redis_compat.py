"""Redis 6.2 and 7.x differ in the two commands this chapter leans on; one answer for both.

``XAUTOCLAIM`` (Redis documentation, "XAUTOCLAIM"; added in 6.2.0, changed in 7.0.0): a pending
entry that was deleted from the stream (``XDEL``, or trimmed by ``MAXLEN``)

* on **6.2** comes back as a nil entry -- redis-py shows it as ``(None, None)``; some 6.2 releases
  reply ``[id, nil]``, i.e. ``(id, None)`` -- and it *stays pending*, now owned by the claimer, so
  a naive consumer claims it again forever;
* on **7.x** is dropped from the pending entries list, and the reply gains a third element, the
  ids of the deleted entries.

:func:`autoclaim` gives the 7.x answer on both: on 6.2 it runs one Lua script that claims with
``JUSTID`` (so it learns every id), looks each one up with ``XRANGE``, and ``XACK``s the deleted
ones -- atomically, as 7.x does inside the command. (``JUSTID`` does not increment an entry's
delivery counter; the 7.x path does.)

``SET key value NX GET`` (7.0: ``GET`` together with ``NX``) is a syntax error on 6.2.
:func:`set_nx_get` returns the previous holder on both, with a Lua ``GET``-then-``SET`` on 6.2.
:class:`Lease` uses it: the relay holding the lease is the one that ships rows.
"""
from __future__ import annotations

from typing import Any

import redis as _redis

_AUTOCLAIM_62 = """
local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5], 'JUSTID')
local entries, deleted = {}, {}
for _, id in ipairs(reply[2]) do
  local found = redis.call('XRANGE', KEYS[1], id, id)
  if #found == 0 then
    redis.call('XACK', KEYS[1], ARGV[1], id)
    deleted[#deleted + 1] = id
  else
    entries[#entries + 1] = found[1]
  end
end
return {reply[1], entries, deleted}
"""
_SET_NX_GET_62 = """
local old = redis.call('GET', KEYS[1])
if not old then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return old
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

Entry = tuple[str, dict[str, str]]


def server_major(client: _redis.Redis) -> int:
    """The major version of the server behind ``client`` (``6`` for 6.2, ``7`` for 7.0)."""
    version = str(client.info("server").get("redis_version", "0"))
    return int(version.split(".")[0])


def _pairs(flat: list[Any]) -> dict[str, str]:
    return {str(flat[i]): str(flat[i + 1]) for i in range(0, len(flat), 2)}


def autoclaim(client: _redis.Redis, stream: str, group: str, consumer: str, *, min_idle_ms: int,
              start: str = "0-0", count: int = 100, major: int | None = None) -> tuple[str, list[Entry], list[str]]:
    """``XAUTOCLAIM`` with 7.x's answer on every server: ``(next_cursor, entries, deleted_ids)``.

    Deleted entries are never in ``entries`` and never left pending. ``major`` is the server's
    major version (:func:`server_major`, asked when omitted).
    """
    if not isinstance(min_idle_ms, int) or min_idle_ms < 0:
        raise ValueError(f"min_idle_ms must be an integer >= 0, got {min_idle_ms!r}")
    if not isinstance(count, int) or not 1 <= count <= 10_000:
        raise ValueError(f"count must be an integer from 1 to 10000, got {count!r}")
    major = server_major(client) if major is None else major
    if major >= 7:
        reply = client.xautoclaim(stream, group, consumer, min_idle_ms, start, count=count)
        cursor, claimed = str(reply[0]), reply[1]
        deleted = [str(i) for i in reply[2]] if len(reply) > 2 else []
        entries = [(str(i), dict(f)) for i, f in claimed if i is not None and f is not None]
        return cursor, entries, deleted
    raw = client.eval(_AUTOCLAIM_62, 1, stream, group, consumer, min_idle_ms, start, count)
    entries = [(str(entry[0]), _pairs(entry[1])) for entry in raw[1]]
    return str(raw[0]), entries, [str(i) for i in raw[2]]


def set_nx_get(client: _redis.Redis, key: str, value: str, px: int, *, major: int | None = None) -> str | None:
    """Set ``key`` to ``value`` (expiring in ``px`` ms) only if absent; return the old value (None if set)."""
    if not isinstance(px, int) or px < 1:
        raise ValueError(f"px must be an integer number of milliseconds >= 1, got {px!r}")
    major = server_major(client) if major is None else major
    if major >= 7:
        old = client.set(key, value, nx=True, px=px, get=True)
    else:
        old = client.eval(_SET_NX_GET_62, 1, key, value, px)
    return None if old is None else str(old)


class Lease:
    """Who relays: ``acquire()`` is True for the owner of ``key`` (taken if free, renewed if ours).

    The lease saves duplicate work; it is not what keeps events safe. Two relays that both believe
    they hold it (a paused one whose lease expired) only publish some rows twice, and the consumer's
    inbox absorbs those duplicates: at-least-once plus dedup needs no fencing.
    """

    def __init__(self, client: _redis.Redis, key: str, owner: str, ttl_ms: int = 5000) -> None:
        if not isinstance(owner, str) or not owner:
            raise ValueError(f"owner must be a non-empty string, got {owner!r}")
        if not isinstance(ttl_ms, int) or ttl_ms < 1:
            raise ValueError(f"ttl_ms must be an integer >= 1, got {ttl_ms!r}")
        self.client, self.key, self.owner, self.ttl_ms = client, key, owner, ttl_ms
        self.major = server_major(client)

    def acquire(self) -> bool:
        """Take or renew the lease; False while another owner holds it."""
        holder = set_nx_get(self.client, self.key, self.owner, self.ttl_ms, major=self.major)
        if holder is None:
            return True
        if holder != self.owner:
            return False
        return bool(self.client.eval(_RENEW, 1, self.key, self.owner, self.ttl_ms))

    def holder(self) -> str | None:
        """The current owner, or None."""
        value = self.client.get(self.key)
        return None if value is None else str(value)

    def release(self) -> None:
        """Give the lease up if we hold it."""
        if self.holder() == self.owner:
            self.client.delete(self.key)
