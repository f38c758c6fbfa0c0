"""The headless grader, end to end on the demo notebooks in tests/grading/data."""

import csv
import json
import subprocess
import sys

import pytest

from distlab.grading import grader
from distlab.grading.__main__ import main

from .conftest import DATA


def test_score_events_last_check_counts_and_missing_ones_are_errors():
    events = [{"event": "declare", "notebook": "demo",
               "exercises": [{"id": "a", "max": 2}, {"id": "b", "max": 1}]},
              {"event": "check", "id": "a", "status": "failed", "score": 0, "max": 2},
              {"event": "check", "id": "a", "status": "passed", "score": 2, "max": 2},
              {"event": "check", "id": "extra", "status": "not-attempted", "score": 0, "max": 1}]
    scores = grader.score_events(events, expected=[("c", 4)])
    assert [(s.id, s.score, s.max, s.status) for s in scores] == [
        ("a", 2, 2, "passed"), ("b", 0, 1, "error"), ("c", 0, 4, "error"),
        ("extra", 0, 1, "not-attempted")]


def test_static_scan_finds_literal_check_calls():
    found = dict(grader.declared_in_source(DATA / "demo_crash.ipynb"))
    assert {"demo.majority", "demo.tolerated_failures"} <= set(found)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One CLI run over three submissions (the expensive part, shared by the tests below)."""
    gradebook = tmp_path_factory.mktemp("gb") / "grades.csv"
    nbs = [str(DATA / n) for n in ("demo_submission.ipynb", "demo_crash.ipynb",
                                   "demo_timeout.ipynb")]
    proc = subprocess.run([sys.executable, "-m", "distlab.grading", *nbs, "--json", "--csv",
                           str(gradebook), "--timeout", "20"],
                          capture_output=True, text=True, timeout=240)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return proc, {r["notebook"].rsplit("/", 1)[-1]: r for r in lines}, gradebook


def test_json_reports_each_exercise_with_its_status(graded):
    proc, reports, _ = graded
    assert proc.returncode == 1, proc.stderr  # the crash and the timeout could not be executed
    sub = reports["demo_submission.ipynb"]
    assert {e["id"]: e["status"] for e in sub["exercises"]} == {
        "demo.majority": "passed", "demo.tolerated_failures": "failed",
        "demo.quorums_overlap": "not-attempted"}
    assert (sub["score"], sub["max"], sub["executed"]) == (1, 4, True)
    assert set(sub) >= {"notebook", "score", "max", "exercises"}
    assert all(set(e) == {"id", "score", "max", "status"} for e in sub["exercises"])


def test_a_crash_keeps_what_was_reached_and_marks_the_rest_error(graded):
    crash = graded[1]["demo_crash.ipynb"]
    assert crash["executed"] is False and "RuntimeError" in crash["error"]
    assert {e["id"]: e["status"] for e in crash["exercises"]} == {
        "demo.majority": "passed", "demo.tolerated_failures": "error",
        "demo.quorums_overlap": "error"}


def test_a_runaway_notebook_is_killed_at_the_timeout(graded):
    slow = graded[1]["demo_timeout.ipynb"]
    assert slow["executed"] is False and "timed out after 20 s" in slow["error"]
    assert {e["status"] for e in slow["exercises"]} == {"error"} and slow["score"] == 0


def test_gradebook_has_a_row_per_submission(graded):
    with open(graded[2], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["notebook"].rsplit("/", 1)[-1] for r in rows] == [
        "demo_submission.ipynb", "demo_crash.ipynb", "demo_timeout.ipynb"]
    assert rows[0]["score"] == "1" and rows[0]["demo.majority"] == "1"
    assert rows[0]["demo.tolerated_failures"] == "0" and rows[1]["executed"] == "no"


def test_exit_zero_when_every_notebook_ran_whatever_the_scores(capsys):
    assert main([str(DATA / "demo_submission.ipynb")]) == 0
    out = capsys.readouterr().out
    assert "1/4 (executed)" in out and "✗ demo.tolerated_failures  0/2  failed" in out


@pytest.mark.parametrize("argv", [[], ["--bogus", "x.ipynb"], ["missing.ipynb"],
                                  [__file__], [str(DATA / "demo_crash.ipynb"), "--timeout", "0"]])
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2


def test_killing_a_runaway_reaches_grandchildren_in_other_sessions():
    import os
    import time

    # sh (own group) -> setsid sleep (a new session, like a Jupyter kernel)
    proc = subprocess.Popen(["sh", "-c", "setsid sleep 30 & sleep 30"], start_new_session=True)
    deadline = time.monotonic() + 10
    while len(grader._descendants(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    victims = grader._descendants(proc.pid)
    assert len(victims) >= 2
    grader._kill_group(proc)
    time.sleep(0.2)
    for pid in victims:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        # a zombie reaped by init is acceptable; a live process is not
        with open(f"/proc/{pid}/stat") as fh:
            assert fh.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_a_failed_gradebook_write_keeps_the_previous_gradebook(tmp_path, monkeypatch):
    from distlab.grading import grader

    book = tmp_path / "grades.csv"
    report = grader.NotebookReport("a.ipynb", True, None, [grader.ExerciseScore("x", 1, 2, "failed")])
    grader.write_gradebook([report], book)
    before = book.read_bytes()

    def crash(*_args, **_kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(grader.csv, "writer", crash)
    with pytest.raises(OSError, match="No space"):
        grader.write_gradebook([report, report], book)
    assert book.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]  # no temporary file left behind
