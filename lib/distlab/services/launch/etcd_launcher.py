"""Launch Debian's ``etcd`` (3.4, package ``etcd-server``) as a one-member cluster on loopback.

Client and peer ports are free loopback ports, the data directory is temporary, and readiness is
etcd's own ``/health`` endpoint. The yielded ``url`` is the client endpoint that
:func:`distlab.services.etcd.connect` takes.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import urllib.request
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

INSTALL_HINT = "apt-get install etcd-server"


def _healthy(client_url: str) -> bool:
    with urllib.request.urlopen(client_url + "/health", timeout=1.0) as reply:
        return json.loads(reply.read().decode()).get("health") in ("true", True)


def _version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    for line in out.splitlines():
        if line.startswith("etcd Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


@contextlib.contextmanager
def etcd_server(*, timeout: float = 30.0) -> Iterator[RunningServer]:
    """A scratch single-member etcd on ``http://127.0.0.1:<free port>``; stopped and deleted on exit."""
    binary = require_program("etcd", INSTALL_HINT)
    version = _version(binary)
    env = dict(os.environ)
    if platform.machine() in ("aarch64", "arm64"):
        env["ETCD_UNSUPPORTED_ARCH"] = "arm64"  # etcd 3.4 asks for this on arm64
    with temp_dir("distlab-etcd-") as root_dir:

        def start(client_port: int, peer_port: int) -> AbstractContextManager[subprocess.Popen[bytes]]:
            client_url = f"http://127.0.0.1:{client_port}"
            peer_url = f"http://127.0.0.1:{peer_port}"
            argv = [
                binary, "--name", "distlab", "--data-dir", os.path.join(root_dir, f"data-{client_port}"),
                "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
                "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                "--initial-cluster", f"distlab={peer_url}", "--initial-cluster-state", "new",
            ]
            return managed_process(
                argv, what=f"etcd on {client_url}", log_path=os.path.join(root_dir, f"etcd-{client_port}.log"),
                ready=lambda: _healthy(client_url), timeout=timeout, env=env, kind="etcd", folders=[root_dir],
            )

        with on_free_ports(start, count=2) as proc:
            args = cast("list[str]", proc.args)  # lifecycle.spawn passes list(argv)
            client_url = args[args.index("--listen-client-urls") + 1]
            yield RunningServer(name=f"etcd {version} at {client_url[len('http://'):]}", url=client_url,
                                pid=proc.pid, data_dir=root_dir)
