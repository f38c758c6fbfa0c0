"""A placement experiment on the world map: replicas, the leader, the majority it waits for, and each
client region's median commit latency (:class:`~distlab.geo.placement_result.PlacementResult`).

Encoding (shape and word, not colour alone): a replica region is a circle (``×k`` when it holds
k replicas), the leader's a star with the word "leader", a failed region a grey cross with
"failed"; solid arcs join the leader to the followers that complete its majority, thin grey ones
to the others; dashed arcs join each client region to the leader, labelled with the median commit
latency measured there. Like :mod:`distlab.geo.world_map`, it draws with the ``Axes``' own methods.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from .latency import LatencyModel, default_model
from .placement_result import PlacementResult
from .world import distinct, region
from .world_map import AxesLike, draw_base_map, great_circle, region_label_offset

__all__ = ["LEADER_COLOR", "draw_placement_map", "majority_followers"]

LEADER_COLOR = "#E69F00"     # Okabe-Ito orange
REPLICA_COLOR = "#0072B2"    # Okabe-Ito blue
CLIENT_COLOR = "#56B4E9"     # Okabe-Ito sky blue
FAILED_COLOR = "#7F7F7F"
NAN = float("nan")


def majority_followers(leader: str, replicas: tuple[str, ...], model: LatencyModel | None = None) -> list[str]:
    """The follower regions (one entry per replica) a leader's majority needs, nearest first by
    median round trip; ``replicas`` are the live ones, ``len(replicas)`` need not be the cluster's."""
    m = model if model is not None else default_model()
    rest = list(replicas)
    if leader in rest:
        rest.remove(leader)
    rest.sort(key=lambda r: m.pair_rtt_ms(leader, r))
    return rest


def _arcs(ax: AxesLike, src: str, dsts: list[str], **style: object) -> None:
    xs: list[float] = []
    ys: list[float] = []
    a = region(src)
    for dst in dsts:
        b = region(dst)
        lon, lat = great_circle(a.lon, a.lat, b.lon, b.lat)
        xs += [*lon, NAN]
        ys += [*lat, NAN]
    if xs:
        ax.plot(xs, ys, **style)


def _point(ax: AxesLike, slug: str, text: str, marker: str, color: str, size: float) -> None:
    r = region(slug)
    ax.plot([r.lon], [r.lat], marker=marker, color=color, markersize=size, markeredgecolor="black",
            markeredgewidth=0.6, linestyle="none", zorder=4)
    dx, dy, ha, va = region_label_offset(slug)
    ax.text(r.lon + dx, r.lat + dy, text, ha=ha, va=va, fontsize=7, zorder=5)


class _View(NamedTuple):
    """What to draw: the leader (None: none), the failed region, the medians per client region."""

    leader: str | None
    failed: str | None
    medians: dict[str, float]


def _view(result: PlacementResult, after: bool) -> _View:
    outage = result.outage if after else None
    if outage is None:
        return _View(result.elected, None, result.medians())
    return _View(outage.new_leader, outage.region, outage.medians())


def _label(slug: str, result: PlacementResult, view: _View) -> tuple[str, str, str, float]:
    """(text, marker, colour, size) of one region's point."""
    setup = result.setup
    count = setup.replicas.count(slug)
    words = [slug + (f" ×{count}" if count > 1 else "")]
    if slug == view.failed:
        return f"{words[0]}: failed", "X", FAILED_COLOR, 10
    if slug in setup.clients:
        ms = view.medians.get(slug, math.nan)
        words.append("no commit" if math.isnan(ms) else f"commit {ms:.0f} ms")
    if slug == view.leader:
        return "leader " + "\n".join(words), "*", LEADER_COLOR, 16
    if count:
        return "\n".join(words), "o", REPLICA_COLOR, 8
    return "\n".join(words), "s", CLIENT_COLOR, 7


def draw_placement_map(ax: AxesLike, result: PlacementResult, *, after: bool = False, coast: bool = True,
                       model: LatencyModel | None = None) -> None:
    """Draw ``result`` into ``ax`` (which the caller has cleared): before the outage, or with
    ``after`` (and an outage in the result) the state once the failed region is gone."""
    setup = result.setup
    view = _view(result, after)
    live = tuple(r for r in setup.replicas if r != view.failed)
    draw_base_map(ax, coast=coast)
    if view.leader is not None:
        followers = majority_followers(view.leader, live, model)
        near = followers[: len(setup.replicas) // 2]
        far = [r for r in distinct(followers) if r not in near and r != view.leader]
        _arcs(ax, view.leader, far, color="#BBBBBB", lw=0.8, zorder=2)
        _arcs(ax, view.leader, [r for r in distinct(near) if r != view.leader], color=REPLICA_COLOR, lw=2.0,
              zorder=2)
        _arcs(ax, view.leader, [c for c in distinct(setup.clients) if c not in (view.leader, view.failed)],
              color=CLIENT_COLOR, lw=1.2, linestyle="--", zorder=2)
    for slug in distinct((*setup.replicas, *setup.clients)):
        _point(ax, slug, *_label(slug, result, view))
    ax.set_title(_title(result, after), fontsize=9)


def _title(result: PlacementResult, after: bool) -> str:
    outage = result.outage
    if not after or outage is None:
        return f"leader in {result.elected}: median commit latency per client region"
    if outage.new_leader is None:
        return f"{outage.region} failed: no majority left, no leader, no commits"
    if outage.election_s is None:
        return f"{outage.region} failed: the leader in {outage.new_leader} kept its majority"
    return f"{outage.region} failed: new leader in {outage.new_leader} after {outage.election_s:.1f} s"
