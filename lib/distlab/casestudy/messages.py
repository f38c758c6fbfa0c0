"""What the processes of the transfer service say to each other over the simulated network.

A client's request carries its idempotency ``key`` (the same on every retry of one transfer) and a
``request`` number (new on every attempt, so a late reply to an old attempt is recognised and
ignored). Replies say one of:

=========  ==============================================================================
``ok``      the transfer reached an end: ``result`` is ``"applied"`` or ``"refused"``
``fail``    it definitely did not happen (rate limited, shed, invalid): safe to retry or drop
``busy``    its key is being worked on (HTTP 409): it may still happen -- retry later
=========  ==============================================================================
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["BUSY", "FAIL", "OK", "FraudCheck", "FraudVerdict", "ReadReply", "ReadRequest", "Reply",
           "TransferRequest"]

OK, FAIL, BUSY = "ok", "fail", "busy"


class TransferRequest(NamedTuple):
    """Move ``amount_cents`` from ``source`` to ``target``; ``priority`` orders shedding (higher first)."""

    request: int
    key: str
    source: str
    target: str
    amount_cents: int
    client: str
    priority: int = 1

    @property
    def params(self) -> dict[str, object]:
        """The request's parameters, as the idempotency key's fingerprint sees them."""
        return {"source": self.source, "target": self.target, "amount_cents": self.amount_cents}


class Reply(NamedTuple):
    """The answer to request number ``request``: a status (module docstring), a result and why."""

    request: int
    status: str
    result: str = ""
    reason: str = ""


class ReadRequest(NamedTuple):
    """Read every balance in one transaction (the auditor's read, Jepsen's bank-test read)."""

    request: int


class ReadReply(NamedTuple):
    """Every balance, by account, as one transaction saw them."""

    request: int
    balances: dict[str, int]


class FraudCheck(NamedTuple):
    """Ask the fraud service about one transfer (its saga id)."""

    saga_id: str
    amount_cents: int


class FraudVerdict(NamedTuple):
    """The fraud service's answer: ``cleared`` or ``declined``."""

    saga_id: str
    verdict: str
