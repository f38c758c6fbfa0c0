"""Figure 16 of the Raft paper re-run on the simulator (fewer trials in CI; the full sweep runs in
``make bench``), the LogCabin behaviours it models (``RaftConfig`` options), and the
dissertation's split-vote formula."""
import pytest

from distlab.consensus.raft import RaftConfig, RaftNode, figure16
from distlab.consensus.raft.messages import RequestVote, RequestVoteReply
from distlab.consensus.raft.split_vote import split_vote_probability, votes_to_split
from distlab.sim import Constant, Simulation, ms


@pytest.fixture(scope="module")
def results():
    return figure16.sweep(seed=0)  # the paper's trial counts (9,100 trials, about 10 s): what make bench prints


@pytest.fixture(scope="module")
def paper():
    return figure16.published()


def test_bundled_reference_data_is_complete(paper):
    assert set(paper) == set(figure16.RANGES_MS)
    assert paper[(150, 155)].median_ms == pytest.approx(287.3)
    assert paper[(150, 150)].trials == 100


def test_no_randomness_means_more_than_ten_seconds(results):
    s = figure16.summary(results[(150, 150)])
    assert s.median_ms > 10_000


def test_trials_are_capped_at_120_simulated_seconds(results):
    assert max(max(v) for v in results.values()) <= figure16.CAP


@pytest.mark.parametrize("rng", [r for r in figure16.RANGES_MS if r != (150, 150)])
def test_median_within_tolerance_of_the_paper(rng, results, paper):
    got = figure16.summary(results[rng]).median_ms
    want = paper[rng].median_ms
    assert abs(got - want) <= figure16.tolerance(rng) * want, f"{rng}: {got:.1f} ms vs {want} ms"


def test_wider_ranges_elect_faster_than_narrow_ones(results):
    med = {r: figure16.summary(v).median_ms for r, v in results.items()}
    assert med[(150, 150)] > med[(150, 151)] > med[(150, 155)] > med[(150, 200)]


def test_only_the_two_longest_survivor_logs_can_win():
    """Paper: 'the servers in each trial had different log lengths, so some candidates were not
    eligible'. With lengths 5 (leader), 4, 3, 2, 1, servers 1 and 2 win; 3 and 4 never can."""
    winners = [figure16.trial(seed, 150, 155).leader for seed in range(60)]
    assert set(winners) == {1, 2}
    equal = [figure16.trial(seed, 150, 155, log_lengths=figure16.EQUAL_PAIRS).leader for seed in range(60)]
    assert set(equal) == {1, 2}


def test_same_seed_same_downtime():
    assert figure16.downtime(5, 150, 200) == figure16.downtime(5, 150, 200)
    assert figure16.downtime(5, 150, 200) != figure16.downtime(6, 150, 200)


@pytest.mark.parametrize("kw, word", [(dict(low_ms=0, high_ms=10), "low_ms"),
                                      (dict(low_ms=150, high_ms=100), "high_ms"),
                                      (dict(low_ms=150, high_ms=155, log_lengths=(5, 4, 3)), "log_lengths"),
                                      (dict(low_ms=150, high_ms=155, log_lengths=(1, 4, 3, 2, 1)),
                                       "log_lengths")])
def test_bad_ranges_are_refused(kw, word):
    with pytest.raises(ValueError, match=word):
        figure16.downtime(0, **kw)


@pytest.mark.parametrize("l, expected", [(0.01, 0.0006), (0.10, 0.052), (0.20, 0.181)])
def test_split_vote_formula_matches_the_dissertation(l, expected):  # noqa: E741 - the dissertation's l
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


def test_the_logcabin_behaviours_are_what_fixes_the_narrow_ranges(paper):
    """Switching the LogCabin options off (textbook Raft on the same network and disk) must give
    150-155 ms far fewer split votes than the paper: the options carry the result."""
    logcabin = figure16.summary(figure16.sweep(seed=2, scale=0.1, ranges=[(150, 155)])[(150, 155)])
    textbook = figure16.summary(figure16.sweep(seed=2, scale=0.1, ranges=[(150, 155)],
                                         model=figure16.LogCabinModel.textbook())[(150, 155)])
    want = paper[(150, 155)].median_ms
    assert textbook.median_ms < 0.7 * want < logcabin.median_ms


def _node_with_disk(**options):
    sim = Simulation(0, trace=False)
    sim.network.configure(latency=Constant(ms(1)))
    cfg = RaftConfig(election_timeout=(ms(150), ms(151)), disk_write=Constant(ms(5)), **options)
    nodes = [sim.add(RaftNode(p, (0, 1, 2), cfg)) for p in (0, 1, 2)]
    return sim, nodes


def _sends(sim, kind):
    times = []
    original = sim.network.send

    def spy(src, dst, msg, *a, **k):
        if isinstance(msg, kind):
            times.append((sim.now, src, msg))
        return original(src, dst, msg, *a, **k)
    sim.network.send = spy
    return times


def test_timeouts_are_whole_ticks_with_a_granularity():
    sim, (node, *_) = _node_with_disk(timeout_granularity=ms(1))
    sim.run(0.0)
    seen = set()
    for _ in range(200):
        node.reset_election_timer()
        seen.add(round((node.election_deadline - sim.now) * 1e6))
    assert seen == {150_000, 151_000}


@pytest.mark.parametrize("first, delay", [(False, 0.0), (True, ms(5))])
def test_a_candidate_may_write_before_requesting_votes(first, delay):
    sim, nodes = _node_with_disk(persist_before_request_vote=first)
    sent = _sends(sim, RequestVote)
    sim.run(0.0)
    nodes[0].start_election()
    start = sim.now
    sim.run(start + ms(20))
    first_request = min(t for t, src, _ in sent if src == 0)
    assert first_request - start == pytest.approx(delay)


@pytest.mark.parametrize("each, writes", [(False, 1), (True, 2)])
def test_a_voter_adopting_a_new_term_writes_once_or_twice(each, writes):
    sim, nodes = _node_with_disk(write_each_persist=each)
    replies = _sends(sim, RequestVoteReply)
    sim.run(0.0)
    at = sim.now
    nodes[1].on_message(0, RequestVote(nodes[1].current_term + 1, 0, 0, 0))
    sim.run(at + ms(30))
    (t, _src, reply), = [r for r in replies if r[1] == 1]
    assert reply.vote_granted and t - at == pytest.approx(writes * ms(5))


@pytest.mark.parametrize("kw, word", [(dict(timeout_granularity=0), "timeout_granularity"),
                                      (dict(persist_before_request_vote=1),
                                       "persist_before_request_vote"),
                                      (dict(write_each_persist="yes"), "write_each_persist")])
def test_bad_model_options_are_refused(kw, word):
    with pytest.raises(ValueError, match=word):
        RaftConfig(**kw)
    with pytest.raises(ValueError, match="model"):
        figure16.downtime(0, 150, 200, model="logcabin")
