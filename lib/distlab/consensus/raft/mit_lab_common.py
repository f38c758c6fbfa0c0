"""What the MIT 6.5840 scenario modules (``mit_lab*.py``) share: the lab's election-timeout budget
``ET`` and ``expect``.
"""
from __future__ import annotations

from .cluster_core import ScenarioError

ET = 0.5  # "RaftElectionTimeout": generous against our 150-300 ms election timeouts


def expect(cond: bool, message: str) -> None:
    """Raise :class:`ScenarioError` with ``message`` unless ``cond`` holds."""
    if not cond:
        raise ScenarioError(message)
