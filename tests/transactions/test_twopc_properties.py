"""Hypothesis: random fault schedules (crash, restart, pause, partition, one-way blocks, message
loss, slow links) never break atomicity or the yes vote's promise, never block anyone the rule
says can finish, and after the heal every participant learns the same outcome."""
from hypothesis import given, settings, strategies as st

from distlab.sim import Fault, FaultSchedule
from distlab.transactions.twopc import TwoPCConfig
from distlab.transactions.twopc.chaos import LinkDelay, heal_all, run_with_faults
from distlab.transactions.twopc.replicated_scenario import ReplicatedTwoPC

HEAL_AT = 0.8


@st.composite
def schedules(draw):
    n = draw(st.integers(1, 4))
    pids = ["c"] + [f"p{i}" for i in range(n)]
    # the transaction itself takes ~10 ms: most faults land in its first 30 ms
    times = st.one_of(st.floats(0.0, 0.03), st.floats(0.0, 0.03), st.floats(0.0, HEAL_AT - 0.01))
    one = st.sampled_from(pids)
    fault = st.one_of(
        st.builds(lambda t, a, p: Fault(t, a, (p,)), times,
                  st.sampled_from(["crash", "restart", "pause", "resume", "isolate"]), one),
        st.builds(lambda t, a, b: Fault(t, "block", (a, b)), times, one, one),
        st.builds(lambda t, a, b: Fault(t, "unblock", (a, b)), times, one, one),
        st.builds(lambda t, k: Fault(t, "partition", ((tuple(pids[:k]), tuple(pids[k:])),)),
                  times, st.integers(1, n)),
        st.builds(lambda t: Fault(t, "heal"), times),
    )
    faults = draw(st.lists(fault, max_size=8))
    delays = draw(st.lists(st.builds(LinkDelay, times, one, one, st.sampled_from([0.02, 0.2])),
                           max_size=2))
    config = TwoPCConfig(participants=n, termination=draw(st.booleans()),
                         no_voters=draw(st.sampled_from([(), (n - 1,)])),
                         workload_interval=None)
    return config, faults, delays


def _check(result):
    assert result.violations == ()
    assert None not in result.outcomes, result
    assert len(set(result.outcomes)) == 1, result


@settings(max_examples=120)
@given(schedules(), st.integers(0, 2**16))
def test_random_fault_schedules_keep_2pc_safe_and_live(schedule, seed):
    config, faults, delays = schedule
    _check(run_with_faults(config, seed, faults, delays, heal_at=HEAL_AT))


@settings(max_examples=40)
@given(schedules(), st.integers(0, 2**16), st.sampled_from([0.1, 0.3]))
def test_message_loss_keeps_2pc_safe_and_live(schedule, seed, loss):
    config, faults, delays = schedule
    faults = [Fault(0.0, "loss", (loss,)), *faults, Fault(HEAL_AT, "loss", (0.0,))]
    _check(run_with_faults(config, seed, faults, delays, heal_at=HEAL_AT))


@st.composite
def replicated_schedules(draw):
    n = draw(st.integers(1, 3))
    pids = [0, 1, 2] + [f"p{i}" for i in range(n)]
    times = st.floats(0.0, 0.6)
    one = st.sampled_from(pids)
    fault = st.one_of(
        st.builds(lambda t, a, p: Fault(t, a, (p,)), times,
                  st.sampled_from(["crash", "restart", "pause", "resume", "isolate"]), one),
        st.builds(lambda t, a, b: Fault(t, "block", (a, b)), times, one, one),
        st.builds(lambda t: Fault(t, "heal"), times),
    )
    return n, draw(st.lists(fault, max_size=6))


@settings(max_examples=40)
@given(replicated_schedules(), st.integers(0, 2**16))
def test_random_faults_on_the_raft_coordinator_keep_2pc_and_raft_safe(schedule, seed):
    n, faults = schedule
    config = TwoPCConfig(participants=n, prepare_timeout=2.0, horizon=4.0, workload_interval=None)
    t = ReplicatedTwoPC(config, seed)  # Raft's and 2PC's invariants raise on any violation
    FaultSchedule([*faults, *heal_all([0, 1, 2, *config.participant_pids], 0.7)]).install(t.sim)
    r = t.run()
    assert None not in r.outcomes and len(set(r.outcomes)) == 1, r
