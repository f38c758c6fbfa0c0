"""What a run of the money-transfer service is made of: the workload, the limits, the safeguards.

:class:`BankConfig` is plain, frozen data -- every field validated when it is made, so a wrong
value raises a ``ValueError`` naming the field and its range before anything runs. The defaults
are the chapter's service: 8 clients in four regions (chapter 4's measured round trips to the
home region, Virginia), 25 transfers each, 12 accounts of $1,000 (two of them a couple's joint
checking and savings), a gateway token bucket of 60 requests/s with a burst of 30 (chapter 5), a
fraud service behind a breaker and a bulkhead of 4, and every safeguard on.

:class:`Safeguards` are the switches the lesson turns off one at a time (``docs/DESIGN.md``):

=================  ==========================================================================
``idempotency``     the client's key identifies the transfer; off: each attempt is a new transfer
``outbox``          events written in the step's transaction and relayed; off: publish after commit
``retry_budget``    clients retry only while their budget lasts; off: every failure is retried
``bulkhead``        at most ``bulkhead_size`` fraud calls hold a worker; off: no cap
=================  ==========================================================================

The isolation level is not a switch of the service: each of its transactions runs inside one
simulated event, so nothing interleaves. Interleaving is the lesson of
:mod:`distlab.casestudy.contention` and :mod:`distlab.casestudy.isolation`, on the real engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from distlab.geo.world import REGIONS
from distlab.validate import ParameterTypeError

__all__ = ["HOME", "JOINT", "SAFEGUARDS", "BankConfig", "Safeguards"]

HOME = "virginia"  # the ledger's region: one serializable store, where the transfer service runs
JOINT = "couple"  # the joint group of accounts a0 and a1 (their sum must stay >= 0)
SAFEGUARDS = ("idempotency", "outbox", "retry_budget", "bulkhead")


def _integer(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterTypeError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")


def _seconds(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterTypeError(f"{name} must be a number of seconds from {low:g} to {high:g}, got {value!r}")
    if math.isnan(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number of seconds from {low:g} to {high:g}, got {value!r}")


@dataclass(frozen=True)
class Safeguards:
    """Which safeguards are on (all, by default); see the module docstring."""

    idempotency: bool = True
    outbox: bool = True
    retry_budget: bool = True
    bulkhead: bool = True

    def __post_init__(self) -> None:
        for name in SAFEGUARDS:
            if not isinstance(getattr(self, name), bool):
                raise ParameterTypeError(f"{name} must be True or False, got {getattr(self, name)!r}")

    def without(self, name: str) -> Safeguards:
        """These safeguards with ``name`` switched off."""
        if name not in SAFEGUARDS:
            raise ValueError(f"safeguard must be one of {', '.join(SAFEGUARDS)}, got {name!r}")
        return Safeguards(**{s: getattr(self, s) and s != name for s in SAFEGUARDS})

    @property
    def off(self) -> tuple[str, ...]:
        """The names of the safeguards switched off."""
        return tuple(s for s in SAFEGUARDS if not getattr(self, s))


#: (field, low, high) of every integer field, and of every duration in seconds
_INTEGERS = (("seed", 0, 2**63 - 1), ("clients", 0, 64), ("transfers_per_client", 1, 500), ("accounts", 4, 100),
             ("opening_cents", 1, 10**9), ("max_amount_cents", 1, 10**9), ("max_attempts", 1, 50),
             ("gateway_rate", 1, 10_000), ("gateway_burst", 1, 10_000), ("gateway_queue", 0, 10_000),
             ("workers", 1, 1_000), ("bulkhead_size", 1, 1_000), ("fallback_limit_cents", 0, 10**12),
             ("fraud_limit_cents", 1, 10**12), ("breaker_failures", 1, 1_000))
_SECONDS = (("think_s", 0.001, 60), ("client_timeout_s", 0.01, 60), ("queue_timeout_s", 0.001, 60),
            ("fraud_latency_s", 0.0, 60), ("fraud_timeout_s", 0.01, 60), ("breaker_cooldown_s", 0.01, 600),
            ("lock_timeout_s", 0.01, 600), ("restart_s", 0.0, 60), ("relay_interval_s", 0.001, 10),
            ("audit_interval_s", 0.01, 60), ("backoff_base_s", 0.001, 10), ("backoff_cap_s", 0.001, 60))


@dataclass(frozen=True)
class BankConfig:
    """One run of the service (see the module docstring for the defaults' story)."""

    seed: int = 0
    clients: int = 8
    transfers_per_client: int = 25
    regions: tuple[str, ...] = ("virginia", "ireland", "tokyo", "saopaulo")
    accounts: int = 12
    opening_cents: int = 100_000
    max_amount_cents: int = 60_000
    think_s: float = 0.3
    client_timeout_s: float = 1.0
    max_attempts: int = 8
    backoff_base_s: float = 0.05
    backoff_cap_s: float = 1.0
    gateway_rate: int = 60
    gateway_burst: int = 30
    gateway_queue: int = 20
    queue_timeout_s: float = 0.5
    workers: int = 16
    fraud_latency_s: float = 0.02
    fraud_timeout_s: float = 2.0
    fraud_limit_cents: int = 50_000
    bulkhead_size: int = 4
    fallback_limit_cents: int = 20_000
    breaker_failures: int = 5
    breaker_cooldown_s: float = 2.0
    lock_timeout_s: float = 0.5
    restart_s: float = 0.3
    relay_interval_s: float = 0.25
    audit_interval_s: float = 0.25
    safeguards: Safeguards = field(default_factory=Safeguards)

    def __post_init__(self) -> None:
        for name, low, high in _INTEGERS:
            _integer(name, getattr(self, name), low, high)
        for name, least, most in _SECONDS:
            _seconds(name, getattr(self, name), least, most)
        if not isinstance(self.regions, tuple) or not self.regions:
            raise ParameterTypeError(f"regions must be a non-empty tuple of region names, got {self.regions!r}")
        bad = [r for r in self.regions if r not in REGIONS]
        if bad:
            raise ValueError(f"regions must be among {', '.join(REGIONS)}, got {bad}")
        if self.max_amount_cents > self.opening_cents:
            raise ValueError(f"max_amount_cents must be at most opening_cents ({self.opening_cents}), "
                             f"got {self.max_amount_cents}")
        if self.backoff_cap_s < self.backoff_base_s:
            raise ValueError(f"backoff_cap_s must be >= backoff_base_s ({self.backoff_base_s}), "
                             f"got {self.backoff_cap_s}")
        if self.bulkhead_size > self.workers:
            raise ValueError(f"bulkhead_size must be at most workers ({self.workers}): a bulkhead caps how many "
                             f"workers may wait on fraud, got {self.bulkhead_size}")
        if not isinstance(self.safeguards, Safeguards):
            raise ParameterTypeError(f"safeguards must be a Safeguards, got {self.safeguards!r}")

    @property
    def account_names(self) -> tuple[str, ...]:
        """``a0`` .. ``a<n-1>``; ``a0`` and ``a1`` form the joint group :data:`JOINT`."""
        return tuple(f"a{i}" for i in range(self.accounts))

    @property
    def groups(self) -> dict[str, str]:
        """Account -> joint group, for the accounts in one."""
        return {"a0": JOINT, "a1": JOINT}

    @property
    def total_cents(self) -> int:
        """The money in the bank: it must never change."""
        return self.accounts * self.opening_cents

    def region_of(self, client: int) -> str:
        """The region client number ``client`` sends from (round robin over ``regions``)."""
        return self.regions[client % len(self.regions)]

    def replace(self, **changes: object) -> BankConfig:
        """A copy with ``changes`` (validated like a new config)."""
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return BankConfig(**values)
