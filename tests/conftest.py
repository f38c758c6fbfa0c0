"""Shared test configuration.

* Hypothesis runs derandomized under the ``ci`` profile (the default), so CI is repeatable; set
  ``HYPOTHESIS_PROFILE=dev`` to explore with fresh random examples locally.
* ``distlab.services.pytest_plugin`` provides the real-engine fixtures (``redis_client``, ``sql_backend``,
  ``etcd_endpoint``); with ``DISTLAB_REQUIRE_SERVICES=1`` a missing server fails instead of skipping.
* Matplotlib draws off-screen.
"""
import importlib.util
import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytest_plugins = [
    name for name in ("distlab.services.pytest_plugin",) if importlib.util.find_spec(name) is not None
]
