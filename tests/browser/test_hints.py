"""The ``metadata.distlab.browser`` contract (docs/browser-tests.md), checked without a browser so
a chapter author's typo fails `make test-fast` too."""

from __future__ import annotations

import json

import pytest

from .conftest import DATA, NOTEBOOKS_DIR
from .controls import reflects
from .hints import DEFAULT_TIMEOUT_S, BrowserHints, Reflect, parse_hints


def meta(**browser) -> dict:
    return {"distlab": {"browser": browser}}


def test_no_hint_means_generic_defaults():
    assert parse_hints({}) == BrowserHints()
    assert parse_hints({"distlab": {"smoke_parameters": {"seed": 1}}}) == BrowserHints()
    assert BrowserHints().timeout_s == DEFAULT_TIMEOUT_S and BrowserHints().roundtrip


def test_a_full_hint_is_read():
    hints = parse_hints(meta(slider="nodes", button="step", roundtrip=False, timeout_s=60,
                             reflect={"expr": "panel.last_config['nodes']"},
                             skip={"quiz": "numeric questions only"}))
    assert hints.slider == "nodes" and hints.button == "step"
    assert hints.reflect == Reflect("panel.last_config['nodes']", "{value}")
    assert hints.reflect.expected("7") == "7"
    assert not hints.roundtrip and hints.timeout_s == 60.0
    assert hints.skip == {"quiz": "numeric questions only"}


def test_reflect_formats_the_slider_value():
    hints = parse_hints(meta(reflect={"expr": "title", "expect": "{value}-node cluster"}))
    assert hints.reflect.expected("6") == "6-node cluster"


@pytest.mark.parametrize("browser, key", [
    ({"sliders": "nodes"}, "unknown keys"),
    ({"slider": ""}, "slider"),
    ({"button": 3}, "button"),
    ({"reflect": "title"}, "reflect"),
    ({"reflect": {"expr": "x", "extra": 1}}, "reflect"),
    ({"reflect": {"expect": "{value}"}}, "reflect.expr"),
    ({"reflect": {"expr": "x", "expect": "{count}"}}, "reflect.expect"),
    ({"roundtrip": "yes"}, "roundtrip"),
    ({"skip": ["quiz"]}, "skip"),
    ({"skip": {"plot": "why"}}, "skip keys"),
    ({"skip": {"quiz": ""}}, "skip.quiz"),
    ({"timeout_s": 5}, "timeout_s"),
    ({"timeout_s": True}, "timeout_s"),
    ({"slider": "nodes", "skip": {"slider": "why"}}, "skip.slider"),
    ({"button": "go", "skip": {"button": "why"}}, "skip.button"),
])
def test_mistakes_raise_value_error_naming_the_key(browser, key):
    with pytest.raises(ValueError, match=key.replace(".", r"\.")):
        parse_hints(meta(**browser))


def test_browser_hint_must_be_an_object():
    with pytest.raises(ValueError, match=r"metadata\.distlab\.browser"):
        parse_hints({"distlab": {"browser": ["slider"]}})


@pytest.mark.parametrize("path", sorted([*NOTEBOOKS_DIR.glob("*.ipynb"), *DATA.glob("*.ipynb")]),
                         ids=lambda p: p.stem)
def test_every_notebook_hint_parses(path):
    """Each chapter's (and the fixture's) hint is valid, whether or not a browser is installed."""
    parse_hints(json.loads(path.read_text())["metadata"])


@pytest.mark.parametrize("expect, value, text, shown", [
    ("{value}", "17", "17.0", True),
    ("{value}", "0.25", "0.25", True),
    ("{value}", "17", "170", False),
    ("{value}", "1", "17.0", False),
    ("{value}", "leader", "the leader is n2", True),
    ("{value}", "leader", "follower", False),
    ("{value}-node cluster", "6", "6-node cluster, fault: none (seed 0)", True),
    ("{value}-node cluster", "6", "5-node cluster, fault: none (seed 0)", False),
])
def test_reflect_compares_numbers_as_numbers(expect, value, text, shown):
    assert reflects(expect, value, text) is shown
