"""The production latency fits of the PBS paper: the WARS distributions for LNKD-SSD, LNKD-DISK, YMMR, WAN.

Source: P. Bailis, S. Venkataraman, M. J. Franklin, J. M. Hellerstein, I. Stoica, "Probabilistically
Bounded Staleness for Practical Partial Quorums", PVLDB 5(8), 2012, Table 3 ("latency distribution
fits"), in milliseconds. Each one-way delay is a **mixture**: with probability ``pareto_weight`` a
Pareto(x_m, α), otherwise an Exponential(λ). ``W`` is the coordinator -> replica write delay; ``A``
(write ack), ``R`` (read request) and ``S`` (read response) share one fit ("ARS").

=============  ==========================================  ==========================================
fit            W                                           A = R = S
=============  ==========================================  ==========================================
LNKD-SSD       91.22 % Pareto(.235, 10), 8.78 % Exp(1.66)  same as W
LNKD-DISK      38 % Pareto(1.05, 1.51), 62 % Exp(.183)     LNKD-SSD's
YMMR           93.9 % Pareto(3, 3.35), 6.1 % Exp(.0028)    98.2 % Pareto(1.5, 3.8), 1.8 % Exp(.0217)
WAN            LNKD-DISK, plus 75 ms one way to or from every replica outside the coordinator's data
               centre (each replica in its own data centre; reads and writes start in random ones)
=============  ==========================================  ==========================================

The LinkedIn fits come from Voldemort statistics (spinning disks vs SSDs), the Yammer fit from Riak
statistics; WAN is the paper's synthetic multi-data-centre case (LNKD-DISK inside each data centre,
75 ms between them). Where the numbers were read: the authors' simulator
(github.com/pbailis/pbs-vldb-historical-paper-material, ``nrw_solver/src/Simulator.java``: every
weight, x_m, α and λ above, and the WAN's 75 ms) and the table as others transcribed it; the two agree
except for YMMR's W Pareto, where the simulator draws α = 3.5 and the table prints 3.35. We use the
table's 3.35; with it YMMR reads 88.7 % consistent at t = 0 (published 89.3 %), with 3.5 it reads
89.3 % (docs/geo.md, "PBS").

A Pareto is sampled as ``x_m / U**(1/α)`` with ``U`` uniform on (0, 1] (``1 - rng.random()``, so never
zero), an exponential by numpy's own generator with mean ``1/λ``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Mixture", "WarsFit", "FITS", "PUBLISHED", "LNKD_SSD", "LNKD_DISK_W", "YMMR_W", "YMMR_ARS",
           "WAN_DELAY_MS"]


@dataclass(frozen=True)
class Mixture:
    """A one-way delay in ms: Pareto(``xm``, ``alpha``) with probability ``pareto_weight``, else
    Exponential(``lam``) (mean ``1/lam`` ms)."""

    pareto_weight: float
    xm: float
    alpha: float
    lam: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.pareto_weight <= 1.0:
            raise ValueError(f"pareto_weight must be in [0, 1], got {self.pareto_weight!r}")
        for name in ("xm", "alpha", "lam"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and 0 < value < math.inf):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Delays in ms, an array of ``shape``: pick the component per draw, then draw only what is needed."""
        out = np.empty(shape)
        pareto = rng.random(shape) < self.pareto_weight
        count = int(pareto.sum())
        out[pareto] = self.xm / (1.0 - rng.random(count)) ** (1.0 / self.alpha)
        out[~pareto] = rng.exponential(1.0 / self.lam, out.size - count)
        return out

    @property
    def mean(self) -> float:
        """The expected delay in ms (infinite when the Pareto's α <= 1)."""
        pareto_mean = math.inf if self.alpha <= 1 else self.alpha * self.xm / (self.alpha - 1)
        return self.pareto_weight * pareto_mean + (1 - self.pareto_weight) / self.lam


@dataclass(frozen=True)
class WarsFit:
    """The four WARS distributions of one environment (``a``, ``r``, ``s`` default to ``ars``) and, for a
    multi-data-centre setup, the extra one-way delay ``remote_ms`` to every replica but the local one."""

    name: str
    w: Mixture
    ars: Mixture
    remote_ms: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.remote_ms, (int, float)) and 0 <= self.remote_ms < math.inf):
            raise ValueError(f"remote_ms must be a finite number >= 0 ms, got {self.remote_ms!r}")


#: LNKD-SSD, for all four of W, A, R, S (Table 3)
LNKD_SSD = Mixture(0.9122, 0.235, 10.0, 1.66)
#: LNKD-DISK's W (its A, R, S are LNKD-SSD's) (Table 3)
LNKD_DISK_W = Mixture(0.38, 1.05, 1.51, 0.183)
#: YMMR's W and its A = R = S (Table 3)
YMMR_W = Mixture(0.939, 3.0, 3.35, 0.0028)
YMMR_ARS = Mixture(0.982, 1.5, 3.8, 0.0217)
#: WAN: the one-way delay added to a message between data centres (the paper's WAN scenario)
WAN_DELAY_MS = 75.0

#: every published fit by its name in the paper
FITS: dict[str, WarsFit] = {
    "LNKD-SSD": WarsFit("LNKD-SSD", LNKD_SSD, LNKD_SSD),
    "LNKD-DISK": WarsFit("LNKD-DISK", LNKD_DISK_W, LNKD_SSD),
    "YMMR": WarsFit("YMMR", YMMR_W, YMMR_ARS),
    "WAN": WarsFit("WAN", LNKD_DISK_W, LNKD_SSD, remote_ms=WAN_DELAY_MS),
}

#: the paper's published probabilities (percent) of a consistent read ``t`` ms after commit, N=3, R=W=1:
#: ``(fit, t_ms) -> percent``
PUBLISHED: dict[tuple[str, float], float] = {
    ("LNKD-SSD", 0.0): 97.4,
    ("LNKD-DISK", 0.0): 43.9,
    ("LNKD-DISK", 10.0): 92.5,
    ("YMMR", 0.0): 89.3,
    ("WAN", 0.0): 33.0,
}
