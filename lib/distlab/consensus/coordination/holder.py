"""A lease holder as a separate OS process -- so a test or a notebook can *kill* it.

``python -m distlab.consensus.coordination.holder --endpoint URL --election db --name alice``
campaigns on etcd until it leads, prints ``leader <epoch>`` (flushed), then renews its lease every
``ttl / 3`` seconds for ever. Kill it (SIGKILL: no clean-up, no resign) and its lease expires
after the TTL -- the takeover the election recipe promises. Only for real etcd: in the simulation
a "killed" client is simply one that stops renewing.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .election import LeaderElection
from .etcd_store import connect_etcd_store
from .session import Session


def main(argv: Sequence[str] | None = None) -> int:
    """Campaign, announce leadership, renew until the lease is lost. Exit status 1 if it never
    led within ``--timeout`` seconds, 2 once its lease is gone."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--election", default="demo")
    parser.add_argument("--name", default="holder")
    parser.add_argument("--ttl", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    store = connect_etcd_store(args.endpoint)
    me = LeaderElection(store, args.election, args.name, Session(store, args.ttl))
    if not me.campaign_until(args.timeout, poll=0.2):
        print("lost", flush=True)
        return 1
    print(f"leader {me.epoch}", flush=True)
    while me.keepalive():
        store.sleep(args.ttl / 3)
    print("lease lost", flush=True)
    return 2


if __name__ == "__main__":
    sys.exit(main())
