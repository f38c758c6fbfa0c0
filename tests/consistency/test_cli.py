"""``python -m distlab.consistency``: verdict lines, JSON, and the exit codes the issue specifies."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from distlab.consistency.__main__ import exit_code, main
from distlab.consistency.generate import linearizable_history, plant_stale_read
from distlab.consistency.history_io import to_edn, to_json_lines

DATA = Path(__file__).resolve().parent.parent / "data" / "etcd"
HOLDS, VIOLATED = DATA / "etcd_002.log", DATA / "etcd_000.log"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_check_exit_codes(capsys, tmp_path):
    assert run(capsys, "check", HOLDS)[0] == 0
    assert run(capsys, "check", HOLDS, VIOLATED)[0] == 1
    bad = tmp_path / "bad.edn"
    bad.write_text('{:process 0, :type :invoke, :f :read}\n{:process 0 :type')
    code, out = run(capsys, "check", "--json", HOLDS, VIOLATED, bad)
    assert code == 3
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["verdict"] for r in rows] == ["holds", "violated", "error"]
    assert "line 2" in rows[2]["error"]


def test_unknown_when_budget_too_small(capsys, tmp_path, monkeypatch):
    # A clock that advances 1 ms per reading (the search reads it every 256 steps): the time
    # budget becomes a step budget, so the verdicts do not depend on how loaded the machine is.
    import distlab.consistency.__main__ as cli
    from distlab.consistency.verdict import Budget

    readings = iter(range(10**9))
    monkeypatch.setattr(cli, "Budget", lambda timeout: Budget(timeout, clock=lambda: next(readings) / 1000))
    big = tmp_path / "big.jsonl"
    big.write_text(to_json_lines(linearizable_history(5, 4000, 40, model="cas-register", p_info=0.3)))
    code, out = run(capsys, "check", "--json", "--timeout", "0.05", big)
    assert code == 2 and json.loads(out)["verdict"] == "unknown"
    assert run(capsys, "check", HOLDS, big, "--timeout", "0.05")[0] == 2
    assert run(capsys, "check", VIOLATED, big, "--timeout", "0.05")[0] == 1


def test_exit_code_precedence():
    assert exit_code({"holds"}) == 0 and exit_code({"unknown", "holds"}) == 2
    assert exit_code({"unknown", "violated"}) == 1 and exit_code({"violated", "error"}) == 3


def test_model_inferred_and_overridable(capsys, tmp_path):
    kv = tmp_path / "kv.edn"
    kv.write_text(to_edn(linearizable_history(1, 30, 3, model="kv", keys=2)))
    code, out = run(capsys, "check", "--json", kv)
    assert code == 0 and json.loads(out)["model"] == "kv"
    code, out = run(capsys, "check", "--json", "--model", "register", HOLDS)   # has cas: unusable
    assert code == 3 and "supports functions" in json.loads(out)["error"]


def test_classify_json(capsys, tmp_path):
    f = tmp_path / "stale.jsonl"
    f.write_text(to_json_lines(plant_stale_read(linearizable_history(2, 20, 3, model="register"))))
    code, out = run(capsys, "classify", "--json", f)
    doc = json.loads(out)
    assert code == 0 and doc["rungs"]["linearizable"] == "violated"
    assert set(doc["rungs"]) == {"linearizable", "sequential", "causal", "pram", "read-your-writes",
                                 "monotonic-reads", "monotonic-writes", "writes-follow-reads",
                                 "consistent-prefix"}
    assert doc["strongest"] and "linearizable" not in doc["strongest"]
    assert set(doc["explanations"]) == set(doc["rungs"])


def test_classify_text_and_unreadable(capsys, tmp_path):
    code, out = run(capsys, "classify", HOLDS)
    assert code == 0 and "strongest rung(s) that hold: linearizable" in out
    missing = tmp_path / "nope.log"
    assert run(capsys, "classify", missing)[0] == 3


def test_bad_timeout_is_rejected(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--timeout", "-1", str(HOLDS)])
    assert exc.value.code == 2 and "timeout must be > 0" in capsys.readouterr().err


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "distlab.consistency", "check", str(VIOLATED)],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "violated" in out.stdout
