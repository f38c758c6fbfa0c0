"""Start real servers from Debian's packages, for tests and notebooks.

Each launcher is a context manager that starts one server on loopback (or a unix socket) in a fresh
temporary directory, waits until it answers, yields a :class:`~distlab.services.launch.process.RunningServer`
(``.url``, ``.name``), and on exit stops the server and deletes the directory -- also when the body
raises. A missing program raises :class:`~distlab.services.errors.ServerNotInstalled` naming the
package to install.

>>> from distlab.services.launch import redis_server                 # doctest: +SKIP
>>> with redis_server() as srv:                                       # doctest: +SKIP
...     r = distlab.services.redis.connect(srv.url)

Debian packages: ``redis-server``, ``postgresql``, ``etcd-server``.
"""

from distlab.services.launch.etcd_launcher import etcd_server
from distlab.services.launch.postgres_launcher import postgres_server
from distlab.services.launch.process import RunningServer
from distlab.services.launch.redis_launcher import redis_server

__all__ = ["RunningServer", "redis_server", "postgres_server", "etcd_server"]
