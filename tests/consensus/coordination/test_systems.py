"""The etcd / ZooKeeper / Consul side by side and the "how to choose" rules."""
import itertools

import pytest

from distlab.consensus.coordination import SYSTEMS, choose_coordination, table
from distlab.consensus.coordination.systems import ASPECTS, ECOSYSTEMS, NEEDS


def test_table_covers_every_aspect_of_every_system():
    rows = table()
    assert rows[0] == ["aspect", "etcd", "ZooKeeper", "Consul"]
    assert [r[0] for r in rows[1:]] == list(ASPECTS)
    assert all(len(r) == 4 and all(isinstance(c, str) and c for c in r) for r in rows)
    assert "Raft" in SYSTEMS["etcd"].consensus and "Zab" in SYSTEMS["zookeeper"].consensus
    assert "sync()" in SYSTEMS["zookeeper"].consistency      # stale reads unless you sync
    assert "health" in SYSTEMS["consul"].strengths


@pytest.mark.parametrize("needs, system", [
    ({}, "etcd"),
    ({"single_process": True, "service_discovery": True}, "none"),
    ({"data_mb": 5000}, "database"),
    ({"writes_per_second": 50_000, "ecosystem": "kubernetes"}, "database"),
    ({"ecosystem": "kubernetes"}, "etcd"),
    ({"ecosystem": "kafka"}, "zookeeper"),
    ({"ecosystem": "hadoop", "watch_every_change": True}, "etcd"),
    ({"service_discovery": True}, "consul"),
    ({"multi_datacenter": True, "ecosystem": "kubernetes"}, "consul"),
    ({"ecosystem": "hashicorp"}, "consul"),
])
def test_how_to_choose(needs, system):
    choice = choose_coordination(**needs)
    assert choice.system == system and len(choice.reason) > 20


def test_every_combination_gets_a_known_answer():
    seen = set()
    for flags in itertools.product([False, True], repeat=4):
        for eco in ECOSYSTEMS:
            c = choose_coordination(single_process=flags[0], service_discovery=flags[1],
                                    multi_datacenter=flags[2], watch_every_change=flags[3],
                                    ecosystem=eco)
            assert c.system in ("etcd", "zookeeper", "consul", "none")
            if flags[1] or flags[2]:
                assert c.system in ("consul", "none")   # discovery/multi-DC never lands on etcd/ZK
            seen.add(c.system)
    assert seen == {"etcd", "zookeeper", "consul", "none"}
    assert set(NEEDS) == {"single_process", "data_mb", "writes_per_second", "service_discovery",
                          "multi_datacenter", "ecosystem", "watch_every_change"}


@pytest.mark.parametrize("needs, match", [
    ({"single_process": "yes"}, "single_process"), ({"data_mb": -1}, "data_mb"),
    ({"writes_per_second": float("nan")}, "writes_per_second"), ({"ecosystem": "mesos"}, "ecosystem"),
    ({"multi_datacenter": 1}, "multi_datacenter"),
])
def test_bad_needs_are_refused(needs, match):
    with pytest.raises(ValueError, match=match):
        choose_coordination(**needs)
