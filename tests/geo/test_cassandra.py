"""Cassandra's consistency levels: the arithmetic (``guaranteed`` against a brute force over replica
sets), the simulation (levels whose quorums always meet never return a stale read; LOCAL_QUORUM
across data centres does, and chapter 1's checker rejects it), latency and availability under a
data-centre outage, and bad input named."""
import doctest
import itertools

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import cassandra as cassandra_module, cassandra_levels
from distlab.geo.cassandra import run_cassandra, run_levels
from distlab.geo.cassandra_levels import LEVELS, blocked_for, guaranteed, level_table, satisfied

RF = {"virginia": 3, "ireland": 3}


def test_doctests():
    assert doctest.testmod(cassandra_module).failed == 0
    assert doctest.testmod(cassandra_levels).failed == 0


def brute_force(write, read, rf, writer, reader):
    """Every subset of replicas that meets the write level against every one that meets the read level
    (read answers only from the data centres the read asks)."""
    nodes = [(dc, i) for dc, n in rf.items() for i in range(n)]
    readable = [n for n in nodes if read != "LOCAL_QUORUM" or n[0] == reader]

    def count(subset):
        return {dc: sum(1 for d, _ in subset if d == dc) for dc in rf}

    def subsets(pool):
        return (set(c) for k in range(len(pool) + 1) for c in itertools.combinations(pool, k))

    writes = [s for s in subsets(nodes) if satisfied(write, count(s), rf, writer)]
    reads = [s for s in subsets(readable) if satisfied(read, count(s), rf, reader)]
    return all(w & r for w in writes for r in reads)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(["virginia", "ireland", "tokyo"]), st.integers(1, 3), min_size=1),
       st.sampled_from(LEVELS), st.sampled_from(LEVELS), st.data())
def test_guaranteed_matches_a_brute_force_over_replica_sets(rf, write, read, data):
    writer, reader = data.draw(st.sampled_from(list(rf))), data.draw(st.sampled_from(list(rf)))
    assert guaranteed(write, read, rf, writer, reader) == brute_force(write, read, rf, writer, reader)


def test_the_level_table():
    rows = {(r.write, r.read): r for r in level_table(RF)}
    assert rows["QUORUM", "QUORUM"].same_dc and rows["QUORUM", "QUORUM"].other_dc
    assert rows["LOCAL_QUORUM", "LOCAL_QUORUM"].same_dc and not rows["LOCAL_QUORUM", "LOCAL_QUORUM"].other_dc
    assert rows["ONE", "ALL"].other_dc and rows["ALL", "ONE"].other_dc and not rows["ONE", "ONE"].same_dc
    assert rows["EACH_QUORUM", "LOCAL_QUORUM"].other_dc and not rows["QUORUM", "LOCAL_QUORUM"].other_dc
    assert [blocked_for(level, RF, "virginia") for level in LEVELS] == [1, 4, 2, 4, 6]
    assert level_table({"virginia": 3})[0].other_dc is None


FRESH = [(w, r) for w in LEVELS for r in LEVELS
         if guaranteed(w, r, RF, "virginia", "ireland") and guaranteed(w, r, RF, "ireland", "virginia")]


@settings(max_examples=40)
@given(st.sampled_from(FRESH), st.integers(0, 10**6), st.integers(1, 2))
def test_levels_whose_quorums_meet_never_return_a_stale_read(levels, seed, keys):
    run = run_cassandra(write_level=levels[0], read_level=levels[1], keys=keys, seed=seed)
    assert run.guaranteed and run.availability() == 1.0
    assert run.stale_reads == 0 and run.check().status == "holds"


@pytest.mark.parametrize("levels", [("LOCAL_QUORUM", "LOCAL_QUORUM"), ("ONE", "ONE"), ("ONE", "LOCAL_QUORUM")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_local_levels_across_data_centres_return_stale_reads(levels, seed):
    run = run_cassandra(write_level=levels[0], read_level=levels[1], seed=seed)
    assert not run.guaranteed
    assert run.stale_reads > 0 and run.check().status == "violated"


def test_local_quorum_is_fresh_within_one_data_centre():
    run = run_cassandra(write_level="LOCAL_QUORUM", read_level="LOCAL_QUORUM", clients=("virginia",) * 3, seed=4)
    assert run.guaranteed and run.stale_reads == 0 and run.check().status == "holds"


def test_latency_follows_the_levels():
    local = run_cassandra(write_level="LOCAL_QUORUM", read_level="LOCAL_QUORUM", seed=1).summary()
    wide = run_cassandra(write_level="QUORUM", read_level="QUORUM", seed=1).summary()
    for dc in RF:
        assert local["write_latency_ms"][dc][50] < 5 and local["read_latency_ms"][dc][50] < 5
        assert wide["write_latency_ms"][dc][50] > 80 and wide["read_latency_ms"][dc][50] > 80


def test_a_data_centre_outage():
    """Ireland down: EACH_QUORUM and ALL cannot be met anywhere, QUORUM (4 of 6) neither; LOCAL_QUORUM
    keeps Virginia going; with a third data centre QUORUM (5 of 9) survives."""
    grid = run_levels(failed=("ireland",), clients=("virginia",), timeout=0.3, seed=2)
    for level in ("EACH_QUORUM", "ALL", "QUORUM"):
        assert grid[level, "ONE"].availability("put") == 0.0
        assert grid["ONE", level].availability("get") == 0.0
    assert grid["LOCAL_QUORUM", "LOCAL_QUORUM"].availability() == 1.0
    three = run_cassandra(rf={"virginia": 3, "ireland": 3, "oregon": 3}, clients=("virginia",), failed=("ireland",))
    assert three.availability() == 1.0
    assert run_cassandra(failed=("virginia1",), write_level="ALL", timeout=0.3).availability("put") == 0.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"write_level": "TWO"}, "write_level must be one of ONE, QUORUM, LOCAL_QUORUM, EACH_QUORUM, ALL"),
    ({"read_level": "local_quorum"}, "read_level must be one of"),
    ({"rf": {"virginia": 0}}, r"rf\['virginia'\] must be an integer from 1 to 9"),
    ({"rf": {"narnia": 3}}, "rf's data centre 0 must be one of virginia"),
    ({"clients": ("tokyo",)}, r"clients\[0\] must be one of the data centres"),
    ({"failed": ("tokyo",)}, r"failed\[0\] must name a data centre or a node"),
    ({"timeout": 0}, "timeout must be a number of seconds in"),
])
def test_bad_input_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_cassandra(**kwargs)
