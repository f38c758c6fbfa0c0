"""The library's own code, shown on the page where the prose explains it.

``show_source(TokenBucket.apply)`` displays the function's source exactly as the library holds it
(``inspect.getsource``), syntax-highlighted, under a one-line header naming where it lives. A
notebook never carries a copy of an algorithm that could drift from the one its simulations run:
the code is read from the installed package when the cell runs, and ``tests/notebooks`` checks
that every stored ``show_source`` output still equals the library's current source.

The plain-text form (what nbval and a terminal see) is the header line then the source::

    # distlab.reliability.token_bucket: TokenBucket.apply
    def apply(self, state, ...):
        ...
"""
from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

HEADER = "# {module}: {qualname}"
_HEADER_LINE = re.compile(r"^# (?P<module>distlab(?:\.\w+)+): (?P<qualname>[\w.]+)$")
_FORMATTER = HtmlFormatter(noclasses=True, nowrap=True, style="default")


class LibrarySource:
    """One library object's source, ready to display (HTML in JupyterLab, plain text elsewhere)."""

    def __init__(self, objs: tuple[Callable[..., Any] | type, ...]) -> None:
        if not objs:
            raise ValueError("show_source needs at least one function, method or class")
        self.parts = [(header(obj), source_of(obj)) for obj in objs]

    def __repr__(self) -> str:
        return "\n".join(f"{head}\n{code}" for head, code in self.parts).rstrip("\n")

    def _repr_html_(self) -> str:
        blocks = []
        for head, code in self.parts:
            body = highlight(code, PythonLexer(), _FORMATTER)
            blocks.append(
                f'<div style="font-size:90%;color:#555;margin:0.4em 0 0.1em">{head[2:]}</div>'
                f'<pre style="margin:0;padding:0.5em;background:#f7f7f7;border-left:3px solid #0072B2;'
                f'line-height:125%;overflow-x:auto">{body}</pre>')
        return "".join(blocks)


def header(obj: Callable[..., Any] | type) -> str:
    """The header line naming where ``obj`` lives: ``# <module>: <qualified name>``."""
    target = inspect.unwrap(obj)
    return HEADER.format(module=target.__module__, qualname=target.__qualname__)


def source_of(obj: Callable[..., Any] | type) -> str:
    """``obj``'s source as the library holds it, dedented (a method reads like a function)."""
    return textwrap.dedent(inspect.getsource(inspect.unwrap(obj)))


def show_source(*objs: Callable[..., Any] | type) -> LibrarySource:
    """Display the source of one or more library functions, methods or classes, in order."""
    return LibrarySource(objs)


def resolve(module: str, qualname: str) -> Any:
    """The object a header names (``resolve("distlab.reliability.token_bucket", "TokenBucket.apply")``)."""
    import importlib

    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def parse(text: str) -> list[tuple[str, str, str]]:
    """Split a stored plain-text output back into ``(module, qualname, source)`` parts."""
    parts: list[tuple[str, str, str]] = []
    for line in text.splitlines(keepends=True):
        match = _HEADER_LINE.match(line)
        if match:
            parts.append((match["module"], match["qualname"], ""))
        elif parts:
            module, qualname, code = parts[-1]
            parts[-1] = (module, qualname, code + line)
    return parts
