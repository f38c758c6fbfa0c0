"""Launch Debian's ``redis-server`` (7.x) on a free loopback port with persistence off."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import cast

from distlab.services.launch.process import (
    RunningServer,
    managed_process,
    on_free_ports,
    require_program,
    temp_dir,
)

INSTALL_HINT = "apt-get install redis-server"


def answers_ping(address: int | str) -> bool:
    """Whether a Redis at *address* (a loopback TCP port, or a unix socket path) answers PING."""
    family = socket.AF_INET if isinstance(address, int) else socket.AF_UNIX
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        sock.connect(("127.0.0.1", address) if isinstance(address, int) else address)
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


def server_version(binary: str) -> str:
    """``redis-server --version`` reduced to the version number, e.g. ``7.0.15``."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    for word in out.split():
        if word.startswith("v="):
            return word[2:]
    return "?"


@contextlib.contextmanager
def redis_server(*, timeout: float = 15.0) -> Iterator[RunningServer]:
    """A throw-away ``redis-server`` on ``127.0.0.1:<free port>``; stopped and deleted on exit."""
    binary = require_program("redis-server", INSTALL_HINT)
    version = server_version(binary)
    with temp_dir("distlab-redis-") as data_dir:

        def start(port: int) -> AbstractContextManager[subprocess.Popen[bytes]]:
            argv = [
                binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", data_dir,
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
            ]
            return managed_process(
                argv, what=f"redis-server on port {port}", log_path=os.path.join(data_dir, f"redis-{port}.log"),
                ready=lambda: answers_ping(port), timeout=timeout, kind="redis", folders=[data_dir],
            )

        with on_free_ports(start, count=1) as proc:
            args = cast("list[str]", proc.args)  # lifecycle.spawn passes list(argv)
            port = int(args[args.index("--port") + 1])
            yield RunningServer(
                name=f"redis-server {version} at 127.0.0.1:{port}",
                url=f"redis://127.0.0.1:{port}/0", pid=proc.pid, data_dir=data_dir,
            )
