"""Loopback-only plumbing shared by the service clients and launchers.

The course only ever talks to servers on this machine: a loopback address (127.0.0.0/8, ``::1``,
``localhost``) or a unix socket. :func:`check_loopback_host` enforces that for every URL a learner
passes in, *before* any connection is attempted. :func:`free_port` asks the kernel for an unused
loopback port, and :func:`wait_until` polls a readiness probe against a deadline so that a server
that never comes up produces an error instead of a hang.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback_host(host: str | None) -> bool:
    """True for a loopback name or address, and for ``None``/"" or a path (a unix socket)."""
    if not host or host.startswith("/"):
        return True
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_loopback_host(host: str | None, parameter: str) -> None:
    """Raise ``ValueError`` naming *parameter* unless *host* is loopback or a unix socket."""
    if not is_loopback_host(host):
        raise ValueError(
            f"{parameter}: host {host!r} is not a loopback address; distlab only talks to servers "
            "on this machine (127.0.0.1, ::1, localhost or a unix socket path)"
        )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on *host* that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]  # (host, port) for AF_INET
        return port


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """*count* distinct free TCP ports on *host* (all held open while choosing, so none repeats)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_until(
    probe: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    interval: float = 0.05,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Call *probe* until it returns True; raise ``TimeoutError`` naming *what* after *timeout* s.

    *alive*, when given, is checked between probes so that a server process that died at start-up
    fails fast instead of waiting out the whole timeout.
    """
    if timeout <= 0:
        raise ValueError(f"timeout: must be > 0 seconds, got {timeout!r}")
    deadline = time.monotonic() + timeout
    while True:
        try:
            if probe():
                return
        except OSError:
            pass
        if alive is not None and not alive():
            raise RuntimeError(f"{what} exited during start-up")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} was not ready after {timeout:g} s")
        time.sleep(interval)
