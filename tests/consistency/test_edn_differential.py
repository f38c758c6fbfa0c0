"""Our EDN reader against the ``edn-format`` package on random EDN documents.

Random values -- nil, booleans, integers (big, negative, ``N``), floats (``M`` decimals,
``##Inf``), strings with escapes and ``\\u`` codes, characters, keywords, symbols, vectors, lists,
maps, sets, nested, tagged, with ``#_`` discards -- are written as text with random whitespace,
commas and comments (also before the first form and after the last, with or without a final
newline), read by both, and compared after normalising each to plain Python.

Differences by design, normalised away or not generated:

* lists and vectors both read as tuples here (edn-format: tuple and ``ImmutableList``);
* characters read as one-character strings (edn-format: ``Char``, a ``str`` subclass), and ``M``
  decimals as floats (edn-format: ``Decimal``);
* a tagged element reads as its form (edn-format needs ``add_tag``; we register each tag as the
  identity, so both agree); ``#inst``/``#uuid`` (edn-format builds dates and UUIDs) are not drawn;
* our keywords and symbols are ``str`` subclasses, equal to a string of the same name, so a map
  or set holding both ``:a`` and ``"a"`` would keep one here and two there: drawn names and
  strings never coincide (strings start with a space, names do not);
* maps are dicts, which cannot be map keys or set elements here (a history value never needs
  that; the reader says so): such documents are not drawn;
* edn-format does not accept ``\\r`` between forms, ``\\formfeed``/``\\backspace`` or ``1.``:
  not drawn (we accept them).
"""
from __future__ import annotations

import decimal

import edn_format  # type: ignore[import-untyped]
from hypothesis import given, settings, strategies as st

from distlab.consistency.edn import Keyword, Symbol, read_all

TAGS = ("t", "x1", "my.app/tag", "jepsen.history.Op")
for _tag in TAGS:
    edn_format.add_tag(_tag, lambda form: form)

SEP = st.sampled_from([" ", "  ", "\n", ",", ", ", "\t", " ; a comment\n", "\n;; two ; semicolons\n"])
NAME = r"[a-z0-9\-?!*]{1,6}(/[a-z][a-z0-9]{0,4})?"


@st.composite
def strings(draw: st.DrawFn) -> str:
    """A string literal (content starts with a space), some characters escaped."""
    out = ['" ']
    for ch in draw(st.text(st.characters(codec="utf-8"), max_size=8)):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r" and draw(st.booleans()):
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 0x10000 and draw(st.integers(0, 3)) == 0:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


SCALARS = st.one_of(
    st.sampled_from(["nil", "true", "false", "##Inf", "##-Inf", "1.25M", "-0.5M", "\\a", "\\Z", "\\7", "\\(",
                     "\\newline", "\\space", "\\tab", "\\return", "\\u00e9", "\\u0041"]),
    st.integers().map(str), st.integers(-(2**80), 2**80).map(lambda i: f"{i}N"),
    st.integers(0, 99).map(lambda i: f"+{i}"),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    strings(),
    st.from_regex("k" + NAME, fullmatch=True).map(lambda s: ":" + s),
    st.from_regex("s" + NAME, fullmatch=True),
)


@st.composite
def sequence(draw: st.DrawFn, elements: st.SearchStrategy[str], opener: str, closer: str,
             pairs: bool = False) -> str:
    """A collection's text: elements with random separators, some preceded by a ``#_`` discard.
    A set's elements (and a map's keys) are distinct as we compare values (``[]`` equals ``()``,
    as in Clojure; edn-format tells them apart)."""
    items = draw(st.lists(elements, max_size=4, unique_by=_value if opener == "#{" else None))
    if pairs:
        items = items[: len(items) // 2 * 2]
    out = [opener]
    for item in items:
        if draw(st.integers(0, 5)) == 0:
            out.append("#_" + draw(SEP) + draw(SCALARS) + draw(SEP))
        out.append(item + draw(SEP))
    return "".join(out) + closer


def _value(text: str) -> object:
    return read_all(text)[0]


def _tagged(form: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(TAGS), form).map(lambda t: f"#{t[0]} {t[1]}")


HASHABLE = st.recursive(SCALARS, lambda inner: st.one_of(
    sequence(inner, "[", "]"), sequence(inner, "(", ")"), sequence(inner, "#{", "}"), _tagged(inner)), max_leaves=8)


@st.composite
def maps(draw: st.DrawFn, values: st.SearchStrategy[str]) -> str:
    """A map's text: hashable keys, any values."""
    keys = draw(st.lists(HASHABLE, max_size=3, unique_by=_value))
    return "{" + "".join(k + draw(SEP) + draw(values) + draw(SEP) for k in keys) + "}"


FORMS = st.recursive(SCALARS, lambda inner: st.one_of(
    sequence(inner, "[", "]"), sequence(inner, "(", ")"), sequence(HASHABLE, "#{", "}"), maps(inner),
    _tagged(inner)), max_leaves=12)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Forms with separators, comments before the first and after the last (maybe no final newline)."""
    forms = draw(st.lists(FORMS, min_size=1, max_size=3))
    lead = draw(st.sampled_from(["", "; header comment\n", "\n\n", " , "]))
    tail = draw(st.sampled_from(["", "\n", " ; trailing comment", "; c\n"]))
    return lead + "".join(f + draw(SEP) for f in forms[:-1]) + forms[-1] + tail


def ours(v: object) -> object:
    """Our reader's value as plain, comparable Python."""
    if isinstance(v, Keyword):
        return ("kw", str(v))
    if isinstance(v, Symbol):
        return ("sym", str(v))
    if isinstance(v, dict):
        return ("map", frozenset((ours(k), ours(x)) for k, x in v.items()))
    if isinstance(v, tuple):
        return ("seq", tuple(ours(x) for x in v))
    if isinstance(v, frozenset):
        return ("set", frozenset(ours(x) for x in v))
    return _scalar(v)


def theirs(v: object) -> object:
    """edn-format's value as plain, comparable Python."""
    if isinstance(v, edn_format.Keyword):
        return ("kw", v.name)
    if isinstance(v, edn_format.Symbol):
        return ("sym", v.name)
    if isinstance(v, edn_format.ImmutableDict):
        return ("map", frozenset((theirs(k), theirs(x)) for k, x in v.items()))
    if isinstance(v, (tuple, edn_format.ImmutableList)):
        return ("seq", tuple(theirs(x) for x in v))
    if isinstance(v, frozenset):
        return ("set", frozenset(theirs(x) for x in v))
    if isinstance(v, decimal.Decimal):
        return ("float", float(v))
    return _scalar(v)


def _scalar(v: object) -> object:
    if isinstance(v, str):
        return ("str", str(v))
    return (type(v).__name__, v)


@settings(max_examples=150, deadline=None)
@given(documents())
def test_ours_reads_what_edn_format_reads(text):
    assert [ours(v) for v in read_all(text)] == [theirs(v) for v in edn_format.loads_all(text)], text


def test_the_normalisation_sees_differences():
    assert ours(read_all("[1 :a]")[0]) == theirs(edn_format.loads("(1 :a)"))
    assert ours(read_all("[1 :a]")[0]) != theirs(edn_format.loads("[1 a]"))
    assert ours(read_all("{1 2}")[0]) != theirs(edn_format.loads("{1 3}"))
    assert ours(read_all("1")[0]) != theirs(edn_format.loads("1.0"))
