"""The real engines under a run: the SQL store (SQLite in memory by default, any PostgreSQL by URL)
and Redis (the embedded server by default), with fresh, empty stores for every run.

:class:`Engines` holds the settings and the Redis connection for many runs; :meth:`Engines.stores`
hands one run its :class:`Stores` -- the service's database (ledger, saga log, idempotency keys,
outbox), the notifier's own database (inbox, notifications) and a stream key nobody used before.
On PostgreSQL both databases are schemas (named after ``schema_prefix``, so that several
processes can share one server) emptied for the run; on SQLite, two new in-memory databases.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import redis as _redis

from distlab.services import postgres, redis as dredis, sql
from distlab.services.loopback import check_loopback_host
from distlab.services.sql import SQLBackend

__all__ = ["Engines", "Stores", "check_postgres_url"]


def check_postgres_url(url: str, parameter: str = "url") -> str:
    """``url`` if it names a PostgreSQL on this machine (``postgresql://user@127.0.0.1:5432/db`` or a
    unix socket), else a ``ValueError`` naming ``parameter``."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"{parameter} must be a postgresql:// URL such as postgresql://user@127.0.0.1:5432/db, "
                         f"got {url!r}")
    check_loopback_host(parts.hostname or "/", parameter)  # no host: the default unix socket
    return url


@dataclass
class Stores:
    """One run's stores: the service's database, the notifier's, and the Redis stream's key."""

    db: SQLBackend
    notifier_db: SQLBackend
    redis: _redis.Redis
    stream: str

    def close(self) -> None:
        """Close the two database connections and delete the stream."""
        self.redis.delete(self.stream)
        self.db.close()
        self.notifier_db.close()


class Engines:
    """The engines at ``url`` (SQL; None: ``$DISTLAB_DATABASE_URL`` when it names a PostgreSQL, else SQLite
    in memory) and
    ``redis_url`` (None: ``$DISTLAB_REDIS_URL`` when set, else the embedded Redis)."""

    def __init__(self, url: str | None = None, redis_url: str | None = None, *,
                 schema_prefix: str = "casestudy") -> None:
        if url is not None and (not isinstance(url, str) or not url):
            raise ValueError(f"url must be None (SQLite in memory) or a postgresql:// or sqlite:// URL, got {url!r}")
        if not isinstance(schema_prefix, str) or not schema_prefix.isidentifier():
            raise ValueError(f"schema_prefix must be an identifier (a PostgreSQL schema name), got {schema_prefix!r}")
        self.url, self.schema_prefix = url or postgres.configured_url(), schema_prefix.lower()
        self.redis = dredis.connect(redis_url, parameter="redis_url")
        self.runs = 0

    def _database(self, schema: str) -> SQLBackend:
        if self.url is None:
            return sql.connect_sqlite(":memory:")
        db = sql.connect(self.url)
        if db.dialect == "postgresql":
            name = f"{self.schema_prefix}_{schema}"
            db.script(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")
            db.execute(f"SET search_path TO {name}")
        return db

    def stores(self) -> Stores:
        """Fresh, empty stores for one run."""
        self.runs += 1
        return Stores(self._database("bank"), self._database("notifier"), self.redis,
                      f"casestudy.transfers.{self.schema_prefix}.{self.runs}")

    def describe(self) -> str:
        """One line naming the engines (it connects, but creates and empties nothing)."""
        with sql.connect(self.url or ":memory:") as db:
            return f"{db.describe()}; {dredis.describe(self.redis)}"

    def close(self) -> None:
        """Close the Redis connection."""
        self.redis.close()
