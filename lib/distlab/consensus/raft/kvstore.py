"""A replicated key-value store on Raft: a state machine with client sessions, and reads that are
linearizable (dissertation ch. 6).

* **Client sessions** (§6.3). Every request carries ``(client, seq)``. The state machine remembers
  each client's last ``seq`` and its result, so a retried command that was already applied is
  answered from the session instead of being applied twice (an append retried after a lost reply
  must not append twice).
* **Read index** (§6.4). A read does not go through the log. The leader (1) needs an entry of its
  own term committed -- it appends a no-op when elected -- so its commit index is current;
  (2) notes ``read_index = commit_index``; (3) sends a heartbeat round and waits for a majority to
  acknowledge it, proving no newer leader existed when the read arrived; (4) answers once
  ``last_applied >= read_index``. ``reads="local"`` answers from the leader's state at once -- fast,
  and wrong: a deposed leader that has not noticed serves stale data. ``reads="log"`` puts reads in
  the log (linearizable, but each read costs a replication round and a disk write).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

from .node import RaftNode
from .state import LEADER, ApplyFn, Entry, RaftConfig

READ_MODES = ("read_index", "log", "local")
OPS = ("get", "put", "append")


class ClientRequest(NamedTuple):
    """Client -> server: operation ``seq`` of ``client`` (``op`` on ``key``, with ``value`` for a
    put or an append); a retry carries the same ``(client, seq)``."""

    client: Any
    seq: int
    op: str
    key: Any
    value: Any = None


class ClientReply(NamedTuple):
    """Server -> client: the answer to ``(client, seq)``; not ``ok`` means "not here" (ask
    ``leader_hint``, or another server), or an invalid ``op`` with the reason in ``value``."""

    client: Any
    seq: int
    ok: bool
    value: Any = None
    leader_hint: Any = None  # on refusal: the server this one believes leads (redirect there)


class KVStateMachine:
    """``data`` (key -> string) plus ``sessions`` (client -> (last seq, its result))."""

    def __init__(self, sessions: bool = True) -> None:
        self.data: dict[Any, str] = {}
        self.sessions: dict[Any, tuple[int, Any]] = {}
        self.use_sessions = sessions
        self.applied_ops = 0

    def apply(self, command: Any) -> Any:
        """Apply one committed command (``(client, seq, op, key, value)``, or a leader's no-op
        ``None``) and return its result; a duplicate of a session's last command is not applied
        again but answered with the result recorded then."""
        if command is None:  # a new leader's no-op
            return None
        client, seq, op, key, value = command
        if self.use_sessions:
            last = self.sessions.get(client)
            if last is not None and seq <= last[0]:
                return last[1]  # a duplicate: answered, not applied again
        self.applied_ops += 1
        if op == "put":
            self.data[key] = value
            result = None
        elif op == "append":
            self.data[key] = self.data.get(key, "") + value
            result = None
        else:  # "get" through the log
            result = self.data.get(key, "")
        if self.use_sessions:
            self.sessions[client] = (seq, result)
        return result

    def answered(self, client: Any, seq: int) -> tuple[bool, Any]:
        """Has ``(client, seq)`` been applied already? Then ``(True, its result)``."""
        last = self.sessions.get(client) if self.use_sessions else None
        if last is not None and last[0] == seq:
            return True, last[1]
        return False, None


class Waiter(NamedTuple):
    """A leader's note of who waits for the log entry of ``(client, seq)``."""

    src: Hashable
    client: Any
    seq: int


class PendingRead(NamedTuple):
    """A read waiting for its read index: answered once heartbeat ``round`` is acknowledged by a
    majority and the state machine has applied ``read_index`` (None: not fixed yet)."""

    src: Hashable
    client: Any
    seq: int
    key: Any
    read_index: int | None
    round: int


class KVServer(RaftNode):
    """A Raft server that runs :class:`KVStateMachine` and answers :class:`ClientRequest` s."""

    kv: KVStateMachine
    waiting: dict[int, Waiter]         # log index -> who waits for that entry
    pending_reads: list[PendingRead]

    def __init__(self, pid: Hashable, members: Sequence[Hashable], config: RaftConfig | None = None,
                 apply_fn: ApplyFn | None = None, *, reads: str = "read_index",
                 sessions: bool = True, max_log: int | None = None) -> None:
        if reads not in READ_MODES:
            raise ValueError(f"reads must be one of {READ_MODES}, got {reads!r}")
        if max_log is not None and (not isinstance(max_log, int) or max_log < 1):
            raise ValueError(f"max_log must be None or an integer >= 1, got {max_log!r}")
        self.max_log = max_log  # snapshot the store once the log holds more entries than this
        self.reads_mode = reads
        self.sessions_on = sessions
        super().__init__(pid, members, config, apply_fn)

    def on_start(self) -> None:
        self.kv = KVStateMachine(self.sessions_on)  # rebuilt by re-applying the log
        self.waiting = {}
        self.pending_reads = []
        super().on_start()

    # ------------------------------------------------------------------ leadership
    def become_leader(self) -> None:
        super().become_leader()
        self.pending_reads = []
        self.waiting = {}
        self.log.append(Entry(self.current_term, None))  # the no-op that commits our term
        self.broadcast_append_entries()
        self.advance_commit_index()

    def become_follower(self, term: int) -> None:
        was_leader = self.role == LEADER
        super().become_follower(term)
        if was_leader:
            for src, client, seq, *_ in self.pending_reads:
                self.send(src, ClientReply(client, seq, False, None, None))
            self.pending_reads = []

    # ------------------------------------------------------------------ clients
    def on_other_message(self, src: Hashable, msg: Any) -> None:
        if type(msg) is not ClientRequest:
            return
        if msg.op not in OPS:
            self.send(src, ClientReply(msg.client, msg.seq, False, f"op must be one of {OPS}"))
            return
        if self.role != LEADER:
            self.send(src, ClientReply(msg.client, msg.seq, False, None, self.leader_id))
            return
        if msg.op == "get" and self.reads_mode != "log":
            self.read(src, msg)
            return
        done, result = self.kv.answered(msg.client, msg.seq)
        if done:
            self.send(src, ClientReply(msg.client, msg.seq, True, result))
            return
        self.log.append(Entry(self.current_term, (msg.client, msg.seq, msg.op, msg.key, msg.value)))
        self.waiting[self.last_index()] = Waiter(src, msg.client, msg.seq)
        self.broadcast_append_entries()
        self.advance_commit_index()

    def on_apply(self, index: int, command: Any) -> None:
        result = self.kv.apply(command)
        super().on_apply(index, command)
        if self.max_log is not None and len(self.log) > self.max_log and index == self.last_applied:
            self.take_snapshot(index, (dict(self.kv.data), dict(self.kv.sessions)))
        waiter = self.waiting.pop(index, None)
        if waiter is not None and self.role == LEADER:
            src, client, seq = waiter
            ok = command is not None and command[0] == client and command[1] == seq
            self.send(src, ClientReply(client, seq, ok, result if ok else None))
        self.serve_reads()

    def on_snapshot(self, index: int, data: Any) -> None:
        """Replace the store (and its sessions, so dedup survives compaction) with a snapshot."""
        values, sessions = data
        self.kv.data, self.kv.sessions = dict(values), dict(sessions)

    # ------------------------------------------------------------------ reads
    def read(self, src: Hashable, msg: ClientRequest) -> None:
        """Leader: answer a get without the log -- at once (``reads="local"``), or by read index
        once leadership is confirmed by the next heartbeat round."""
        if self.reads_mode == "local":
            self.send(src, ClientReply(msg.client, msg.seq, True, self.kv.data.get(msg.key, "")))
            return
        self.pending_reads.append(PendingRead(src, msg.client, msg.seq, msg.key, None, self.round + 1))
        self.broadcast_append_entries()  # round + 1: its acknowledgements confirm leadership
        self.serve_reads()

    def on_leadership_confirmed(self) -> None:
        self.serve_reads()

    def serve_reads(self) -> None:
        """Leader: answer every pending read whose round is confirmed and whose read index is
        applied (fixing the read index of new reads once our no-op is committed)."""
        if not self.pending_reads or self.role != LEADER:
            return
        if self.commit_index == 0 or self.term_of(self.commit_index) != self.current_term:
            return  # our no-op is not committed yet: commit_index may be stale
        confirmed = self.confirmed_round()
        keep = []
        for src, client, seq, key, read_index, rnd in self.pending_reads:
            if read_index is None:
                read_index = self.commit_index
            if confirmed >= rnd and self.last_applied >= read_index:
                self.send(src, ClientReply(client, seq, True, self.kv.data.get(key, "")))
            else:
                keep.append(PendingRead(src, client, seq, key, read_index, rnd))
        self.pending_reads = keep
