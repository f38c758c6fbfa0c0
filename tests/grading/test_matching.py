"""Finding the chapter and the answers in a submission, and the references an answer may not use."""
import copy
import importlib
import json

import pytest

from distlab.grading import registry
from distlab.grading.course import course_dir, load_course
from distlab.grading.matching import identify, match
from distlab.grading.references import ALWAYS, REFERENCES, used_references

from .classroom import code_cell, instructor_cells

COURSE = load_course()
NAMES = [c.name for c in COURSE]


@pytest.mark.parametrize("chapter", COURSE, ids=NAMES)
def test_each_instructor_copy_is_its_own_chapter_with_every_exercise_untouched(chapter):
    cells = json.loads((course_dir() / f"{chapter.name}.ipynb").read_text())["cells"]
    assert identify(cells, COURSE)[0] is chapter
    matched = match(chapter, cells)
    assert matched.changed == () and all(a.untouched for a in matched.answers)
    assert [s.id for s in chapter.slots] == [e.id for e in registry.exercises_for(chapter.name)]
    assert any("parameters" in code or "seed" in code for code in chapter.prelude)


def test_an_answer_split_over_cells_is_one_answer_and_order_of_other_cells_counts_not():
    chapter = next(c for c in COURSE if c.name == "05_reliability")
    cells = instructor_cells()
    at = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith("def my_breaker("))
    cells[at:at + 1] = [code_cell("cooldown = 2.0"), code_cell("def my_breaker():\n    return cooldown")]
    cells.insert(5, code_cell("print('my own experiment')"))
    cells.insert(5, {"cell_type": "markdown", "metadata": {}, "source": "my notes"})
    answer = match(chapter, cells).answers[1]
    assert answer.code == "cooldown = 2.0\n\ndef my_breaker():\n    return cooldown"
    assert match(chapter, cells).changed == ()


def test_when_the_cells_between_two_exercises_are_gone_neither_answer_is_guessed():
    chapter = next(c for c in COURSE if c.name == "05_reliability")
    cells = instructor_cells()
    first, second = chapter.slots[0], chapter.slots[1]
    doomed = set(range(first.check_index, second.answer_index))  # exercise 1's check, exercise 2's text
    kept = [c for i, c in enumerate(cells) if i not in doomed]
    answers = match(chapter, kept).answers
    assert answers[0].code is None and answers[1].code is None
    assert "cannot tell which code answers which" in answers[0].problem
    assert answers[2].code is not None


def test_a_stranger_notebook_matches_no_chapter():
    cells = [code_cell("print('hello')"), {"cell_type": "markdown", "metadata": {}, "source": "# My notes"}]
    assert identify(cells, COURSE) == (None, 0.0)
    half = copy.deepcopy(instructor_cells())[:3]
    assert identify(half, COURSE)[0] is None


def test_every_exercise_lists_its_references_and_each_one_exists():
    assert sorted(REFERENCES) == sorted(e.id for e in registry.all_exercises() if not e.id.startswith("demo."))
    for reference in {r for refs in REFERENCES.values() for r in refs if not r.startswith(".")} | set(ALWAYS):
        module, _, attribute = reference.rpartition(".")
        try:
            importlib.import_module(reference)
        except ImportError:
            assert hasattr(importlib.import_module(module), attribute), reference


@pytest.mark.parametrize(("code", "found"), [
    ("from distlab.reliability import TokenBucket as TB\ndef make_token_bucket(c, r, clock):\n    return TB()",
     ["distlab.reliability.TokenBucket"]),
    ("import distlab.reliability as rel\nmake_token_bucket = rel.RateLimiter", ["distlab.reliability.RateLimiter"]),
    ("import importlib\nx = importlib.import_module('distlab.grading.reliability')", ["distlab.grading"]),
    ("def make_token_bucket(c, r, clock):\n    return RateLimit(1, 1)\ncheck('reliability.token_bucket', 1)", []),
    ("def make_token_bucket(c, r, clock):\n    return (", []),  # does not parse: running it will say so
])
def test_references_are_found_through_imports_and_aliases(code, found):
    prelude = ["from distlab.grading import check, start\nfrom distlab.reliability import RateLimit"]
    assert used_references("reliability.token_bucket", code, prelude) == found


def test_a_method_reference_matches_on_any_object():
    assert used_references("geo.orset_merge", "def merge(a, b):\n    return a.merge(b)") == [".merge"]
    assert used_references("geo.orset_merge", "def merge(a, b):\n    return merge_dots(a, b)") == []
