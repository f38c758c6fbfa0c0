"""The real thing: :class:`~distlab.consensus.coordination.store.CoordinationStore` on etcd, through
:class:`distlab.services.etcd.EtcdClient` (etcd's v3 JSON gateway, standard library only).

The mapping is one call each -- the interface was cut to etcd's shape on purpose:

==============  ===========================================================================
``put``          ``/v3/kv/put``; "requested lease not found" becomes :class:`LeaseExpired`
``txn``          ``/v3/kv/txn`` with ``CREATE``/``MOD``/``VERSION``/``VALUE`` compares
``grant`` ...    ``/v3/lease/grant``, ``keepalive``, ``revoke``
``events``       ``/v3/watch`` from ``start_revision``, read until the stream is idle for
                 ``watch_idle`` seconds (the replay of history arrives right after "created")
==============  ===========================================================================

Time is the wall clock, *injected*: ``clock`` (default ``time.monotonic``) and ``sleep`` (default
``time.sleep``) are parameters, so nothing in the recipes reads a clock of its own.
"""
from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from distlab.services import etcd as etcd_service
from distlab.services.errors import ServiceUnavailable
from distlab.services.etcd import EtcdClient, EtcdError, KeyValue, WatchEvent, _b64, prefix_end

from .store import (
    Compare,
    CoordinationStore,
    Delete,
    Get,
    LeaseExpired,
    Op,
    OpResult,
    Put,
    StoreUnavailable,
    TxnResult,
    check_branch,
    check_key,
    check_op,
    check_ttl,
)

_TARGETS = {"create_revision": "CREATE", "mod_revision": "MOD", "version": "VERSION",
            "value": "VALUE"}
_RESULTS = {"==": "EQUAL", "!=": "NOT_EQUAL", "<": "LESS", ">": "GREATER"}

P = ParamSpec("P")
T = TypeVar("T")


def _lease_error(exc: EtcdError) -> bool:
    text = str(exc)
    return "lease not found" in text or "expired or was revoked" in text


class EtcdStore(CoordinationStore):
    """The coordination store on a real etcd. ``client``: an :class:`EtcdClient` (see
    :func:`connect_etcd_store` to build one from ``DISTLAB_ETCD_ENDPOINT``)."""

    name = "etcd"

    def __init__(self, client: EtcdClient, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, watch_idle: float = 0.25):
        if not isinstance(client, EtcdClient):
            raise ValueError(f"client must be a distlab.services.etcd.EtcdClient, got {client!r}")
        if not isinstance(watch_idle, (int, float)) or not 0 < watch_idle <= 10:
            raise ValueError(f"watch_idle must be between 0 and 10 seconds, got {watch_idle!r}")
        self.client, self._clock, self._sleep, self.watch_idle = client, clock, sleep, watch_idle

    def _do(self, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """``fn(*args, **kw)`` with etcd's errors in the store's terms: a missing lease is
        :class:`LeaseExpired`, an unreachable server :class:`StoreUnavailable`."""
        try:
            return fn(*args, **kw)
        except EtcdError as exc:
            if _lease_error(exc):
                raise LeaseExpired(str(exc)) from None
            raise
        except ServiceUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc

    # ------------------------------------------------------------------ keys
    def put(self, key: str, value: str, *, lease: int = 0) -> int:
        """``/v3/kv/put``; the revision etcd's header reports."""
        check_op(Put(key, value, lease))
        return self._do(self.client.put, key, value, lease=lease)

    def get(self, key: str) -> KeyValue | None:
        """``/v3/kv/range`` of one key (linearizable: etcd's default read)."""
        return self._do(self.client.get, check_key(key))

    def get_prefix(self, prefix: str) -> list[KeyValue]:
        """``/v3/kv/range`` from ``prefix`` to its ``range_end``; sorted by key."""
        return self._do(self.client.get_prefix, check_key(prefix, "prefix"))

    def delete(self, key: str, *, prefix: bool = False) -> int:
        """``/v3/kv/deleterange``; etcd's ``deleted`` count."""
        return self._do(self.client.delete, check_key(key), prefix=bool(prefix))

    def revision(self) -> int:
        """The revision in the header of a ``/v3/kv/range`` reply."""
        return self._do(self.client.revision)

    # ------------------------------------------------------------------ leases
    def grant(self, ttl: int) -> int:
        """``/v3/lease/grant``; the id etcd chose."""
        return self._do(self.client.lease_grant, check_ttl(ttl))

    def keepalive(self, lease: int) -> int:
        """``/v3/lease/keepalive`` (one renewal, not a stream); the ttl etcd granted."""
        return self._do(self.client.lease_keepalive, lease)

    def revoke(self, lease: int) -> bool:
        """``/v3/lease/revoke``; etcd's "lease not found" means it was already gone (False)."""
        try:
            self._do(self.client.lease_revoke, lease)
        except LeaseExpired:
            return False
        return True

    # ------------------------------------------------------------------ transactions
    @staticmethod
    def _compare_json(c: Compare) -> dict[str, str]:
        field = c.target
        value = _b64(str(c.value)) if field == "value" else str(c.value)
        return {"key": _b64(c.key), "target": _TARGETS[field], "result": _RESULTS[c.op],
                field: value}

    @staticmethod
    def _op_json(op: Op) -> dict[str, dict[str, str]]:
        body = {"key": _b64(op.key)}
        if isinstance(op, Put):
            return {"request_put": {**body, "value": _b64(op.value), "lease": str(op.lease)}}
        if op.prefix:
            body["range_end"] = _b64(prefix_end(op.key))
        return {"request_delete_range" if isinstance(op, Delete) else "request_range": body}

    def txn(self, compares: Sequence[Compare], then: Sequence[Op] = (),
            otherwise: Sequence[Op] = ()) -> TxnResult:
        """``/v3/kv/txn`` with ``CREATE``/``MOD``/``VERSION``/``VALUE`` compares; each op's result
        read back from etcd's ``responses``."""
        compares = [Compare(*c).check() for c in compares]
        then, otherwise = check_branch(then, "then"), check_branch(otherwise, "otherwise")
        reply = self._do(self.client.txn, [self._compare_json(c) for c in compares],
                         [self._op_json(o) for o in then], [self._op_json(o) for o in otherwise])
        succeeded = bool(reply.get("succeeded", False))
        ops = then if succeeded else otherwise
        results: list[OpResult] = []
        for op, response in zip(ops, reply.get("responses", [])):
            if type(op) is Get:
                kvs = response.get("response_range", {}).get("kvs", [])
                results.append([KeyValue.from_json(kv) for kv in kvs])
            elif type(op) is Put:
                results.append(int(response["response_put"]["header"]["revision"]))
            else:
                results.append(int(response.get("response_delete_range", {}).get("deleted", 0)))
        return TxnResult(succeeded, int(reply["header"]["revision"]), tuple(results))

    # ------------------------------------------------------------------ watch as a poll
    def events(self, key: str, *, prefix: bool = False, start_revision: int = 1) -> list[WatchEvent]:
        """Open a watch from ``start_revision`` and collect what it replays.

        The stream never ends by itself, so we stop when it has been quiet for a while. To stay
        correct on a loaded machine the wait is split: the connection and etcd's first reply (the
        "created" message) get the client's full timeout, and only then does the idle clock start,
        at ``watch_idle`` or three times what that first reply took, whichever is longer (etcd
        sends the replayed history right after "created")."""
        if not isinstance(start_revision, int) or start_revision < 1:
            raise ValueError(f"start_revision must be an integer >= 1, got {start_revision!r}")
        check_key(key)
        create = {"key": _b64(key), "start_revision": str(start_revision)}
        if prefix:
            create["range_end"] = _b64(prefix_end(key))
        out = []
        for line in self._watch_lines(create):
            message = json.loads(line) if line.strip() else {}
            if message.get("error"):
                raise StoreUnavailable(f"etcd watch: {message['error']}")
            for event in message.get("result", {}).get("events", []):
                out.append(WatchEvent(event.get("type", "PUT"), KeyValue.from_json(event["kv"])))
        return out

    def _watch_lines(self, create: dict[str, str]) -> list[bytes]:
        """The lines of a ``/v3/watch`` stream opened with ``create``, read until it is idle."""
        parts = urlsplit(self.client.endpoint)
        if parts.hostname is None:  # EtcdClient checked the endpoint: never for a real client
            raise StoreUnavailable(f"etcd endpoint {self.client.endpoint!r} names no host")
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.client.timeout)
        started = self._clock()
        try:
            conn.request("POST", "/v3/watch", json.dumps({"create_request": create}),
                         {"Content-Type": "application/json"})
            reply = conn.getresponse()
            if reply.status != 200:
                raise StoreUnavailable(f"etcd watch answered HTTP {reply.status}")
            lines = [reply.readline()]
            conn.sock.settimeout(max(self.watch_idle, 3 * (self._clock() - started)))
            while True:
                try:
                    line = reply.readline()
                except TimeoutError:
                    break
                if not line:
                    break
                lines.append(line)
        except (OSError, http.client.HTTPException) as exc:
            raise StoreUnavailable(f"etcd watch at {self.client.endpoint} failed: {exc}") from exc
        finally:
            conn.close()
        return lines

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        """The injected clock (``time.monotonic`` by default)."""
        return self._clock()

    def sleep(self, seconds: float) -> None:
        """The injected sleep (``time.sleep`` by default): real seconds pass, and etcd with them."""
        if not isinstance(seconds, (int, float)) or not 0 <= seconds <= 3600:
            raise ValueError(f"seconds must be between 0 and 3600, got {seconds!r}")
        self._sleep(seconds)

    def describe(self) -> str:
        """``etcd <version> at <host:port>``, asked of the server."""
        return self._do(self.client.describe)


def connect_etcd_store(endpoint: str | None = None, **kw: Any) -> EtcdStore:
    """An :class:`EtcdStore` on ``endpoint`` or ``$DISTLAB_ETCD_ENDPOINT`` (checked to answer)."""
    return EtcdStore(etcd_service.connect(endpoint), **kw)
