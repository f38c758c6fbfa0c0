"""The MIT 6.5840 Raft tests (3A, 3B, 3C, 3D), ported onto the Cluster scenario API: 3 seeds each in CI
(``make bench`` runs 20 seeds each)."""
import pytest

from distlab.consensus.raft.mit_lab import SCENARIOS_3A
from distlab.consensus.raft.mit_lab_agree import SCENARIOS_3B
from distlab.consensus.raft.mit_lab_persist import SCENARIOS_3C
from distlab.consensus.raft.mit_lab_snapshot import SCENARIOS_3D

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(SCENARIOS_3A))
def test_3a(name, seed):
    SCENARIOS_3A[name](seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(SCENARIOS_3B))
def test_3b(name, seed):
    SCENARIOS_3B[name](seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(SCENARIOS_3C))
def test_3c(name, seed):
    SCENARIOS_3C[name](seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(SCENARIOS_3D))
def test_3d(name, seed):
    SCENARIOS_3D[name](seed)


@pytest.mark.parametrize("name, seed", [("snapshot_install", 9), ("snapshot_install", 14),
                                        ("snapshot_install_unreliable", 18)])
def test_3d_seeds_where_a_follower_overwrites_and_compacts_in_one_step(name, seed):
    """Once flagged falsely by the checker (see invariants._read); must pass."""
    SCENARIOS_3D[name](seed)
