"""Multi-writer with reconciliation: local latency, replication in the background, conflicts counted."""
import doctest

import pytest

from distlab.geo import placement_multi
from distlab.geo.latency import default_model
from distlab.geo.placement_multi import WriteLog, home_region, run_multiwriter


def test_doctests():
    assert doctest.testmod(placement_multi).failed == 0


def test_writes_are_local_and_the_run_is_seeded():
    r = run_multiwriter(writes=15, seed=2)
    same_zone = default_model().median_rtt_ms("tokyo", "tokyo", same_zone=True)
    assert all(m == pytest.approx(same_zone, rel=0.15) for m in r.medians().values())
    assert r.writes == 4 * 15 and r.conflicts > 0 and 0 < r.conflicted <= r.writes
    assert r == run_multiwriter(writes=15, seed=2)
    assert r.conflicts != run_multiwriter(writes=15, seed=3).conflicts or \
        r.commit_ms != run_multiwriter(writes=15, seed=3).commit_ms


def test_a_client_without_a_replica_in_its_region_writes_to_the_nearest():
    assert home_region("california", ("virginia", "oregon")) == "oregon"
    assert home_region("saopaulo", ("ireland", "virginia", "tokyo")) == "virginia"
    r = run_multiwriter(replicas=("virginia", "ireland"), clients=("saopaulo",), writes=5, seed=0)
    assert r.home == {"saopaulo": "virginia"}
    assert r.medians()["saopaulo"] == pytest.approx(default_model().pair_rtt_ms("saopaulo", "virginia"), rel=0.1)


def test_one_replica_orders_every_write_so_nothing_conflicts():
    r = run_multiwriter(replicas=("ireland",), writes=10, seed=0)
    assert r.conflicts == r.conflicted == 0


def test_slower_writers_conflict_less():
    busy = run_multiwriter(writes=30, seed=1, think_ms=10)
    calm = run_multiwriter(writes=30, seed=1, think_ms=2000)
    assert busy.conflicts > 5 * max(1, calm.conflicts)


def test_concurrency_is_each_write_made_before_the_other_arrived():
    log = WriteLog()
    log.made = {("a", 1): ("k", "a", 0.0), ("b", 1): ("k", "b", 0.05), ("b", 2): ("k", "b", 0.5),
                ("a", 2): ("x", "a", 0.6)}
    log.arrived = {("a", 1): {"a": 0.0, "b": 0.1}, ("b", 1): {"b": 0.05, "a": 0.15},
                   ("b", 2): {"b": 0.5, "a": 0.6}, ("a", 2): {"a": 0.6, "b": 0.7}}
    assert log.concurrent(("a", 1), ("b", 1))          # crossed in flight
    assert not log.concurrent(("a", 1), ("b", 2))      # b had seen a's write
    assert not log.concurrent(("b", 1), ("b", 2))      # one replica orders its own writes
    assert log.conflicts() == (1, 2)                   # ("a", 2) is to another key


def test_bad_input_is_refused_like_run_placement():
    with pytest.raises(ValueError, match="replicas must name at least one region"):
        run_multiwriter(replicas=())
    with pytest.raises(ValueError, match="clients_per_region must be an integer from 1"):
        run_multiwriter(clients_per_region=0)
    with pytest.raises(ValueError, match=r"clients\[0\] must be one of virginia"):
        run_multiwriter(clients=("narnia",))
