"""The coordination guarantees as named functions of what happened (a record, not a live state).

Each returns None when the guarantee holds and a message naming the first counterexample when it
does not -- the convention of :class:`distlab.sim.InvariantSet`, so the same functions serve the
Hypothesis tests, the benchmark and the notebook's badges.

Writes are :class:`~distlab.consensus.coordination.fencing.Write` records in the order the storage
saw them; wins are ``(time, candidate, epoch)`` in the order the campaigns succeeded.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .store import WatchEvent

if TYPE_CHECKING:  # fencing imports this module: its Write is only needed for the annotations
    from .fencing import Write

NAMES = ("no_stale_write_accepted", "last_write_from_latest_holder", "one_leader_per_epoch",
         "epochs_increase", "one_owner_at_a_time")


def no_stale_write_accepted(writes: Sequence[Write]) -> str | None:
    """Every write the storage accepted carried a token >= every token it had accepted before:
    the accepted writes follow the order of the lock's holders. A paused ex-holder whose write lands
    after its successor's is exactly the write this forbids."""
    highest = 0
    for w in writes:
        if not w.accepted:
            continue
        if w.token < highest:
            return (f"{w.client} wrote with stale token {w.token} at t={w.time:.3f} s after a write "
                    f"with token {highest} had been accepted")
        highest = w.token
    return None


def last_write_from_latest_holder(writes: Sequence[Write], final_value: Any) -> str | None:
    """The value left in storage is the one written by the highest token that wrote -- the newest
    lock holder's work is not overwritten by an older holder's."""
    accepted = [w for w in writes if w.accepted]
    if not accepted:
        return None
    top = max(w.token for w in accepted)
    latest = [w for w in accepted if w.token == top][-1]
    if final_value != latest.value:
        return (f"storage holds {final_value!r}, but the latest holder (token {top}, "
                f"{latest.client}) wrote {latest.value!r}")
    return None


def one_leader_per_epoch(wins: Sequence[tuple[float, str, int]]) -> str | None:
    """No two candidates ever won with the same epoch (the leader key's create_revision)."""
    owner: dict[int, str] = {}
    for time, candidate, epoch in wins:
        if owner.setdefault(epoch, candidate) != candidate:
            return f"epoch {epoch} won by both {owner[epoch]} and {candidate} (t={time:.3f} s)"
    return None


def epochs_increase(wins: Sequence[tuple[float, str, int]]) -> str | None:
    """Each new leadership has a larger epoch than every earlier one, so an epoch orders leaders
    and storage can fence off an old one."""
    last = 0
    for time, candidate, epoch in wins:
        if epoch < last:
            return f"{candidate} won epoch {epoch} at t={time:.3f} s after epoch {last}"
        last = max(last, epoch)
    return None


def one_owner_at_a_time(grants: Sequence[tuple[float, str, int]], events: Sequence[WatchEvent]) -> str | None:
    """In the store's own history of the ownership key, every PUT creates the key afresh (it is
    never overwritten while someone owns it: creation and deletion alternate), and every token or
    epoch handed to a client is one of those creations. So, as far as the store is concerned, two
    clients never owned the key at once."""
    creations: set[int] = set()
    owned_since: int | None = None
    for e in events:
        if e.type == "PUT":
            if owned_since is not None or e.kv.create_revision != e.kv.mod_revision:
                return (f"{e.kv.key} written at revision {e.kv.mod_revision} while owned since "
                        f"revision {owned_since or e.kv.create_revision}")
            owned_since = e.kv.create_revision
            creations.add(owned_since)
        else:
            owned_since = None
    for time, client, token in grants:
        if token not in creations:
            return f"{client} was handed {token} at t={time:.3f} s, a revision that created no key"
    return None
