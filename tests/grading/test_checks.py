import contextlib
import io

import pytest
from hypothesis import given, settings, strategies as st

from distlab.grading import check, checks, evaluate, registry, start


@pytest.fixture
def toy():
    """A throwaway exercise whose check does whatever the test asks of it."""
    behaviour = {"fn": lambda answer: answer == 42}

    @registry.exercise("toy.answer", notebook="toy", hints=["think big", "six times seven"],
                       points=3)
    def check_toy(answer):
        return behaviour["fn"](answer)

    yield behaviour
    registry.unregister("toy.answer")


def test_pass_fail_and_not_attempted(toy):
    assert evaluate("toy.answer", 42) == checks.Verdict("toy.answer", "passed", 3, 3, "well done")
    assert evaluate("toy.answer", ...).status == "not-attempted"
    v = evaluate("toy.answer", 41)
    assert v.status == "failed" and v.score == 0 and v.max == 3


def test_a_stub_raising_not_implemented_is_not_attempted(toy):
    def stub():
        raise NotImplementedError

    toy["fn"] = lambda f: f() == 1
    v = evaluate("toy.answer", stub)
    assert v.status == "not-attempted" and "NotImplementedError" in v.message


def test_generic_hints_progress_and_specific_hints_win(toy):
    assert evaluate("toy.answer", 1).message == "Hint 1/2: think big"
    assert evaluate("toy.answer", 2).message == "Hint 2/2: six times seven"
    assert evaluate("toy.answer", 3).message == "Hint 2/2: six times seven"
    toy["fn"] = lambda a: "off by one" if a == 41 else a == 42
    assert evaluate("toy.answer", 41).message == "off by one"


class Boom(Exception):
    pass


@settings(max_examples=60)
@given(outcome=st.one_of(st.booleans(), st.text(max_size=5), st.none(), st.integers(),
                         st.sampled_from(["raise", "raise-nie"])))
def test_check_never_raises_whatever_the_check_or_answer_does(outcome):
    def fn(_answer):
        if outcome == "raise":
            raise Boom("kaput")
        if outcome == "raise-nie":
            raise NotImplementedError
        return outcome

    registry.register(registry.Exercise("toy.any", "toy", fn))
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            check("toy.any", object())
        v = checks.results()["toy.any"]
    finally:
        registry.unregister("toy.any")
    assert v.status in checks.STATUSES
    if outcome is True:
        assert v.status == "passed"
    elif outcome == "raise":
        assert v.status == "failed" and "Boom: kaput" in v.message
    elif outcome is None or (isinstance(outcome, int) and not isinstance(outcome, bool)):
        assert v.status == "error"  # a check must say True/False/hint, never silently pass
    assert v.text() in out.getvalue()


def test_unknown_ids_are_reported_not_raised(capsys):
    check("no.such.exercise", 1)
    out = capsys.readouterr().out
    assert "no.such.exercise" in out and "unknown exercise id" in out


def test_start_names_the_exercises_and_results_keep_the_latest_verdict(toy, tmp_path, monkeypatch):
    monkeypatch.setenv("DISTLAB_GRADING_RESULTS", str(tmp_path / "results.jsonl"))  # the old channel: gone
    assert start("toy") == ["toy.answer"]
    check("toy.answer", 7)
    check("toy.answer", 42)
    assert checks.results()["toy.answer"].status == "passed"
    assert not (tmp_path / "results.jsonl").exists(), "a kernel must not write what the grader scores"


def test_html_feedback_has_symbol_word_and_escapes(toy):
    toy["fn"] = lambda a: "<b>no</b>"
    html = evaluate("toy.answer", 1).html()
    assert "✗" in html and "not yet" in html and "&lt;b&gt;no&lt;/b&gt;" in html
