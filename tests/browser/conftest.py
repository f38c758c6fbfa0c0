"""Fixtures for the browser tests (pytest marker ``browser``; see docs/browser-tests.md).

* ``chromium`` -- one headless Debian Chromium for the whole session, driven by Playwright for
  Python through ``executable_path`` (browsers are never downloaded: no ``playwright install``).
  Missing Chromium or Playwright skips with the reason, or fails when
  ``DISTLAB_REQUIRE_SERVICES=1`` (CI).
* ``lab`` -- one Jupyter server for the session, serving a temporary copy of ``notebooks/`` plus
  this folder's fixture notebooks under ``_browser_fixtures/``.
* ``page`` -- a fresh browser context and page per test; the test's kernels are shut down after.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import time

import pytest

from .lab_server import lab_server

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
DATA = pathlib.Path(__file__).resolve().with_name("data")
FIXTURE = DATA / "fixture_widgets.ipynb"  #: slider + button + plot in an Output + a quiz
PANEL_FIXTURE = DATA / "fixture_panel.ipynb"  #: distlab.view Panel + Player, no hint, no quiz
ARTIFACTS = ROOT / "artifacts" / "browser"
FIXTURES = "_browser_fixtures"  #: folder of the fixture notebooks inside the served copy
CHROMIUM = os.environ.get("DISTLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
REQUIRE_ENV = "DISTLAB_REQUIRE_SERVICES"

# The fixture notebooks are driven in a browser, not compared by nbval (`make test` passes
# --nbval over tests/).
collect_ignore_glob = ["data/*.ipynb"]

_SESSION_START = time.time()


def unavailable(reason: str):
    """Skip with `reason`, or fail when DISTLAB_REQUIRE_SERVICES=1 demands the browser."""
    if os.environ.get(REQUIRE_ENV, "") == "1":
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1 requires the browser tests to run", pytrace=False)
    pytest.skip(f"{reason} (set {REQUIRE_ENV}=1 to make this a failure)")


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        unavailable(f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter")
    with lab_server(NOTEBOOKS_DIR, home) as server:
        fixtures = server.root / FIXTURES
        fixtures.mkdir()
        for nb in DATA.glob("*.ipynb"):
            shutil.copy(nb, fixtures / nb.name)
        yield server


@pytest.fixture
def page(chromium, lab):
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        lab.shutdown_kernels()


def pytest_terminal_summary(terminalreporter):
    """One line per notebook driven in this session: result and seconds per step (CI logs)."""
    lines = []
    for path in sorted(ARTIFACTS.glob("*.json")) if ARTIFACTS.is_dir() else []:
        if path.stat().st_mtime < _SESSION_START:
            continue
        summary = json.loads(path.read_text())
        steps = " ".join(f"{k}={v:g}s" for k, v in summary.get("seconds", {}).items())
        lines.append(f"{path.stem:36} {summary.get('result', '?')[:40]:40} {steps}")
    if lines:
        where = ARTIFACTS.relative_to(ROOT)
        terminalreporter.write_sep("-", f"browser runs (screenshots in {where})")
        for line in lines:
            terminalreporter.write_line(line)
