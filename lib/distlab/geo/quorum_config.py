"""The settings of one Dynamo-style quorum experiment, checked once, with the defaults documented.

A :class:`QuorumConfig` is a frozen value (so a panel can keep it, compare it, print it): the quorum
(``n``, ``w``, ``r``), the cluster (``nodes`` storage nodes named ``n0``, ``n1``, ... and the
``regions`` they sit in), the clients and their workload, the mechanisms (sloppy quorum with hinted
handoff, read repair, anti-entropy), the latencies and the outages. Every bad value is a
``ValueError`` that names the parameter and its valid range.

**Latency.** Each one-way message delay is drawn from a :mod:`distlab.sim.latency` distribution chosen
per link by the regions of its two ends: ``local_latency`` within a region (default 0.5-1.5 ms,
uniform: one data centre), ``remote_latency`` between regions (default 40-60 ms, uniform: a
continent apart). A caller with a better model -- the measured EC2 round trips of a later milestone --
passes ``link_latency(src_region, dst_region) -> Latency`` instead, and it is used for every link.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from distlab.sim.latency import Latency, Uniform, ms
from distlab.transactions.checks import check_int, check_seconds

__all__ = ["Outage", "QuorumConfig", "LinkLatency", "LOCAL_REGION", "MAX_COUNT", "MAX_SECONDS", "node_names"]

#: the region every node and client is in when ``regions`` is left empty
LOCAL_REGION = "local"

LinkLatency = Callable[[str, str], Latency]
"""``(source region, destination region) -> one-way latency`` for every link between them."""


#: the largest count ``nodes``, ``clients``, ``keys``, ``vnodes`` and ``ops_per_client`` accept
MAX_COUNT = 10_000
#: the longest timeout, interval, settle time or outage time accepted (seconds)
MAX_SECONDS = 3600.0


def node_names(count: int) -> tuple[str, ...]:
    """The storage nodes' names: ``n0``, ``n1``, ..."""
    return tuple(f"n{i}" for i in range(count))


@dataclass(frozen=True)
class Outage:
    """``target`` (a node such as ``"n1"``, or a region: all its nodes) is down from ``start`` to ``end``
    simulated seconds; ``end=None`` keeps it down until the clients' workload is over. A crashed node
    keeps its stored data (a disk) but answers nothing while down."""

    target: str
    start: float = 0.0
    end: float | None = None

    def __post_init__(self) -> None:
        check_seconds("start", self.start, 0.0, MAX_SECONDS)
        if self.end is not None:
            check_seconds("end", self.end, self.start, MAX_SECONDS, open_low=True)


@dataclass(frozen=True)
class QuorumConfig:
    """One quorum experiment: N/W/R, the cluster, the workload, the mechanisms, latency, outages, seed.

    ``failed`` is the slider-friendly way to take nodes or regions down: each name becomes an
    :class:`Outage` over ``failure_window`` (``(start, None)``: until the workload is over), in
    addition to any listed in ``outages``. ``settle`` is how long the run goes on after the workload
    (and every outage) ended, so hinted handoff and anti-entropy can finish.
    """

    n: int = 3
    w: int = 2
    r: int = 2
    nodes: int = 5
    regions: tuple[str, ...] = ()
    clients: int = 3
    client_regions: tuple[str, ...] = ()
    keys: int = 3
    ops_per_client: int = 40
    read_fraction: float = 0.5
    sloppy: bool = False
    read_repair: bool = False
    anti_entropy: bool = False
    anti_entropy_interval: float = 0.5
    handoff_interval: float = 0.25
    local_latency: Latency = Uniform(ms(0.5), ms(1.5))
    remote_latency: Latency = Uniform(ms(40), ms(60))
    link_latency: LinkLatency | None = None
    think_time: Latency = Uniform(0.0, ms(20))
    timeout: float = 1.0
    retry_after: float = 0.25
    failed: tuple[str, ...] = ()
    failure_window: tuple[float, float | None] = (0.0, None)
    outages: tuple[Outage, ...] = ()
    settle: float = 5.0
    vnodes: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("nodes", self.nodes, 1, MAX_COUNT)
        check_int("n", self.n, 1, self.nodes)
        check_int("w", self.w, 1, self.n)
        check_int("r", self.r, 1, self.n)
        for name in ("clients", "keys", "vnodes"):
            check_int(name, getattr(self, name), 1, MAX_COUNT)
        check_int("ops_per_client", self.ops_per_client, 0, MAX_COUNT)
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")
        if not 0.0 <= self.read_fraction <= 1.0:
            raise ValueError(f"read_fraction must be in [0, 1], got {self.read_fraction!r}")
        for name in ("anti_entropy_interval", "handoff_interval", "timeout", "retry_after"):
            check_seconds(name, getattr(self, name), 0.0, MAX_SECONDS, open_low=True)
        check_seconds("settle", self.settle, 0.0, MAX_SECONDS)
        for name in ("local_latency", "remote_latency", "think_time"):
            if not isinstance(getattr(self, name), Latency):
                raise ValueError(f"{name} must be a distlab.sim.latency distribution, got {getattr(self, name)!r}")
        if self.link_latency is not None and not callable(self.link_latency):
            raise ValueError(f"link_latency must be None or a function (src_region, dst_region) -> Latency, "
                             f"got {self.link_latency!r}")
        self._check_places()

    def _check_places(self) -> None:
        if self.regions and len(self.regions) != self.nodes:
            raise ValueError(f"regions must name one region per node ({self.nodes}), got {len(self.regions)}")
        if self.client_regions and len(self.client_regions) != self.clients:
            raise ValueError(f"client_regions must name one region per client ({self.clients}), "
                             f"got {len(self.client_regions)}")
        unknown = [r for r in self.client_regions if r not in self.region_names]
        if unknown:
            raise ValueError(f"client_regions must be among the nodes' regions {list(self.region_names)}, "
                             f"got {unknown}")
        if len(self.failure_window) != 2:
            raise ValueError(f"failure_window must be (start, end or None), got {self.failure_window!r}")
        Outage("failure_window", *self.failure_window)  # checks the times
        valid = self.node_names + self.region_names
        named = [("failed", t) for t in self.failed] + [(f"outages[{i}].target", o.target)
                                                         for i, o in enumerate(self.outages)]
        for name, target in named:
            if target not in valid:
                raise ValueError(f"{name} must name a node or a region, one of {list(valid)}, got {target!r}")

    @property
    def node_names(self) -> tuple[str, ...]:
        """The storage nodes' names, ``n0`` ... ``n{nodes-1}``."""
        return node_names(self.nodes)

    @property
    def node_regions(self) -> dict[str, str]:
        """Each storage node's region."""
        regions = self.regions or (LOCAL_REGION,) * self.nodes
        return dict(zip(self.node_names, regions))

    @property
    def region_names(self) -> tuple[str, ...]:
        """The distinct regions, in the order the nodes name them."""
        return tuple(dict.fromkeys(self.regions or (LOCAL_REGION,)))

    @property
    def client_region_list(self) -> tuple[str, ...]:
        """Each client's region: as given, else round robin over the regions."""
        regions = self.region_names
        return self.client_regions or tuple(regions[i % len(regions)] for i in range(self.clients))

    def all_outages(self) -> tuple[Outage, ...]:
        """``outages`` plus one per name in ``failed`` over ``failure_window``."""
        start, end = self.failure_window
        return self.outages + tuple(Outage(t, start, end) for t in self.failed)

    def targets(self, target: str) -> tuple[str, ...]:
        """The nodes an outage of ``target`` (a node or a region) takes down."""
        if target in self.node_names:
            return (target,)
        return tuple(node for node, region in self.node_regions.items() if region == target)

    def latency(self, src_region: str, dst_region: str) -> Latency:
        """The one-way latency of a link between two regions (``link_latency`` if given)."""
        if self.link_latency is not None:
            lat = self.link_latency(src_region, dst_region)
            if not isinstance(lat, Latency):
                raise ValueError(f"link_latency must return a distlab.sim.latency distribution, got {lat!r}")
            return lat
        return self.local_latency if src_region == dst_region else self.remote_latency
