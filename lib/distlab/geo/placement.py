"""Where to put the leader: the settings of a placement experiment, checked, and what the latency
medians predict before anything runs.

A write to a Raft leader commits once a majority stores it, so a client in region ``c`` waits

    RTT(c, leader) + majority RTT(leader)

where the majority round trip is the leader's round trip to the follower that completes a majority
(the leader counts itself: for 5 replicas, the 2nd-nearest follower). :func:`predicted_commit_ms`
computes this from the measured medians alone -- an independent check of the simulation
(:mod:`distlab.geo.placement_raft`), which runs chapter 2's Raft on the latency model.

>>> majority_rtt_ms("virginia", DEFAULT_REPLICAS)      # Oregon 80.9, Ireland 109 -> the 2nd
109.0
>>> best_leader(DEFAULT_REPLICAS)
'virginia'
>>> round(predicted_commit_ms("virginia", "tokyo", DEFAULT_REPLICAS))
312

**Timeouts scaled to the WAN** (:func:`wan_timeouts`), after etcd's tuning guide ("the heartbeat
interval should be around the maximum of average round-trip time between members"; "the election
timeout should be at least 10 times the round-trip time"): with R the largest median round trip
between replicas, the heartbeat is R, election timeouts are drawn from [10 R, 20 R], and the leader
is pinned by giving the leader region's replica a fixed, shorter timeout of 5 R -- it stands first
and its vote round (about R) is over long before anyone else's timer fires. A client gives up on a
server after 4x the largest round trip it or the replicas see, then tries the next one.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from distlab.consensus.raft.cluster_core import MAX_NODES

from .latency import LatencyModel, default_model
from .world import check_region, check_regions, distinct

__all__ = ["DEFAULT_CLIENTS", "DEFAULT_REPLICAS", "MAX_WRITES", "Setup", "WanTimeouts", "best_leader",
           "check_setup", "majority_rtt_ms", "predicted_commit_ms", "wan_timeouts"]

DEFAULT_REPLICAS: tuple[str, ...] = ("virginia", "oregon", "ireland", "tokyo", "sydney")
DEFAULT_CLIENTS: tuple[str, ...] = ("virginia", "ireland", "tokyo", "sydney")
MAX_WRITES = 10_000
MAX_CLIENTS_PER_REGION = 20
MAX_THINK_MS = 10_000


class Setup(NamedTuple):
    """A placement experiment's settings, checked (:func:`check_setup`)."""

    replicas: tuple[str, ...]      # a region per replica (a region may hold several)
    leader: str                    # the region whose replica is pinned as leader
    clients: tuple[str, ...]       # a region per group of clients
    clients_per_region: int        # clients in each entry of ``clients``
    writes: int                    # writes each client makes (one at a time)
    failed: str | None             # the region that fails after the first writes, or None
    seed: int
    think_ms: float = 100.0        # a client's pause between one answer and its next write


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def check_setup(*, replicas: Sequence[str] = DEFAULT_REPLICAS, leader: str = "virginia",
                clients: Sequence[str] = DEFAULT_CLIENTS, clients_per_region: int = 1, writes: int = 20,
                failed: str | None = None, seed: int = 0, think_ms: float = 100.0) -> Setup:
    """Check every setting and return them as a :class:`Setup`; a bad one is a ``ValueError``
    naming the parameter and its valid values (regions: :data:`~distlab.geo.world.REGIONS`)."""
    reps = check_regions("replicas", replicas)
    if len(reps) > MAX_NODES:
        raise ValueError(f"replicas must name at most {MAX_NODES} replicas, got {len(reps)}")
    check_region("leader", leader)
    if leader not in reps:
        raise ValueError(f"leader must be one of the replica regions ({', '.join(distinct(reps))}), got {leader!r}")
    cls = check_regions("clients", clients)
    per = _check_int("clients_per_region", clients_per_region, 1, MAX_CLIENTS_PER_REGION)
    if failed is not None:
        check_region("failed", failed)
    if isinstance(think_ms, bool) or not isinstance(think_ms, (int, float)) or not 0 <= think_ms <= MAX_THINK_MS:
        raise ValueError(f"think_ms must be a number of milliseconds from 0 to {MAX_THINK_MS}, got {think_ms!r}")
    return Setup(reps, leader, cls, per, _check_int("writes", writes, 1, MAX_WRITES), failed,
                 _check_int("seed", seed, 0, 2**63 - 1), float(think_ms))


def _followers(leader: str, replicas: Sequence[str]) -> list[str]:
    """The replicas other than the leader's own (one replica of the leader's region is the leader)."""
    rest = list(replicas)
    rest.remove(leader)
    return rest


def _rtt(model: LatencyModel, a: str, b: str, *, same_zone: bool = False) -> float:
    return model.pair_rtt_ms(a, b, same_zone=same_zone)


def majority_rtt_ms(leader: str, replicas: Sequence[str], model: LatencyModel | None = None) -> float:
    """The leader's median round trip to the follower that completes a majority (0 for one replica).
    Followers in the leader's own region are a cross-zone round trip away."""
    reps = check_regions("replicas", replicas)
    check_region("leader", leader)
    if leader not in reps:
        raise ValueError(f"leader must be one of the replica regions ({', '.join(distinct(reps))}), got {leader!r}")
    m = model if model is not None else default_model()
    needed = len(reps) // 2  # followers a majority needs besides the leader
    if needed == 0:
        return 0.0
    rtts = sorted(_rtt(m, leader, f) for f in _followers(leader, reps))
    return rtts[needed - 1]


def best_leader(replicas: Sequence[str], model: LatencyModel | None = None) -> str:
    """The replica region with the smallest majority round trip (the first such, in order given)."""
    reps = check_regions("replicas", replicas)
    return min(distinct(reps), key=lambda r: majority_rtt_ms(r, reps, model))


def predicted_commit_ms(leader: str, client: str, replicas: Sequence[str],
                        model: LatencyModel | None = None) -> float:
    """Commit latency a client in region ``client`` should see, from the medians alone: its round
    trip to the leader (same zone within the leader's region) plus the majority round trip."""
    check_region("client", client)
    m = model if model is not None else default_model()
    return _rtt(m, client, leader, same_zone=client == leader) + majority_rtt_ms(leader, replicas, m)


class WanTimeouts(NamedTuple):
    """Raft's timing scaled to the replicas' round trips (seconds): ``rtt`` is the largest median
    round trip between replicas, ``pinned`` the fixed timeout of the leader region's replica."""

    rtt: float
    heartbeat: float
    election: tuple[float, float]
    pinned: float
    client_retry: float


def wan_timeouts(replicas: Sequence[str], clients: Sequence[str] = (),
                 model: LatencyModel | None = None) -> WanTimeouts:
    """Heartbeat R, election timeouts [10 R, 20 R], the pinned leader 5 R, client retry 4x the
    largest round trip a client or replica sees (module docstring)."""
    reps = check_regions("replicas", replicas)
    cls = check_regions("clients", clients, allow_empty=True)
    m = model if model is not None else default_model()
    pairs = [(a, b) for i, a in enumerate(reps) for b in reps[i + 1:]]
    r = max((_rtt(m, a, b) for a, b in pairs), default=_rtt(m, reps[0], reps[0])) / 1000.0
    client_rtt = max((_rtt(m, c, s, same_zone=c == s) for c in cls for s in reps), default=0.0) / 1000.0
    return WanTimeouts(r, r, (10 * r, 20 * r), 5 * r, 4 * max(r, client_rtt))

