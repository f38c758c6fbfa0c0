"""Notebook 05 defines each term where a learner first meets it: the first markdown cell that uses the
term also holds it in bold, with its definition (a glossary elsewhere would not do).  The terms are
the chapter's own; the lecture's "leaky bucket", "p99" and "cascading failure" are not used in it."""
import pathlib

import pytest
from tests.sweeps import first_use_is_defined

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "05_reliability.ipynb"
TERMS = ("rate limiting", "backpressure", "cascade", "token bucket", "burst", "Poisson", "fixed window", "sliding log",
         "sliding window counter", "GCRA", "Redis", "atomic", "Lua", "EVALSHA", "INCR", "TTL", "sorted set",
         "local budget", "Little's law", "thread pool", "worker", "availability", "bulkhead", "circuit breaker",
         "cooldown", "half-open", "probe", "idempotent", "exponential backoff", "jitter", "optimistic concurrency",
         "idempotency key", "retry storm", "metastable", "retry budget", "gRPC", "deadline", "load shedding", "FIFO")


@pytest.mark.parametrize("term", TERMS)
def test_a_term_is_defined_in_bold_where_it_is_first_used(term):
    first_use_is_defined(NOTEBOOK, term)
