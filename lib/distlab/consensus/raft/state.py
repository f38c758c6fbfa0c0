"""Raft's state (Figure 2 of the paper): what each server persists and what it may forget.

Persistent state, written to stable storage before answering any RPC (``Process.stable``, which
survives ``crash``/``restart``): ``current_term``, ``voted_for`` and the ``log``. Volatile state,
rebuilt in ``on_start`` after a restart: ``commit_index``, ``last_applied``, the ``role``, and on a
leader ``next_index``/``match_index`` per follower.

The log is a Python list of :class:`Entry`; Raft's indices start at 1. After log compaction the
list holds only the entries after the snapshot: with ``base_index``/``base_term`` the snapshot's
last included entry, entry ``i`` is ``log[i - base_index - 1]`` (index 0, term 0 without a
snapshot: the empty prefix every log shares).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from distlab.sim import Latency, ms

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
ROLES = (FOLLOWER, CANDIDATE, LEADER)


class Entry(NamedTuple):
    """One log entry: the ``term`` in which a leader created it, and the client's ``command``."""

    term: int
    command: Any


def term_at(log: list, index: int) -> int:
    """The term of entry ``index`` (0 for index 0, the empty prefix)."""
    return log[index - 1].term if index > 0 else 0


def last_log_term(log: list) -> int:
    return log[-1].term if log else 0


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

    election_timeout: tuple = (ms(150), ms(300))
    heartbeat_interval: float | None = None
    max_entries: int = 64
    pre_vote: bool = False
    check_quorum: bool = False
    disk_write: Any = None
    persist_before_request_vote: bool = False
    timeout_granularity: float | None = None
    write_each_persist: bool = False

    def __post_init__(self) -> None:
        if self.disk_write is not None and not isinstance(self.disk_write, Latency):
            raise ValueError(f"disk_write must be None or a distlab.sim latency distribution, "
                             f"got {self.disk_write!r}")
        if self.timeout_granularity is not None:
            _check_positive("timeout_granularity", self.timeout_granularity)
        for flag in ("persist_before_request_vote", "write_each_persist"):
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
