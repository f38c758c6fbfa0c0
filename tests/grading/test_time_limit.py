"""A check that runs too long comes back with feedback instead of hanging the kernel."""
import signal
import time

import pytest

from distlab.grading import checks
from distlab.grading.time_limit import TookTooLong, time_limit


def forever(*_args):
    while True:
        pass


def forever_swallowing(*_args):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 - what a learner writes; the limit is not an Exception
            pass


@pytest.mark.parametrize("answer", [forever, forever_swallowing])
def test_an_endless_answer_is_stopped_and_told_so(monkeypatch, answer):
    monkeypatch.setattr(checks, "CHECK_TIME_LIMIT_S", 0.3)
    began = time.monotonic()
    verdict = checks.evaluate("consensus.quorum", answer)
    assert time.monotonic() - began < 3
    assert verdict.status == "timeout" and "0.3 s" in verdict.message and "took too long" in verdict.text()


def test_a_timer_armed_before_is_armed_again_after():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with time_limit(5.0):
            pass
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 0.5
        time.sleep(0.7)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_quick_block_is_untouched_and_a_bad_limit_refused():
    with time_limit(1.0) as armed:
        assert armed
    with pytest.raises(TookTooLong), time_limit(0.05):
        forever()
    with pytest.raises(ValueError, match="seconds must be"), time_limit(float("nan")):
        pass
