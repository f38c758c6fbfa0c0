"""Readers recognise formats from content, pair events, and name the line of malformed input."""
from pathlib import Path

import pytest
from hypothesis import given, settings

from distlab.consistency import HistoryFormatError, detect_format, read_history, to_edn, to_json_lines
from distlab.consistency.edn import EdnError, Keyword, dumps, read_all
from distlab.consistency.generate import linearizable_history
from tests.consistency.strategies import small_histories

DATA = Path(__file__).resolve().parent.parent / "data" / "etcd"


def test_edn_reads_the_subset_histories_use():
    forms = read_all('{:a nil, :b [1 -2 3.5] :c "s\\"q" :d (x y) :e #{1} :f true} ; tail\n#_ 9 :k')
    m = forms[0]
    assert m[Keyword("a")] is None and m[Keyword("b")] == (1, -2, 3.5) and m[Keyword("c")] == 's"q'
    assert m[Keyword("e")] == frozenset({1}) and m[Keyword("f")] is True
    assert forms[1] == Keyword("k") and len(forms) == 2


@pytest.mark.parametrize("text,line,reason", [
    ("{:a 1}\n{:b 2", 2, "expected"),
    ("{:a 1}\n\n{:a}", 3, "even number"),
    ('[1 2]\n"abc', 2, "unterminated string"),
    ("{:a 1}\n)", 2, "unexpected ')'"),
    ("12x", 1, "malformed number"),
])
def test_edn_errors_name_line_and_reason(text, line, reason):
    with pytest.raises(EdnError) as err:
        read_all(text)
    assert err.value.line == line and reason in str(err.value)


def test_edn_dumps_round_trips():
    value = {Keyword("f"): Keyword("cas"), Keyword("value"): (1, None, "x\ny"), Keyword("t"): 2.5}
    assert read_all(dumps(value))[0] == value


def test_etcd_log_pairs_invocations_and_completions():
    h = read_history((DATA / "etcd_000.log").read_text())
    assert detect_format((DATA / "etcd_000.log").read_text()) == "etcd-log"
    first = next(o for o in h if o.process == 0)
    assert (first.f, first.status, first.result, first.invoke, first.complete) == ("read", "ok", None, 1.0, 7.0)
    cas_fail = [o for o in h if o.f == "cas" and o.status == "fail"]
    assert cas_fail and all(isinstance(o.value, tuple) and len(o.value) == 2 for o in cas_fail)
    info = [o for o in h if o.status == "info"]
    assert info and all(o.complete is None for o in info)


def test_edn_history_with_kv_nemesis_and_independent_tuples():
    text = """; a Jepsen history
{:process 0, :type :invoke, :f :put, :key "x", :value "a"}
{:process :nemesis, :type :info, :f :start, :value nil}
{:process 1, :type :invoke, :f :get, :value ["x" nil]}
{:process 0, :type :ok, :f :put, :key "x", :value "a"}
{:process 1, :type :ok, :f :get, :value ["x" "a"]}
{:process 2, :type :invoke, :f :append, :key "x", :value "b"}
"""
    h = read_history(text)
    assert detect_format(text) == "edn" and len(h) == 3
    get = next(o for o in h if o.f == "get")
    assert (get.key, get.result, get.status) == ("x", "a", "ok")
    append = next(o for o in h if o.f == "append")
    assert append.status == "info" and append.complete is None     # no completion: indeterminate


def test_edn_vector_form_and_time_field():
    h = read_history('[{:process 0 :type :invoke :f :write :value 1 :time 10}\n'
                     ' {:process 0 :type :ok :f :write :value 1 :time 25}]')
    assert (h[0].invoke, h[0].complete, h[0].status) == (10.0, 25.0, "ok")


@pytest.mark.parametrize("text,line,reason", [
    ("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  garbage\n", 2, "not an etcd log line"),
    ("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\n", 2, "still open"),
    ("INFO  jepsen.util - 0\t:ok\t:read\tnil\n", 1, "without an ':invoke'"),
    ('{:process 0, :type :invoke, :f :read}\n{:process 0, :type :done, :f :read}\n', 2, ":type must be"),
    ('{:process 0, :type :invoke, :f :read}\n{:process 1, :f :read}\n', 2, "no :type"),
    ('{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :write}\n', 2, "does not match"),
    ('{"distlab_history": 1}\n{"process": 0, "f": "read", "invoke": 1.0}\n{"process": 0\n', 3, "invalid JSON"),
    ('{"process": 0, "f": "read", "invoke": 2.0, "complete": 1.0, "status": "ok"}\n', 1, "must not be before"),
    ('{"process": 0, "f": "read", "invoke": 2.0, "status": "maybe"}\n', 1, "status must be"),
    ('{"process": 0, "f": "read"}\n', 1, "no invoke"),
    ("hello\n", 1, "unrecognised history format"),
])
def test_malformed_input_names_line_and_reason(text, line, reason):
    with pytest.raises(HistoryFormatError) as err:
        read_history(text)
    assert err.value.line == line and reason in str(err.value)
    assert isinstance(err.value, ValueError)


def _normal(h):
    return [(o.process, o.f, o.key, o.value, o.invoke, o.complete if o.status != "info" else None,
             o.status, o.result) for o in h]


@settings(max_examples=60)
@given(small_histories("kv"))
def test_json_and_edn_writers_round_trip_kv(h):
    assert _normal(read_history(to_json_lines(h))) == _normal(h)
    assert _normal(read_history(to_edn(h))) == _normal(h)


@settings(max_examples=60)
@given(small_histories("cas-register"))
def test_json_and_edn_writers_round_trip_register(h):
    assert _normal(read_history(to_json_lines(h))) == _normal(h)
    assert _normal(read_history(to_edn(h))) == _normal(h)


def test_generated_history_round_trips_through_json():
    h = linearizable_history(3, 60, 5, model="kv", keys=3)
    assert _normal(read_history(to_json_lines(h, model="kv"))) == _normal(h)
    assert read_history(to_json_lines(h, model="kv")).meta == {"model": "kv"}


def test_jepsen_independent_register_tuples_become_keys():
    text = """{:process 0, :type :invoke, :f :write, :value [7 1]}
{:process 0, :type :ok, :f :write, :value [7 1]}
{:process 1, :type :invoke, :f :cas, :value [8 [nil 2]]}
{:process 1, :type :ok, :f :cas, :value [8 [nil 2]]}
{:process 2, :type :invoke, :f :read, :value [7 nil]}
{:process 2, :type :ok, :f :read, :value [7 1]}
"""
    h = read_history(text)
    assert [(o.f, o.key, o.value, o.result) for o in h] == [
        ("write", 7, 1, None), ("cas", 8, (None, 2), None), ("read", 7, None, 1)]
    from distlab.consistency import check
    assert check(h, "linearizable").status == "holds"


def test_plain_register_writes_of_pairs_stay_values():
    h = read_history("{:process 0, :type :invoke, :f :write, :value [1 2]}\n"
                     "{:process 0, :type :ok, :f :write, :value [1 2]}\n")
    assert h[0].key is None and h[0].value == (1, 2)


def test_completed_status_without_completion_time_is_rejected():
    with pytest.raises(HistoryFormatError, match="line 1: a 'ok' operation needs a completion"):
        read_history('{"process": 0, "f": "read", "invoke": 1.0, "status": "ok"}\n')


def test_deeply_nested_edn_is_a_format_error_not_a_crash():
    with pytest.raises(HistoryFormatError, match="nested too deeply"):
        read_history("{:process 0 :type :invoke :f :write :value " + "[" * 5000 + "]" * 5000 + "}")


def test_programmatic_ok_op_without_completion_is_rejected_by_checkers():
    from distlab.consistency import check
    from distlab.sim.history import History, Op
    with pytest.raises(ValueError, match="has no completion time"):
        check(History.of([Op(0, "write", 1, status="ok")]), "linearizable", "register")
