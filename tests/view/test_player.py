import pytest

from distlab.view.player import Player


def test_step_seek_and_buttons_call_show_with_each_index():
    shown = []
    p = Player(5, shown.append)
    assert shown == [0]
    p.next_button.click()
    p.next_button.click()
    p.back_button.click()
    p.last_button.click()
    p.next_button.click()  # already at the end: stays
    p.first_button.click()
    assert shown == [0, 1, 2, 1, 4, 0]
    p.seek(3)
    assert p.index == 3 and shown[-1] == 3
    with pytest.raises(ValueError, match=r"index must be an integer in \[0, 4\]"):
        p.seek(5)


def test_play_widget_and_slider_stay_in_sync_without_a_browser():
    shown = []
    p = Player(10, shown.append)
    p.play.value = 6  # what the browser's Play does each tick
    assert p.slider.value == 6 and shown[-1] == 6
    p.slider.value = 2
    assert p.play.value == 2


def test_fork_hook_gets_the_current_frame_and_the_trace_can_grow():
    forks = []
    p = Player(4, lambda i: None, on_fork=lambda i: forks.append(i) or "forked")
    p.seek(2)
    p.fork_button.click()
    assert forks == [2]
    p.set_length(8)
    assert p.n_frames == 8 and p.index == 2 and p.play.max == 7
    p.seek(7)
    p.set_length(3)
    assert p.index == 2 and p.n_frames == 3


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_frames"):
        Player(0, print)
    with pytest.raises(ValueError, match="interval_ms"):
        Player(3, print, interval_ms=1)
    with pytest.raises(ValueError, match="on_fork"):
        Player(3, print).fork()
