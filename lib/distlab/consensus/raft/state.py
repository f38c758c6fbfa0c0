"""Raft's state (Figure 2 of the paper): what each server persists and what it may forget.

Persistent state, written to stable storage before answering any RPC (``Process.stable``, which
survives ``crash``/``restart``): ``current_term``, ``voted_for`` and the ``log``. Volatile state,
rebuilt in ``on_start`` after a restart: ``commit_index``, ``last_applied``, the ``role``, and on a
leader ``next_index``/``match_index`` per follower. :class:`RaftState` declares all of it in one
place; the rules, handlers, snapshots and membership code build on it.

The log is a Python list of :class:`Entry`; Raft's indices start at 1. After log compaction the
list holds only the entries after the snapshot: with ``base_index``/``base_term`` the snapshot's
last included entry, entry ``i`` is ``log[i - base_index - 1]`` (index 0, term 0 without a
snapshot: the empty prefix every log shares). ``term_of(i)`` reads a term by Raft index.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from distlab.sim import Latency, Process, ms

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
ROLES = (FOLLOWER, CANDIDATE, LEADER)

ApplyFn = Callable[[Hashable, int, Any], None]


class Entry(NamedTuple):
    """One log entry: the ``term`` in which a leader created it, and the client's ``command``."""

    term: int
    command: Any


def is_up_to_date(last_term: int, last_index: int, my_last_term: int, my_last_index: int) -> bool:
    """The RequestVote up-to-date check (§5.4.1): a log ending in a later term is more up to date;
    with equal last terms, the longer log is. A voter grants only if the candidate's log (ending at
    ``last_index`` in ``last_term``) is at least as up to date as its own -- this is what gives
    every new leader all committed entries."""
    return last_term > my_last_term or (last_term == my_last_term and last_index >= my_last_index)


def _check_positive(name: str, value: Any) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 \
            or value == float("inf"):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")


@dataclass(frozen=True)
class RaftConfig:
    """Timing and features of every server in a cluster (a frozen config: sliders edit only this).

    ``election_timeout``  (low, high) seconds: each server waits a fresh uniform draw from this range
                          without hearing from a leader before it starts an election (§5.2).
    ``heartbeat_interval`` seconds between a leader's AppendEntries; must be below ``low`` (default
                          ``low / 3``). The paper's rule: broadcast time << election timeout << MTBF.
    ``max_entries``       entries per AppendEntries (bounds a message's size while catching up).
    ``pre_vote``          poll before standing for election, so a rejoining server cannot disrupt
                          a healthy leader by bumping the term (dissertation §9.6).
    ``check_quorum``      a leader steps down after an election timeout without hearing from a
                          majority (dissertation §6.2), so a partitioned leader stops serving;
                          and servers that heard from a leader within the minimum election
                          timeout ignore RequestVote (§4.2.3), so removed servers cannot disrupt.
    ``disk_write``        a latency distribution for one fsync, or None for an instant disk: a
                          reply that depends on newly persisted state (a granted vote, appended
                          entries, a new term) leaves only after the write completes. A candidate
                          writes its own vote in parallel with sending RequestVote (§10.2.1),
                          unless ``persist_before_request_vote``.
    ``persist_before_request_vote``  with a slow disk, a candidate sends RequestVote only after
                          its new term and self-vote are written (LogCabin's ``startNewElection``
                          holds its lock through ``updateLogMetadata()`` before any peer thread
                          may send), so a candidate's requests reach the others one write later.
    ``timeout_granularity`` None, or seconds to which every drawn election timeout is rounded to
                          the nearest multiple (LogCabin draws whole milliseconds:
                          ``lround`` of a uniform draw, so the range's two ends are half as
                          likely as the values between, and 150-151 ms has just two values).
    ``write_each_persist`` with a slow disk, every separate change of stable state in one step is
                          its own write before the reply: a voter that adopts a newer term from a
                          RequestVote and then grants it writes twice (LogCabin's ``stepDown``
                          and then the vote each call ``updateLogMetadata()``); off, one write
                          covers the whole step.
    """

    election_timeout: tuple[float, float] = (ms(150), ms(300))
    heartbeat_interval: float | None = None
    max_entries: int = 64
    pre_vote: bool = False
    check_quorum: bool = False
    disk_write: Latency | None = None
    persist_before_request_vote: bool = False
    timeout_granularity: float | None = None
    write_each_persist: bool = False

    def __post_init__(self) -> None:
        if self.disk_write is not None and not isinstance(self.disk_write, Latency):
            raise ValueError(f"disk_write must be None or a distlab.sim latency distribution, "
                             f"got {self.disk_write!r}")
        if self.timeout_granularity is not None:
            _check_positive("timeout_granularity", self.timeout_granularity)
        for flag in ("pre_vote", "check_quorum", "persist_before_request_vote", "write_each_persist"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be True or False, got {getattr(self, flag)!r}")
        et = self.election_timeout
        if not isinstance(et, (tuple, list)) or len(et) != 2:
            raise ValueError(f"election_timeout must be a (low, high) pair of seconds, got {et!r}")
        low, high = et
        _check_positive("election_timeout low", low)
        _check_positive("election_timeout high", high)
        if high < low:
            raise ValueError(f"election_timeout high must be >= low ({low}), got {high!r}")
        object.__setattr__(self, "election_timeout", (float(low), float(high)))
        hb = self.heartbeat_interval
        if hb is None:
            object.__setattr__(self, "heartbeat_interval", low / 3)
        else:
            _check_positive("heartbeat_interval", hb)
            if not hb < low:
                raise ValueError(f"heartbeat_interval must be below the minimum election timeout "
                                 f"({low} s), got {hb!r}")
        if not isinstance(self.max_entries, int) or isinstance(self.max_entries, bool) \
                or self.max_entries < 1:
            raise ValueError(f"max_entries must be an integer >= 1, got {self.max_entries!r}")

    @property
    def heartbeat(self) -> float:
        """``heartbeat_interval`` as resolved: seconds between a leader's heartbeats, never None."""
        return cast(float, self.heartbeat_interval)  # __post_init__ replaced a None by low / 3


class DiskWrites:
    """The simulated disk's bookkeeping (``RaftConfig.disk_write``), kept in one place.

    A step (one delivered message or fired timer) that changes stable state marks it ``changed``;
    a reply sent afterwards must wait until the disk has written it (``flush``). Writes queue
    behind each other: ``free_at`` is when the disk finishes what it was already given.
    """

    __slots__ = ("dirty", "writes", "free_at")

    def __init__(self) -> None:
        self.dirty = False   # stable state changed in this step: a reply must wait for the write
        self.writes = 0      # how many separate changes this step made (write_each_persist)
        self.free_at = 0.0   # when the disk finishes its queued writes

    def new_step(self) -> None:
        """A message or timer begins a step: nothing written yet."""
        self.dirty = False
        self.writes = 0

    def changed(self, counted: bool = True) -> None:
        """Stable state changed in this step; ``counted``: as a separate write of its own."""
        self.dirty = True
        if counted:
            self.writes += 1

    def flush(self, now: float, latency: Latency, rng: random.Random, each: bool = False) -> float:
        """Queue the step's writes behind the disk's queue and return when they complete: one
        write, or with ``each`` one per counted change. The step is then clean again."""
        writes = max(1, self.writes) if each else 1
        self.new_step()
        done = max(now, self.free_at)
        for _ in range(writes):
            done += latency.sample(rng)
        self.free_at = done
        return done


class RaftState(Process):
    """Everything one Raft server knows, declared in one place (Figure 2 of the paper).

    ``members``  every server of the cluster (including this one) before any configuration change;
                 empty for a spare server that waits to be added.
    ``config``   a :class:`RaftConfig` (timeouts, heartbeat, pre-vote, check-quorum, disk).
    ``apply_fn`` called as ``apply_fn(pid, index, command)`` for each committed entry, in order.

    The rules (``rules.py``), handlers (``handlers.py``), snapshots and membership code are layers
    on top of this class; they read and change only the state declared here.
    """

    # -- persistent state on all servers (in ``self.stable``: it survives a crash) -------------
    current_term: int            # latest term the server has seen (0 on first boot)
    voted_for: Hashable | None   # candidate that received its vote in current_term, or None
    log: list[Entry]             # entries after the snapshot: Raft index base_index + 1 on
    base_index: int              # the snapshot's last included index (0 without a snapshot, §7)
    base_term: int               # ... and its term (what the consistency check still needs)
    # -- volatile state on all servers (rebuilt by ``on_start``) -------------------------------
    commit_index: int            # highest index known to be committed
    last_applied: int            # highest index applied to the state machine
    role: str                    # FOLLOWER, CANDIDATE or LEADER
    leader_id: Hashable | None   # the leader of current_term as far as known (redirects clients)
    # -- volatile state on leaders (reinitialised after each election) -------------------------
    next_index: dict[Hashable, int]   # per follower: index of the next entry to send it
    match_index: dict[Hashable, int]  # per follower: highest index known to be replicated there
    heard: dict[Hashable, float]      # per follower: when it last answered (check-quorum, §6.2)
    acked_round: dict[Hashable, int]  # per follower: latest heartbeat round it acknowledged
    round: int                        # heartbeat rounds broadcast (read index, dissertation §6.4)
    leader_since: float               # when this server became leader
    # -- volatile state of elections -----------------------------------------------------------
    votes: list[Hashable]             # a candidate's granted votes (itself first)
    pre_votes: list[Hashable] | None  # pre-vote grants while polling (§9.6), else None
    leader_seen: float                # when a leader was last heard from (leader stickiness)
    election_deadline: float          # when to stand for election unless a leader is heard
    _election_fire_at: float | None   # when the armed election timer fires (None: not armed)
    # -- the simulated disk and restarts -------------------------------------------------------
    disk: DiskWrites                  # stable-state writes a reply must wait for
    incarnation: int                  # bumped on every start: writes queued before a crash fail
    # -- configuration: fixed at construction, or from the latest ConfigChange in the log ------
    config: RaftConfig
    apply_fn: ApplyFn | None
    initial_members: list[Hashable]   # the configuration before any ConfigChange entry
    members: list[Hashable]           # the configuration in use (latest one in the log)
    others: list[Hashable]            # members other than this server
    majority: int                     # votes (or replicas) a decision needs

    def __init__(self, pid: Hashable, members: Sequence[Hashable], config: RaftConfig | None = None,
                 apply_fn: ApplyFn | None = None) -> None:
        super().__init__(pid)
        members = list(members)
        if pid not in members and members:
            raise ValueError(f"members must include the node's own pid {pid!r} (or be empty for a "
                             f"server that will be added), got {members!r}")
        if len(set(map(repr, members))) != len(members):
            raise ValueError(f"members must be distinct, got {members!r}")
        self.initial_members = members
        self.members = members
        self.others = [m for m in members if m != pid]
        self.majority = len(members) // 2 + 1
        self.config = config if config is not None else RaftConfig()
        if not isinstance(self.config, RaftConfig):
            raise ValueError(f"config must be a RaftConfig, got {config!r}")
        self.apply_fn = apply_fn
        self.incarnation = 0
        self._reset_volatile()
        self.current_term, self.voted_for, self.log = 0, None, []
        self.base_index = self.base_term = 0

    def _reset_volatile(self) -> None:
        """Forget everything but the persistent state (at construction and on every start)."""
        self.role = FOLLOWER
        self.leader_id = None
        self.commit_index = 0
        self.last_applied = 0
        self.next_index = {}
        self.match_index = {}
        self.heard = {}
        self.acked_round = {}
        self.round = 0
        self.votes = []
        self.pre_votes = None
        self.leader_seen = float("-inf")
        self.leader_since = 0.0
        self.election_deadline = 0.0
        self._election_fire_at = None
        self.disk = DiskWrites()
        self.incarnation += 1

    # ------------------------------------------------------------------ the log, by Raft index
    def last_index(self) -> int:
        """Index of the last entry (the snapshot's, with nothing after it; 0 for an empty log)."""
        return self.base_index + len(self.log)

    def last_term(self) -> int:
        """Term of the last entry (the snapshot's, with nothing after it; 0 for an empty log)."""
        return self.log[-1].term if self.log else self.base_term

    def term_of(self, index: int) -> int:
        """Term of entry ``index`` (the snapshot's term at ``base_index``; 0 at index 0)."""
        if index == self.base_index:
            return self.base_term
        if index < self.base_index:
            raise ValueError(f"index {index} is compacted into the snapshot (<= {self.base_index})")
        return self.log[index - self.base_index - 1].term
