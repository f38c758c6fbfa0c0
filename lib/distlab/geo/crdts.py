"""``distlab.geo.crdts`` -- conflict-free replicated data types, state-based, and their merge laws.

One import for the chapter's CRDTs (each lives in a module named for its family):

=====================  ========================================================================
``GCounter``            grow-only counter: one entry per replica, merge = max per entry
``PNCounter``           two G-Counters: increments minus decrements
``GSet``                grow-only set: merge = union
``TwoPSet``             adds and tombstones: a removed element never comes back
``ORSet``               observed-remove set, add-wins, optimized with dots (Bieniusa et al. 2012)
``LWWRegister``         last-writer-wins register: highest (timestamp, node)
``MVRegister``          multi-value register: concurrent writes kept as siblings
``ORMap``               observed-remove map of MV-registers (dot stores, Almeida et al. 2018)
``LWWMap``              map of LWW-registers, tombstones for removes
=====================  ========================================================================

Every type meets the :class:`Crdt` protocol (``merge``, ``value``) and is described as data in
``KINDS`` (name -> :class:`CrdtKind`: a fresh state, its updates, its specification), which is what
a dropdown offers. :func:`check_laws` checks any ``merge(a, b)`` -- ours, or a learner's OR-Set
merge -- for idempotence, commutativity, associativity, convergence in every delivery order and
agreement with the type's specification, and says which law broke first on which states;
:func:`run_crdt` replays a seeded random script of one kind (what a type dropdown shows).
Shapiro, Preguiça, Baquero and Zawirski, "A comprehensive study of Convergent and Commutative
Replicated Data Types" (INRIA RR-7506, 2011), is the reference for every type; ``docs/crdts.md``
says what each keeps and loses.

>>> from distlab.geo.crdts import ORSet, check_laws, new
>>> a = new("g-counter").increment("A"); b = new("g-counter").increment("B", 2)
>>> a.merge(b).value()
3
>>> check_laws(ORSet.merge, "or-set", examples=10).passed
True
"""
from __future__ import annotations

from typing import Any

from distlab.geo.crdt_base import Crdt, show
from distlab.geo.crdt_counters import GCounter, PNCounter
from distlab.geo.crdt_kinds import KINDS, CrdtKind, Event, Update, kind_named
from distlab.geo.crdt_laws import (
    LAWS,
    BrokenLaw,
    CrdtRun,
    Issue,
    LawReport,
    Replay,
    Script,
    Sync,
    check_laws,
    check_states,
    random_script,
    replay,
    run_crdt,
)
from distlab.geo.crdt_maps import LWWMap, ORMap
from distlab.geo.crdt_registers import LWWRegister, MVRegister
from distlab.geo.crdt_sets import GSet, ORSet, TwoPSet

__all__ = [
    "Crdt", "GCounter", "PNCounter", "GSet", "TwoPSet", "ORSet", "LWWRegister", "MVRegister", "ORMap", "LWWMap",
    "KINDS", "CrdtKind", "Update", "Event", "kind_named", "new", "show",
    "LAWS", "LawReport", "BrokenLaw", "check_laws", "check_states",
    "Script", "Issue", "Sync", "Replay", "random_script", "replay", "CrdtRun", "run_crdt",
]


def new(kind: str) -> Any:
    """A fresh state of the CRDT called ``kind`` (a key of ``KINDS``, e.g. ``"or-set"``)."""
    return kind_named(kind).new()
