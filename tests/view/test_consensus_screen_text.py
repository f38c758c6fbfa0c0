"""What chapter 2's plots say agrees with what they draw and with the text beside them."""
from __future__ import annotations

import pytest

from distlab.consensus.paxos.scenarios import duel
from distlab.view import consensus as cv


@pytest.mark.parametrize(("low", "high"), [(150, 150), (150, 152), (150, 155), (150, 300)])
def test_the_split_title_counts_the_terms_the_plot_climbs(low: int, high: int) -> None:
    """The notebook says 'watch how many terms it takes': the title says it, as the y axis draws it."""
    run = cv.split_run(low, high, seed=0)
    title = cv.render_split(low=low, high=high).axes[0].get_title()
    if run["elected"] is None:
        assert f"{run['elections']} elections in 3 s, every vote split" in title
    else:
        leader_terms = {ts[-1] for ts in run["terms"].values()}
        assert leader_terms == {run["elected_term"]}
        assert f"leader in term {run['elected_term']}, after {run['elected'] * 1000:.0f} ms" in title


def test_the_duel_bars_say_the_times_the_table_prints() -> None:
    table = cv.duel_table(seed=0)
    labels = [t.get_text() for t in cv.render_duel(seed=0).axes[0].texts]
    for retry in ("backoff", "leader"):
        at = f"{duel(retry, seed=0).chosen_at * 1000:.1f} ms"
        assert at in table
        assert f"chosen after {at}" in labels
