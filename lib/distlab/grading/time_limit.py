"""One time limit for every exercise check, in the notebook and in the headless grader.

A learner's answer can loop forever; a check must still come back with feedback. `time_limit`
arms ``SIGALRM`` (POSIX, main thread only) for :data:`CHECK_TIME_LIMIT_S` seconds and raises
:class:`TookTooLong` -- a ``BaseException``, so an answer's ``except Exception`` cannot swallow it --
where the answer's Python code is running. What it cannot stop: a bare ``except:`` in the answer
that catches it, a single long call inside a C extension that does not return to the interpreter
(the alarm is handled when the call returns), and checks run outside the main thread or on
Windows (no ``SIGALRM``): there the check simply runs to its end. The headless grader puts its own
per-notebook timeout around all of this.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["CHECK_TIME_LIMIT_S", "TookTooLong", "time_limit"]

#: seconds one exercise's check may run before it is stopped and reported as "took too long"
CHECK_TIME_LIMIT_S = 10.0


class TookTooLong(BaseException):
    """Raised inside a check that ran past its time limit (a BaseException: answers cannot catch it
    with ``except Exception``)."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise TookTooLong


@contextmanager
def time_limit(seconds: float = CHECK_TIME_LIMIT_S) -> Iterator[bool]:
    """Stop the block with :class:`TookTooLong` after ``seconds``; yields whether the limit is armed
    (False off the main thread or without ``SIGALRM``). A timer already armed by someone else is
    re-armed afterwards with what was left of it."""
    if not seconds > 0:
        raise ValueError(f"seconds must be a number > 0, got {seconds!r}")
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield False
        return
    began = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _expire)
    left, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - began), 1e-3), interval)
