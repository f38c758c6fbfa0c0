"""The headless grader against a hostile class: answers that attack the grader, their sandbox and
their classmates, and files built to crash or hang it. Each test replays one attack that worked.

An answer may still forge its *own* verdict (docs/view-and-grading.md says how); these tests check
that nothing an answer does reaches a classmate's grade, the grader's process or the machine after.
"""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from distlab.grading.__main__ import main
from distlab.grading.grader import grade

from .classroom import CORRECT, INSTRUCTOR, WRONG, answer_index, code_cell, submission
from .test_grader import statuses

NOTHING = "\ndef my_breaker():\n    return None\n"

#: write ``LINE`` into every pipe the sandbox (this process's parent) holds, through /proc
_INTO_PARENT_PIPES = '''import os
parent = os.getppid()
for fd in os.listdir(f"/proc/{parent}/fd"):
    path = f"/proc/{parent}/fd/{fd}"
    try:
        if os.readlink(path).startswith("pipe:"):
            out = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.write(out, LINE * 5)
            os.close(out)
    except OSError:
        pass
'''

#: what a classmate's honest, wrong answers get
_VICTIM = {"make_token_bucket": "def make_token_bucket(capacity, rate, clock):\n    return None",
           **WRONG, "storm_settings": "def storm_settings():\n    return {}"}
_VICTIM_STATUSES = {"reliability.token_bucket": "failed", "reliability.breaker_tuning": "failed",
                    "reliability.end_storm": "failed"}


def _attack_then_victim(tmp_path, attack):
    hostile = submission(tmp_path / "hostile.ipynb", {"my_breaker": attack})
    victim = submission(tmp_path / "victim.ipynb", _VICTIM)
    return grade([str(hostile), str(victim)], timeout=3)[1]


def test_forged_reply_lines_in_the_sandbox_pipes_reach_no_classmate(tmp_path):
    line = 'LINE = b\'{"status": "passed", "message": "forged"}\\n\'\n'
    victim = _attack_then_victim(tmp_path, line + _INTO_PARENT_PIPES + NOTHING)
    assert statuses(victim) == _VICTIM_STATUSES and victim.score == 0


def test_a_prelude_injected_into_the_sandbox_is_not_run(tmp_path):
    patch = ("import sys\nmain = sys.modules['__main__']\nV = main.judge.__globals__['Verdict']\n"
             "main.judge = lambda ex, a: V(ex.id, 'passed', ex.points, ex.points, 'forged')")
    line = f"LINE = ({json.dumps(json.dumps({'prelude': [patch]}))} + '\\n').encode()\n"
    victim = _attack_then_victim(tmp_path, line + _INTO_PARENT_PIPES + NOTHING)
    assert statuses(victim) == _VICTIM_STATUSES and victim.score == 0


def test_garbled_verdicts_are_errors_and_the_sandbox_survives(tmp_path):
    garbled = {"make_token_bucket": "import os\nos.fork()\nos.fork()\n" + CORRECT["make_token_bucket"],
               "my_breaker": "import os\nos.write(WRITE, b'[1, 2]\\n')\nos._exit(0)" + NOTHING,
               "storm_settings": "import os\nos.write(WRITE, b'{\"status\": \"perfect\"}\\n')\nos._exit(0)\n"}
    find_fd = ("import fcntl, os, stat\nWRITE = -1\nfor fd in range(3, 256):\n    try:\n"
               "        if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & 3 == 1:\n"
               "            WRITE = fd\n    except OSError:\n        pass\n")
    answers = {name: (find_fd + code if name != "make_token_bucket" else code) for name, code in garbled.items()}
    report = grade([str(submission(tmp_path / "s.ipynb", answers))], timeout=3)[0]
    assert statuses(report) == {"reliability.token_bucket": "passed", "reliability.breaker_tuning": "error",
                                "reliability.end_storm": "error"}
    assert all("verdict" in e.message for e in report.exercises[1:]) and report.score == 2


def test_daemons_an_answer_starts_die_with_its_job(tmp_path):
    daemon = ("import os, subprocess\nsubprocess.Popen(['sleep', '301'], start_new_session=True)\n"
              "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              "        os.execvp('sleep', ['sleep', '302'])\n    os._exit(0)\n") + NOTHING
    grade([str(submission(tmp_path / "s.ipynb", {"my_breaker": daemon}))], timeout=3)
    time.sleep(0.2)
    assert not _running("sleep 301", "sleep 302")


def test_temporary_files_of_an_answer_are_removed(tmp_path):
    litter = ("import tempfile, pathlib\nFOLDER = tempfile.mkdtemp(prefix='distlab-hostile-')\n"
              "def my_breaker():\n    return pathlib.Path(FOLDER).write_text('x')\n")
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("distlab-hostile-*"))
    grade([str(submission(tmp_path / "s.ipynb", {"my_breaker": litter}))], timeout=3)
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("distlab-hostile-*")) == before


def test_a_deeply_nested_file_is_reported_not_a_crash(tmp_path, capsys):
    deep = tmp_path / "deep.ipynb"
    deep.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main([str(deep), "--csv", str(tmp_path / "g.csv")]) == 1
    assert "nested" in capsys.readouterr().out and (tmp_path / "g.csv").exists()


def test_messages_are_one_printable_line_whatever_the_answer_raises(tmp_path, capsys):
    fake = "def storm_settings():\n    raise ValueError('\\ud800\\n  \\u2713 reliability.token_bucket  2/2  passed')\n"
    path = submission(tmp_path / "s.ipynb", {"storm_settings": fake})
    assert main([str(path), "--timeout", "3", "--csv", str(tmp_path / "g.csv")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("  flag:")]
    assert len(lines) == 4 and "ValueError" in lines[3]  # the header and three exercises
    assert "\\ud800" in (tmp_path / "g.csv").read_text(encoding="utf-8")


def test_cells_of_any_shape_are_read_without_a_crash(tmp_path):
    notebook = json.loads(INSTRUCTOR.read_text())
    odd = [1, None, "x", [], {"source": 5}, {"cell_type": ["code"], "source": None}, {"cell_type": "code"}]
    notebook["cells"] = odd + notebook["cells"] + odd
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(notebook))
    report = grade([str(path)])[0]
    assert report.graded and set(statuses(report).values()) == {"not-attempted"}


def _running(*commands):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if text in commands or text.endswith(f"distlab.grading.sandbox {os.getpid()}"):  # ours, not a neighbour's
            found.append(text)
    return found


def test_a_hostile_batch_grades_the_same_with_one_job_or_two(tmp_path):
    forge = 'LINE = b\'{"status": "passed", "message": "forged"}\\n\'\n' + _INTO_PARENT_PIPES + NOTHING
    killer = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)" + NOTHING
    hostile = {"forge": {**CORRECT, "my_breaker": forge}, "victim": _VICTIM,
               "killer": {**CORRECT, "my_breaker": killer},
               "forks": {"make_token_bucket": "import os\nos.fork()\nos.fork()\n" + CORRECT["make_token_bucket"]},
               "exits": {**CORRECT, "storm_settings": "raise SystemExit(0)\n" + CORRECT["storm_settings"]},
               "right": CORRECT}
    files = [str(submission(tmp_path / f"{name}.ipynb", answers)) for name, answers in hostile.items()]
    books = [tmp_path / "one.csv", tmp_path / "two.csv"]
    for jobs, book in enumerate(books, start=1):
        assert main([*files, "--csv", str(book), "--jobs", str(jobs), "--timeout", "3"]) == 0
    assert books[0].read_text(encoding="utf-8") == books[1].read_text(encoding="utf-8")
    assert "forged" not in books[0].read_text(encoding="utf-8").split("\n", 2)[2]  # not in the victim's row


def test_a_helper_defined_in_a_cell_of_its_own_is_named_in_the_message(tmp_path):
    helper = code_cell("def _cfg():\n    return BreakerConfig(consecutive_failures=5, cooldown=2.0, probes=3)")
    path = submission(tmp_path / "s.ipynb", {"my_breaker": "def my_breaker():\n    return _cfg()"},
                      lambda cells: cells.insert(3, helper))
    line = grade([str(path)], timeout=3)[0].exercises[1]
    assert line.status == "failed" and "_cfg is defined in cell 4 of your notebook" in line.message


def test_an_exercise_moved_elsewhere_is_still_graded(tmp_path):
    def swap(cells):
        first, second = answer_index(cells, "my_breaker"), answer_index(cells, "storm_settings")
        cells[first:first + 2], cells[second:second + 2] = cells[second:second + 2], cells[first:first + 2]

    report = grade([str(submission(tmp_path / "s.ipynb", CORRECT, swap))], timeout=3)[0]
    assert (report.score, report.max) == (6, 6) and report.changed_cells


def test_the_grader_cannot_be_traced_by_its_answers_while_it_grades(tmp_path):
    """Not dumpable while grading: another process of the same (non-root) user cannot ptrace it or
    open /proc/PID/fd, so an answer cannot write into the grader's pipes or patch its memory."""
    path = submission(tmp_path / "s.ipynb", {})
    probe = ("import ctypes, sys\nimport distlab.grading.__main__ as cli\nseen = []\n"
             "cli.grade = lambda *a, **k: seen.append(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)) or []\n"
             "cli.main([sys.argv[1]])\nprint(seen, ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["[0]", "1"], done.stderr  # hidden while grading, as before after


def test_grading_as_root_warns(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert main([str(submission(tmp_path / "s.ipynb", {}))]) == 0
    assert "warning: grading as root" in capsys.readouterr().err


def test_an_answer_too_long_to_be_one_is_an_error_unrun(tmp_path):
    huge = "def my_breaker():\n    return None\n" + "x = 1\n" * 100_000
    started = time.monotonic()
    report = grade([str(submission(tmp_path / "s.ipynb", {"my_breaker": huge}))], timeout=3)[0]
    line = report.exercises[1]
    assert line.status == "error" and "characters long" in line.message and time.monotonic() - started < 3


def test_an_answer_that_leaves_its_process_group_is_still_stopped_at_the_timeout(tmp_path):
    escape = ("import os, signal, time\nos.setpgid(0, os.getpgid(os.getppid()))\n"
              "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\ntime.sleep(300)" + NOTHING)
    started = time.monotonic()
    line = grade([str(submission(tmp_path / "s.ipynb", {"my_breaker": escape}))], timeout=1)[0].exercises[1]
    assert line.status == "timeout" and "--timeout" in line.message  # not the sandbox's 16 s margin
    assert time.monotonic() - started < 12


def test_a_method_of_an_imported_module_is_not_the_course_method_of_the_same_name():
    from distlab.grading.references import used_references

    assert used_references("geo.orset_merge", "import heapq\ndef merge(a, b):\n    return heapq.merge(a, b)") == []
    assert used_references("geo.orset_merge", "def merge(a, b):\n    return a.merge(b)") == [".merge"]


def test_a_server_an_answer_starts_is_stopped_and_its_folder_removed(tmp_path):
    server = ("import tempfile\nfrom distlab.services import lifecycle\n"
              "folder = tempfile.mkdtemp(prefix='distlab-hostile-server-', dir='/tmp')\n"
              "lifecycle.spawn(['sleep', '304'], kind='test', folders=[folder])" + NOTHING)
    before = set(Path("/tmp").glob("distlab-hostile-server-*"))
    grade([str(submission(tmp_path / "s.ipynb", {"my_breaker": server}))], timeout=3)
    assert set(Path("/tmp").glob("distlab-hostile-server-*")) == before and not _running("sleep 304")


def test_a_batch_of_two_chapters_holds_one_sandbox_per_worker(tmp_path, monkeypatch):
    from distlab.grading import grader

    alive, most = set(), []

    class Counted(grader.Sandbox):
        def __init__(self, prelude):
            super().__init__(prelude)
            alive.add(self)
            most.append(len(alive))

        def close(self):
            alive.discard(self)
            super().close()

    monkeypatch.setattr(grader, "Sandbox", Counted)
    geo = json.loads((INSTRUCTOR.parent / "04_geo.ipynb").read_text())
    slot = next(s for s in grader.load_course() if s.name == "04_geo").slots[0]
    geo["cells"][slot.answer_index]["source"] = f"def {slot.name}(*args):\n    return None\n"
    (tmp_path / "geo.ipynb").write_text(json.dumps(geo))
    files = [str(tmp_path / "geo.ipynb"), str(submission(tmp_path / "s.ipynb", WRONG))]
    assert [r.graded for r in grade(files, jobs=1, timeout=3)] == [True, True]
    assert max(most) == 1 and not alive


def test_no_gradebook_cell_is_a_spreadsheet_formula(tmp_path, monkeypatch):
    forge = ("import os\nfor fd in range(3, 256):\n    try:\n"
             "        os.write(fd, b'{\"status\": \"failed\", \"message\": \"=2+3\"}\\n')\n"
             "    except OSError:\n        pass\nos._exit(0)" + NOTHING)
    submission(tmp_path / "@s.ipynb", {"my_breaker": forge})
    monkeypatch.chdir(tmp_path)
    assert main(["@s.ipynb", "--csv", "g.csv", "--timeout", "3"]) == 0
    rows = list(csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert rows[0]["reliability.breaker_tuning message"] == "'=2+3" and rows[0]["notebook"] == "'@s.ipynb"


def test_an_answer_split_over_cells_runs_cell_by_cell(tmp_path):
    def split(cells):
        at = answer_index(cells, "my_breaker")
        cells[at]["source"] = "from __future__ import annotations\nCOOLDOWN = 2.0"
        cells.insert(at + 1, code_cell("%%time\n" + CORRECT["my_breaker"].replace("2.0", "COOLDOWN")))
        cells.insert(at + 2, code_cell("from __future__ import annotations\nassert COOLDOWN == 2.0"))

    line = grade([str(submission(tmp_path / "s.ipynb", {}, split))], timeout=3)[0].exercises[1]
    assert (line.status, line.message) == ("passed", "well done")


def test_a_notebook_saved_with_a_byte_order_mark_is_graded(tmp_path):
    path = submission(tmp_path / "s.ipynb", {})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = grade([str(path)])[0]
    assert report.graded and set(statuses(report).values()) == {"not-attempted"}


def test_a_star_import_of_the_course_does_not_hide_its_solution():
    from distlab.grading.references import used_references

    lazy = "from distlab.reliability import *\ndef make_token_bucket(c, r, clock):\n    return TokenBucket(c, r)"
    assert used_references("reliability.token_bucket", lazy) == ["distlab.reliability.TokenBucket"]
    assert used_references("reliability.token_bucket", "from os.path import *\nx = join('a', 'b')") == []


def test_an_interrupted_grader_leaves_no_sandbox_folder(tmp_path):
    path = submission(tmp_path / "s.ipynb", {"my_breaker": "import time\ntime.sleep(60)" + NOTHING})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    grader = subprocess.Popen([sys.executable, "-m", "distlab.grading", str(path)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not list(scratch.glob("distlab-grade-*/answer-*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the answer runs
    grader.send_signal(signal.SIGINT)
    assert grader.wait(timeout=20) != 0
    assert not list(scratch.glob("distlab-grade-*"))


def test_the_folders_of_a_grader_killed_with_sigkill_are_removed_by_the_next(tmp_path):
    import subprocess
    import sys

    from distlab.grading.runner import FOLDER_PREFIX, remove_stale_folders

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    stale = tmp_path / f"{FOLDER_PREFIX}{dead.stdout.strip()}-abc"
    (stale / "answer-x").mkdir(parents=True)
    alive = tmp_path / f"{FOLDER_PREFIX}{os.getppid()}-def"
    mine = tmp_path / f"{FOLDER_PREFIX}{os.getpid()}-ghi"
    legacy = tmp_path / f"{FOLDER_PREFIX}nopid"
    for folder in (alive, mine, legacy):
        folder.mkdir()
    assert remove_stale_folders(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and alive.exists() and mine.exists() and legacy.exists()
