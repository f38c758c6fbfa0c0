"""Malformed histories are HistoryFormatErrors naming the line (never a traceback from deeper
down); empty ones are empty histories; a byte-order mark is tolerated in every format."""
import pytest

from distlab.consistency import HistoryFormatError, check, detect_format, read_file, read_history
from distlab.consistency.specs import MODELS

INV = "{:process 0, :type :invoke, :f :write, :value 1}\n"


def edn(**fields):
    base = {"process": "0", "type": ":invoke", "f": ":write", "value": "1"}
    base.update(fields)
    return "{" + ", ".join(f":{k} {v}" for k, v in base.items()) + "}\n"


def jsonl(**fields):
    base = {"process": "0", "f": '"write"', "value": "1", "invoke": "1.0", "complete": "2.0", "status": '"ok"'}
    base.update(fields)
    return '{"distlab_history": 1}\n{' + ", ".join(f'"{k}": {v}' for k, v in base.items() if v is not None) + "}\n"


@pytest.mark.parametrize("text,line,reason", [
    (INV + edn(value="{:a 1}"), 2, ":value {:a 1} is a map"),
    (INV + edn(process="{:a 1}"), 2, "process must be an integer or a name"),
    (INV + edn(process="nil"), 2, "process must be"),
    (INV + edn(process="1.5"), 2, "process must be"),
    (INV + edn(process="true"), 2, "process must be"),
    (INV + edn(f=":put", key="{:k 1}", value='"a"'), 2, ":key {:k 1} is a map"),
    (INV + edn(value="#{{:a 1}}"), 2, "a set element is a map"),
    (INV + "{{:a 1} 2}\n", 2, "a map key is a map"),
    (INV + edn(f="{:a 1}"), 2, ":f must be a keyword"),
    (INV + edn(type="{:a 1}"), 2, ":type must be one of"),
    (INV + edn(time="-1"), 2, ":time must be a finite number, not negative"),
    (INV + edn(time='"soon"'), 2, ":time must be"),
    (INV + edn(time="##NaN"), 2, ":time must be"),
    (INV + edn(time="##Inf"), 2, ":time must be"),
    (INV + edn(time="1e999"), 2, ":time must be"),
    (INV + edn(time="1" * 400), 2, ":time must be"),
    (INV + edn(value="##NaN"), 2, ":value is NaN"),
    (INV + edn(value="1" * 5000), 2, "too long"),
    (INV + edn(f=":append", key='"x"', value="5"), 2, "must be a string or nil"),
    (INV + "5\n", 2, "expected an operation map"),
    (edn(time="10") + edn(type=":ok", time="5"), 2, "completion time 5.0 is before its invocation 10.0"),
    ("INFO  jepsen.util - 0\t:invoke\t:write\t{:a 1}\n", 1, "value {:a 1} is a map"),
    ("INFO  jepsen.util - 0\t:invoke\t:write\t[1\n", 1, "bad value"),
])
def test_edn_and_etcd_errors_name_line_and_reason(text, line, reason):
    with pytest.raises(HistoryFormatError) as err:
        read_history(text)
    assert (err.value.line, reason in str(err.value)) == (line, True), str(err.value)


@pytest.mark.parametrize("field,value,reason", [
    ("invoke", "NaN", "invoke must be a finite number"),
    ("invoke", "Infinity", "invoke must be"),
    ("invoke", "-Infinity", "invoke must be"),
    ("invoke", '"zero"', "invoke must be"),
    ("invoke", "true", "invoke must be"),
    ("invoke", "-1", "invoke must be"),
    ("invoke", "null", "invoke must be"),
    ("invoke", "1e400", "invoke must be"),
    ("invoke", "[1]", "invoke must be"),
    ("complete", "NaN", "complete must be"),
    ("complete", '"later"', "complete must be"),
    ("complete", "0.5", "complete (0.5) must not be before invoke (1.0)"),
    ("complete", None, "needs a completion time"),
    ("status", '"maybe"', "status must be one of ok, fail, info"),
    ("status", "5", "status must be one of"),
    ("f", "5", "f must be a string"),
    ("f", "null", "f must be a string"),
    ("process", "{}", "process must be"),
    ("process", "null", "process must be"),
    ("process", "1.5", "process must be"),
    ("process", "[]", "process must be"),
    ("value", '{"a": 1}', "value {\"a\" 1} is a map"),
    ("value", "NaN", "value is NaN"),
    ("value", "[1, {}]", "value {} is a map"),
    ("result", "{}", "result {} is a map"),
    ("key", "{}", "key {} is a map"),
    ("value", "1" * 5000, "invalid JSON"),
    ("value", "[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_json_errors_name_line_and_field(field, value, reason):
    with pytest.raises(HistoryFormatError) as err:
        read_history(jsonl(**{field: value}))
    assert (err.value.line, reason in str(err.value)) == (2, True), str(err.value)


@pytest.mark.parametrize("header,reason", [
    ('{"distlab_history": 1, "model": "registr"}', "unknown model 'registr'; valid models: cas-register, kv, register"),
    ('{"distlab_history": 1, "model": ["kv"]}', "unknown model ['kv']"),
    ('{"distlab_history": 2}', "unsupported format version 2"),
    ('{"distlab_history": true}', "unsupported format version True"),
])
def test_bad_json_header_is_named(header, reason):
    with pytest.raises(HistoryFormatError) as err:
        read_history(header + "\n")
    assert err.value.line == 1 and reason in str(err.value)
    assert sorted(MODELS) == ["cas-register", "kv", "register"]


def test_json_header_must_come_first():
    with pytest.raises(HistoryFormatError, match="line 3: the header"):
        read_history(jsonl() + '{"distlab_history": 1}\n')


def test_json_kv_values_must_be_strings():
    with pytest.raises(HistoryFormatError, match="line 2: value of a :append must be a string"):
        read_history(jsonl(f='"append"', key='"x"', value="5"))


@pytest.mark.parametrize("text", ["", "\n \n", "\ufeff", "; only a comment\n;; and another\n",
                                  "\ufeff; a comment", '{"distlab_history": 1, "model": "kv"}\n'])
def test_empty_history_is_empty(text):
    h = read_history(text)
    assert len(h) == 0
    assert check(h, "linearizable").status == "holds"


def test_header_only_keeps_its_meta():
    assert read_history('{"distlab_history": 1, "model": "kv"}\n').meta == {"model": "kv"}


@pytest.mark.parametrize("text,fmt", [
    ("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\tnil\n", "etcd-log"),
    (INV + edn(type=":ok"), "edn"),
    ("(" + INV + edn(type=":ok") + ")", "edn"),
    ("#jepsen.history.Op" + INV + "#jepsen.history.Op" + edn(type=":ok"), "edn"),
    ("; a comment\n" + INV + edn(type=":ok"), "edn"),
    (jsonl(), "json"),
])
def test_byte_order_mark_is_tolerated_in_every_format(tmp_path, text, fmt):
    assert detect_format(text) == detect_format("\ufeff" + text) == fmt
    plain = read_history(text)
    assert len(plain) == 1 and read_history("\ufeff" + text) == plain
    path = tmp_path / "h"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_file(path) == plain


def test_values_are_frozen_and_sets_are_values():
    h = read_history(edn(value="#{1 2}") + edn(type=":ok", value="#{2 1}")
                     + edn(process="1", f=":read", value="nil") + edn(process="1", type=":ok", f=":read",
                                                                       value="#{1 2}"))
    assert h[0].value == frozenset({1, 2}) and h[1].result == frozenset({1, 2})
    assert check(h, "linearizable", "register").status == "holds"
    h = read_history(jsonl(value="[1, [2, 3]]", process='"c1"'))
    assert h[0].value == (1, (2, 3)) and h[0].process == "c1"
    hash(h[0].value)


def test_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "h.edn"
    path.write_bytes(INV.encode() + b"{:process 1 :value \xff}\n")
    with pytest.raises(HistoryFormatError, match="line 2: file is not UTF-8 text"):
        read_file(path)
