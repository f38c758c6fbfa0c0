"""A small, fast reader and writer for EDN, the data notation Jepsen writes its histories in.

EDN (extensible data notation, https://github.com/edn-format/edn) is Clojure's literal syntax. A
Jepsen history is a sequence of operation maps such as ``{:process 0, :type :invoke, :f :cas,
:value [1 2]}``. This module reads every EDN element: ``nil``, ``true``/``false``, integers
(``N`` suffix too), floats (``M`` suffix read as a float; ``##Inf``, ``##-Inf``, ``##NaN``),
strings, characters (``\\a``, ``\\newline``, ``\\u00e9``: read as one-character strings),
keywords, symbols, lists, vectors, maps and sets; ``;`` comments, commas as whitespace, ``#_``
discard, and tagged elements ``#tag form`` (``#jepsen.history.Op{…}``, ``#inst "…"``), which read
as their form. Lists and vectors both become tuples, sets frozensets, maps :class:`EdnMap` (a
dict). Every map remembers the line it started on, so a history reader can say *where* an
operation is malformed.

The reader tokenises the whole text with one regular expression and assembles the forms with an
explicit stack (no recursion); atoms are converted once per distinct spelling. On a
20,000-operation history it is several times faster than the ``edn-format`` package
(``benchmarks/bench_history_io.py``; figures in ``docs/history-format.md``).

>>> forms = read_all('{:f :cas, :value [1 2]} ; a comment')
>>> forms[0][Keyword("f")], forms[0][Keyword("value")], forms[0].line
(Keyword('cas'), (1, 2), 1)
>>> read_all('#jepsen.history.Op{:f :read} (1 #_ 2 3)')
[{Keyword('f'): Keyword('read')}, (1, 3)]
"""
from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

__all__ = ["Keyword", "Symbol", "EdnMap", "EdnError", "MAX_DEPTH", "read_all", "dumps"]

MAX_DEPTH = 200
"""Deepest nesting of collections (and pending ``#_`` / tags) the reader accepts."""


class EdnError(ValueError):
    """Malformed EDN; the message names the line and the reason."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class Keyword(str):
    """An EDN keyword (``:read``); kept distinct from strings so writing round-trips."""

    def __repr__(self) -> str:
        return f"Keyword({str(self)!r})"


class Symbol(str):
    """An EDN symbol (a bare word that is not nil/true/false)."""

    def __repr__(self) -> str:
        return f"Symbol({str(self)!r})"


class EdnMap(dict[Any, Any]):
    """A map read from EDN; ``line`` is where its opening brace stood."""

    line: int = 0


# One token per match; whitespace, commas and comments before it are skipped by the same match.
# Every character that is not whitespace belongs to some alternative, so nothing is skipped silently.
_DELIM = r' \t\r\n,;()\[\]{}"'
_TOKEN = re.compile(r'(?:[ \t\r,]+|;[^\n]*)*('
                    r'\n'                                     # a line break (counted)
                    r'|"[^"\\]*(?:\\.[^"\\]*)*"'              # a string
                    r'|"'                                     # an unterminated string
                    r'|[()\[\]{}]|#\{|#_'                     # delimiters, set opener, discard
                    r'|\\(?:newline|return|space|tab|formfeed|backspace|u[0-9a-fA-F]{4}|[^ \t\r\n,])'
                    rf'|[^{_DELIM}]+'                         # atoms, ##Inf, #tags
                    r')', re.DOTALL)
_INT = re.compile(r"[+-]?[0-9]+N?")
_FLOAT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?M?")
_NUMBER_START = re.compile(r"[+-]?[0-9]")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f"}
_CHARS = {"newline": "\n", "return": "\r", "space": " ", "tab": "\t", "formfeed": "\f", "backspace": "\b"}
_SYMBOLIC = {"##Inf": math.inf, "##-Inf": -math.inf, "##NaN": math.nan}
_CLOSER_OF = {"(": ")", "[": "]", "{": "}", "#{": "}"}
_PREFIX = "#"               # the "closer" of a pending #_ or #tag: it ends after one form
_MISSING = object()


class _Frame(NamedTuple):
    """An open collection (or pending prefix) and what to restore when it ends."""

    items: list[Any]        # the enclosing collection's items
    close: str              # the enclosing collection's closer
    opener: str             # "(", "[", "{", "#{", "#_" or "#tag"
    line: int


def _unescape(body: str, line: int) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc in _ESCAPES:
            return _ESCAPES[esc]
        if len(esc) == 5:
            return chr(int(esc[1:], 16))
        raise EdnError(line, f"unknown string escape '\\{esc[:1]}'")
    return _ESCAPE.sub(one, body)


def _atom(tok: str, line: int) -> Any:
    """The value an atom token spells: keyword, nil/true/false, number, character or symbol."""
    if tok[0] == ":":
        if len(tok) == 1:
            raise EdnError(line, "empty keyword ':'")
        return Keyword(tok[1:])
    if tok == "nil":
        return None
    if tok == "true" or tok == "false":
        return tok == "true"
    if _NUMBER_START.match(tok):
        if _INT.fullmatch(tok):
            try:
                return int(tok.rstrip("N"))
            except ValueError:          # over Python's int-from-string digit limit
                raise EdnError(line, f"integer of {len(tok)} digits is too long") from None
        if _FLOAT.fullmatch(tok):
            return float(tok.rstrip("M"))
        raise EdnError(line, f"malformed number {tok[:40]!r}")
    if tok[0] == "\\":
        if len(tok) == 1:
            raise EdnError(line, "a character literal '\\' needs a character")
        if len(tok) == 2:
            return tok[1]
        if tok[1:] in _CHARS:
            return _CHARS[tok[1:]]
        if tok[1] == "u" and len(tok) == 6:
            return chr(int(tok[2:], 16))
        raise EdnError(line, f"unknown character literal {tok[:40]!r}")
    if tok[0] == "#":
        if tok in _SYMBOLIC:
            return _SYMBOLIC[tok]
        raise EdnError(line, f"unsupported dispatch {tok[:40]!r}")
    return Symbol(tok)


def _collection(opener: str, items: list[Any], line: int) -> Any:
    """The value of a closed collection opened by ``opener`` on ``line``."""
    if opener == "{":
        if len(items) % 2:
            raise EdnError(line, "a map needs an even number of forms (key value pairs)")
        pairs = iter(items)
        try:
            m = EdnMap(zip(pairs, pairs))
        except TypeError:
            raise EdnError(line, "a map key is a map, which cannot be a key") from None
        m.line = line
        return m
    if opener == "#{":
        try:
            return frozenset(items)
        except TypeError:
            raise EdnError(line, "a set element is a map, which cannot be in a set") from None
    return tuple(items)


def read_all(text: str, lines: list[int] | None = None) -> list[Any]:
    """Every top-level form in ``text``, in order. Raises :class:`EdnError` naming the line.
    With ``lines``, the line each top-level form starts on is appended to it."""
    out: list[Any] = []
    items, close, line, opened = out, "", 1, 0
    stack: list[_Frame] = []
    known: dict[str, Any] = {}                  # token -> value, for atoms and one-line strings
    for tok in _TOKEN.findall(text + "\n"):     # the newline ends a last comment, so it is skipped
        value = known.get(tok, _MISSING)
        if value is _MISSING:
            c = tok[0]
            if c == "\n":
                line += 1
                continue
            if c == '"':
                if len(tok) == 1:
                    raise EdnError(line, "unterminated string")
                value = _unescape(tok[1:-1], line) if "\\" in tok else tok[1:-1]
                if "\n" in tok:
                    line += tok.count("\n")
                else:
                    known[tok] = value
            elif tok in _CLOSER_OF or (c == "#" and tok not in _SYMBOLIC):
                if len(stack) >= MAX_DEPTH:
                    raise EdnError(line, f"values are nested too deeply (more than {MAX_DEPTH} levels)")
                if c == "#" and tok != "#{" and tok != "#_" and not tok[1:2].isalpha():
                    raise EdnError(line, f"unsupported dispatch {tok[:40]!r}")
                if not stack:
                    opened = line
                stack.append(_Frame(items, close, tok, line))
                items, close = [], _CLOSER_OF.get(tok, _PREFIX)
                continue
            elif c in ")]}":
                if tok != close:
                    raise _unexpected(tok, close, stack, line)
                frame = stack.pop()
                value = _collection(frame.opener, items, frame.line)
                items, close = frame.items, frame.close
            else:
                value = known[tok] = _atom(tok, line)
        items.append(value)
        while close == _PREFIX:           # a pending #_ or #tag has its one form
            frame = stack.pop()
            items, close = frame.items, frame.close
            if frame.opener == "#_":
                if not stack:
                    opened = 0
                break
            items.append(value)           # a tagged element reads as its form
        if lines is not None and len(lines) < len(out):
            lines.append(opened or line - tok.count("\n"))
            opened = 0
    if stack:
        frame, line = stack[-1], line - 1        # the line the input ends on (before the added newline)
        want = f"'{close}'" if close != _PREFIX else f"a form after '{frame.opener}'"
        raise EdnError(line, f"{want} expected (opened on line {frame.line}) before end of input")
    return out


def _unexpected(tok: str, close: str, stack: list[_Frame], line: int) -> EdnError:
    if not stack:
        return EdnError(line, f"unexpected '{tok}'")
    frame = stack[-1]
    if close == _PREFIX:
        return EdnError(line, f"a form expected after '{frame.opener}' (line {frame.line}), got '{tok}'")
    return EdnError(line, f"unexpected '{tok}': '{close}' expected (opened on line {frame.line})")


def dumps(value: Any) -> str:
    """EDN text for a value: None→nil, Keyword→:k, tuple/list→[...], dict→{...}, set→#{...}."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Keyword):
        return ":" + str(value)
    if isinstance(value, Symbol):
        return str(value)
    if isinstance(value, str):
        out = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t").replace("\r", "\\r"))
        return f'"{out}"'
    if isinstance(value, float) and not math.isfinite(value):
        return "##NaN" if value != value else ("##Inf" if value > 0 else "##-Inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{dumps(k)} {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (set, frozenset)):
        return "#{" + " ".join(dumps(v) for v in sorted(value, key=repr)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(dumps(v) for v in value) + "]"
    raise ValueError(f"value {value!r} of type {type(value).__name__} has no EDN form")
