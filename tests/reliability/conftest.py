"""Fixtures for the reliability tests (``redis_client`` comes from ``distlab.services.pytest_plugin``)."""
from __future__ import annotations

import itertools

import pytest

_ids = itertools.count()


@pytest.fixture
def rl_prefix():
    """A key prefix unique to each test, so tests sharing one server never see each other's keys."""
    return f"distlab-test:{next(_ids)}:"
