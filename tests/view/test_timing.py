import itertools

import pytest
from hypothesis import given, settings, strategies as st

from distlab.view.controls import size_control
from distlab.view.timing import measure_updates, percentile


@settings(max_examples=60)
@given(st.lists(st.floats(0, 1e3), min_size=1, max_size=50), st.floats(0, 100))
def test_percentile_is_a_sample_between_min_and_max_and_monotone(xs, q):
    p = percentile(xs, q)
    assert p in xs and min(xs) <= p <= max(xs)
    assert percentile(xs, min(100, q + 10)) >= p


def test_percentile_known_ranks_and_errors():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95
    with pytest.raises(ValueError, match="samples"):
        percentile([], 50)
    with pytest.raises(ValueError, match="q must be"):
        percentile([1], 101)


def test_measure_updates_times_each_change_after_warmup():
    s = size_control(3, min=3, max=9)
    fired = []
    s.observe(lambda ch: fired.append(ch["new"]), names="value")
    ticks = itertools.count(0.0, 0.01)  # every clock read advances 10 ms
    result = measure_updates(s, [3, 4, 5, 6, 7, 8], warmup=2, clock=lambda: next(ticks))
    assert fired == [4, 5, 6, 7, 8]  # the unchanged first value is skipped
    assert len(result["samples_ms"]) == 3
    assert result["median_ms"] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="warmup"):
        measure_updates(s, [8, 8], warmup=0)
