"""A small reader and writer for EDN, the data notation Jepsen writes its histories in.

EDN (extensible data notation, https://github.com/edn-format/edn) is Clojure's literal syntax. A
Jepsen history is a sequence of operation maps such as ``{:process 0, :type :invoke, :f :cas,
:value [1 2]}``. This module reads the subset histories use -- maps, vectors, lists, sets,
keywords, symbols, strings, integers, floats, ``nil``, ``true``/``false``, ``;`` comments, commas
as whitespace, ``#_`` discard -- and nothing more. Every map remembers the line it started on, so a
history reader can say *where* an operation is malformed.

>>> forms = read_all('{:f :cas, :value [1 2]} ; a comment')
>>> forms[0][Keyword("f")], forms[0][Keyword("value")], forms[0].line
(Keyword('cas'), (1, 2), 1)
"""
from __future__ import annotations

import re
from typing import Any

__all__ = ["Keyword", "Symbol", "EdnMap", "EdnError", "read_all", "dumps"]


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


_DELIMS = set("()[]{}\";,") | set(" \t\r\n")
_INT = re.compile(r"[+-]?\d+N?$")
_FLOAT = re.compile(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?M?$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f"}


class _Reader:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.line = 1

    def error(self, reason: str) -> EdnError:
        return EdnError(self.line, reason)

    def skip_ws(self) -> None:
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c == "\n":
                self.line += 1
                self.i += 1
            elif c in " \t\r,":
                self.i += 1
            elif c == ";":
                while self.i < n and s[self.i] != "\n":
                    self.i += 1
            else:
                return

    def at_end(self) -> bool:
        self.skip_ws()
        return self.i >= len(self.s)

    def read(self) -> Any:
        self.skip_ws()
        if self.i >= len(self.s):
            raise self.error("unexpected end of input")
        c = self.s[self.i]
        if c == "{":
            line = self.line
            self.i += 1
            items = self.read_seq("}")
            if len(items) % 2:
                raise EdnError(line, "a map needs an even number of forms (key value pairs)")
            m = EdnMap()
            for k, v in zip(items[::2], items[1::2]):
                try:
                    m[k] = v
                except TypeError:
                    raise EdnError(line, f"map key {k!r} is not hashable") from None
            m.line = line
            return m
        if c in "[(":
            self.i += 1
            return tuple(self.read_seq("]" if c == "[" else ")"))
        if c == "#":
            nxt = self.s[self.i + 1: self.i + 2]
            if nxt == "{":
                self.i += 2
                return frozenset(self.read_seq("}"))
            if nxt == "_":
                self.i += 2
                self.read()
                return self.read()
            raise self.error(f"unsupported dispatch '#{nxt}'")
        if c == '"':
            return self.read_string()
        if c in ")]}":
            raise self.error(f"unexpected '{c}'")
        return self.read_atom()

    def read_seq(self, close: str) -> list[Any]:
        out: list[Any] = []
        start = self.line
        while True:
            self.skip_ws()
            if self.i >= len(self.s):
                raise EdnError(self.line, f"'{close}' expected (opened on line {start}) before end of input")
            if self.s[self.i] == close:
                self.i += 1
                return out
            out.append(self.read())

    def read_string(self) -> str:
        self.i += 1
        buf: list[str] = []
        s, n = self.s, len(self.s)
        start = self.line
        while self.i < n:
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(buf)
            if c == "\\":
                esc = s[self.i + 1: self.i + 2]
                if esc == "u":
                    buf.append(chr(int(s[self.i + 2: self.i + 6], 16)))
                    self.i += 6
                    continue
                if esc not in _ESCAPES:
                    raise self.error(f"unknown string escape '\\{esc}'")
                buf.append(_ESCAPES[esc])
                self.i += 2
                continue
            if c == "\n":
                self.line += 1
            buf.append(c)
            self.i += 1
        raise EdnError(start, "unterminated string")

    def read_atom(self) -> Any:
        s, n = self.s, len(self.s)
        j = self.i
        while j < n and s[j] not in _DELIMS:
            j += 1
        tok = s[self.i: j]
        self.i = j
        if tok.startswith(":"):
            if len(tok) == 1:
                raise self.error("empty keyword ':'")
            return Keyword(tok[1:])
        if tok == "nil":
            return None
        if tok in ("true", "false"):
            return tok == "true"
        if _INT.match(tok):
            return int(tok.rstrip("N"))
        if _FLOAT.match(tok):
            return float(tok.rstrip("M"))
        if tok[0].isdigit():
            raise self.error(f"malformed number {tok!r}")
        return Symbol(tok)


def read_all(text: str) -> list[Any]:
    """Every top-level form in ``text``, in order. Raises :class:`EdnError` naming the line."""
    r = _Reader(text)
    forms: list[Any] = []
    while not r.at_end():
        forms.append(r.read())
    return forms


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
        out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{out}"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{dumps(k)} {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (set, frozenset)):
        return "#{" + " ".join(dumps(v) for v in sorted(value, key=repr)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(dumps(v) for v in value) + "]"
    raise ValueError(f"value {value!r} of type {type(value).__name__} has no EDN form")
