"""The how-to-choose recommender: the lecture's examples get the system they should, every
recommendation is priced by the measured round trips and honest about the budget, Cassandra levels it
recommends for fresh reads are ones whose quorums always meet, and bad input names the parameter."""
import doctest

import pytest
from hypothesis import given, settings, strategies as st

from distlab.geo import chooser as chooser_module
from distlab.geo.cassandra_levels import guaranteed
from distlab.geo.chooser import CONFLICTS, CONSISTENCY, EXAMPLES, SURVIVE, SYSTEMS, Requirements, recommend
from distlab.geo.chooser_costs import quorum_ms, replica_regions, rtt_ms, strong_costs
from distlab.geo.world import REGIONS

EXPECTED = {
    "global ledger on Google Cloud": "Spanner",
    "orders and stock, SQL, three continents": "CockroachDB",
    "a shop in one country": "single leader",
    "user profiles read worldwide": "Cassandra",
    "likes and view counts": "Cassandra",
    "shopping carts": "Cassandra",
}


def test_doctests():
    assert doctest.testmod(chooser_module).failed == 0


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_lecture_examples(name):
    rec = recommend(EXAMPLES[name])
    assert rec.system == EXPECTED[name]
    assert rec.meets_budget, str(rec)
    assert {n for n, _ in rec.rejected} == set(SYSTEMS) - {rec.system}


requirements = st.builds(Requirements, st.sampled_from(list(CONSISTENCY)),
                         st.lists(st.sampled_from(REGIONS), min_size=1, max_size=4).map(tuple),
                         st.floats(1.0, 1000.0), st.sampled_from(SURVIVE), st.booleans(), st.booleans(),
                         st.sampled_from(CONFLICTS))


@settings(max_examples=200)
@given(requirements)
def test_every_recommendation_is_priced_and_honest(req):
    rec = recommend(req)
    assert rec.system in SYSTEMS and rec.reasons and rec.costs
    assert rec.write_ms > 0 and rec.read_ms > 0
    assert rec.meets_budget == (rec.write_ms <= req.write_budget_ms)
    assert set(req.regions) <= set(rec.replicas)
    if req.survive == "region":
        assert len(rec.replicas) >= 3
    if req.consistency == "eventual":
        assert rec.system == "Cassandra" and "LOCAL_QUORUM" in rec.setting
    if req.consistency == "strict":
        assert rec.system in ("Spanner", "single leader")
    if rec.system == "Cassandra" and req.consistency == "fresh-reads":
        write, read = (part.split()[-1] for part in rec.setting.split(", "))
        rf = dict.fromkeys(rec.replicas, 3)
        assert all(guaranteed(write, read, rf, a, b) for a in req.regions for b in req.regions)
    assert recommend(req) == rec                                  # pure


def test_a_strong_write_pays_the_physics_toll():
    """Users in Virginia, Tokyo and Sydney, surviving a region: every leader placement costs the farthest
    user more than 300 ms, and the recommendation says what to relax."""
    costs = strong_costs(("virginia", "tokyo", "sydney"), True)
    assert costs.write_ms > 300
    assert costs.write_ms >= rtt_ms("virginia", costs.leader) + quorum_ms(costs.leader, ("virginia", "tokyo", "sydney"),
                                                                          True) - 1
    rec = recommend(consistency="serializable", regions=("virginia", "tokyo", "sydney"), survive="region",
                    write_budget_ms=100)
    assert not rec.meets_budget and any("raise the budget" in c for c in rec.costs)


def test_zone_survival_falls_back_to_rows_homed_near_their_users():
    rec = recommend(consistency="serializable", regions=("virginia", "tokyo"), write_budget_ms=50)
    assert rec.system == "CockroachDB" and "REGIONAL BY ROW" in rec.setting and rec.meets_budget
    assert rec.write_ms < 5


def test_spanner_commit_wait_shows_in_one_region_and_hides_across_regions():
    one = recommend(consistency="strict", regions=("virginia",), truetime=True, survive="region")
    assert replica_regions(("virginia",), True) == one.replicas and one.system == "Spanner"
    local = strong_costs(("virginia", "oregon"), False, 14.0)
    assert local.write_ms >= 14.0
    assert strong_costs(("virginia", "oregon"), True, 14.0) == strong_costs(("virginia", "oregon"), True, 0.0)


def test_str_lists_reasons_costs_and_the_rest():
    text = str(recommend(EXAMPLES["shopping carts"]))
    assert text.startswith("Cassandra: write LOCAL_QUORUM") and "+ " in text and "- " in text and "not Spanner" in text


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"consistency": "linearizable"}, "consistency must be one of strict, serializable, fresh-reads, eventual"),
    ({"regions": ("virginia", "moon")}, r"regions\[1\] must be one of virginia"),
    ({"regions": ()}, "regions must name at least one region"),
    ({"write_budget_ms": -5}, r"write_budget_ms must be a number of milliseconds in \(0, 60000\]"),
    ({"survive": "planet"}, "survive must be one of zone, region"),
    ({"sql": "yes"}, "sql must be True or False"),
    ({"conflicts": "ignore"}, "conflicts must be one of newest-wins, merge"),
])
def test_bad_input_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        recommend(**kwargs)


def test_the_advice_follows_the_survive_setting():
    """Regression: with survive = zone the over-budget advice said 'survive only a zone', and the standbys
    of a single leader were said to be in other regions while the write paid a cross-zone round trip."""
    from distlab.geo.chooser import recommend
    zone = recommend(consistency="strict", regions=("virginia", "ireland", "tokyo"), write_budget_ms=200.0)
    text = str(zone)
    assert "survive only a zone" not in text and "other zones of its region" in text
    region = recommend(consistency="strict", regions=("virginia", "ireland", "tokyo"), write_budget_ms=200.0,
                       survive="region")
    assert "other regions" in str(region)


def test_a_setting_that_changes_nothing_is_named():
    from distlab.geo.chooser import Requirements, recommend, settings_without_effect
    req = Requirements("fresh-reads", ("virginia", "ireland", "tokyo"), 200.0, conflicts="merge", truetime=True)
    idle = settings_without_effect(req)
    assert "truetime" in idle
    for name in idle:  # each named setting really changes nothing
        from dataclasses import replace
        flipped = {"sql": not req.sql, "truetime": not req.truetime, "conflicts": "newest-wins"}[name]
        assert recommend(replace(req, **{name: flipped})) == recommend(req)
    assert "counter columns" in str(recommend(req))  # merge asked for: where merging data goes
