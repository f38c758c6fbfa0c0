"""A key-value client as a simulated process: one operation at a time, retries with the same
``(client, seq)`` until a leader answers, follows redirects, and records a history
(:class:`distlab.sim.HistoryRecorder`) for the linearizability checker.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from distlab.sim import HistoryRecorder, Process, ms

from .kvstore import OPS, ClientReply, ClientRequest


class KVClient(Process):
    """Runs ``ops`` -- ``(op, key, value)`` tuples -- against ``servers`` in order.

    ``retry``   seconds without an answer before re-sending to the next server.
    ``think``   pause between operations. ``recorder`` (optional) gets invoke/ok for each op; an op
    still open at the end is indeterminate (``info``) in the history.
    """

    def __init__(self, pid: Hashable, servers: Sequence[Hashable], ops: Sequence[tuple[str, Any, Any]], *,
                 recorder: HistoryRecorder | None = None, retry: float = ms(100),
                 think: float = ms(5)) -> None:
        super().__init__(pid)
        for op in ops:
            if not (isinstance(op, tuple) and len(op) == 3 and op[0] in OPS):
                raise ValueError(f"ops must be (op, key, value) tuples with op in {OPS}, got {op!r}")
        if not retry > 0:
            raise ValueError(f"retry must be > 0 seconds, got {retry!r}")
        self.servers, self.ops, self.recorder = list(servers), list(ops), recorder
        self.retry, self.think = retry, think
        self.seq = 0
        self.results: list[tuple[str, Any, Any, Any]] = []  # (op, key, value, result) of completed ops
        self.target = 0
        self._op_id: int | None = None
        self.done = False
        self.busy = False  # an operation is waiting for its answer

    def on_start(self) -> None:
        if self.seq == 0:
            self.set_timer("next", 0.0)

    def _request(self) -> ClientRequest:
        op, key, value = self.ops[self.seq - 1]
        return ClientRequest(self.pid, self.seq, op, key, value)

    def _send_current(self) -> None:
        self.send(self.servers[self.target % len(self.servers)], self._request())
        self.set_timer("retry", self.retry)

    def on_timer(self, name: str, data: Any) -> None:
        if name == "next":
            if self.seq >= len(self.ops):
                self.done = True
                return
            self.seq += 1
            self.busy = True
            op, key, value = self.ops[self.seq - 1]
            if self.recorder is not None:
                self._op_id = self.recorder.invoke(self.pid, op, value, key)
            self._send_current()
        elif name == "retry" and self.busy:
            self.target += 1
            self._send_current()
        elif name == "resend" and self.busy:
            self._send_current()

    def on_message(self, src: Hashable, msg: Any) -> None:
        if type(msg) is not ClientReply or msg.seq != self.seq or self.done or not self.busy:
            return  # not ours, or a duplicate answer to an operation already completed
        if not msg.ok:
            if msg.leader_hint is not None and msg.leader_hint in self.servers:
                self.target = self.servers.index(msg.leader_hint)
            else:
                self.target += 1
            self.cancel_timer("retry")
            self.set_timer("resend", self.retry / 4)  # back off a little, then try there
            return
        self.cancel_timer("retry")
        self.busy = False
        op, key, value = self.ops[self.seq - 1]
        self.results.append((op, key, value, msg.value))
        if self.recorder is not None and self._op_id is not None:
            self.recorder.ok(self._op_id, msg.value if op == "get" else None)
            self._op_id = None
        self.set_timer("next", self.think)
