"""Chapter 4's renders refuse a bad setting by its name and range instead of coercing it."""
import math

import pytest

from distlab.view import geo as gv

BAD = [
    (gv.render_dynamo, {"n": math.nan}, "n must be an integer from 1 to 5"),
    (gv.render_dynamo, {"n": 3.5}, "n must be an integer from 1 to 5"),
    (gv.render_dynamo, {"w": 3, "n": 2}, "w must be an integer from 1 to 2"),
    (gv.render_dynamo, {"sloppy": "yes"}, "sloppy must be True or False"),
    (gv.render_pbs, {"t_ms": math.nan}, "t_ms must be a number from 0 to 200 ms"),
    (gv.render_pbs, {"t_ms": -1.0}, "t_ms must be a number from 0 to 200 ms"),
    (gv.render_spanner, {"epsilon_ms": -1.0}, "epsilon_ms must be a number from 0 to 10 ms"),
    (gv.render_cockroach, {"max_offset_ms": -5.0}, "max_offset_ms must be a number from 0 to 500 ms"),
    (gv.render_cockroach, {"uncertainty": 1}, "uncertainty must be True or False"),
    (gv.render_placement, {"client": "sidney"}, "client must be one of"),
    (gv.render_crdt, {"steps": 0}, "steps must be an integer from 2 to 16"),
    (gv.render_conflicts, {"writes": True}, "writes must be an integer from 2 to 16"),
    (gv.render_clocks, {"skew": math.inf}, "skew must be a number from 0 to 0.3 s"),
    (gv.render_cassandra, {"seed": -1}, "seed must be an integer from 0 to 2147483647"),
    (gv.render_chooser, {"write_budget_ms": "fast"}, "write_budget_ms must be a number from 10 to 500 ms"),
]


@pytest.mark.parametrize(("render", "given", "message"), BAD, ids=[f"{r.__name__}-{sorted(g)[0]}" for r, _, g in
                                                                   [(r, m, g) for r, g, m in BAD]])
def test_a_bad_setting_is_refused_by_name_and_range(render, given, message):
    with pytest.raises(ValueError, match=message):
        render(**given)


def test_numpy_integers_are_integers():
    import numpy as np
    assert gv.render_crdt(steps=np.int64(4)) is not None
