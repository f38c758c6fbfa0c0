"""The Binder files, pyproject.toml and constraints.txt name the same packages at the same versions."""
import os
import pathlib
import re

import tomllib
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONDA_NAMES = {"redis": "redis-py", "psycopg": "psycopg"}  # PyPI name -> conda-forge name
CONDA_ONLY = {"python", "pip", "redis-server", "postgresql"}


def pypi_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for rs in project["optional-dependencies"].values() for r in rs]
    return {re.split(r"[\[<>=!~ ;]", r, maxsplit=1)[0].lower() for r in reqs}


def constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                name, version = item.split("==")
                pip[name.lower()] = version
        else:
            name, _, version = dep.partition("=")
            conda[name.lower()] = version
    return env, conda, pip


def test_environment_uses_conda_forge_and_a_supported_python():
    env, conda, _ = environment()
    assert env["channels"] == ["conda-forge"]
    major, minor = (int(x) for x in conda["python"].split(".")[:2])
    assert (3, 10) <= (major, minor) <= (3, 12)
    assert {"redis-server", "postgresql"} <= set(conda)


def test_environment_lists_the_same_python_packages_as_pyproject():
    _, conda, pip = environment()
    wanted = {CONDA_NAMES.get(name, name) for name in pypi_requirements()}
    listed = (set(conda) - CONDA_ONLY) | set(pip)
    assert listed == wanted


def test_environment_pins_mirror_the_constraints():
    _, conda, pip = environment()
    pins = constraints()
    reverse = {v: k for k, v in CONDA_NAMES.items()}
    for name, version in {**conda, **pip}.items():
        if name in CONDA_ONLY:
            continue
        assert version == pins[reverse.get(name, name)], name
    for name in pypi_requirements():
        assert name in pins, f"{name} is not pinned in constraints.txt"


def test_post_build_is_executable_and_installs_without_dependencies():
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK)
    assert re.search(r"pip install --no-deps -e \.", post.read_text())
