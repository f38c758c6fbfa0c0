"""Same seed, same result -- also across processes whose string hashing differs.

Python randomizes ``hash(str)`` per process (PYTHONHASHSEED), which changes the iteration order of
sets and could leak into a simulation that iterates one. Each chapter's simulations run here in
child processes with different hash seeds and must print the same digests."""
import os
import subprocess
import sys

PROBE = r'''
import hashlib
from distlab.consensus.paxos.scenarios import duel
from distlab.consensus.raft import Cluster, figure16
from distlab.consistency import StoreConfig, classify, run_store, to_json_lines
from distlab.reliability.cascade import simulate_cascade
from distlab.reliability.cascade_config import retry_storm

out = {}
c = Cluster(5, seed=7)
c.run(1.0)
c.crash(c.leader())
for i in range(5):
    c.submit(f"cmd{i}")
c.run(1.0)
out["raft"] = ([c.committed_log(p) for p in range(5)], c.rpc_count(), c.bytes_sent())
out["fig16"] = [figure16.trial(s, 150, 155) for s in range(20)]
out["paxos"] = repr(duel("backoff", seed=3))
store = run_store(StoreConfig(seed=3, read_policy="any"))
out["store"] = to_json_lines(store.history)
out["ladder"] = repr(classify(store.history))
result = simulate_cascade(retry_storm(seed=4, duration=5.0))
out["cascade"] = {k: v for k, v in vars(result).items() if k != "config"}
for name, value in out.items():
    print(name, hashlib.sha256(repr(value).encode()).hexdigest())
'''


def _digests(hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_simulations_do_not_depend_on_string_hashing():
    first = _digests("0")
    assert len(first.splitlines()) == 6
    assert _digests("4242") == first
