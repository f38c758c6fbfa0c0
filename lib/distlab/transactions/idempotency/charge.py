"""The lesson's endpoint, ``POST /v1/charges``: what its parameters are, what a card does, and the
named points at which its handler can crash.

A charge request is ``{"amount": int, "currency": str, "card": str}``. Like Stripe's test tokens,
the card decides the outcome: ``tok_visa`` charges, ``tok_chargeDeclined`` is refused with a 402
(``card_declined``; no money moves, and the refusal is stored and replayed like any result), and
``tok_processingError`` makes the handler itself fail, which is stored and replayed as a 500.

The handler runs in phases separated by **recovery points** (brandur, "Implementing Stripe-like
Idempotency Keys in Postgres", 2017, and his rocket-rides-atomic): ``started`` -> ``charged`` ->
``finished``. Between phases it may crash; :data:`CRASH_POINTS` names every place, in order:

=======================  ==========================================================================
``before_start``          validated, nothing claimed or stored yet
``after_claim``           the key is claimed and locked (recovery point ``started``), nothing charged
``after_charged``         the charge is committed (recovery point ``charged``)
``before_store_result``   the response is built in memory, not yet stored
``after_finished``        the result is stored; the reply is lost on its way to the client
=======================  ==========================================================================
"""
from __future__ import annotations

import hashlib
from typing import Any

STARTED, CHARGED, FINISHED = "started", "charged", "finished"
RECOVERY_POINTS = (STARTED, CHARGED, FINISHED)
CRASH_POINTS = ("before_start", "after_claim", "after_charged", "before_store_result", "after_finished")
NO_CRASH = "none"

CARDS = ("tok_visa", "tok_chargeDeclined", "tok_processingError")
MAX_AMOUNT = 99_999_999  # Stripe's largest amount in the smallest currency unit (8 digits)


class ProcessingError(RuntimeError):
    """The handler itself failed while charging (``tok_processingError``): stored as a 500."""


def validate_charge(params: object) -> tuple[int, str, str]:
    """``(amount, currency, card)`` of a valid charge request, else ValueError naming the field.

    A request refused here stores nothing: Stripe saves results only once execution began.
    """
    if not isinstance(params, dict):
        raise ValueError(f"params: must be a dict with amount, currency and card, got {type(params).__name__}")
    extra = sorted(str(name) for name in params if name not in ("amount", "currency", "card"))
    if extra:
        raise ValueError(f"params: unknown field(s) {extra}; expected amount, currency, card")
    amount, currency, card = params.get("amount"), params.get("currency", "usd"), params.get("card", "tok_visa")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
        raise ValueError(f"params['amount']: must be an integer from 1 to {MAX_AMOUNT}, got {amount!r}")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isascii() or not currency.islower() \
            or not currency.isalpha():
        raise ValueError(f"params['currency']: must be a 3-letter lowercase ISO code such as 'usd', got {currency!r}")
    if card not in CARDS:
        raise ValueError(f"params['card']: must be one of {list(CARDS)}, got {card!r}")
    return amount, currency, str(card)


def charge_id(key: str, token: int) -> str:
    """A deterministic charge id for the charge made under *key* by the holder of lock *token*."""
    return "ch_" + hashlib.sha256(f"{key}\n{token}".encode()).hexdigest()[:16]


def charged_body(charge: str, amount: int, currency: str) -> dict[str, Any]:
    """The 201 body of a successful charge."""
    return {"id": charge, "object": "charge", "amount": amount, "currency": currency, "status": "succeeded"}


def declined_body() -> dict[str, Any]:
    """The 402 body of a declined card (no charge made)."""
    return {"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}


def server_error_body(exc: BaseException) -> dict[str, Any]:
    """The 500 body stored when the handler itself failed."""
    return {"error": {"type": "api_error", "message": f"{type(exc).__name__}: {exc}"}}


def check_crash_point(crash_point: str) -> str:
    """*crash_point* if it is ``"none"`` or one of :data:`CRASH_POINTS`, else ValueError."""
    if crash_point != NO_CRASH and crash_point not in CRASH_POINTS:
        raise ValueError(f"crash_point: must be 'none' or one of {list(CRASH_POINTS)}, got {crash_point!r}")
    return crash_point
