"""Kernel throughput: raw events per second, and messages per second through a lossy network."""
from __future__ import annotations

import time

from distlab.sim import Process, Simulation, Uniform


class _Tick:
    """A self-rescheduling callback: the cheapest possible event."""

    def __init__(self, sim: Simulation):
        self.sim = sim

    def __call__(self) -> None:
        self.sim.schedule(0.001, self)


class _Echo(Process):
    """Answers every message, so traffic keeps flowing at a fixed window of messages in flight."""

    def on_start(self) -> None:
        if self.pid == 0:
            for i in range(64):
                self.send(1 + i % (len(self.sim.processes) - 1), i)

    def on_message(self, src, msg) -> None:
        self.send(src, msg)


def events_per_second(n: int = 400_000) -> float:
    sim = Simulation(seed=1, trace=False)
    for _ in range(32):
        sim.schedule(0.0, _Tick(sim))
    start = time.perf_counter()
    sim.run(max_events=n)
    return n / (time.perf_counter() - start)


def messages_per_second(duration: float = 20.0) -> float:
    sim = Simulation(seed=1, trace=False)
    sim.network.configure(latency=Uniform(0.001, 0.010), loss=0.0001)
    for pid in range(5):
        sim.add(_Echo(pid))
    start = time.perf_counter()
    sim.run(duration)
    elapsed = time.perf_counter() - start
    return sim.network.stats.delivered / elapsed


def main() -> None:
    print(f"bench sim_events_per_s {max(events_per_second() for _ in range(3)):.0f} events/s")
    print(f"bench sim_messages_per_s {max(messages_per_second() for _ in range(3)):.0f} messages/s")


if __name__ == "__main__":
    main()
