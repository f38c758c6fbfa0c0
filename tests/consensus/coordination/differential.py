"""Random operation sequences played on any CoordinationStore, with results normalised so that two
stores can be compared: lease ids become the order they were granted in, revisions become offsets
from the revision the run started at, errors become their class name.

``ModelStore`` is the trivially correct sequential model: the coordination state machine called
directly, one operation at a time, no replication, no network."""
from __future__ import annotations

import random

from distlab.consensus.coordination import Compare, CoordinationStore, Delete, Get, KeyValue, LeaseExpired, Put
from distlab.consensus.coordination.state_machine import CoordinationStateMachine, Failure
from distlab.consensus.coordination.store import check_branch

KEYS = ["a", "b", "dir/x", "dir/y", "dir/z"]
VALUES = ["", "1", "2", "v"]


class ModelStore(CoordinationStore):
    name = "model"

    def __init__(self):
        self.m, self.t = CoordinationStateMachine(), 0.0

    def _run(self, op, *args):
        result = self.m.run(op, args, self.t)
        if type(result) is Failure:
            raise LeaseExpired(op)
        return result

    def put(self, key, value, *, lease=0):
        return self._run("put", key, value, lease)

    def get(self, key):
        found = self._run("range", key, False)
        return found[0] if found else None

    def get_prefix(self, prefix):
        return self._run("range", prefix, True)

    def delete(self, key, *, prefix=False):
        return self._run("delete", key, prefix)

    def revision(self):
        return self.m.revision

    def grant(self, ttl):
        return self._run("grant", ttl)

    def keepalive(self, lease):
        return self._run("keepalive", lease)

    def revoke(self, lease):
        return self._run("revoke", lease)

    def txn(self, compares, then=(), otherwise=()):
        return self._run("txn", tuple(compares), check_branch(then, "then"),
                         check_branch(otherwise, "otherwise"))

    def events(self, key, *, prefix=False, start_revision=1):
        return self._run("events", key, prefix, start_revision)

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.t += seconds


def random_ops(rng: random.Random, n: int) -> list:
    ops = [("grant",)]
    for _ in range(n):
        kind = rng.choices(["put", "get", "prefix", "delete", "txn", "grant", "revoke", "revision",
                            "events"], weights=[6, 3, 2, 2, 5, 1, 1, 1, 2])[0]
        key = rng.choice(KEYS)
        if kind == "put":
            ops.append(("put", key, rng.choice(VALUES), rng.choice([None, None, 0, 1, 2])))
        elif kind in ("get", "revision"):
            ops.append((kind, key))
        elif kind in ("prefix", "delete"):
            ops.append((kind, rng.choice(["dir/", key]), rng.random() < 0.5))
        elif kind in ("grant", "revoke"):
            ops.append((kind, rng.randrange(3)))
        elif kind == "events":
            ops.append(("events", rng.choice(["dir/", key]), rng.random() < 0.5, rng.randrange(1, 30)))
        else:
            target = rng.choice(["create_revision", "mod_revision", "version", "value"])
            value = rng.choice(VALUES) if target == "value" else rng.randrange(0, 6)
            compares = [Compare(key, target, value, rng.choice(["==", "!=", "<", ">"]))]

            def some_ops():
                return [rng.choice([Put(rng.choice(KEYS), rng.choice(VALUES)),
                                    Delete(rng.choice(KEYS + ["dir/"]), rng.random() < 0.3),
                                    Get(rng.choice(KEYS + ["dir/"]), rng.random() < 0.3)])
                        for _ in range(rng.randrange(0, 3))]
            ops.append(("txn", compares, some_ops(), some_ops()))
    return ops


def play(store: CoordinationStore, ops: list) -> list:
    base = store.revision()
    leases: list = []          # slot -> lease id, in grant order
    names: dict = {}           # lease id -> slot

    def rev(r):
        return r - base if r else 0

    def kv(x):
        if isinstance(x, KeyValue):
            return (x.key, x.value, rev(x.create_revision), rev(x.mod_revision), x.version,
                    names.get(x.lease, "?") if x.lease else 0)
        if isinstance(x, list):
            return [kv(y) for y in x]
        return x

    out = []
    for op in ops:
        kind = op[0]
        try:
            if kind == "grant":
                lease = store.grant(60)
                names[lease] = len(leases)
                leases.append(lease)
                out.append(("grant", names[lease]))
            elif kind == "revoke":
                out.append(store.revoke(leases[op[1] % len(leases)]))
            elif kind == "put":
                _, key, value, slot = op
                lease = 0 if slot is None else leases[slot % len(leases)]
                out.append(rev(store.put(key, value, lease=lease)))
            elif kind == "get":
                out.append(kv(store.get(op[1])))
            elif kind == "prefix":
                out.append(kv(store.get_prefix(op[1])) if op[2] else kv(store.get(op[1])))
            elif kind == "delete":
                out.append(store.delete(op[1], prefix=op[2]))
            elif kind == "revision":
                out.append(rev(store.revision()))
            elif kind == "events":
                events = store.events(op[1], prefix=op[2], start_revision=base + op[3])
                out.append([(e.type, kv(e.kv)) for e in events])
            else:
                _, compares, then, otherwise = op
                done = store.txn(compares, then, otherwise)
                results = [kv(r) if isinstance(r, list) else rev(r) if isinstance(r, int)
                           and type(o) is Put else r
                           for r, o in zip(done.results, then if done.succeeded else otherwise)]
                out.append((done.succeeded, rev(done.revision), results))
        except LeaseExpired:
            out.append("LeaseExpired")
        except ValueError as exc:  # refused before reaching the store (e.g. a key written twice)
            out.append(("ValueError", str(exc)))
    return out
