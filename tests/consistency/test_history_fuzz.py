"""The readers on random and near-valid input: a History or a HistoryFormatError, never any
other exception -- and a History that is returned keeps the readers' promises (hashable
values and process ids, finite times in order). The command line's own fuzz test is in
``test_cli_fuzz.py``."""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings, strategies as st

from distlab.consistency import HistoryFormatError, read_file, read_history, to_edn, to_json_lines
from distlab.sim.history import STATUSES, History
from tests.consistency.strategies import small_histories

FRAGMENTS = ["{", "}", "[", "]", "(", ")", '"', "\\", "#", "#_", "#{", "##NaN", "##Inf", "{:a 1}", "#{}", "#t ",
             ":nemesis", "\ufeff", ";", "\n", ",", " ", "null", "true", "NaN", "Infinity", "-1", '"zero"', "1e999",
             "9" * 5000, ":ok", ":invoke", ":info", ":fail", ":f", ":process", ":value", ":time", "{}", "[1 2]",
             '{"a": 1}', '"invoke"', '"complete"', '"status"', '"model": "x"', "\x00", "\udcff", "é", "[" * 300]


def etcd_log(h: History) -> str:
    """A history as an etcd log (the line is the time)."""
    events = sorted([(o.invoke, 0, o) for o in h] + [(o.complete, 1, o) for o in h if o.complete is not None],
                    key=lambda e: (e[0], e[1], e[2].index))
    lines = []
    for _, done, o in events:
        typ = o.status if done else "invoke"
        value = o.result if done and o.is_read else (None if o.is_read else o.value)
        text = "nil" if value is None else (f"[{value[0]} {value[1]}]" if isinstance(value, tuple) else str(value))
        lines.append(f"INFO  jepsen.util - {o.process}\t:{typ}\t:{o.f}\t{text}")
    return "\n".join(lines) + "\n"


@st.composite
def near_valid(draw: st.DrawFn) -> str:
    """A valid history in one of the formats, then a few random insertions, deletions and repeats."""
    model = draw(st.sampled_from(["cas-register", "kv"]))
    h = draw(small_histories(model))
    writer = draw(st.sampled_from(["edn", "json", "etcd"] if model != "kv" else ["edn", "json"]))
    text = {"edn": to_edn, "json": lambda x: to_json_lines(x, model=model), "etcd": etcd_log}[writer](h)
    if writer == "edn" and draw(st.booleans()):
        text = draw(st.sampled_from(["[", "(", "; c\n("])) + text + draw(st.sampled_from(["]", ")", ""]))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:i] + draw(st.sampled_from(FRAGMENTS)) + text[i:]
        elif action == 1:
            text = text[:i] + text[i + draw(st.integers(1, 8)):]
        else:
            text = text[:i] + text[i:i + draw(st.integers(1, 40))] + text[i:]
    return text


def _read_or_refuse(read, arg) -> None:
    try:
        h = read(arg)
    except HistoryFormatError as err:
        assert str(err) and (err.line >= 0)
        return
    assert isinstance(h, History)
    for o in h:
        hash((o.process, o.value, o.key, o.result))
        assert o.status in STATUSES and isinstance(o.f, str)
        assert math.isfinite(o.invoke) and o.invoke >= 0
        assert o.complete is None or (math.isfinite(o.complete) and o.complete >= o.invoke)
        assert o.value == o.value and o.result == o.result       # no NaN


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid())
def test_near_valid_text_reads_or_is_refused(text):
    _read_or_refuse(read_history, text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_random_text_reads_or_is_refused(text):
    _read_or_refuse(read_history, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), near_valid().map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_random_bytes_read_or_are_refused(tmp_path, data):
    path = tmp_path / "history"
    path.write_bytes(data)
    _read_or_refuse(read_file, path)
