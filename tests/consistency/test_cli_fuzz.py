"""No input ends in a traceback: random bytes and near-valid EDN / JSON Lines histories fed to the
command line only ever give exit codes 0-3, one well-formed record per file, and never an
"internal error" (the CLI's last line of defence, which would hide a bug in a reader or checker)."""
import json
import re
import subprocess
import sys

from hypothesis import HealthCheck, given, settings, strategies as st

from distlab.consistency.__main__ import main
from distlab.consistency.generate import linearizable_history, plant_stale_read
from distlab.consistency.history_io import to_edn, to_json_lines

_SEEDS = [linearizable_history(s, 8, 3, model=m, keys=2 if m == "kv" else 1)
          for s, m in ((1, "register"), (2, "cas-register"), (3, "kv"))]
VALID = [to_edn(h) for h in _SEEDS] + [to_json_lines(h) for h in _SEEDS] + [to_edn(plant_stale_read(_SEEDS[0]))]

# values a hostile or careless writer might put anywhere: wrong types, non-finite numbers, nesting
ODD = ["NaN", "Infinity", "-Infinity", "1e400", "-1", "0", "9" * 40, '"zero"', "true", "null", "nil", "{}",
       "[]", "()", "#{}", '{"a": 1}', "{:a 1}", "[1 [2 [3]]]", ":kw", "#jepsen.history.Op{}", "#_ 1", "\\u0000",
       "\ufeff", ";", ",", "{", "}", "[", "]", "(", ")", '"', "\\", "\n", "#", "##Inf", "1/2", "1.5M", "7N"]


# a field's value: what follows `:value `, `"invoke": ` and the like, up to the next separator
FIELD = re.compile(r'(?:[:"](?:process|type|f|value|key|time|invoke|complete|status|result)"?:?\s+)([^,}\s]+)')


@st.composite
def near_valid(draw: st.DrawFn) -> bytes:
    """A valid history with a few random edits: a field's value replaced by an odd one, a span
    deleted, junk inserted."""
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        piece = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=4)))
        fields = list(FIELD.finditer(text))
        if fields and draw(st.booleans()):
            m = draw(st.sampled_from(fields))
            i, j = m.span(1)
        else:
            i = draw(st.integers(0, len(text)))
            j = min(len(text), i + draw(st.integers(0, 12)))
        text = text[:i] + piece + text[j:]
    return text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text.encode("utf-8", "replace")


def _run(tmp_path, data: bytes, command: str) -> tuple[int, str]:
    f = tmp_path / "h.hist"
    f.write_bytes(data)
    import io
    from contextlib import redirect_stdout
    out = io.StringIO()
    with redirect_stdout(out):
        code = main([command, "--json", "--timeout", "2", str(f)])
    return code, out.getvalue()


def _assert_clean(code: int, out: str) -> None:
    assert code in (0, 1, 2, 3)
    rec = json.loads(out)                           # exactly one record, well-formed
    assert rec.get("verdict") in (None, "holds", "violated", "unknown", "error")
    assert "internal error" not in out, out


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(tmp_path, data):
    _assert_clean(*_run(tmp_path, data, "check"))


@FUZZ
@given(near_valid())
def test_near_valid_histories_check(tmp_path, data):
    _assert_clean(*_run(tmp_path, data, "check"))


@settings(FUZZ, max_examples=60)
@given(near_valid())
def test_near_valid_histories_classify(tmp_path, data):
    code, out = _run(tmp_path, data, "classify")
    assert code in (0, 2, 3)
    _assert_clean(code, out)


def test_the_inputs_the_issue_names_exit_3_with_the_line_and_no_traceback(tmp_path):
    cases = {
        "map-value.edn": '{:process 0, :type :invoke, :f :write, :value {:a 1}}\n'
                         '{:process 0, :type :ok, :f :write, :value {:a 1}}\n',
        "map-process.edn": '{:process {:p 1}, :type :invoke, :f :read, :value nil}\n',
        "nan.jsonl": '{"process": 0, "f": "write", "value": 1, "invoke": NaN, "complete": 1, "status": "ok"}\n',
        "zero.jsonl": '{"process": 0, "f": "write", "value": 1, "invoke": "zero", "complete": 1, "status": "ok"}\n',
        "model.jsonl": '{"distlab_history": 1, "model": "queue"}\n'
                       '{"process": 0, "f": "write", "value": 1, "invoke": 0, "complete": 1, "status": "ok"}\n',
    }
    paths = []
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    proc = subprocess.run([sys.executable, "-m", "distlab.consistency", "check", "--json", *paths],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["verdict"] for r in rows] == ["error"] * len(cases)
    for r in rows:
        assert "line " in r["error"] and "internal error" not in r["error"], r
