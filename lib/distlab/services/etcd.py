"""A tiny etcd v3 client over the JSON gateway, using only the standard library.

etcd serves its gRPC API as JSON over HTTP too (the "gRPC gateway", paths ``/v3/...`` since etcd
3.4): keys and values travel base64-encoded, 64-bit numbers as decimal strings, and fields that
hold their default value (0, false, empty) are left out of replies. That is all this module needs
to show the coordination-service ideas of the consensus chapter on a real etcd:

* keys and revisions -- :meth:`EtcdClient.put`, :meth:`get`, :meth:`get_prefix`, :meth:`delete`;
* leases -- :meth:`lease_grant`, :meth:`lease_keepalive`, :meth:`lease_revoke`: a key attached to a
  lease vanishes when its owner stops renewing it (a crashed lock holder frees the lock);
* transactions -- :meth:`txn` and its two most useful cases, :meth:`put_if_absent` (acquire a lock,
  win an election: "create this key only if its create_revision is 0") and
  :meth:`compare_and_put`; the winning key's revision serves as a fencing token;
* watches -- :meth:`watch` streams changes under a key or prefix.

The endpoint comes from ``endpoint=`` or ``DISTLAB_ETCD_ENDPOINT`` and must be on loopback.
Field names follow etcd's ``rpc.proto``; the code here is our own.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.client import HTTPResponse
from typing import Any
from urllib.parse import urlsplit

from distlab.services.errors import ServiceUnavailable
from distlab.services.loopback import check_loopback_host

ENV_VAR = "DISTLAB_ETCD_ENDPOINT"
INSTALL_HINT = "apt-get install etcd-server, or start one with distlab.services.launch.etcd_server()"
Bytes = str | bytes


class EtcdError(RuntimeError):
    """etcd answered with an error (for example ``etcdserver: requested lease not found``)."""


def _b64(data: Bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str | None) -> str:
    return base64.b64decode(text or "").decode("utf-8", errors="surrogateescape")


def prefix_end(prefix: Bytes) -> bytes:
    """The smallest key greater than every key starting with *prefix* (etcd's ``range_end``)."""
    raw = bytearray(prefix.encode("utf-8") if isinstance(prefix, str) else prefix)
    while raw and raw[-1] == 0xFF:
        raw.pop()
    if not raw:
        return b"\0"  # every key
    raw[-1] += 1
    return bytes(raw)


@dataclass(frozen=True)
class KeyValue:
    """One key as etcd stores it: its value and the revisions that order every change."""

    key: str
    value: str
    create_revision: int
    mod_revision: int
    version: int
    lease: int

    @classmethod
    def from_json(cls, kv: dict[str, Any]) -> KeyValue:
        """From a ``kv`` of the v3 JSON gateway (key and value base64-encoded, absent fields 0)."""
        return cls(_unb64(kv.get("key")), _unb64(kv.get("value")), int(kv.get("create_revision", 0)),
                   int(kv.get("mod_revision", 0)), int(kv.get("version", 0)), int(kv.get("lease", 0)))


@dataclass(frozen=True)
class WatchEvent:
    """A change seen by a watch: ``type`` is ``"PUT"`` or ``"DELETE"``."""

    type: str
    kv: KeyValue


def check_endpoint(endpoint: str, parameter: str = "endpoint") -> str:
    """Validate ``http(s)://127.0.0.1:2379``-style endpoints; return it without a trailing slash."""
    if not isinstance(endpoint, str) or not endpoint:
        raise ValueError(f"{parameter}: expected an http://127.0.0.1:2379 style URL, got {endpoint!r}")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{parameter}: unsupported endpoint {endpoint!r}; use http://127.0.0.1:2379")
    check_loopback_host(parts.hostname, parameter)
    return endpoint.rstrip("/")


class EtcdClient:
    """Calls etcd's JSON gateway at *endpoint*; every call is bounded by *timeout* seconds."""

    def __init__(self, endpoint: str, *, timeout: float = 5.0):
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f"timeout: must be a number of seconds > 0, got {timeout!r}")
        self.endpoint = check_endpoint(endpoint)
        self.timeout = timeout

    # -- transport ----------------------------------------------------------------
    def _open(self, path: str, body: dict[str, Any], timeout: float) -> HTTPResponse:
        request = urllib.request.Request(
            self.endpoint + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            response: HTTPResponse = urllib.request.urlopen(request, timeout=timeout)  # http(s) only
            return response
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            try:
                detail = json.loads(detail).get("error") or detail
            except ValueError:
                pass
            raise EtcdError(f"{path}: {detail.strip()}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnavailable(f"cannot reach etcd at {self.endpoint} ({reason}); {INSTALL_HINT}") from exc

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST *body* to a gateway *path* (``/v3/kv/put`` ...) and return the decoded reply."""
        try:
            with self._open(path, body, self.timeout) as reply:
                text = reply.read().decode()
        except TimeoutError as exc:
            raise ServiceUnavailable(
                f"etcd at {self.endpoint} did not answer {path} within {self.timeout:g} s") from exc
        message = json.loads(text.splitlines()[0]) if text.strip() else {}
        if isinstance(message.get("error"), (str, dict)):  # streaming endpoints wrap errors
            raise EtcdError(f"{path}: {message['error']}")
        result: dict[str, Any] = message.get("result", message)
        return result

    # -- keys -----------------------------------------------------------------
    def put(self, key: Bytes, value: Bytes, *, lease: int = 0) -> int:
        """Store *value* under *key* (attached to *lease* if not 0); return the new revision."""
        reply = self.call("/v3/kv/put", {"key": _b64(key), "value": _b64(value), "lease": str(lease)})
        return int(reply["header"]["revision"])

    def range(self, key: Bytes, range_end: bytes | None = None) -> list[KeyValue]:
        """Keys in ``[key, range_end)``, or just *key* when *range_end* is None, sorted by key."""
        body = {"key": _b64(key)}
        if range_end is not None:
            body["range_end"] = _b64(range_end)
        return [KeyValue.from_json(kv) for kv in self.call("/v3/kv/range", body).get("kvs", [])]

    def get(self, key: Bytes) -> KeyValue | None:
        """The entry for *key*, or None."""
        found = self.range(key)
        return found[0] if found else None

    def get_prefix(self, prefix: Bytes) -> list[KeyValue]:
        """Every entry whose key starts with *prefix*, sorted by key."""
        return self.range(prefix, prefix_end(prefix))

    def delete(self, key: Bytes, *, prefix: bool = False) -> int:
        """Delete *key* (or every key under it when *prefix*); return how many were deleted."""
        body = {"key": _b64(key)}
        if prefix:
            body["range_end"] = _b64(prefix_end(key))
        return int(self.call("/v3/kv/deleterange", body).get("deleted", 0))

    def delete_all(self) -> int:
        """Delete every key (etcd's ``key = range_end = "\\0"`` convention); return the count."""
        return int(self.call("/v3/kv/deleterange", {"key": _b64("\0"), "range_end": _b64("\0")}).get("deleted", 0))

    def revision(self) -> int:
        """The store's current revision (it grows by one per change)."""
        return int(self.call("/v3/kv/range", {"key": _b64("\0"), "limit": "1"})["header"]["revision"])

    # -- leases ---------------------------------------------------------------
    def lease_grant(self, ttl: int) -> int:
        """A new lease living *ttl* seconds unless kept alive; returns its id."""
        if not isinstance(ttl, int) or ttl < 1:
            raise ValueError(f"ttl: must be an integer number of seconds >= 1, got {ttl!r}")
        reply = self.call("/v3/lease/grant", {"TTL": str(ttl)})
        return int(reply["ID"])

    def lease_keepalive(self, lease: int) -> int:
        """Renew *lease* once; return its fresh TTL. ``EtcdError`` if it already expired."""
        ttl = int(self.call("/v3/lease/keepalive", {"ID": str(lease)}).get("TTL", 0))
        if ttl <= 0:
            raise EtcdError(f"lease {lease} has expired or was revoked")
        return ttl

    def lease_ttl(self, lease: int) -> int:
        """Seconds *lease* has left, or -1 when it no longer exists."""
        return int(self.call("/v3/lease/timetolive", {"ID": str(lease)}).get("TTL", -1))

    def lease_revoke(self, lease: int) -> None:
        """End *lease* now, deleting every key attached to it."""
        self.call("/v3/lease/revoke", {"ID": str(lease)})

    # -- transactions -----------------------------------------------------------
    def txn(self, compare: Sequence[dict[str, Any]], success: Sequence[dict[str, Any]],
            failure: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        """Raw ``If(compare) Then(success) Else(failure)`` in etcd's JSON form; returns the reply."""
        return self.call("/v3/kv/txn", {"compare": list(compare), "success": list(success),
                                        "failure": list(failure)})

    def put_if_absent(self, key: Bytes, value: Bytes, *, lease: int = 0) -> bool:
        """Create *key* only if it does not exist (``create_revision == 0``); True if we created it.

        This one compare-and-put is a lock acquisition and an election campaign: exactly one of many
        concurrent callers sees True.
        """
        reply = self.txn(
            [{"key": _b64(key), "target": "CREATE", "result": "EQUAL", "create_revision": "0"}],
            [{"request_put": {"key": _b64(key), "value": _b64(value), "lease": str(lease)}}],
        )
        return bool(reply.get("succeeded", False))

    def compare_and_put(self, key: Bytes, expected: Bytes, value: Bytes, *, lease: int = 0) -> bool:
        """Set *key* to *value* only if it currently holds *expected*; True if it did."""
        reply = self.txn(
            [{"key": _b64(key), "target": "VALUE", "result": "EQUAL", "value": _b64(expected)}],
            [{"request_put": {"key": _b64(key), "value": _b64(value), "lease": str(lease)}}],
        )
        return bool(reply.get("succeeded", False))

    def delete_if_value(self, key: Bytes, expected: Bytes) -> bool:
        """Delete *key* only if it holds *expected* (release a lock only if we still own it)."""
        reply = self.txn(
            [{"key": _b64(key), "target": "VALUE", "result": "EQUAL", "value": _b64(expected)}],
            [{"request_delete_range": {"key": _b64(key)}}],
        )
        return bool(reply.get("succeeded", False))

    # -- watches ----------------------------------------------------------------
    def watch(self, key: Bytes, *, prefix: bool = False, start_revision: int = 0,
              idle_timeout: float = 2.0, max_events: int | None = None) -> Iterator[WatchEvent]:
        """Yield changes to *key* (or under it) until *max_events* or *idle_timeout* s without one.

        ``start_revision`` replays history from that revision, so nothing between a read and the
        start of the watch is missed. Closing the generator closes the stream.
        """
        create = {"key": _b64(key), "start_revision": str(start_revision)}
        if prefix:
            create["range_end"] = _b64(prefix_end(key))
        seen = 0
        with self._open("/v3/watch", {"create_request": create}, idle_timeout) as stream:
            while max_events is None or seen < max_events:
                try:
                    line = stream.readline()
                except TimeoutError:
                    return
                if not line:
                    return
                result = json.loads(line).get("result", {})
                for event in result.get("events", []):
                    yield WatchEvent(event.get("type", "PUT"), KeyValue.from_json(event.get("kv", {})))
                    seen += 1
                    if max_events is not None and seen >= max_events:
                        return

    def version(self) -> str:
        """The server's version string, e.g. ``3.4.23``."""
        version: str = self.call("/v3/maintenance/status", {}).get("version", "?")
        return version

    def describe(self) -> str:
        """One line naming the backend, e.g. ``etcd 3.4.23 at 127.0.0.1:2379``."""
        return f"etcd {self.version()} at {urlsplit(self.endpoint).netloc}"


def connect(endpoint: str | None = None, *, timeout: float = 5.0) -> EtcdClient:
    """A client for *endpoint* or ``$DISTLAB_ETCD_ENDPOINT``, checked to answer."""
    chosen = endpoint if endpoint is not None else os.environ.get(ENV_VAR)
    if chosen is None or (endpoint is None and not chosen):
        raise ServiceUnavailable(
            f"no etcd endpoint: pass endpoint='http://127.0.0.1:2379' or set {ENV_VAR} ({INSTALL_HINT})"
        )
    parameter = "endpoint" if endpoint is not None else ENV_VAR
    client = EtcdClient(check_endpoint(chosen, parameter), timeout=timeout)
    client.version()
    return client


def describe(client: EtcdClient | None = None) -> str:
    """One line naming the etcd in use (that of :func:`connect` when *client* is None)."""
    return (client if client is not None else connect()).describe()
