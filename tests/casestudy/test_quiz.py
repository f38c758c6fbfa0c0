"""Chapter 6's final quiz (`distlab.casestudy.quiz`): one question per chapter, each number it states
recomputed here from the library by another route, each right answer accepted, each wrong option
refused with its own reason, and the widgets driven headless as the notebook will show them."""
from __future__ import annotations

import html
import re
from itertools import combinations

import pytest

from distlab.casestudy.isolation import ANOMALIES, interleave
from distlab.casestudy.quiz import (
    GEO_CLIENT,
    GEO_LEADER,
    LEDGER_REPLICAS,
    QUIZ,
    TITLE,
    TOPICS,
    figures,
    questions,
    regions_survived,
)
from distlab.geo.latency import default_model
from distlab.geo.placement import DEFAULT_REPLICAS, predicted_commit_ms
from distlab.grading.quiz import Numeric, judge, quiz_from_data
from distlab.reliability.cascade_config import Fault
from distlab.services import postgres, sql
from distlab.view.quiz import Quiz

CHOICES = [n for n, q in enumerate(QUIZ) if q["kind"] == "choice"]
NUMERIC = [n for n, q in enumerate(QUIZ) if q["kind"] == "numeric"]


def texts(question: dict) -> str:
    """Everything a learner can read of one question."""
    return " ".join([question["prompt"], question["hint"], question["explanation"],
                     *question.get("options", []), *question.get("why", [])])


def shown(text: str) -> str:
    """``text`` as it appears in the feedback HTML."""
    return html.escape(text)


# ------------------------------------------------------------------------------ topics
def test_the_five_topics_are_each_covered_exactly_once_in_course_order():
    assert TOPICS == ("consistency", "consensus", "transactions", "geo", "reliability")
    by_topic = questions()
    assert tuple(by_topic) == TOPICS and list(by_topic.values()) == QUIZ and len(QUIZ) == 5
    words = {"consistency": "follower", "consensus": "Raft", "transactions": "REPEATABLE READ",
             "geo": "round trips", "reliability": "fraud service slows"}
    for topic, question in by_topic.items():  # each question is about its topic, and only its own
        assert [t for t, w in words.items() if w in question["prompt"]] == [topic]


def test_the_right_option_sits_at_a_different_place_in_each_choice_question():
    answers = [QUIZ[n]["answer"] for n in CHOICES]
    assert len(set(answers)) == len(answers) == 3


# ------------------------------------------------------------------------------ numbers
def test_the_joint_limit_amounts_are_the_isolation_demo_s():
    accounts, transfers = ANOMALIES["write skew"]
    joint = {name: cents for name, (cents, group) in accounts.items() if group == "couple"}
    assert joint == {"checking": 10_000, "savings": 10_000}
    assert [(t.source, t.amount_cents) for t in transfers] == [("checking", 15_000), ("savings", 15_000)]
    f = figures()
    assert (f.opening_cents, f.withdrawal_cents, f.joint_after_cents) == (10_000, 15_000, 20_000 - 30_000)
    q = questions()["transactions"]
    assert "hold $100 each" in q["prompt"] and q["prompt"].count("$150") == 2
    assert "the couple is $100 overdrawn" in q["options"][q["answer"]] and "the sum $200" in q["why"][q["answer"]]


def test_the_regions_survived_match_a_greedy_count_of_the_biggest_regions():
    def greedy(replicas):  # drop the regions holding most replicas first: the worst case
        counts = sorted((replicas.count(r) for r in set(replicas)), reverse=True)
        return next(k for k in range(len(counts) + 1) if len(replicas) - sum(counts[:k + 1]) < len(replicas) // 2 + 1)
    assert regions_survived(LEDGER_REPLICAS) == greedy(LEDGER_REPLICAS) == 1
    assert regions_survived(DEFAULT_REPLICAS) == greedy(DEFAULT_REPLICAS) == 2
    assert regions_survived(("virginia",) * 3) == 0  # one region: its loss is the end
    assert regions_survived(("virginia", "virginia", "oregon")) == 0  # Virginia holds the majority
    q = questions()["consensus"]
    assert q["answer"] == 1 and q["integer"] is True
    assert "2 in Virginia, 1 in Oregon, 1 in Ireland, 1 in Tokyo" in q["prompt"]
    assert "A majority of 5 is 3. Losing Virginia takes 2 replicas and leaves 3" in q["explanation"]
    assert "any other region leave 2" in q["explanation"] and "would survive 2 regions failing" in q["explanation"]
    for down in combinations(set(LEDGER_REPLICAS), 2):  # and two regions: some pair leaves no majority
        if "virginia" in down:
            assert sum(r not in down for r in LEDGER_REPLICAS) < 3


def test_the_geo_answer_is_two_measured_round_trips():
    model = default_model()
    to_leader = model.median_rtt_ms(GEO_CLIENT, GEO_LEADER) / 2 + model.median_rtt_ms(GEO_LEADER, GEO_CLIENT) / 2
    followers = sorted(model.pair_rtt_ms(GEO_LEADER, r) for r in DEFAULT_REPLICAS if r != GEO_LEADER)
    expected = to_leader + followers[1]  # the leader and two followers make 3 of 5
    q = questions()["geo"]
    assert q["answer"] == pytest.approx(expected) == pytest.approx(218.0)
    local = predicted_commit_ms(GEO_CLIENT, GEO_CLIENT, DEFAULT_REPLICAS)
    assert q["explanation"].startswith(
        f"{to_leader:.0f} ms from Ireland to Virginia and back, plus {followers[1]:.0f} ms for the leader to reach "
        f"its second-nearest follower ({followers[0]:.0f} ms to the nearest is not a majority of 5): {expected:.0f} ms")
    assert f"this customer would wait about {local:.0f} ms" in q["explanation"]
    for american in ("virginia", "oregon"):  # "every American customer longer" with the leader in Ireland
        assert (predicted_commit_ms(GEO_CLIENT, american, DEFAULT_REPLICAS)
                > predicted_commit_ms(GEO_LEADER, american, DEFAULT_REPLICAS))
    assert q["tolerance"] < expected - (to_leader + followers[0])  # the nearest-follower slip is refused


def test_the_slowdown_is_chapter_5_s_default_fault():
    q = questions()["reliability"]
    assert Fault().factor == 30.0 and "slows down 30-fold" in q["prompt"] and "30 times" in q["why"][2]


def test_every_number_on_screen_is_one_of_the_computed_figures():
    f = figures()
    allowed = {f"{x:.0f}" for x in (f.client_rtt_ms, f.nearest_ms, f.majority_ms, f.commit_ms, f.local_commit_ms)}
    allowed |= {f"${abs(c) // 100:,}" for c in (f.opening_cents, f.withdrawal_cents, f.joint_after_cents,
                                                   2 * f.opening_cents)}
    allowed |= {str(n) for n in (f.replicas, f.majority, f.regions_survived, f.spread_survived,
                                 LEDGER_REPLICAS.count("virginia"), f.replicas - 2, f.replicas - 3)}
    allowed.add(f"{f.slowdown:g}")
    for question in QUIZ:
        text = re.sub(r"chapter \d|EC2", "", texts(question))
        found = set(re.findall(r"\$?\d[\d,]*(?:\.\d+)?", text))
        assert found <= allowed, found - allowed


# ------------------------------------------------------------------------------ judging
@pytest.mark.parametrize("number", range(len(QUIZ)))
def test_each_right_answer_is_accepted_with_the_explanation(number):
    widget = Quiz.from_data(QUIZ, title=TITLE).questions[number]
    widget.input.value = QUIZ[number]["answer"]
    feedback = widget.check()
    assert feedback.correct is True and "✓</b> Correct" in widget.feedback.value
    assert shown(QUIZ[number]["explanation"]) in widget.feedback.value


@pytest.mark.parametrize(("number", "option"),
                         [(n, i) for n in CHOICES for i in range(4) if i != QUIZ[n]["answer"]])
def test_each_wrong_option_is_refused_with_its_own_reason(number, option):
    question = QUIZ[number]
    why = question["why"]
    assert why[question["answer"]].startswith("Right:") and not why[option].startswith("Right")
    widget = Quiz.from_data(QUIZ, title=TITLE).questions[number]
    widget.input.value = option
    first = widget.check()  # a first wrong try: told it is wrong, given the hint, not the reason
    assert first.correct is False and "✗" in widget.feedback.value and "try again" in first.message
    assert shown(question["hint"]) in widget.feedback.value and shown(why[option]) not in widget.feedback.value
    other = next(i for i in range(4) if i not in (option, question["answer"]))
    widget.input.value = other
    widget.check()
    widget.input.value = option
    again = widget.check()  # a second, different wrong try: now its own reason, and no other option's
    assert again.correct is False and shown(why[option]) in widget.feedback.value
    assert all(shown(why[i]) not in widget.feedback.value for i in range(4) if i != option)


@pytest.mark.parametrize("number", NUMERIC)
def test_a_wrong_number_is_refused_with_its_direction_and_the_hint(number):
    question = QUIZ[number]
    widget = Quiz.from_data(QUIZ, title=TITLE).questions[number]
    widget.input.value = question["answer"] + question["tolerance"] + 1
    high = widget.check()
    assert high.correct is False and "too high -- try again" in high.message and question["hint"] in high.message
    widget.input.value = question["answer"] - question["tolerance"] - 1
    low = widget.check()
    assert low.correct is False and "too low" in low.message and low.explanation == question["explanation"]


def test_numeric_questions_refuse_what_is_not_an_answer_with_the_kit_s_messages():
    regions, ms = (quiz_from_data(QUIZ)[n] for n in NUMERIC)
    assert isinstance(regions, Numeric) and isinstance(ms, Numeric)
    assert regions.integer and not ms.integer
    for q in (regions, ms):
        assert judge(q, "two").correct is None and judge(q, "two").message == "Not a number: 'two'."
        assert judge(q, None).message == "Enter a number first."
    widget = Quiz.from_data(QUIZ, title=TITLE).questions[NUMERIC[0]]
    widget.input.value = 1.5
    half = widget.check()
    assert half.correct is None
    assert half.message == "1.5 regions is not a whole number; the answer is a count of regions."
    assert judge(ms, ms.answer + 0.5).correct is True  # a round trip need not be whole
    nearest = figures().client_rtt_ms + figures().nearest_ms
    assert judge(ms, nearest).correct is False and judge(ms, figures().client_rtt_ms).correct is False


def test_hints_do_not_name_the_answer():
    for question in QUIZ:
        right = (str(question["answer"]) if question["kind"] == "numeric"
                 else question["options"][question["answer"]])
        assert len(question["hint"]) > 40 and right.lower() not in question["hint"].lower()


# ------------------------------------------------------------------------------ rendering
def test_the_quiz_renders_headless_and_keeps_score():
    quiz = Quiz.from_data(QUIZ, title=TITLE)
    assert len(quiz.widget.children) == 7 and TITLE in quiz.widget.children[0].value
    assert "0 of 5 correct" in quiz.score.value
    for number, widget in enumerate(quiz.questions, start=1):
        assert widget.prompt.value.startswith(f"<b>Q{number}.</b>")
        widget.input.value = QUIZ[number - 1]["answer"]
        widget.check_button.click()
    assert quiz.correct_count == 5 and "5 of 5 correct" in quiz.score.value


def test_the_feedback_says_one_region_in_the_singular():
    """Q2's right answer is 1: "Correct: 1 region.", while other counts keep the plural."""
    widget = Quiz.from_data(QUIZ, title=TITLE).questions[NUMERIC[0]]
    assert QUIZ[NUMERIC[0]]["answer"] == 1 and QUIZ[NUMERIC[0]]["unit"] == "regions"
    widget.input.value = 2
    widget.check_button.click()
    assert "Not quite: 2 regions is too high" in widget.feedback.value
    widget.input.value = 1
    widget.check_button.click()
    assert "Correct: 1 region." in widget.feedback.value and "1 regions" not in widget.feedback.value
    assert widget.question.unit == "regions"  # the question itself is unchanged


# ------------------------------------------------------------------------------ the engine agrees
def test_postgresql_does_what_the_transactions_question_says():
    url = postgres.embedded("casestudy-quiz").url
    with sql.connect(url) as admin:
        admin.script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    skew = interleave("write skew", "repeatable read", url)
    assert [r.status for r in skew.results] == ["applied", "applied"] and skew.conflicts == 0
    assert skew.overdrawn == ("couple",) and skew.created_cents == 0
    assert skew.balances["checking"] + skew.balances["savings"] == figures().joint_after_cents
    with sql.connect(url) as admin:
        admin.script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    safe = interleave("write skew", "serializable", url)
    assert not safe.anomalous and [r.status for r in safe.results] == ["applied", "refused"]
