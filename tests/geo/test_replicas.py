"""Quorum commit on real PostgreSQL replicas: a primary, three standbys at 20/80/150 ms, ANY k.

One replica set per engine is shared by the module's tests (start-up is most of the cost): the
embedded PostgreSQL always, Debian's ``postgresql`` as a ``services`` parameter (skipped when it is
not installed, a failure under ``DISTLAB_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import textwrap

import pytest

from distlab.geo.replicas import replica_set
from distlab.geo.replicas_experiment import measure_k, run_quorum_commit
from distlab.geo.replicas_standby import connect, engine_bin_dir
from distlab.services import lifecycle
from distlab.services.errors import ServerNotInstalled, ServiceUnavailable
from distlab.services.pytest_plugin import missing_server

DELAYS = (20, 80, 150)


def _bin_dir_or_skip(engine: str) -> None:
    try:
        engine_bin_dir(engine)
        return
    except ServerNotInstalled as exc:
        missing = exc
    missing_server(missing)


@pytest.fixture(scope="module", params=["embedded", pytest.param("debian", marks=pytest.mark.services)])
def rs(request):
    _bin_dir_or_skip(request.param)
    with replica_set(DELAYS, engine=request.param) as replicas:
        yield replicas


def _show(cluster, setting: str) -> tuple[str, str]:
    """(value, source) of a setting as *cluster* runs with it."""
    with connect(cluster) as conn:
        return conn.execute("SELECT setting || coalesce(unit, ''), source FROM pg_settings WHERE name = %s",
                            (setting,)).fetchone()


def test_every_standby_streams_under_its_own_name_at_its_own_delay(rs):
    assert rs.names == ("s1", "s2", "s3")
    assert rs.replication() == {name: ("streaming", "async") for name in rs.names}
    for standby, delay in zip(rs.standbys, DELAYS):
        assert _show(standby.cluster, "recovery_min_apply_delay") == (f"{delay}ms", "configuration file")
        with connect(standby.cluster) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
            assert f"application_name={standby.name}" in conn.execute("SHOW primary_conninfo").fetchone()[0]
    assert rs.describe().endswith("primary + 3 standbys (s1 20 ms, s2 80 ms, s3 150 ms), asynchronous")


def test_remote_apply_and_the_quorum_come_from_the_configuration_not_the_command_line(rs):
    rs.set_quorum(2)
    assert _show(rs.primary, "synchronous_commit") == ("remote_apply", "configuration file")
    assert _show(rs.primary, "synchronous_standby_names") == ("ANY 2 (s1, s2, s3)", "configuration file")
    for cluster in rs.servers:  # the postmaster runs as `postgres -D <data>`: no -c to override a reload
        with open(f"/proc/{cluster.pid}/cmdline", "rb") as handle:
            argv = handle.read().split(b"\0")[:-1]
        assert argv[1:] == [b"-D", cluster.data_dir.encode()]
        # shared memory segments live in the data folder, so even a SIGKILLed server leaves none in /dev/shm
        assert _show(cluster, "dynamic_shared_memory_type")[0] == "mmap"


def _listening_tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                rows = [line.split() for line in handle.readlines()[1:]]
        except FileNotFoundError:
            continue
        inodes |= {row[9] for row in rows if row[3] == "0A"}  # state 0A: LISTEN
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:["):-1])
    return found


def test_nothing_listens_beyond_a_unix_socket(rs):
    listening = _listening_tcp_inodes()
    for cluster in rs.servers:
        assert _show(cluster, "listen_addresses")[0] == ""
        assert os.path.exists(os.path.join(cluster.socket_dir, ".s.PGSQL.5432"))
        assert not _socket_inodes(cluster.pid) & listening


@pytest.mark.parametrize("k", [1, 2, 3])
def test_commit_latency_tracks_the_kth_smallest_delay(rs, k):
    rs.set_quorum(k)
    latencies = rs.commit_latencies(8)
    delay = sorted(DELAYS)[k - 1]
    assert min(latencies) >= delay - 1  # the k-th standby applies a commit `delay` ms after it is made
    assert abs(statistics.median(latencies) - delay) <= 20 + 0.25 * delay, latencies


def test_asynchronous_commits_wait_for_nobody_and_even_the_nearest_standby_lags(rs):
    rs.set_quorum(0)
    assert statistics.median(rs.commit_latencies(5)) < min(DELAYS)
    assert all(rs.read_after_commit(name).stale for name in rs.names)


def test_a_read_from_a_lagging_standby_right_after_a_commit_is_stale(rs):
    rs.set_quorum(1)
    for _ in range(3):
        seen, committed, stale = rs.read_after_commit("s3")  # 150 ms behind a commit that waited ~20 ms
        assert stale and seen < committed


def test_when_every_standby_is_waited_for_no_read_is_stale(rs):
    rs.set_quorum(3)
    reads = [rs.read_after_commit(name) for name in rs.names for _ in range(3)]
    assert not any(read.stale for read in reads), reads
    assert all(read.value_seen == read.value_committed for read in reads)


def test_measure_k_gives_a_row_a_panel_can_plot(rs):
    row = measure_k(rs, 2, n=3, reads=1)
    assert (row.k, row.predicted_ms, len(row.latencies_ms), row.reads) == (2, 80.0, 3, 1)
    assert row.stale_reads == (0, 0, 1)
    assert abs(row.error_ms) <= 40


def test_a_stopped_standby_that_the_quorum_counts_blocks_commits_and_a_smaller_quorum_does_not(rs):
    rs.set_quorum(3)
    s3, timeout = rs.standby("s3").cluster, rs.timeout
    s3.stop()
    rs.timeout = 1.0
    try:
        with pytest.raises(ServiceUnavailable, match="did not apply the commit"):
            rs.commit()
        rs.set_quorum(2)  # s1 and s2 suffice
        assert rs.commit_latencies(2)[-1] < 150
    finally:
        rs.timeout = timeout
        s3.start()
        rs.wait_streaming()
    assert rs.read_after_commit("s3").value_seen >= 1  # the catch-up brought what committed without it


def test_bad_input_names_the_parameter(rs):
    for kwargs, parameter in [({"delays_ms": ()}, "delays_ms"), ({"delays_ms": (20, -1)}, "delays_ms"),
                              ({"delays_ms": (20.5,)}, "delays_ms"), ({"engine": "mysql"}, "engine"),
                              ({"timeout": 0}, "timeout")]:
        with pytest.raises(ValueError, match=f"^{parameter}:"), replica_set(**kwargs):
            pass
    for call, parameter in [(lambda: rs.set_quorum(4), "k"), (lambda: rs.set_quorum(-1), "k"),
                            (lambda: rs.commit_latencies(0), "n"), (lambda: rs.read("s9"), "standby"),
                            (lambda: run_quorum_commit(ks=(4,)), "ks"), (lambda: run_quorum_commit(ks=()), "ks"),
                            (lambda: run_quorum_commit(n=0), "n"), (lambda: run_quorum_commit(reads=-1), "reads")]:
        with pytest.raises(ValueError, match=f"^{parameter}:"):
            call()


def test_run_quorum_commit_starts_measures_and_stops_a_set_of_its_own():
    result = run_quorum_commit(ks=(0, 2), n=3, reads=1, delays_ms=(0, 30))
    assert result.delays_ms == (0, 30) and result.startup_s > 0
    assert [(row.k, row.predicted_ms, len(row.latencies_ms)) for row in result.rows] == [(0, 0.0, 3), (2, 30.0, 3)]
    assert result.row(2).stale_reads == (0, 0) and result.row(2).median_ms >= 29
    assert "primary + 2 standbys (s1 0 ms, s2 30 ms)" in result.engine


def test_the_block_stops_every_server_and_deletes_every_folder_even_when_it_raises():
    with pytest.raises(RuntimeError, match="lesson"), replica_set((0,)) as small:
        servers = [(c.pid, c.root) for c in small.servers]
        raise RuntimeError("the lesson's code failed")
    assert lifecycle.wait_gone([pid for pid, _ in servers], 10) == []
    assert not any(os.path.exists(root) for _, root in servers)


OWNER = textwrap.dedent("""
    import json, sys, time
    from distlab.geo.replicas import replica_set
    with replica_set() as rs:
        print(json.dumps([[c.pid, c.root] for c in rs.servers]), flush=True)
        time.sleep(600)
""")


def test_a_killed_owner_takes_all_four_servers_along():
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        servers = json.loads(owner.stdout.readline())
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=30)
    assert len(servers) == 4
    assert lifecycle.wait_gone([pid for pid, _ in servers], 15) == []  # the parent-death signal
    lifecycle.reap()  # what every start does first: the dead owner's folders go
    assert not any(os.path.exists(root) for _, root in servers)
