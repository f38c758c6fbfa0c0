"""``distlab.transactions.twopc`` -- two-phase commit on the simulation kernel.

=================  =============================================================================
``messages``        Prepare, Vote, Decision, Ack, DecisionRequest
``config``          ``TwoPCConfig``: the frozen knobs of one run (a slider edits only this)
``crash_points``    ``CrashPoint`` and ``crash_points(n)``: a crash at every step, as data
``participant``     ``Participant``: prepare, vote, wait in doubt, cooperative termination
``coordinator``     ``Coordinator``: phase 1, the logged decision, phase 2, presumed-abort recovery
``locks``           the row lock a prepared participant holds; what it costs later transactions
``invariants``      atomicity, no_unilateral_abort_after_yes, commit_needs_all_yes
``blocking``        the blocking rule: prediction, observed windows, and a checker
``scenario``        ``TwoPC`` / ``run_twopc(config, seed) -> TwoPCResult``
``enumeration``     ``crash_schedules()`` and ``judge(config, seed) -> Verdict``: every crash point
``chaos``           ``run_with_faults``: random fault schedules (kernel actions + slow links)
``slow_participant``  the lecture's first claim: ``run_slow_participant(SlowParticipantConfig, seed)``
``replicated``      the fix: ``RaftCoordinator``, a Raft server (chapter 2) as 2PC coordinator
``replicated_scenario``  ``ReplicatedTwoPC`` / ``run_replicated(config, seed, replicas)``
=================  =============================================================================
"""
from .blocking import BlockingRule, blocking_windows, predicted_blocked
from .config import MAX_PARTICIPANTS, TwoPCConfig
from .coordinator import Coordinator
from .crash_points import COORDINATOR, COORDINATOR_STEPS, PARTICIPANT_STEPS, CrashPoint, crash_points
from .invariants import NAMES as SAFETY_PROPERTIES
from .messages import ABORT, COMMIT, Ack, Decision, DecisionRequest, Prepare, Vote
from .participant import Participant
from .replicated import RaftCoordinator
from .replicated_scenario import ReplicatedTwoPC, run_replicated
from .scenario import TwoPC, TwoPCResult, run_twopc
from .slow_participant import SlowParticipantConfig, SlowParticipantResult, run_slow_participant, sweep_delay

__all__ = [
    "ABORT", "Ack", "BlockingRule", "COMMIT", "COORDINATOR", "COORDINATOR_STEPS", "Coordinator",
    "CrashPoint", "Decision", "DecisionRequest", "MAX_PARTICIPANTS", "PARTICIPANT_STEPS",
    "Participant", "Prepare", "SAFETY_PROPERTIES", "TwoPC", "TwoPCConfig", "TwoPCResult", "Vote",
    "RaftCoordinator", "ReplicatedTwoPC", "SlowParticipantConfig", "SlowParticipantResult",
    "blocking_windows", "crash_points", "predicted_blocked", "run_replicated", "run_twopc",
    "run_slow_participant", "sweep_delay",
]
