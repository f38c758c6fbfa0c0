"""Helper: do the store's replicas hold the same state once they applied the same log prefix?"""


def replicas_agree(store, timeout: float = 5.0) -> bool:
    cluster = store.cluster
    nodes = [cluster.node(p) for p in cluster.pids if cluster.node(p).up]
    caught_up = cluster.run_until(lambda c: len({n.last_applied for n in nodes}) == 1, timeout)
    states = {(m.revision, tuple(sorted(m.kvs.items())), tuple(sorted(m.leases)), tuple(m.expired))
              for m in (n.machine for n in nodes)}
    return caught_up and len(states) == 1
