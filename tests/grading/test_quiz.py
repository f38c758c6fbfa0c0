import pytest
from hypothesis import given, settings, strategies as st

from distlab.grading.quiz import Choice, Numeric, judge, question_from_data, quiz_from_data


def test_single_choice():
    q = Choice("2f+1 = 5, f = ?", ["1", "2", "3"], 1, "solve for f")
    assert judge(q, 1).correct and judge(q, 1).explanation == "solve for f"
    assert judge(q, 0).correct is False
    assert judge(q, None).correct is None
    assert judge(q, 7).correct is None and "Not an option" in judge(q, 7).message
    assert judge(q, {0, 1}).correct is None  # single choice: exactly one


@settings(max_examples=60)
@given(answer=st.sets(st.integers(0, 4), min_size=1), picked=st.sets(st.integers(0, 4)))
def test_multi_select_is_right_only_for_the_exact_set(answer, picked):
    q = Choice("pick", ["a", "b", "c", "d", "e"], answer)
    fb = judge(q, picked)
    if not picked:
        assert fb.correct is None
    else:
        assert fb.correct == (picked == answer)


@settings(max_examples=60)
@given(answer=st.floats(-1e6, 1e6), tol=st.floats(0, 100), delta=st.floats(-300, 300))
def test_numeric_tolerance_and_direction(answer, tol, delta):
    q = Numeric("x?", answer, tol, "ms")
    fb = judge(q, answer + delta)
    err = abs((answer + delta) - answer)
    assert fb.correct == (err <= tol)
    if not fb.correct:
        assert ("too high" if answer + delta > answer else "too low") in fb.message


def test_from_data_and_validation():
    qs = quiz_from_data([{"kind": "choice", "prompt": "p", "options": ["a", "b"], "answer": [0]},
                         {"kind": "numeric", "prompt": "n", "answer": 3, "tolerance": 0.5}])
    assert qs[0].multi and isinstance(qs[1], Numeric)
    assert judge(qs[1], "3.2").correct and judge(qs[1], "three").correct is None
    with pytest.raises(ValueError, match="kind"):
        question_from_data({"kind": "essay"})
    with pytest.raises(ValueError, match="answer must be option indices"):
        Choice("p", ["a", "b"], 2)
    with pytest.raises(ValueError, match="tolerance"):
        Numeric("p", 1.0, -1)
    with pytest.raises(ValueError, match="why"):
        Choice("p", ["a", "b"], 0, why=["only one"])
    with pytest.raises(ValueError, match="at least one"):
        quiz_from_data([])


def test_a_first_wrong_try_gets_the_hint_not_the_explanation():
    q = Choice("2f+1 = 5, f = ?", ["1", "2", "3"], 1, "solve for f", why=["too few", "yes", "too many"],
               hint="a majority must survive")
    first = judge(q, 0)
    assert first.correct is False and first.explanation == ""
    assert "try again" in first.message and "a majority must survive" in first.message
    assert "too few" not in first.message
    second = judge(q, 2, wrong_before=1)
    assert second.explanation == "solve for f" and "too many" in second.message and "try again" not in second.message
    assert judge(q, 1).explanation == "solve for f"  # a right answer explains at once
    n = Numeric("x?", 10, 1, "ms", "because", hint="think in round trips")
    assert judge(n, 20).message == "Not quite: 20 ms is too high -- try again. Hint: think in round trips"
    assert judge(n, 20, 1).explanation == "because"
    with pytest.raises(ValueError, match="wrong_before"):
        judge(q, 0, -1)
    with pytest.raises(ValueError, match="hint"):
        Choice("p", ["a", "b"], 0, hint=3)


@pytest.mark.parametrize("chapter", ["consistency", "consensus", "transactions", "geo", "reliability"])
def test_every_chapters_quiz_data_still_builds_and_hints_do_not_name_the_answer(chapter):
    import importlib

    data = importlib.import_module(f"distlab.{chapter}.quiz").QUIZ
    for item, q in zip(data, quiz_from_data(data), strict=True):
        if q.hint and isinstance(q, Choice):
            assert not any(q.options[i].lower() in q.hint.lower() for i in q.correct), item["prompt"]


def test_chapter_4s_quiz_varies_where_the_answer_is_and_uses_the_chapters_terms_and_numbers():
    from distlab.geo.quiz import QUIZ

    assert len({item["answer"] for item in QUIZ}) >= 3  # not all at one position
    for item in QUIZ:
        assert item["why"][item["answer"]].startswith("Right"), item["prompt"]
        assert item["hint"]
        text = " ".join([item["prompt"], *item["options"], *item["why"], item["explanation"]])
        for undefined in ("read repair", "anti-entropy", "Paxos", "external consistency"):
            assert undefined not in text, (undefined, item["prompt"])
    commit_wait = QUIZ[4]["explanation"]
    assert "2ε of 8 ms" in commit_wait and "ε = 4 ms" in commit_wait and "14 ms" not in commit_wait


def test_a_count_refuses_a_fraction_without_judging_it():
    q = Numeric("How many may crash?", 3, unit="servers", integer=True, hint="Count a majority first.")
    fb = judge(q, 2.5)
    assert fb.correct is None and "2.5 servers is not a whole number" in fb.message and "count of servers" in fb.message
    assert judge(q, 3.0).correct is True and judge(q, 2).correct is False
    with pytest.raises(ValueError, match="integer"):
        Numeric("x", 2.5, integer=True)
    with pytest.raises(ValueError, match="integer"):
        Numeric("x", 2, integer="yes")


def test_the_chapter_quizzes_ask_whole_counts_as_counts():
    from distlab.consensus.quiz import QUIZ as consensus
    from distlab.reliability.quiz import QUIZ as reliability

    assert consensus[0]["integer"] is True and reliability[0]["integer"] is True
