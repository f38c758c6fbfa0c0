"""Launchers always clean up; the plugin skips (or, when required, fails) on a missing server."""

import os
import time

import pytest

from distlab.services import ServerNotInstalled, ServiceUnavailable, redis as dredis
from distlab.services.launch import etcd_server, postgres_server, redis_server
from distlab.services.launch.process import managed_process, require_program
from distlab.services.pytest_plugin import missing_server

pytest_plugins = ["pytester"]


def _gone(pid, wait=5.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.services
@pytest.mark.parametrize("launcher", [redis_server, postgres_server, etcd_server],
                         ids=["redis", "postgresql", "etcd"])
def test_launcher_stops_the_server_and_removes_its_files_even_on_error(launcher):
    with pytest.raises(KeyError):
        try:
            with launcher() as server:
                seen = server
                assert os.path.isdir(server.data_dir)
                assert server.url.split("://")[1].startswith(("127.0.0.1:", "postgres@127.0.0.1:"))
                raise KeyError("the body failed")
        except ServerNotInstalled as exc:
            missing_server(exc)
    assert not os.path.exists(seen.data_dir)
    assert seen.pid is not None and _gone(seen.pid)


@pytest.mark.services
def test_redis_server_serves_real_redis_7():
    try:
        with redis_server() as server:
            client = dredis.connect(server.url)
            assert client.info("server")["redis_version"].split(".")[0] >= "7"
            assert dredis.describe(client) == f"redis {client.info('server')['redis_version']} at {server.url[8:-2]}"
    except ServerNotInstalled as exc:
        missing_server(exc)


def test_missing_program_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServerNotInstalled, match="apt-get install redis-server"), redis_server():
        pass


def test_server_that_never_gets_ready_times_out_with_its_log(tmp_path):
    sleeper = require_program("sleep", "coreutils")
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match=r"not ready after 0\.5 s"), \
            managed_process([sleeper, "30"], what="a sleeping 'server'", log_path=str(tmp_path / "log"),
                            ready=lambda: False, timeout=0.5, kind="sleep"):
        pass
    assert time.monotonic() - started < 10  # the sleeper was killed, not waited for


def test_server_that_dies_at_start_fails_fast(tmp_path):
    false = require_program("false", "coreutils")
    with pytest.raises(ServiceUnavailable, match="exited during start-up"), \
            managed_process([false], what="a failing 'server'", log_path=str(tmp_path / "log"),
                            ready=lambda: False, timeout=30, kind="false"):
        pass


PLUGIN_TEST = """
def test_uses_server(redis_client):
    assert redis_client.ping()
"""


@pytest.mark.parametrize("required, outcome", [("", {"passed": 1, "skipped": 1}), ("1", {"passed": 1, "errors": 1})])
def test_plugin_skips_or_fails_when_redis_server_is_missing(pytester, monkeypatch, tmp_path, required, outcome):
    pytester.makepyfile(PLUGIN_TEST)
    env_path = tmp_path / "empty-bin"
    env_path.mkdir()
    monkeypatch.setenv("PATH", str(env_path))
    monkeypatch.setenv("DISTLAB_REQUIRE_SERVICES", required)
    result = pytester.runpytest_inprocess("-p", "distlab.services.pytest_plugin", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(**outcome)
    result.stdout.fnmatch_lines(["*redis-server is not installed*apt-get install redis-server*"])


@pytest.mark.services
def test_redis_server_retries_when_its_port_is_taken(monkeypatch):
    import socket

    from distlab.services.launch import process

    real, handed = process.free_ports, []
    with socket.socket() as squatter:  # a port somebody else is already listening on
        squatter.bind(("127.0.0.1", 0))
        squatter.listen(1)
        taken = squatter.getsockname()[1]

        def first_taken(count):
            handed.append([taken] if not handed else real(count))
            return handed[-1]

        monkeypatch.setattr(process, "free_ports", first_taken)
        try:
            with redis_server() as server:
                assert len(handed) == 2
                assert server.url == f"redis://127.0.0.1:{handed[1][0]}/0" != f"redis://127.0.0.1:{taken}/0"
                assert dredis.connect(server.url).ping()
        except ServerNotInstalled as exc:
            missing_server(exc)
