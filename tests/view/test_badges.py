import pytest

from distlab.sim import InvariantSet
from distlab.view.badges import UNCHECKED, Badges, badge_state, badges_html, badges_text


def test_each_state_has_a_symbol_and_a_word_not_only_a_colour():
    html = badges_html({"election_safety": True, "log_matching": "n2 and n3 differ at index 4",
                        "leader_completeness": False, "state_machine_safety": UNCHECKED})
    assert html.count('class="distlab-badge"') == 4
    assert "✓ election_safety <b>holds</b>" in html.replace('<b style="color:#009E73">✓</b>', "✓")
    assert 'data-state="violated"' in html and "n2 and n3 differ at index 4" in html
    assert 'data-state="unchecked"' in html
    text = badges_text({"a": True, "b": "boom", "c": False})
    assert text == "✓ a holds | ✗ b violated: boom | ✗ c violated"


def test_widget_updates_and_rejects_nonsense():
    b = Badges({"x": True})
    assert b.all_hold and "holds" in b.widget.value
    b.update({"x": True, "y": "two leaders in term 3"})
    assert not b.all_hold and "two leaders in term 3" in b.widget.value
    before = b.widget.value
    with pytest.raises(ValueError, match="outcome must be"):
        b.update({"x": 3})
    assert b.widget.value == before
    assert badge_state("")[1] == "violated"  # as in the kernel: any string reports a violation


def test_the_kernels_invariant_results_drive_the_badges_directly():
    inv = InvariantSet()
    inv.add("positive", lambda s: s > 0 or f"state {s} is not positive")
    inv.add("small", lambda s: None if s < 10 else False)
    row = badges_text(inv.evaluate(5))
    assert row == "✓ positive holds | ✓ small holds"
    assert badges_text(inv.evaluate(-3)) == (
        "✗ positive violated: state -3 is not positive | ✓ small holds")


def test_html_is_escaped():
    assert "<script>" not in badges_html({"<script>": "<b>x</b>"})
