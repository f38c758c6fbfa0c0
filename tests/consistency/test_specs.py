"""Sequential specifications: the describe hooks explanations print with, and the explanation's
default wording (the text notebook 01 shows)."""
from dataclasses import replace

from distlab.consistency import check
from distlab.consistency.specs import MODELS, Model, get_model
from distlab.consistency.verdict import describe
from distlab.sim.history import History, Op


def _stale_read() -> History:
    return History.of([
        Op(0, "write", 1, invoke=0, complete=1, status="ok"),
        Op(1, "read", invoke=2, complete=3, status="ok", result=None),
    ])


def _shouting(model: Model) -> Model:
    return replace(model, describe_operation=lambda op: f"OP<{op.f} by {op.process}>",
                   describe_state=lambda s: f"STATE<{s}>")


def test_default_hooks_are_describe_and_repr():
    for m in MODELS.values():
        assert m.describe_operation is describe and m.describe_state is repr


def test_default_explanation_text_is_unchanged():
    v = check(_stale_read(), "linearizable", "register")
    assert v.explanation == (
        "#1 p1 read→None cannot take effect at any instant between its invocation (t=2) and its completion "
        "(t=3): it returned None, but every consistent account of the operations before it leaves the "
        "register holding {1} (before the operations still in flight act), and no order of those in-flight "
        "operations yields None. Smallest failing window: 1 operation (operation #1), starting from any "
        "of the states {1} -- no order of them that respects real time is legal.")


def test_linearizability_explanation_uses_the_hooks():
    v = check(_stale_read(), "linearizable", _shouting(get_model("register")))
    assert v.status == "violated"
    assert v.explanation.startswith("OP<read by 1> cannot take effect")
    assert "holding {STATE<1>}" in v.explanation and "yields STATE<None>" in v.explanation
    assert "any of the states {STATE<1>}" in v.explanation


def test_cas_explanation_describes_the_expected_state():
    h = History.of([
        Op(0, "write", 1, invoke=0, complete=1, status="ok"),
        Op(1, "cas", (2, 3), invoke=2, complete=3, status="ok"),
    ])
    v = check(h, "linearizable", _shouting(get_model("cas-register")))
    assert "needed the register to hold STATE<2>" in v.explanation
    assert "OP<cas by 1>" in v.explanation


def test_rung_and_uniqueness_explanations_use_the_hooks():
    m = _shouting(get_model("register"))
    # process 1 reads 1 then the initial value: monotonic reads fails at its second read
    h = History.of([
        Op(0, "write", 1, invoke=0, complete=1, status="ok"),
        Op(1, "read", invoke=2, complete=3, status="ok", result=1),
        Op(1, "read", invoke=4, complete=5, status="ok", result=None),
    ])
    v = check(h, "monotonic-reads", m)
    assert v.status == "violated" and "OP<read by 1>" in v.explanation
    twice = History.of([Op(0, "write", 1, invoke=0, complete=1, status="ok"),
                        Op(1, "write", 1, invoke=2, complete=3, status="ok")])
    v = check(twice, "pram", m)
    assert v.status == "unknown" and "value STATE<1>" in v.explanation and "OP<write by 0>" in v.explanation

