"""The headless grader, end to end on chapter 5 submissions a class could hand in.

The first block replays, one by one, the submissions that used to forge their scores (issue 13's
table): scores now come from the instructor's copy and the grader, so each gets what it solved.
"""
import csv
import json
import os
from pathlib import Path

import pytest

from distlab.grading.__main__ import main
from distlab.grading.grader import grade

from .classroom import CORRECT, RAISING, WRONG, answer_index, code_cell, source, submission

SETUP = 1  # the instructor's setup cell (imports, start())


def statuses(report):
    return {e.id: e.status for e in report.exercises}


def _after_setup(code):
    return lambda cells: cells.insert(SETUP + 1, code_cell(code))


def _delete(predicate):
    return lambda cells: cells.__setitem__(slice(None), [c for c in cells if not predicate(source(c))])


def test_redefining_check_to_say_passed_scores_nothing(tmp_path):
    path = submission(tmp_path / "s.ipynb", {}, _after_setup("def check(*args, **kwargs):\n    print('passed')"))
    report = grade([str(path)])[0]
    assert (report.score, report.max) == (0, 6)
    assert set(statuses(report).values()) == {"not-attempted"}


def test_forged_result_lines_reach_no_score(tmp_path):
    forge = ("import json, os\nline = json.dumps({'event': 'check', 'id': 'reliability.token_bucket', "
             "'status': 'passed', 'score': 1000, 'max': 2})\n"
             "open(os.environ.get('DISTLAB_GRADING_RESULTS', 'results.jsonl'), 'a').write(line + '\\n')\n"
             "print(line)\nos.write(1, (line + '\\n').encode())")
    in_answer = forge + "\ndef make_token_bucket(capacity, rate, clock):\n    return None"
    path = submission(tmp_path / "s.ipynb", {"make_token_bucket": in_answer}, _after_setup(forge))
    report = grade([str(path)])[0]
    assert report.score == 0 and statuses(report)["reliability.token_bucket"] == "failed"
    assert all(e.score <= e.max for e in report.exercises)


def test_replacing_the_registry_checks_outside_the_answers_changes_nothing(tmp_path):
    patch = ("from distlab.grading import registry\nfor e in registry.all_exercises():\n"
             "    object.__setattr__(e, 'check_fn', lambda answer: True)")
    nothing = {name: f"def {name}(*args):\n    return None" for name in CORRECT}
    report = grade([str(submission(tmp_path / "s.ipynb", nothing, _after_setup(patch)))])[0]
    assert report.score == 0 and set(statuses(report).values()) == {"failed"}


def test_patching_the_grader_inside_an_answer_is_refused_unrun(tmp_path):
    patch = ("from distlab.grading import registry\nobject.__setattr__(registry.get('reliability.breaker_tuning'), "
             "'check_fn', lambda answer: True)\ndef my_breaker():\n    return None")
    report = grade([str(submission(tmp_path / "s.ipynb", {"my_breaker": patch}))])[0]
    line = report.exercises[1]
    assert (line.status, line.score) == ("uses-reference", 0) and "distlab.grading" in line.message


def test_deleting_start_and_every_check_cell_is_flagged_and_answers_still_graded(tmp_path):
    path = submission(tmp_path / "s.ipynb", CORRECT, _delete(lambda s: s.startswith(("check(", "import matplotlib"))))
    report = grade([str(path)])[0]
    assert (report.score, report.max) == (6, 6)
    assert len(report.changed_cells) == 4  # the setup cell and the three check cells
    untouched = grade([str(submission(tmp_path / "u.ipynb", {}, _delete(lambda s: s.startswith("check("))))])[0]
    assert (untouched.score, untouched.max) == (0, 6) and len(untouched.changed_cells) == 3


def test_an_error_in_an_unrelated_cell_costs_no_exercise(tmp_path):
    crash = lambda cells: cells.insert(answer_index(cells, "my_breaker") - 1, code_cell("raise RuntimeError('x')"))  # noqa: E731
    report = grade([str(submission(tmp_path / "s.ipynb", CORRECT, crash))])[0]
    assert (report.score, report.max) == (6, 6) and not report.changed_cells


def test_each_status_says_why(tmp_path):
    answers = {**CORRECT, **WRONG, **RAISING}
    report = grade([str(submission(tmp_path / "s.ipynb", answers))])[0]
    assert statuses(report) == {"reliability.token_bucket": "passed", "reliability.breaker_tuning": "failed",
                                "reliability.end_storm": "failed"}
    assert "KeyError" in report.exercises[2].message and report.exercises[1].message


def test_an_answer_calling_the_library_solution_gets_no_points(tmp_path):
    lazy = ("from distlab.reliability import TokenBucket as Bucket\n"
            "def make_token_bucket(capacity, rate, clock):\n    return Bucket()")
    report = grade([str(submission(tmp_path / "s.ipynb", {"make_token_bucket": lazy}))])[0]
    line = report.exercises[0]
    assert (line.status, line.score) == ("uses-reference", 0)
    assert "distlab.reliability.TokenBucket" in line.message and "yourself" in line.message


def test_an_answer_that_cannot_be_found_is_missing_and_flagged(tmp_path):
    gone = _delete(lambda s: s.startswith(("def storm_settings", "check(\"reliability.end_storm\"")))
    report = grade([str(submission(tmp_path / "s.ipynb", CORRECT, gone))])[0]
    assert statuses(report)["reliability.end_storm"] == "missing" and report.changed_cells
    assert report.score == 4


def test_a_runaway_answer_is_killed_at_the_timeout_and_leaves_nothing(tmp_path):
    loop = ("import subprocess\nsubprocess.Popen(['sleep', '300'])\n"
            "def make_token_bucket(capacity, rate, clock):\n    import time\n    time.sleep(300)")
    path = submission(tmp_path / "s.ipynb", {**CORRECT, "make_token_bucket": loop})
    report = grade([str(path)], timeout=2)[0]
    assert statuses(report) == {"reliability.token_bucket": "timeout", "reliability.breaker_tuning": "passed",
                                "reliability.end_storm": "passed"}
    assert not _leftovers()


def test_an_answer_that_kills_its_sandbox_fails_alone(tmp_path):
    killer = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef my_breaker():\n    return None"
    report = grade([str(submission(tmp_path / "s.ipynb", {**CORRECT, "my_breaker": killer}))])[0]
    assert statuses(report) == {"reliability.token_bucket": "passed", "reliability.breaker_tuning": "error",
                                "reliability.end_storm": "passed"}
    assert "sandbox died" in report.exercises[1].message and not _leftovers()


def test_an_answer_that_takes_all_memory_fails_alone(tmp_path):
    greedy = "buffer = bytearray(8 * 2**30)\ndef my_breaker():\n    return None"
    report = grade([str(submission(tmp_path / "s.ipynb", {**CORRECT, "my_breaker": greedy}))])[0]
    assert statuses(report)["reliability.breaker_tuning"] == "error"
    assert "MemoryError" in report.exercises[1].message and report.score == 4


def _leftovers():
    mine = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if text.endswith(f"distlab.grading.sandbox {os.getpid()}") or text == "sleep 300":  # not a neighbour's run
            mine.append(text)
    return mine


def _children():
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append(stat.parent.name)
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Good and broken files in one CLI run, graded serially and in parallel."""
    folder = tmp_path_factory.mktemp("batch")
    files = [submission(folder / "mixed.ipynb", {**CORRECT, **WRONG, **RAISING})]
    for name, data in [("empty.ipynb", b""), ("list.ipynb", b"[]"), ("binary.ipynb", bytes(range(256))),
                       ("cut.ipynb", (folder / "mixed.ipynb").read_bytes()[:4000])]:
        (folder / name).write_bytes(data)
        files.append(folder / name)
    other = folder / "geo.ipynb"
    other.write_bytes((Path(__file__).resolve().parents[2] / "notebooks" / "04_geo.ipynb").read_bytes())
    files.append(other)
    books = {}
    for jobs in (1, 2):
        books[jobs] = folder / f"grades-{jobs}.csv"
        code = main([*map(str, files), "--csv", str(books[jobs]), "--jobs", str(jobs), "--chapter", "05_reliability"])
        assert code == 1
    return files, books


def test_broken_files_are_reported_and_the_gradebook_still_written(batch):
    files, books = batch
    rows = list(csv.DictReader(books[1].open(encoding="utf-8")))
    assert [Path(r["notebook"]).name for r in rows] == [f.name for f in files]
    problems = {Path(r["notebook"]).name: r["problem"] for r in rows}
    assert problems["empty.ipynb"] == "the file is empty"
    assert "JSON list" in problems["list.ipynb"] and "not UTF-8" in problems["binary.ipynb"]
    assert "line 1" in problems["cut.ipynb"] and "04_geo, not 05_reliability" in problems["geo.ipynb"]
    graded = rows[0]
    assert graded["graded"] == "yes" and graded["score"] == "2"
    assert graded["reliability.breaker_tuning status"] == "failed" and graded["reliability.breaker_tuning message"]


def test_parallel_grading_writes_the_same_gradebook_as_serial(batch):
    _, books = batch
    assert books[1].read_text(encoding="utf-8") == books[2].read_text(encoding="utf-8")


def test_json_lines_carry_messages_and_stderr_a_summary(tmp_path, capsys):
    path = submission(tmp_path / "s.ipynb", WRONG)
    assert main([str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["exercises"][1]["status"] == "failed" and report["exercises"][1]["message"]
    assert f"grade: {path}: 0/6 (1 failed, 2 not-attempted)" in err


@pytest.mark.parametrize("bad", ["inf", "nan", "0", "-1"])
def test_a_timeout_that_is_not_a_finite_positive_number_exits_2_before_anything_runs(tmp_path, bad, capsys):
    path = submission(tmp_path / "s.ipynb", CORRECT)
    before = set(_children())  # the session's own servers (other tests started them) are not the grader's
    assert main([str(path), "--timeout", bad]) == 2
    assert "--timeout must be a finite number" in capsys.readouterr().err
    assert not _leftovers() and set(_children()) <= before


@pytest.mark.parametrize("argv", [[], ["--bogus", "x.ipynb"], ["missing.ipynb"], ["--jobs", "0", __file__],
                                  ["--chapter", "09_nope", __file__], [__file__, "--csv", "/no/such/dir/g.csv"],
                                  [__file__, "--csv", "/tmp"], [__file__, "--course", "/no/such/dir"]])
def test_bad_usage_exits_2_with_a_message_and_no_traceback(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


def test_the_instructor_copy_grades_as_untouched_with_nothing_changed():
    report = grade([str(Path(__file__).resolve().parents[2] / "notebooks" / "05_reliability.ipynb")])[0]
    assert report.changed_cells == () and set(statuses(report).values()) == {"not-attempted"}
    assert os.path.basename(report.notebook) == "05_reliability.ipynb"
