"""The simulated network: per-link latency, loss, duplication, reordering and partitions.

Every message is an envelope scheduled for delivery after a latency drawn from its link's
distribution. A message is checked against partitions twice -- when it is sent and when it would be
delivered -- so nothing ever crosses a blocked direction, even if the partition began while the
message was in flight. Loss, duplication and reordering are per-link probabilities drawn from the
``network`` random stream. Partitions are external actions (faults), never protocol code.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .latency import Constant, Latency, Uniform

if TYPE_CHECKING:
    import random

    from .kernel import Simulation


def _check_probability(name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability between 0 and 1, got {value!r}")


@dataclass(frozen=True)
class LinkConfig:
    """How one direction of a link behaves. ``reorder`` is the chance a message is held back by an
    extra ``reorder_delay`` (so later messages overtake it)."""

    latency: Latency = Constant(0.001)
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    reorder_delay: Latency = Uniform(0.2, 2.2)

    def __post_init__(self) -> None:
        if not isinstance(self.latency, Latency):
            raise ValueError(f"latency must be a distlab.sim.latency distribution, got {self.latency!r}")
        if not isinstance(self.reorder_delay, Latency):
            raise ValueError(f"reorder_delay must be a latency distribution, got {self.reorder_delay!r}")
        _check_probability("loss", self.loss)
        _check_probability("duplicate", self.duplicate)
        _check_probability("reorder", self.reorder)


class Envelope:
    """A message in flight."""

    __slots__ = ("id", "src", "dst", "payload", "size", "sent_at", "due")

    def __init__(self, id: int, src: Hashable, dst: Hashable, payload: Any, size: int, sent_at: float,
                 due: float) -> None:
        self.id, self.src, self.dst, self.payload = id, src, dst, payload
        self.size, self.sent_at, self.due = size, sent_at, due

    def __repr__(self) -> str:
        return f"Envelope(#{self.id} {self.src!r}->{self.dst!r} {self.payload!r} due={self.due:.6f})"


@dataclass
class NetworkStats:
    """Counts of what the network did (``dropped`` by reason)."""

    sent: int = 0
    delivered: int = 0
    duplicated: int = 0
    bytes_sent: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> count

    @property
    def dropped_total(self) -> int:
        """Messages dropped for any reason."""
        return sum(self.dropped.values())


class Network:
    """Owned by a :class:`~distlab.sim.Simulation` as ``sim.network``."""

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim
        self.default = LinkConfig()
        self._links: dict[tuple[Hashable, Hashable], LinkConfig] = {}
        self._group: dict[Hashable, int] = {}  # pid -> partition component; empty = connected
        self._blocked: set[tuple[Hashable, Hashable]] = set()  # one-way blocks (src, dst)
        self.in_flight: dict[int, Envelope] = {}
        self._next_id = 0
        self.stats = NetworkStats()

    # ----------------------------------------------------------------- configuration
    def configure(self, **settings: Any) -> None:
        """Change the default link behaviour, e.g. ``configure(latency=Uniform(0, .027), loss=.1)``."""
        self.default = replace(self.default, **settings)
        self._sim.trace.record(self._sim.now, "link", None, src="*", dst="*", **settings)

    def set_link(self, src: Hashable, dst: Hashable, **settings: Any) -> None:
        """Override one direction ``src -> dst`` (unspecified settings come from the default)."""
        base = self._links.get((src, dst), self.default)
        self._links[(src, dst)] = replace(base, **settings)
        self._sim.trace.record(self._sim.now, "link", None, src=src, dst=dst, **settings)

    def link(self, src: Hashable, dst: Hashable) -> LinkConfig:
        """The settings in force for direction ``src -> dst`` (its override, else the default)."""
        return self._links.get((src, dst), self.default)

    # ----------------------------------------------------------------- partitions (faults)
    def partition(self, groups: Iterable[Iterable[Hashable]]) -> None:
        """Split the network into components that cannot talk to each other (both directions).

        Processes not named in any group form one more component together. Replaces any earlier
        symmetric partition; one-way blocks stay until ``heal``.
        """
        mapping: dict[Hashable, int] = {}
        for gi, group in enumerate(groups):
            for pid in group:
                if pid in mapping:
                    raise ValueError(f"groups must be disjoint; {pid!r} appears twice")
                mapping[pid] = gi
        rest = len(mapping) and max(mapping.values()) + 1
        for pid in self._sim.processes:
            mapping.setdefault(pid, rest)
        self._group = mapping
        desc = sorted(([p for p, g in mapping.items() if g == gi] for gi in set(mapping.values())), key=repr)
        self._sim.trace.record(self._sim.now, "partition", None, groups=desc)

    def isolate(self, pid: Hashable) -> None:
        """Cut one process off from every other (a symmetric partition of one)."""
        self.partition([[pid]])

    def block(self, src: Hashable, dst: Hashable) -> None:
        """A one-way partition: messages ``src -> dst`` are dropped, ``dst -> src`` still flow."""
        self._blocked.add((src, dst))
        self._sim.trace.record(self._sim.now, "block", src, dst=dst)

    def unblock(self, src: Hashable, dst: Hashable) -> None:
        """Undo :meth:`block` for ``src -> dst`` (a symmetric partition, if any, stays)."""
        self._blocked.discard((src, dst))
        self._sim.trace.record(self._sim.now, "unblock", src, dst=dst)

    def heal(self) -> None:
        """Remove every partition and one-way block (link settings are kept)."""
        self._group = {}
        self._blocked = set()
        self._sim.trace.record(self._sim.now, "heal", None)

    def blocked(self, src: Hashable, dst: Hashable) -> bool:
        """True when a message from ``src`` to ``dst`` would be dropped by a partition right now."""
        group = self._group
        if group and group.get(src, -1) != group.get(dst, -1):
            return True
        return bool(self._blocked) and (src, dst) in self._blocked

    def blocked_pairs(self) -> list[tuple[Hashable, Hashable]]:
        """Every blocked direction between known processes (for drawing partitions)."""
        pids = list(self._sim.processes)
        return [(a, b) for a in pids for b in pids if a != b and self.blocked(a, b)]

    # ----------------------------------------------------------------- traffic
    def send(self, src: Hashable, dst: Hashable, payload: Any, size: int = 0) -> None:
        """Put one message on the wire ``src -> dst`` (``Process.send`` calls this): dropped now if a
        partition blocks it or the link loses it, else delivered after the link's latency (perhaps
        reordered or duplicated) -- unless a partition blocks it at delivery, or ``dst`` is down."""
        sim = self._sim
        stats = self.stats
        stats.sent += 1
        stats.bytes_sent += size
        trace = sim.trace
        if trace.enabled:
            trace.record(sim.now, "send", src, dst=dst, msg=payload)
        if self.blocked(src, dst):
            self._drop(src, dst, payload, "partition")
            return
        cfg = self._links.get((src, dst)) or self.default
        rng = sim.rng("network")
        if cfg.loss and rng.random() < cfg.loss:
            self._drop(src, dst, payload, "loss")
            return
        self._launch(src, dst, payload, size, cfg, rng)
        if cfg.duplicate and rng.random() < cfg.duplicate:
            stats.duplicated += 1
            if trace.enabled:
                trace.record(sim.now, "duplicate", src, dst=dst, msg=payload)
            self._launch(src, dst, payload, size, cfg, rng)

    def _launch(self, src: Hashable, dst: Hashable, payload: Any, size: int, cfg: LinkConfig,
                rng: random.Random) -> None:
        sim = self._sim
        delay = cfg.latency.sample(rng)
        if cfg.reorder and rng.random() < cfg.reorder:
            delay += cfg.reorder_delay.sample(rng)
        mid = self._next_id
        self._next_id = mid + 1
        due = sim.now + delay
        self.in_flight[mid] = Envelope(mid, src, dst, payload, size, sim.now, due)
        sim._push_fast(due, self._deliver, (mid,))

    def _drop(self, src: Hashable, dst: Hashable, payload: Any, reason: str) -> None:
        dropped = self.stats.dropped
        dropped[reason] = dropped.get(reason, 0) + 1
        sim = self._sim
        if sim.trace.enabled:
            sim.trace.record(sim.now, "drop", src, dst=dst, msg=payload, reason=reason)

    def drop(self, message_id: int) -> Envelope:
        """Drop one message now in flight (the "what if this message were lost?" action)."""
        env = self.in_flight.pop(message_id, None)
        if env is None:
            raise ValueError(f"message_id must name a message in flight; {message_id!r} is not")
        self._drop(env.src, env.dst, env.payload, "injected")
        return env

    def _deliver(self, mid: int) -> None:
        env = self.in_flight.pop(mid, None)
        if env is None:  # dropped while in flight
            return
        src, dst = env.src, env.dst
        if self.blocked(src, dst):
            self._drop(src, dst, env.payload, "partition")
            return
        proc = self._sim.processes.get(dst)
        if proc is None:
            self._drop(src, dst, env.payload, "no such process")
            return
        if not proc.up:
            self._drop(src, dst, env.payload, "crashed")
            return
        if proc.paused:
            proc._held.append((self._deliver_now, (src, env.payload, dst)))
            return
        self._deliver_now(src, env.payload, dst)

    def _deliver_now(self, src: Hashable, payload: Any, dst: Hashable) -> None:
        sim = self._sim
        proc = sim.processes[dst]
        if not proc.up:  # crashed while the message sat in a paused process's buffer
            self._drop(src, dst, payload, "crashed")
            return
        self.stats.delivered += 1
        if sim.trace.enabled:
            sim.trace.record(sim.now, "deliver", dst, src=src, msg=payload)
        proc.on_message(src, payload)
