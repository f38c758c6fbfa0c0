"""Regressions in explaining a violation (the smallest failing window)."""
from distlab.consistency import check_linearizable
from distlab.sim import History, Op


def test_an_info_op_that_gave_up_before_the_window_stays_open_inside_it():
    # w1 is indeterminate: its client gave up at t=1, but it may still take effect later. The read
    # of 2 at t=5..6 then a read of 1 at t=7..8 is impossible whatever w1 did -- and explaining it
    # must not trip over w1's completion time lying before the failing window.
    h = History.of([
        Op("a", "write", 1, invoke=0, complete=1, status="info"),
        Op("b", "write", 2, invoke=2, complete=3, status="ok"),
        Op("c", "read", invoke=5, complete=6, status="ok", result=2),
        Op("c", "read", invoke=7, complete=8, status="ok", result=None),
    ])
    verdict = check_linearizable(h, "register")
    assert verdict.status == "violated"
    assert verdict.window, "the smallest failing window is reported"
