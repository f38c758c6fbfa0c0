"""Chapter 4's conflicts, law reports and Yjs table print the same across processes whose string
hashing differs (sets of replica names and elements must never decide an order)."""
import os
import subprocess
import sys

PROBE = r'''
from distlab.geo.conflicts import dynamo_cart, run_conflicts
from distlab.geo.crdts import KINDS, check_laws, replay, random_script
from distlab.geo.yjs import compare_maps, random_doc_script
from distlab.geo.yjs_table import table
import random
for workload in ("register", "cart", "counter"):
    print(run_conflicts(workload=workload, replicas=4, writes=12, skew=0.3, seed=5))
    print([r[1:] for r in run_conflicts(workload=workload, writes=12, skew=0.3, seed=5).rows()])
print(dynamo_cart())
for name, kind in KINDS.items():
    script = random_script(kind.choices, random.Random(1), steps=20)
    print(name, [str(s) for s in replay(script, kind).finals.values()])
print(check_laws(lambda a, b: a if a.value() else b, "or-set"))
print([compare_maps(random_doc_script(s, steps=16)) for s in range(20)])
print(table())
'''


def _run(hash_seed):
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_outputs_do_not_depend_on_string_hashing():
    first = _run("0")
    assert "dynamo" not in first and "cart: 4 writes" in first
    assert _run("4242") == first
