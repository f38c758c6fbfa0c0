"""What every CRDT of chapter 4 offers: the :class:`Crdt` protocol, and how values are printed.

State-based CRDTs (convergent replicated data types, Shapiro, Preguiça, Baquero and Zawirski, "A
comprehensive study of Convergent and Commutative Replicated Data Types", INRIA RR-7506, 2011): a
replica updates its own state and ships the whole state; the receiver ``merge``\\ s it in. When the
states form a join semilattice -- ``merge`` is commutative, associative and idempotent and updates
only move a state up -- every replica that has received the same updates holds the same state,
whatever order, grouping or repetition the messages came in (``crdt_laws`` checks exactly that).

States are immutable values: an update returns a new state, ``merge`` returns a new state, and
states compare equal with ``==`` when they are the same lattice element.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["Crdt", "show"]

S = TypeVar("S", bound="Crdt")


@runtime_checkable
class Crdt(Protocol):
    """A state-based CRDT: ``merge`` is the lattice join, ``value`` what a reader sees."""

    def merge(self: S, other: S) -> S:
        """The least state that holds everything either state holds (commutative, associative,
        idempotent)."""
        ...

    def value(self) -> Any:
        """What a read returns (a number, a frozenset, a dict ...)."""
        ...


def show(value: Any) -> str:
    """A value printed the same way on every run: sets and dict keys sorted (by ``repr`` when
    their items are of mixed types), e.g. ``{eggs, milk}``."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(_sorted_str(value)) + "}"
    if isinstance(value, dict):
        keys = sorted(value, key=_order)
        return "{" + ", ".join(f"{k}: {show(value[k])}" for k in keys) + "}"
    return str(value)


def _order(item: Any) -> tuple[str, str]:
    return (type(item).__name__, repr(item))


def _sorted_str(items: Iterable[Any]) -> list[str]:
    return [show(item) for item in sorted(items, key=_order)]
