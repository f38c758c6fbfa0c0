"""``python -m distlab.consistency``: verdict lines, JSON, and the exit codes the issue specifies."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from distlab.consistency.__main__ import EXIT_CODES, USAGE, exit_code, main
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


@pytest.mark.parametrize("timeout", ["-1", "0", "nan", "inf", "-inf", "zero", ""])
def test_bad_timeout_is_a_usage_error_not_unknown(capsys, timeout):
    with pytest.raises(SystemExit) as exc:
        main(["check", f"--timeout={timeout}", str(HOLDS)])
    assert exc.value.code == USAGE == 64          # 2 would read as "unknown"
    assert "timeout must be a finite number of seconds > 0" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["check"], ["frobnicate", "x"], ["check", "--nope", "x"],
                                  ["classify", "a", "b"], ["check", "--model", "queue", "x"]])
def test_usage_errors_exit_64(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 64 and "usage:" in capsys.readouterr().err


def test_every_exit_code_is_documented():
    from distlab.consistency import __main__ as cli
    assert EXIT_CODES == {"holds": 0, "violated": 1, "unknown": 2, "error": 3, "usage": 64}
    for meaning, code in EXIT_CODES.items():
        assert f"{code} " in cli.__doc__ and meaning.split("-")[0] in cli.__doc__
    assert "64 usage error" in cli._parser().format_help()


@pytest.mark.parametrize("text", ["", "\n\n", '{"distlab_history": 1}\n', "; only a comment\n"])
def test_empty_history_holds_with_a_note(capsys, tmp_path, text):
    f = tmp_path / "empty.edn"
    f.write_text(text)
    code, out = run(capsys, "check", "--json", f)
    rec = json.loads(out)
    assert code == 0 and rec["verdict"] == "holds" and rec["note"] == "empty history"
    code, out = run(capsys, "check", f)
    assert code == 0 and "empty history" in out
    code, out = run(capsys, "classify", "--json", f)
    doc = json.loads(out)
    assert code == 0 and doc["note"] == "empty history" and set(doc["rungs"].values()) == {"holds"}


def test_a_bad_file_never_stops_the_batch(capsys, tmp_path, monkeypatch):
    import distlab.consistency.__main__ as cli
    files = {"binary.edn": b"\x00\xff\xfe garbage", "truncated.jsonl": b'{"process": 0, "f": "write", "inv',
             "list.json": b"[]", "map-value.edn": b"{:process 0, :type :invoke, :f :write, :value {:a 1}}\n"}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    code, out = run(capsys, "check", "--json", HOLDS, *paths, tmp_path / "missing.edn", VIOLATED)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 3 and len(rows) == len(files) + 3
    assert rows[0]["verdict"] == "holds" and rows[-1]["verdict"] == "violated"
    assert all(r["verdict"] in ("error", "holds") and "internal error" not in r.get("error", "") for r in rows[1:-1])

    def broken(*args, **kwargs):                  # a bug in the checker is reported, not a traceback
        raise TypeError("boom")
    monkeypatch.setattr(cli, "check_linearizable", broken)
    code, out = run(capsys, "check", HOLDS, VIOLATED)
    assert code == 3 and out.count("internal error (TypeError: boom)") == 2


def test_the_header_model_is_used_and_checked(capsys, tmp_path):
    f = tmp_path / "h.jsonl"
    f.write_text(to_json_lines(linearizable_history(1, 20, 3, model="register"), model="register"))
    code, out = run(capsys, "check", "--json", f)
    assert code == 0 and json.loads(out)["model"] == "register"
    code, out = run(capsys, "check", "--json", "--model", "cas-register", f)
    assert code == 0 and json.loads(out)["model"] == "cas-register"      # the option wins


def test_too_big_is_refused_with_a_clear_message(capsys, tmp_path, monkeypatch):
    import distlab.consistency.__main__ as cli
    f = tmp_path / "h.jsonl"
    f.write_text(to_json_lines(linearizable_history(1, 50, 3)))
    monkeypatch.setattr(cli, "MAX_OPERATIONS", 40)
    code, out = run(capsys, "check", f)
    assert code == 3 and "the history has 50 operations; at most 40 are checked" in out
    monkeypatch.setattr(cli, "MAX_BYTES", 100)
    code, out = run(capsys, "classify", f)
    assert code == 3 and "are refused" in out


def test_the_hard_deadline_interrupts_work_that_never_looks_at_the_clock():
    import time

    from distlab.consistency.__main__ import hard_deadline
    from distlab.consistency.verdict import BudgetExceeded
    start = time.monotonic()
    with pytest.raises(BudgetExceeded), hard_deadline(0.2):
        while True:
            pass
    assert 0.2 <= time.monotonic() - start < 1.0


def test_classify_shares_one_budget_among_the_rungs(monkeypatch):
    from distlab.consistency.ladder import classify
    from distlab.consistency.verdict import Budget
    readings = iter(range(10**9))                 # 1 ms per look at the clock: deterministic
    clock = lambda: next(readings) / 1000         # noqa: E731
    h = linearizable_history(5, 3000, 40, model="cas-register", p_info=0.3)
    total = Budget(2.0, clock=clock)
    c = classify(h, budget=total)
    assert total.clock() - (total.deadline - 2.0) <= 2.0 * 1.1          # the budget held, in its own clock
    assert c.rungs["linearizable"] == "unknown" and "share of the 2 s budget" in c.explanations["linearizable"]
    # each directly checked rung got at most what was left over the rungs still undecided
    checked = [r for r in c.verdicts if "not checked" not in c.explanations[r]]
    assert len(checked) >= 2


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "distlab.consistency", "check", str(VIOLATED)],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "violated" in out.stdout


@pytest.mark.parametrize("command", ["check", "classify"])
def test_the_timeout_holds_on_a_history_too_big_to_decide(capsys, tmp_path, command):
    import time
    f = tmp_path / "big.jsonl"
    f.write_text(to_json_lines(linearizable_history(3, 20_000, 100, model="register", p_info=0.05)))
    start = time.monotonic()
    code, out = run(capsys, command, "--timeout", "1", f)
    elapsed = time.monotonic() - start
    assert elapsed <= 1.0 * 1.1 + 0.5, elapsed             # the promise in --help, reading included
    assert (code == 2 and "unknown" in out) if command == "check" else (code == 0 and "unknown" in out)
