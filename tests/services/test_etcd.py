"""distlab.services.etcd against a real etcd started by the fixture (plus offline bad-input tests)."""

import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

from distlab.services import ServiceUnavailable, etcd
from distlab.services.loopback import free_port


def test_put_get_prefix_delete(etcd_endpoint):
    client = etcd.connect(etcd_endpoint)
    first = client.put("app/config/a", "1")
    second = client.put("app/config/b", "2")
    client.put("app/configX", "not under the prefix")
    assert second == first + 1  # one revision per change
    entry = client.get("app/config/a")
    assert (entry.value, entry.create_revision, entry.version) == ("1", first, 1)
    client.put("app/config/a", "1b")
    assert client.get("app/config/a").version == 2
    assert [kv.key for kv in client.get_prefix("app/config/")] == ["app/config/a", "app/config/b"]
    assert client.delete("app/config/", prefix=True) == 2
    assert client.get("app/config/a") is None
    assert client.get("app/configX").value == "not under the prefix"


def test_lease_expiry_deletes_attached_keys(etcd_endpoint):
    client = etcd.connect(etcd_endpoint)
    lease = client.lease_grant(1)
    client.put("session/alice", "online", lease=lease)
    assert client.get("session/alice").lease == lease
    deadline = time.monotonic() + 10
    while client.get("session/alice") is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("session/alice") is None  # nobody renewed the lease
    assert client.lease_ttl(lease) == -1
    with pytest.raises(etcd.EtcdError, match="expired"):
        client.lease_keepalive(lease)


def test_keepalive_outlives_the_ttl_and_revoke_frees_at_once(etcd_endpoint):
    client = etcd.connect(etcd_endpoint)
    lease = client.lease_grant(2)
    client.put("leader", "n1", lease=lease)
    for _ in range(4):  # 2.4 s in all: longer than the TTL
        time.sleep(0.6)
        assert client.lease_keepalive(lease) >= 1
    assert client.get("leader").value == "n1"
    client.lease_revoke(lease)
    assert client.get("leader") is None


def test_txn_lock_has_exactly_one_winner(etcd_endpoint):
    endpoint, winners, barrier = etcd_endpoint, [], threading.Barrier(6)

    def campaign(name):
        client = etcd.connect(endpoint)
        barrier.wait(5)
        if client.put_if_absent("election/leader", name):
            winners.append(name)

    threads = [threading.Thread(target=campaign, args=(f"n{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    client = etcd.connect(endpoint)
    assert len(winners) == 1
    assert client.get("election/leader").value == winners[0]
    # only the owner can release; a stale holder's release does nothing
    assert not client.delete_if_value("election/leader", "somebody-else")
    assert client.delete_if_value("election/leader", winners[0])
    assert client.put_if_absent("election/leader", "next")


def test_compare_and_put(etcd_endpoint):
    client = etcd.connect(etcd_endpoint)
    client.put("stock", "5")
    assert client.compare_and_put("stock", "5", "4")
    assert not client.compare_and_put("stock", "5", "3")  # lost the race: value moved on
    assert client.get("stock").value == "4"


def test_watch_sees_changes_since_a_revision(etcd_endpoint):
    client = etcd.connect(etcd_endpoint)
    start = client.revision() + 1
    client.put("jobs/1", "queued")
    client.put("other", "ignored")
    client.delete("jobs/1")
    events = list(client.watch("jobs/", prefix=True, start_revision=start, max_events=2, idle_timeout=3))
    assert [(e.type, e.kv.key) for e in events] == [("PUT", "jobs/1"), ("DELETE", "jobs/1")]
    assert events[0].kv.value == "queued"


def test_describe_names_version_and_address(etcd_endpoint):
    line = etcd.connect(etcd_endpoint).describe()
    assert line.startswith("etcd 3.") and "127.0.0.1:" in line


def test_missing_lease_is_an_etcd_error(etcd_endpoint):
    with pytest.raises(etcd.EtcdError, match="lease not found"):
        etcd.connect(etcd_endpoint).lease_revoke(12345)


# ---------------------------------------------------------------- offline
def test_unreachable_endpoint_fails_fast_with_advice():
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="apt-get install etcd-server"):
        etcd.connect(f"http://127.0.0.1:{free_port()}", timeout=1)
    assert time.monotonic() - started < 5


def test_no_endpoint_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv(etcd.ENV_VAR, raising=False)
    with pytest.raises(ServiceUnavailable, match=etcd.ENV_VAR):
        etcd.connect()


@pytest.mark.parametrize("endpoint", ["redis://127.0.0.1:2379", "127.0.0.1:2379", ""])
def test_bad_endpoint_names_the_parameter(endpoint):
    with pytest.raises(ValueError, match=r"^endpoint: "):
        etcd.connect(endpoint)


def test_bad_env_endpoint_names_the_env_var(monkeypatch):
    monkeypatch.setenv(etcd.ENV_VAR, "grpc://127.0.0.1:2379")
    with pytest.raises(ValueError, match=f"^{etcd.ENV_VAR}: "):
        etcd.connect()


def test_remote_endpoint_is_refused_before_connecting():
    with pytest.raises(ValueError, match="not a loopback"):
        etcd.EtcdClient("http://10.0.0.5:2379")


def test_bad_lease_ttl_names_the_parameter():
    client = etcd.EtcdClient("http://127.0.0.1:2379")  # no request is sent for bad input
    with pytest.raises(ValueError, match=r"^ttl: "):
        client.lease_grant(0)


def prefix_contains(prefix: bytes, key: bytes) -> bool:
    """Invariant: *key* lies in etcd's range [prefix, prefix_end(prefix)) iff it starts with prefix."""
    return (prefix <= key < etcd.prefix_end(prefix)) == key.startswith(prefix)


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=4), st.binary(max_size=6))
def test_prefix_end_bounds_exactly_the_keys_with_the_prefix(prefix, suffix):
    assert prefix_contains(prefix, prefix + suffix)
    assert prefix_contains(prefix, suffix)


def test_silent_endpoint_times_out_instead_of_hanging():
    import socket

    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            etcd.connect(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)
        assert time.monotonic() - started < 5
