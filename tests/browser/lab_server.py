"""Start a throw-away Jupyter server (JupyterLab + Notebook 7) for the browser tests.

Everything the server may write goes into one temporary directory: the served copy of the
notebooks (JupyterLab writes checkpoints next to them), the Jupyter config, data, runtime,
settings and workspace folders, and IPython's profile.  The user's own ``~/.jupyter`` is never
read or written, so the announcements plugin is disabled in a ``labconfig/page_config.json`` that
lives only in the temporary config folder.

The server listens on a free loopback port, has no token or password, runs as root if it must
(CI does), never checks for updates or news, and uses the read-only extension manager (the
default one queries PyPI).  It exposes ``window.jupyterapp`` so a test can run commands and read
the notebook model the way JupyterLab's own Galata tests do.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

#: Plugins a test run must not load: news/update polling needs the network and pops up banners.
DISABLED_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)

#: User settings written into the temporary settings folder (never the user's).  Windowing
#: "none" keeps every cell in the DOM, so widgets far down a notebook are rendered and
#: reachable; "defer" / "full" would virtualise them away.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}

#: Server variables that would point notebooks at real engines; the browser run uses the
#: embedded defaults, exactly like `make notebooks`.
SERVER_VARIABLES = ("DISTLAB_REDIS_URL", "DISTLAB_DATABASE_URL", "DISTLAB_ETCD_ENDPOINT")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running server: `url` (no trailing slash), `root` (the served folder), `log_path`."""

    def __init__(self, proc: subprocess.Popen, url: str, root: pathlib.Path,
                 log_path: pathlib.Path):
        self.proc, self.url, self.root, self.log_path = proc, url, root, log_path

    def api(self, method: str, path: str) -> object:
        """Call the REST API (no token needed); returns the decoded JSON body or None."""
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (one notebook's kernel must not eat the next one's CPU)."""
        for session in self.api("GET", "/api/sessions") or []:
            with contextlib.suppress(urllib.error.URLError):
                self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels") or []:
            with contextlib.suppress(urllib.error.URLError):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _write_config(home: pathlib.Path) -> dict[str, str]:
    """Create the private Jupyter folders and return the environment variables naming them."""
    dirs = {name: home / name for name in ("config", "data", "runtime", "settings",
                                            "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    (dirs["config"] / "labconfig").mkdir(exist_ok=True)
    page_config = {"disabledExtensions": {name: True for name in DISABLED_PLUGINS}}
    (dirs["config"] / "labconfig" / "page_config.json").write_text(json.dumps(page_config))
    for rel, values in LAB_SETTINGS.items():
        path = dirs["settings"] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return {"JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "IPYTHONDIR": str(dirs["ipython"]), "JUPYTER_PLATFORM_DIRS": "0"}


def copy_notebooks(src: pathlib.Path, dst: pathlib.Path) -> None:
    """Copy the notebook folder (with any data files beside the notebooks), minus checkpoints."""
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".ipynb_checkpoints",
                                                                "__pycache__"))
    else:
        dst.mkdir(parents=True)


@contextlib.contextmanager
def lab_server(notebooks: pathlib.Path, home: pathlib.Path, *, start_timeout: float = 120.0):
    """Serve a temporary copy of `notebooks` from `home/root`; yields a `LabServer`."""
    root = home / "root"
    copy_notebooks(notebooks, root)
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    env.update(_write_config(home))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--port-retries=0", f"--ServerApp.root_dir={root}",
           "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.allow_root=True", "--ServerApp.disable_check_xsrf=True",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
           "--LabApp.expose_app_in_browser=True",
           "--JupyterNotebookApp.expose_app_in_browser=True",
           "--MappingKernelManager.cull_idle_timeout=0"]
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    server = LabServer(proc, url, root, log_path)
    try:
        _wait_until_up(server, start_timeout)
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.shutdown_kernels()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _wait_until_up(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {server.proc.returncode}:\n"
                               f"{server.log_tail()}")
        with contextlib.suppress(OSError):
            if server.api("GET", "/api/status") is not None:
                return
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer on {server.url} within {timeout:.0f} s:\n"
                       f"{server.log_tail()}")
