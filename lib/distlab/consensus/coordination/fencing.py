"""Fencing tokens, shown: a paused lock holder corrupts storage -- unless the storage fences.

The story (Kleppmann, "How to do distributed locking", 2016): client A takes the lock (token 33),
checks that it holds it, and is then frozen by a long garbage-collection pause. Its lease runs out;
the store deletes its lock key; client B takes the lock (token 34) and writes. A wakes up, still
sure it holds the lock, and writes too -- *after* B. Storage that ignores tokens accepts it: B's
write is silently overwritten by a holder that lost the lock seconds ago
(:func:`~distlab.consensus.coordination.invariants.no_stale_write_accepted` fails). Storage that
remembers the highest token it has seen rejects 33 after 34, and the lock means something again.

:func:`paused_holder` runs that story on any :class:`CoordinationStore` -- on the simulated store
it is a reproducible simulation (same seed, same numbers); on etcd it takes a few real seconds.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from distlab.consensus import checks

from .invariants import last_write_from_latest_holder, no_stale_write_accepted
from .lock import Lock
from .session import Session
from .store import CoordinationStore, check_ttl


class Write(NamedTuple):
    """One write as the storage saw it: when, by whom, with which fencing token, what, and whether
    the storage accepted it."""

    time: float
    client: str
    token: int
    value: str
    accepted: bool


class UnfencedStorage:
    """Storage that takes every write (it sees the token but ignores it)."""

    fencing = False

    def __init__(self) -> None:
        self.value: str | None = None
        self.highest = 0          # the highest token among accepted writes
        self.writes: list[Write] = []

    def admits(self, token: int) -> bool:
        """Whether a write carrying ``token`` is accepted: always, here."""
        return True

    def write(self, client: str, token: int, value: str, now: float) -> bool:
        """``client``'s write of ``value`` with fencing ``token`` at time ``now``: stored if
        :meth:`admits` the token, recorded in ``writes`` either way; True if accepted."""
        if not isinstance(token, int) or token < 1:
            raise ValueError(f"token must be a fencing token (an integer >= 1), got {token!r}")
        ok = self.admits(token)
        if ok:
            self.value, self.highest = value, max(self.highest, token)
        self.writes.append(Write(now, client, token, value, ok))
        return ok


class FencedStorage(UnfencedStorage):
    """Storage that rejects a token lower than the highest it has accepted."""

    fencing = True

    def admits(self, token: int) -> bool:
        """Accept a token no lower than the highest accepted so far: a holder that lost the lock
        (and so has an older token) can no longer overwrite its successor's work."""
        return token >= self.highest


def storage(fencing: bool) -> UnfencedStorage:
    """A fresh :class:`FencedStorage` if ``fencing``, else an :class:`UnfencedStorage`."""
    return FencedStorage() if fencing else UnfencedStorage()


class Moment(NamedTuple):
    """One line of the story: at ``time`` (the store's clock) ``actor`` did ``what``."""

    time: float
    actor: str
    what: str


class FencingResult(NamedTuple):
    """The paused-holder story's outcome: each client's token, the writes in storage order, what
    the storage holds at the end, the storage invariants' verdicts and the story as a timeline."""

    fencing: bool
    tokens: dict[str, int]        # client -> fencing token
    writes: list[Write]           # in storage order
    final_value: str | None
    verdicts: dict[str, str | None]  # invariant name -> None (holds) or the violation
    timeline: list[Moment]        # for a view to draw


def verdicts(store_writes: Sequence[Write], final_value: str | None) -> dict[str, str | None]:
    """The storage invariants (no stale write accepted; the last write is the latest holder's) of
    these writes and this final value: name -> None when it holds, else the counterexample."""
    return {"no_stale_write_accepted": no_stale_write_accepted(store_writes),
            "last_write_from_latest_holder": last_write_from_latest_holder(store_writes,
                                                                           final_value)}


def paused_holder(store: CoordinationStore, *, fencing: bool, ttl: int = 2,
                  pause: float | None = None, poll: float = 0.1) -> FencingResult:
    """A takes the lock, checks it, pauses ``pause`` seconds (default ``2 * ttl + 2``: well past
    its lease), B takes the lock meanwhile and writes, A wakes and writes. Every time in the result
    (timeline, writes, verdicts) counts seconds since A took the lock, so the story, a plot of it and
    the invariants' reports agree on every number (a store's clock may be a machine's uptime)."""
    checks.flag("fencing", fencing)
    check_ttl(ttl)
    pause = 2.0 * ttl + 2.0 if pause is None else pause
    checks.number("pause", pause, 0, 600.0, "seconds")
    checks.number("poll", poll, 0, 60.0, "seconds", open_low=True)
    disk = storage(fencing)
    timeline: list[Moment] = []

    def since_a_locked() -> float:
        return store.now() - start

    def note(actor: str, what: str) -> None:
        timeline.append(Moment(since_a_locked(), actor, what))

    a = Lock(store, "demo", "A", Session(store, ttl))
    b = Lock(store, "demo", "B", Session(store, ttl))
    token_a = a.acquire(timeout=ttl)
    start = store.now()
    note("A", f"takes the lock, token {token_a}, lease {ttl} s")
    if not a.holds():
        raise RuntimeError("A lost the lock before its check: the store is too slow for this ttl")
    note("A", f"checks it holds the lock: yes -- then a {pause:g} s GC pause begins")
    wake = store.now() + pause
    token_b = b.acquire(timeout=pause)    # B waits for A's lease to run out
    note("B", f"takes the lock, token {token_b} (A's lease expired)")
    ok = disk.write("B", token_b, "written by B", since_a_locked())
    note("B", f"writes with token {token_b}: {'accepted' if ok else 'rejected'}")
    store.sleep(max(0.0, wake - store.now()))
    ok = disk.write("A", token_a, "written by A", since_a_locked())  # the zombie write
    note("A", f"wakes, still sure it holds the lock, writes with token {token_a}: "
              f"{'accepted' if ok else 'REJECTED'}")
    b.release()
    return FencingResult(fencing, {"A": token_a, "B": token_b}, list(disk.writes), disk.value,
                         verdicts(disk.writes, disk.value), timeline)
