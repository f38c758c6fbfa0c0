"""Embedded engines never outlive their owner: killed with it, and reaped if anything is left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from distlab.services import lifecycle

pytest_plugins = ["pytester"]

OWNER = textwrap.dedent("""
    import json, sys
    from distlab.services import lifecycle, postgres, redis
    if "--no-pdeathsig" in sys.argv:      # what a system without a parent-death signal does
        lifecycle._pdeathsig_setter = lambda parent: None
    redis.connect().ping()
    postgres.embedded()
    mine = [r for r in lifecycle.records() if r.owner == __import__("os").getpid()]
    print(json.dumps([[r.kind, r.pid, list(r.folders)] for r in mine]), flush=True)
    sys.stdin.read()                      # hold the servers until killed
""")


def _start_owner(*flags: str) -> tuple[subprocess.Popen, list]:
    proc = subprocess.Popen([sys.executable, "-c", OWNER, *flags], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line, f"the owner process died before reporting its servers (exit {proc.wait()})"
    return proc, json.loads(line)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdin.close()
    proc.stdout.close()


@pytest.fixture
def private_runtime(tmp_path, monkeypatch):
    """A runtime folder of this test's own (inherited by the owners it starts), so that no other
    test session running on the machine reaps -- or is reaped by -- what this test starts."""
    monkeypatch.setenv(lifecycle.RUNTIME_ENV, str(tmp_path / "run"))
    return tmp_path / "run"


def test_servers_die_with_an_owner_killed_by_sigkill(private_runtime):
    proc, servers = _start_owner()
    assert sorted(kind for kind, _, _ in servers) == ["postgres", "redis"]
    pids = [pid for _, pid, _ in servers]
    assert lifecycle.wait_gone(pids, 0.3) == pids, "the servers should run while their owner lives"
    _kill(proc)
    assert lifecycle.wait_gone(pids, 5.0) == [], "the parent-death signal should have killed them"
    reaped = {r.pid for r in lifecycle.reap()}  # their records and folders are cleared by the next start
    assert set(pids) <= reaped
    for _, _, folders in servers:
        assert not any(os.path.exists(f) for f in folders)


def test_orphans_left_without_a_parent_death_signal_are_reaped(private_runtime):
    proc, servers = _start_owner("--no-pdeathsig")
    _kill(proc)
    pids = [pid for _, pid, _ in servers]
    time.sleep(0.3)
    assert lifecycle.wait_gone(pids, 0.2) == pids, "without the signal the orphans outlive their owner"
    assert {r.pid for r in lifecycle.reap()} >= set(pids)
    assert lifecycle.wait_gone(pids, 5.0) == []
    for _, _, folders in servers:
        assert folders and not any(os.path.exists(f) for f in folders)
    assert not {r.pid for r in lifecycle.records()} & set(pids)


def test_every_start_reaps_first(private_runtime, tmp_path):
    folder = tmp_path / "distlab-orphan"
    folder.mkdir()
    lifecycle._write(lifecycle.Record("redis", 999_999_999, 1, 999_999_998, 1, (str(folder),)))
    owned = lifecycle.spawn(["sleep", "30"], kind="sleep")
    try:
        assert not folder.exists() and [r.pid for r in lifecycle.records()] == [owned.proc.pid]
    finally:
        lifecycle.release(owned)


def test_a_server_started_from_a_worker_thread_outlives_that_thread():
    # PR_SET_PDEATHSIG follows the thread that forked: spawns from other threads go through one
    # long-lived spawner thread, so a finished worker does not take the server with it.
    box = {}

    def worker():
        box["owned"] = lifecycle.spawn(["sleep", "30"], kind="sleep")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    owned = box["owned"]
    try:
        time.sleep(0.3)
        assert owned.proc.poll() is None
    finally:
        lifecycle.release(owned)
    assert owned.proc.poll() is not None
    assert owned.record.pid not in {r.pid for r in lifecycle.records()}


def test_a_recycled_pid_is_not_taken_for_the_recorded_process():
    me = os.getpid()
    started = lifecycle.process_start(me)
    assert lifecycle.Record("x", me, started, me, started).alive()
    assert not lifecycle.Record("x", me, started + 1, me, started).alive()
    assert not lifecycle.Record("x", me, started, me, started - 1).owner_alive()


def test_the_reaper_deletes_only_distlab_folders(tmp_path):
    keep = tmp_path / "precious"
    keep.mkdir()
    gone = tmp_path / "distlab-scratch"
    gone.mkdir()
    lifecycle.remove_folders([str(keep), str(gone)])
    assert keep.exists() and not gone.exists()


def test_records_of_dead_owners_are_reaped_and_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(lifecycle.RUNTIME_ENV, str(tmp_path / "run"))
    me, started = os.getpid(), lifecycle.process_start(os.getpid())
    folder = tmp_path / "distlab-left"
    folder.mkdir()
    dead = lifecycle.Record("redis", 999_999_999, 1, 999_999_998, 1, (str(folder),))
    live = lifecycle.Record("redis", 999_999_997, 1, me, started)
    for record in (dead, live):
        lifecycle._write(record)
    assert lifecycle.reap() == [dead]
    assert not folder.exists()
    assert lifecycle.records() == [live]


def test_a_killed_jupyter_kernel_takes_its_embedded_servers_along():
    jupyter_client = pytest.importorskip("jupyter_client")
    km = jupyter_client.KernelManager(kernel_name="python3")
    km.start_kernel()
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        code = ("from distlab.services import lifecycle, postgres, redis; redis.connect(); postgres.embedded(); "
                "import os; print([r.pid for r in lifecycle.records() if r.owner == os.getpid()])")
        out = []
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m))
        assert reply["content"]["status"] == "ok"
        text = "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")
        pids = json.loads(text.strip())
        assert len(pids) == 2 and lifecycle.wait_gone(pids, 0.2) == pids
        os.kill(km.provisioner.pid, signal.SIGKILL)
        assert lifecycle.wait_gone(pids, 5.0) == []
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


LEAKY_TEST = textwrap.dedent("""
    import time
    from distlab.services import lifecycle, redis

    def test_leaks_a_server(tmp_path):
        argv = [redis.embedded_binary(), "--port", "0", "--unixsocket", str(tmp_path / "r.sock"), "--save", ""]
        owned = lifecycle.spawn(argv, kind="redis")
        time.sleep(0.3)
        assert owned.proc.poll() is None
""")


def test_a_test_session_that_leaves_a_server_running_fails(pytester, private_runtime, monkeypatch):
    monkeypatch.setenv(lifecycle.TAG_ENV, "inner-session")  # the inner session counts only its own servers
    pytester.makepyfile(test_leaky=LEAKY_TEST)
    pytester.makeconftest("import distlab.services.pytest_plugin as t\nt.LEFT_BEHIND_GRACE_S = 0.5\n")
    before = set(lifecycle.server_processes(names=("redis-server",)))
    result = pytester.runpytest_subprocess("-p", "distlab.services.pytest_plugin", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*servers left behind*", "*still running: redis (pid *"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert lifecycle.reap(), "the leaked server's owner is gone: the reaper stops it"
    new = set(lifecycle.server_processes(names=("redis-server",))) - before
    assert lifecycle.wait_gone(sorted(new), 5.0) == []
