"""The per-notebook browser hint ``metadata.distlab.browser`` (see docs/browser-tests.md).

Without a hint the browser test finds the first slider, button and quiz question by their DOM
classes.  A chapter author can name the controls instead, say what text the kernel should report
after the slider moved, or opt out of one interaction with a reason::

    "distlab": {"browser": {
        "slider": "nodes",
        "button": "step",
        "reflect": {"expr": "panel.last_config['nodes']", "expect": "{value}"},
        "roundtrip": true,
        "skip": {"quiz": "this chapter's quiz is numeric only"},
        "timeout_s": 300
    }}
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Interactions a notebook may opt out of (each with a written reason).
INTERACTIONS = ("slider", "button", "quiz")
KEYS = ("slider", "button", "reflect", "roundtrip", "skip", "timeout_s")
DEFAULT_TIMEOUT_S = 300.0
MAX_TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class Reflect:
    """After the slider moves to value ``v``, ``str(eval(expr))`` in the kernel must contain
    ``expect.format(value=v)``."""

    expr: str
    expect: str = "{value}"

    def expected(self, value: str) -> str:
        return self.expect.format(value=value)


@dataclass(frozen=True)
class BrowserHints:
    slider: str | None = None
    button: str | None = None
    reflect: Reflect | None = None
    roundtrip: bool = True
    skip: dict[str, str] = field(default_factory=dict)
    timeout_s: float = DEFAULT_TIMEOUT_S


def _text(name: str, value, *, allow_none: bool = True) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value.strip()


def parse_hints(metadata: dict) -> BrowserHints:
    """Read ``metadata["distlab"]["browser"]`` of a notebook; missing means all defaults.

    Every mistake raises `ValueError` naming the key and what it accepts, so a typo in a
    chapter's metadata fails loudly instead of silently testing something else."""
    raw = (metadata or {}).get("distlab", {}).get("browser", {})
    if not isinstance(raw, dict):
        raise ValueError(f"metadata.distlab.browser must be an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ValueError(f"metadata.distlab.browser has unknown keys {unknown}; "
                         f"allowed keys are {list(KEYS)}")
    reflect = raw.get("reflect")
    if reflect is not None:
        if not isinstance(reflect, dict) or set(reflect) - {"expr", "expect"}:
            raise ValueError("reflect must be an object with keys 'expr' and optional 'expect', "
                             f"got {reflect!r}")
        expect = _text("reflect.expect", reflect.get("expect", "{value}"), allow_none=False)
        try:
            expect.format(value="1")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("reflect.expect may only use the placeholder {value}, "
                             f"got {expect!r}") from exc
        reflect = Reflect(_text("reflect.expr", reflect.get("expr"), allow_none=False), expect)
    roundtrip = raw.get("roundtrip", True)
    if not isinstance(roundtrip, bool):
        raise ValueError(f"roundtrip must be true or false, got {roundtrip!r}")
    skip = raw.get("skip", {})
    if not isinstance(skip, dict):
        raise ValueError(f"skip must be an object mapping {list(INTERACTIONS)} to reasons, "
                         f"got {skip!r}")
    for key, reason in skip.items():
        if key not in INTERACTIONS:
            raise ValueError(f"skip keys must be among {list(INTERACTIONS)}, got {key!r}")
        _text(f"skip.{key}", reason, allow_none=False)
    timeout = raw.get("timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or not 10 <= timeout <= MAX_TIMEOUT_S:
        raise ValueError(f"timeout_s must be a number in [10, {MAX_TIMEOUT_S:g}], got {timeout!r}")
    if "slider" in skip and (raw.get("slider") or reflect):
        raise ValueError("skip.slider contradicts 'slider'/'reflect': name a slider or skip it")
    if "button" in skip and raw.get("button"):
        raise ValueError("skip.button contradicts 'button': name a button or skip it")
    return BrowserHints(slider=_text("slider", raw.get("slider")),
                        button=_text("button", raw.get("button")), reflect=reflect,
                        roundtrip=roundtrip, skip=dict(skip), timeout_s=float(timeout))
