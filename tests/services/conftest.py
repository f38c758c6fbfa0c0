"""Make the services fixtures available here even before the top-level conftest loads the plugin.

tests/conftest.py is expected to say ``pytest_plugins = ["distlab.services.pytest_plugin"]``; this hook
registers the same module only when nobody has yet, so the fixtures are never defined twice.
"""

import distlab.services.pytest_plugin as _plugin


def pytest_configure(config):
    manager = config.pluginmanager
    if not manager.is_registered(_plugin) and not manager.has_plugin("distlab.services.pytest_plugin"):
        manager.register(_plugin, "distlab.services.pytest_plugin")
