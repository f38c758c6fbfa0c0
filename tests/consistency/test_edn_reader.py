"""The EDN reader: every element and every shape of history file, and errors that name the line."""
import math

import pytest

from distlab.consistency import detect_format, read_history
from distlab.consistency.edn import MAX_DEPTH, EdnError, Keyword, Symbol, dumps, read_all


@pytest.mark.parametrize("text,expected", [
    ("nil true false", [None, True, False]),
    ("0 -7 +3 12345678901234567890N 2.5 -1e3 1.5M 3.", [0, -7, 3, 12345678901234567890, 2.5, -1000.0, 1.5, 3.0]),
    ('"a\\tb\\"c\\\\d\\u00e9\\n" ""', ["a\tb\"c\\d\u00e9\n", ""]),
    ("\\a \\newline \\space \\tab \\u0041 \\(", ["a", "\n", " ", "\t", "A", "("]),
    (":k :ns/k sym ns/sym - + -foo", [Keyword("k"), Keyword("ns/k"), Symbol("sym"), Symbol("ns/sym"),
                                     Symbol("-"), Symbol("+"), Symbol("-foo")]),
    ("[1 [2]] (1 (2)) #{1 #{2}}", [(1, (2,)), (1, (2,)), frozenset({1, frozenset({2})})]),
    ("[1 #_ 2] [#_ 1] #_ #_ 1 2 3", [(1,), (), 3]),
    ('#inst "2020-01-01" #uuid "u" #a #b 5 #jepsen.history.Op{:f :read}',
     ["2020-01-01", "u", 5, {Keyword("f"): Keyword("read")}]),
    ("; first\n1 ; second\n, ,2", [1, 2]),
])
def test_reads_every_element(text, expected):
    assert read_all(text) == expected


def test_symbolic_floats():
    inf, ninf, nan = read_all("##Inf ##-Inf ##NaN")
    assert inf == math.inf and ninf == -math.inf and math.isnan(nan)
    assert [dumps(v) for v in (inf, ninf, nan)] == ["##Inf", "##-Inf", "##NaN"]


def test_maps_remember_their_line_and_tagged_records_too():
    forms = read_all("; c\n{:a 1}\n\n#jepsen.history.Op\n{:b\n \"x\ny\"}\n{:c 3}")
    assert [m.line for m in forms] == [2, 5, 8]
    lines: list[int] = []
    read_all('1\n"two\nlines" #t\n3 [4\n]', lines)
    assert lines == [1, 2, 3, 4]


@pytest.mark.parametrize("text,line,reason", [
    ("{:a 1}\n{:b 2\n", 3, "'}' expected (opened on line 2) before end of input"),
    ("[1 2)", 1, "unexpected ')': ']' expected"),
    ("[#_]", 1, "a form expected after '#_'"),
    ("#_\n", 2, "a form after '#_' expected (opened on line 1)"),
    ("#tag", 1, "a form after '#tag' expected"),
    ("1\n#:ns{:a 1}", 2, "unsupported dispatch '#:ns'"),
    ("##Foo", 1, "unsupported dispatch"),
    ("# 1", 1, "unsupported dispatch"),
    ('"a\\qb"', 1, "unknown string escape '\\q'"),
    ('"\\u12"', 1, "unknown string escape '\\u'"),
    ("\\ ", 1, "character literal"),
    ("\\abc", 1, None),
    ("1\n-2x", 2, "malformed number"),
    ("1\n²", 2, None),
    (":", 1, "empty keyword"),
    ("9" * 5000, 1, "too long"),
    ("#{{:a 1}}", 1, "a set element is a map"),
    ("{{:a 1} 2}", 1, "a map key is a map"),
    ("[" * (MAX_DEPTH + 1), 1, "nested too deeply"),
])
def test_errors_name_the_line(text, line, reason):
    if reason is None:                        # accepted, as edn-format does
        read_all(text)
        return
    with pytest.raises(EdnError) as err:
        read_all(text)
    assert err.value.line == line and reason in str(err.value), str(err.value)


OPS = ["{:type :invoke, :f :write, :value 1, :process 0}", "{:type :ok, :f :write, :value 1, :process 0}"]


@pytest.mark.parametrize("text", [
    "[" + "\n".join(OPS) + "]",
    "(" + "\n".join(OPS) + ")",
    "\n".join(OPS),
    "\n".join("#jepsen.history.Op" + op for op in OPS),
    "; Knossos\n;; history\n(" + OPS[0] + "\n ; mid\n" + OPS[1] + ") ; end",
    "#_ {:ignored 1}\n" + "\n".join(OPS),
])
def test_every_history_shape_reads_the_same(text):
    assert detect_format(text) == "edn"
    h = read_history(text)
    assert [(o.process, o.f, o.value, o.status) for o in h] == [(0, "write", 1, "ok")]


def test_a_non_map_form_is_named_by_its_line():
    with pytest.raises(ValueError, match=r"line 3: expected an operation map \{:process …\}, got \[1 2\]"):
        read_history(OPS[0] + "\n\n[1 2]\n" + OPS[1])
    with pytest.raises(ValueError, match=r"line 2: .*got 7 .after the operation on line 2"):
        read_history("[" + OPS[0] + "\n" + OPS[1] + " 7]")
