"""Figure 16 of the Raft paper re-run on the simulator (fewer trials in CI; the full sweep runs in
``make bench``), and the dissertation's split-vote formula."""
import pytest

from distlab.consensus.raft import fig16
from distlab.consensus.raft.split_vote import split_vote_probability, votes_to_split

SCALE = 0.1  # 100 trials per range (10 for 150-150) instead of the paper's 1000
# Ranges where this model misses the published median by more than the stated tolerance (see
# docs/consensus.md): kept visible as strict expected failures rather than tuned away.
KNOWN_MISSES = {(150, 155): "simulated median ~160 ms vs published 287 ms",
                (12, 24): "simulated median ~50 ms vs published 30 ms"}


@pytest.fixture(scope="module")
def results():
    return fig16.sweep(seed=1, scale=SCALE)


@pytest.fixture(scope="module")
def paper():
    return fig16.published()


def test_bundled_reference_data_is_complete(paper):
    assert set(paper) == set(fig16.RANGES_MS)
    assert paper[(150, 155)].median_ms == pytest.approx(287.3)
    assert paper[(150, 150)].trials == 100


def test_no_randomness_means_more_than_ten_seconds(results):
    s = fig16.summary(results[(150, 150)])
    assert s.median_ms > 10_000


def test_trials_are_capped_at_120_simulated_seconds(results):
    assert max(max(v) for v in results.values()) <= fig16.CAP


@pytest.mark.parametrize("rng", [r for r in fig16.RANGES_MS if r != (150, 150)])
def test_median_within_tolerance_of_the_paper(rng, results, paper):
    if rng in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[rng])
    got = fig16.summary(results[rng]).median_ms
    want = paper[rng].median_ms
    assert abs(got - want) <= fig16.tolerance(rng) * want, f"{rng}: {got:.1f} ms vs {want} ms"


@pytest.mark.parametrize("rng", sorted(KNOWN_MISSES))
def test_known_misses_are_still_misses(rng, results, paper):
    """If the model improves, move the range out of KNOWN_MISSES."""
    got = fig16.summary(results[rng]).median_ms
    want = paper[rng].median_ms
    assert abs(got - want) > fig16.tolerance(rng) * want


def test_wider_ranges_elect_faster_than_narrow_ones(results):
    med = {r: fig16.summary(v).median_ms for r, v in results.items()}
    assert med[(150, 150)] > med[(150, 151)] > med[(150, 155)] > med[(150, 200)]


def test_same_seed_same_downtime():
    assert fig16.downtime(5, 150, 200) == fig16.downtime(5, 150, 200)
    assert fig16.downtime(5, 150, 200) != fig16.downtime(6, 150, 200)


@pytest.mark.parametrize("kw, word", [(dict(low_ms=0, high_ms=10), "low_ms"),
                                      (dict(low_ms=150, high_ms=100), "high_ms")])
def test_bad_ranges_are_refused(kw, word):
    with pytest.raises(ValueError, match=word):
        fig16.downtime(0, **kw)


@pytest.mark.parametrize("l, expected", [(0.01, 0.0006), (0.10, 0.052), (0.20, 0.181)])
def test_split_vote_formula_matches_the_dissertation(l, expected):
    assert split_vote_probability(5, 4, l) == pytest.approx(expected, abs=0.0006)


def test_split_vote_formula_edges():
    assert votes_to_split(5, 4) == 3
    assert split_vote_probability(5, 4, 0.0) == 0.0
    assert split_vote_probability(5, 5, 1.0) == pytest.approx(1.0)
    assert split_vote_probability(5, 4, 0.05) < split_vote_probability(5, 4, 0.15)
    with pytest.raises(ValueError, match="s \\(servers up\\)"):
        split_vote_probability(5, 2, 0.1)
    with pytest.raises(ValueError, match="l \\(latency"):
        split_vote_probability(5, 4, 1.5)
