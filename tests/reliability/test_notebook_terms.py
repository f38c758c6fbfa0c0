"""Notebook 05 defines each term where a learner first meets it: the first markdown cell that uses the
term also holds it in bold, with its definition (a glossary elsewhere would not do).  The terms are
the chapter's own; the lecture's "leaky bucket", "p99" and "cascading failure" are not used in it."""
import json
import pathlib
import re

import pytest

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "05_reliability.ipynb"
TERMS = ("rate limiting", "backpressure", "cascade", "token bucket", "burst", "Poisson", "fixed window", "sliding log",
         "sliding window counter", "GCRA", "Redis", "atomic", "Lua", "EVALSHA", "INCR", "TTL", "sorted set",
         "local budget", "Little's law", "thread pool", "worker", "availability", "bulkhead", "circuit breaker",
         "cooldown", "half-open", "probe", "idempotent", "exponential backoff", "jitter", "optimistic concurrency",
         "idempotency key", "retry storm", "metastable", "retry budget", "gRPC", "deadline", "load shedding", "FIFO")


def _markdown_cells():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("term", TERMS)
def test_a_term_is_defined_in_bold_where_it_is_first_used(term):
    word = re.compile(rf"(?<![\w-]){re.escape(term)}s?(?![\w-])", re.IGNORECASE)
    first = next((cell for cell in _markdown_cells() if word.search(cell)), None)
    assert first is not None, f"{term!r} is not used in the notebook's prose: drop it from TERMS"
    bold = re.findall(r"\*\*(.+?)\*\*", first, re.DOTALL)
    assert any(word.search(b) for b in bold), f"{term!r} is first used, undefined, in:\n{first[:300]}"
