"""Where to put the leader: chapter 2's Raft on the measured latencies. Seeded determinism, commit
latency against an independent computation from the medians, the pinned leader, and bad input."""
import doctest

import pytest

from distlab.geo import placement, placement_compare, placement_raft
from distlab.geo.latency import default_model
from distlab.geo.placement import (
    DEFAULT_REPLICAS,
    best_leader,
    check_setup,
    majority_rtt_ms,
    predicted_commit_ms,
    wan_timeouts,
)
from distlab.geo.placement_compare import compare_placements
from distlab.geo.placement_raft import run_placement
from distlab.geo.placement_result import stats

EVERYWHERE = DEFAULT_REPLICAS  # a client in every replica region


def test_doctests():
    for module in (placement, placement_raft, placement_compare):
        assert doctest.testmod(module).failed == 0


def median_rtt(a, b):
    """Independent of the library's helpers: the two directions' measured medians, averaged."""
    model = default_model()
    return (model.rtt(a, b).quantile(0.5) + model.rtt(b, a).quantile(0.5)) / 2


def majority_by_hand(leader, replicas):
    rtts = sorted(median_rtt(leader, r) for r in replicas if r != leader)
    return rtts[len(replicas) // 2 - 1]


def test_majority_round_trips_and_the_best_leader_from_the_medians():
    assert majority_rtt_ms("virginia", DEFAULT_REPLICAS) == 109.0                     # Ireland
    assert majority_rtt_ms("sydney", DEFAULT_REPLICAS) == pytest.approx(200.0)       # Oregon
    assert {r: majority_rtt_ms(r, DEFAULT_REPLICAS) for r in DEFAULT_REPLICAS} == \
        pytest.approx({r: majority_by_hand(r, DEFAULT_REPLICAS) for r in DEFAULT_REPLICAS})
    assert best_leader(DEFAULT_REPLICAS) == "virginia"
    assert best_leader(("tokyo", "sydney", "singapore")) == "tokyo"
    assert majority_rtt_ms("tokyo", ("tokyo",)) == 0
    cross_zone = default_model().pair_rtt_ms("tokyo", "tokyo")
    assert majority_rtt_ms("tokyo", ("tokyo", "tokyo", "sydney")) == pytest.approx(cross_zone)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    a = run_placement(writes=8, seed=3, failed="virginia")
    assert a == run_placement(writes=8, seed=3, failed="virginia")
    assert a.commit_ms != run_placement(writes=8, seed=4, failed="virginia").commit_ms


def test_the_pinned_leader_wins_the_first_election_after_its_short_timeout():
    for leader in ("tokyo", "sydney"):
        r = run_placement(leader=leader, writes=2, seed=1)
        t = r.timeouts
        assert r.elected == leader
        assert t.pinned < r.election_s < t.pinned + 2 * t.rtt < t.election[0]


@pytest.mark.parametrize(("leader", "seed"), [("virginia", 0), ("oregon", 1), ("sydney", 2)])
def test_a_client_in_the_leaders_region_waits_one_majority_round_trip(leader, seed):
    r = run_placement(leader=leader, clients=EVERYWHERE, writes=30, seed=seed)
    local = r.medians()[leader]
    expected = majority_by_hand(leader, DEFAULT_REPLICAS) + default_model().rtt(leader, leader, same_zone=True).median
    assert local == pytest.approx(expected, rel=0.08)
    assert r.predicted_ms[leader] == pytest.approx(expected)


@pytest.mark.parametrize(("leader", "seed"), [("virginia", 0), ("oregon", 1), ("sydney", 2)])
def test_a_client_far_away_pays_its_round_trip_to_the_leader_on_top(leader, seed):
    r = run_placement(leader=leader, clients=EVERYWHERE, writes=30, seed=seed)
    local = r.medians()[leader]
    for client, median in r.medians().items():
        if client != leader:
            rtt = median_rtt(client, leader)
            assert median - local == pytest.approx(rtt, abs=8 + 0.05 * rtt), client
            assert median == pytest.approx(r.predicted_ms[client], rel=0.08)


def test_after_the_leaders_region_fails_a_new_leader_is_elected_and_commits_resume():
    r = run_placement(writes=10, seed=0, failed="virginia", clients=("virginia", "ireland", "tokyo", "sydney"))
    o, t = r.outage, r.timeouts
    assert o is not None and o.region == "virginia"
    assert o.new_leader in ("oregon", "ireland", "tokyo", "sydney")
    assert t.election[0] - t.heartbeat <= o.election_s <= 2 * t.election[1]   # WAN timeouts: seconds
    assert sorted(o.commit_ms) == ["ireland", "sydney", "tokyo"]                # no clients in a dead region
    live = [x for x in DEFAULT_REPLICAS if x != "virginia"]
    for client, values in o.commit_ms.items():
        assert len(values) >= 8
        expected = median_rtt(client, o.new_leader) if client != o.new_leader else 0.5
        expected += sorted(median_rtt(o.new_leader, f) for f in live if f != o.new_leader)[1]
        assert stats(values).median == pytest.approx(expected, rel=0.1), client
        assert o.election_s < o.recovery_s[client] < o.election_s + 2 * t.client_retry + 1.0


def test_when_a_follower_region_fails_the_leader_stays_and_waits_for_the_next_nearest():
    r = run_placement(writes=10, seed=1, failed="ireland", clients=("virginia",))
    o = r.outage
    assert o.new_leader == "virginia" and o.election_s is None
    assert o.medians()["virginia"] == pytest.approx(median_rtt("virginia", "tokyo"), rel=0.08)  # 203, not 109


def test_without_a_surviving_majority_no_leader_is_elected_and_nothing_commits():
    r = run_placement(replicas=("tokyo", "tokyo", "tokyo", "sydney", "oregon"), leader="tokyo", writes=3,
                      seed=0, failed="tokyo", clients=("tokyo", "sydney"))
    assert r.medians()["tokyo"] < 5                                    # a majority within one region
    o = r.outage
    assert o.new_leader is None and o.election_s is None
    assert o.commit_ms == {"sydney": ()} and o.recovery_s == {"sydney": None}


def test_timeouts_scale_with_the_largest_round_trip_between_replicas():
    t = wan_timeouts(DEFAULT_REPLICAS, ("saopaulo",))
    assert t.rtt == pytest.approx(median_rtt("ireland", "sydney") / 1000)
    assert t.heartbeat == t.rtt and t.election == pytest.approx((10 * t.rtt, 20 * t.rtt))
    assert t.pinned == pytest.approx(5 * t.rtt)
    assert t.client_retry == pytest.approx(4 * t.rtt)          # no client is farther than that
    far = wan_timeouts(("virginia", "oregon"), ("sydney",))
    assert far.rtt == pytest.approx(0.0809)
    assert far.client_retry == pytest.approx(4 * median_rtt("sydney", "virginia") / 1000)
    lan = wan_timeouts(("oregon", "oregon", "oregon"))
    assert lan.election[1] < 0.05                                      # one region: LAN timeouts


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"replicas": ("virginia", "mars")}, r"replicas\[1\] must be one of virginia, oregon, california, ireland, "
                                         r"singapore, tokyo, sydney, saopaulo; got 'mars'"),
    ({"replicas": ()}, "replicas must name at least one region"),
    ({"replicas": "virginia"}, "replicas must be a list of region names"),
    ({"leader": "paris"}, "leader must be one of virginia, oregon"),
    ({"leader": "singapore"}, "leader must be one of the replica regions "
                              r"\(virginia, oregon, ireland, tokyo, sydney\), got 'singapore'"),
    ({"clients": ("tokyo", "Tokyo")}, r"clients\[1\] must be one of virginia"),
    ({"clients": ()}, "clients must name at least one region"),
    ({"clients_per_region": 0}, "clients_per_region must be an integer from 1 to 20, got 0"),
    ({"clients_per_region": -2}, "clients_per_region must be an integer from 1 to 20"),
    ({"clients_per_region": 1.5}, "clients_per_region must be an integer"),
    ({"clients_per_region": True}, "clients_per_region must be an integer"),
    ({"writes": 0}, "writes must be an integer from 1 to 10000"),
    ({"failed": "atlantis"}, "failed must be one of virginia"),
    ({"seed": -1}, "seed must be an integer from 0"),
    ({"think_ms": -5}, "think_ms must be a number of milliseconds from 0 to 10000"),
    ({"replicas": ("tokyo",) * 16, "leader": "tokyo"}, "replicas must name at most 15 replicas"),
])
def test_bad_input_names_the_parameter_and_its_valid_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_setup(**kwargs)
    with pytest.raises(ValueError, match=message):
        run_placement(**kwargs)


def test_the_other_helpers_refuse_bad_regions_too():
    with pytest.raises(ValueError, match="leader must be one of the replica regions"):
        majority_rtt_ms("saopaulo", DEFAULT_REPLICAS)
    with pytest.raises(ValueError, match="client must be one of virginia"):
        predicted_commit_ms("virginia", "moon", DEFAULT_REPLICAS)
    with pytest.raises(ValueError, match="region must be one of the client regions"):
        run_placement(writes=1).stats("oregon")


def test_the_three_options_compared():
    c = compare_placements(leader="sydney", writes=10, seed=0)
    fixed, best, multi = c.options()
    assert (fixed.leader, best.leader, multi.leader) == ("sydney", "virginia", None)
    assert fixed.conflicts == best.conflicts == 0 and multi.conflicts > 0
    assert all(m < 1.0 for m in multi.medians.values())                 # local writes
    assert sum(best.medians.values()) < sum(fixed.medians.values())
    same = compare_placements(leader="virginia", writes=2, seed=0)
    assert same.best is same.fixed


@pytest.mark.parametrize("failed", [None, "virginia", "tokyo"])
def test_the_panels_unchecked_runs_are_the_checked_runs(failed):
    """The panels run Raft without the per-step safety checks (speed); with them on, the same
    settings give the same result and no property breaks (a break would raise)."""
    regions = ("virginia", "oregon", "ireland", "tokyo", "sydney")
    kwargs = dict(replicas=regions, leader="virginia", clients=(*regions, "saopaulo"), failed=failed, seed=3)
    assert run_placement(**kwargs, check_invariants=False) == run_placement(**kwargs, check_invariants=True)
