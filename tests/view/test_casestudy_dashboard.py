"""Chapter 6's dashboard (`distlab.view.casestudy`): renders headless, every Player frame draws only
what has happened by its time, the title says what the checker found, and the final quiz works."""
from __future__ import annotations

import dataclasses
import io
import itertools

import numpy as np
import pytest
from matplotlib.figure import Figure

from distlab.casestudy.chaos import ChaosFault
from distlab.casestudy.checker import Violation
from distlab.casestudy.config import BankConfig, Safeguards
from distlab.casestudy.run import BankRun, run_bank
from distlab.casestudy.schedules import chaos_for
from distlab.casestudy.series import Mark, bank_series
from distlab.view import casestudy as cv
from distlab.view.casestudy_board import FIGSIZE, board_of, cursor_time, render_dashboard
from distlab.view.casestudy_layers import headline
from distlab.view.style import figure_png
from tests.casestudy.bankruns import money_violation

PNG = b"\x89PNG\r\n\x1a\n"
CHAOS = (ChaosFault(1.0, "spike", duration=2.0, amount=120.0),
         ChaosFault(2.0, "duplicates", duration=3.0, amount=0.5),
         ChaosFault(3.5, "fraud slowdown", duration=4.0, amount=5.0),
         ChaosFault(7.0, "saga crash", "after_action:ledger"))


@pytest.fixture(scope="module")
def clean() -> BankRun:
    """Every safeguard but the bulkhead: no violation, and the fraud slowdown opens the breaker."""
    return run_bank(BankConfig(seed=1, safeguards=Safeguards(bulkhead=False)), CHAOS)


@pytest.fixture(scope="module")
def doubled() -> BankRun:
    """No idempotency under duplicated requests: transfers applied twice."""
    return run_bank(BankConfig(seed=1, safeguards=Safeguards(idempotency=False)), CHAOS)


def _data(values: object) -> list[float]:
    """A line's x or y data as plain floats."""
    return [float(v) for v in np.asarray(values)]


def _title(board: cv.Dashboard) -> str:
    return board.figure.texts[0].get_text()


def test_every_player_frame_draws_up_to_its_bin(clean: BankRun) -> None:
    board = cv.dashboard(clean)
    series = board.series
    axes = list(board.figure.axes)
    assert board.panel.last_png is not None and board.panel.last_png.startswith(PNG)
    for k in range(series.bins):
        board.player.seek(k)
        assert board.panel.last_error is None and board.panel.last_png is not None, k
        drawn = board_of(board.figure)
        assert drawn is not None
        success, _ = drawn.layers.binned[0]
        assert len(_data(success.get_xdata())) == min(k + 1, series.bins)
        reads = sum(1 for r in series.reads if r.time <= board.now)
        assert len(drawn.layers.by_read) == 1 + clean.config.accounts  # the total, and each account
        assert {len(_data(line.get_xdata())) for line, _ in drawn.layers.by_read} == {reads}
        assert _data(drawn.cursors[0].get_xdata()) == [board.now] * 2 == [cursor_time(series, k)] * 2
        assert drawn.masks[0].get_x() == board.now
    assert board.player.shown == list(range(series.bins))
    assert list(board.figure.axes) == axes  # no axes rebuilt between frames
    assert board.now == max(series.end, series.reads[-1].time)  # the last frame shows the final audit


def test_marks_appear_when_their_time_comes(clean: BankRun) -> None:
    board = cv.dashboard(clean)
    drawn = board_of(board.figure)
    assert drawn is not None
    labels = {artist.get_text().strip(): (artist, at) for artist, at in drawn.layers.timed
              if hasattr(artist, "get_text")}
    assert {"spike +120/s", "dups 50%", "fraud slow 5s", "service crash", "breaker open"} <= set(labels)
    assert "service down" not in labels  # the crash the fault caused is labelled once, by the fault
    spike, at = labels["spike +120/s"]
    assert at == 1.0 and not spike.get_visible()
    board.player.seek(3)  # up to 1.0 s
    assert spike.get_visible() and not labels["fraud slow 5s"][0].get_visible()
    board.player.seek(board.series.bins - 1)
    assert all(artist.get_visible() for artist, _ in labels.values())


def test_a_clean_run_says_money_was_conserved(clean: BankRun) -> None:
    board = cv.dashboard(clean)
    assert clean.verdict.ok
    title = _title(board)
    reads = len(board.series.reads)
    assert title.startswith(f"Whole run: money conserved, total $12,000.00 in every read ({reads} reads); "
                            "the checker found no violation\nt = 0.25 s (bin 1 of ")
    assert "VIOLATION" not in title
    drawn = board_of(board.figure)
    assert drawn is not None and drawn.layers.bad_read_times == []


def test_a_violation_is_named_in_the_title_and_marked(doubled: BankRun) -> None:
    first = doubled.verdict.first
    assert first is not None and {v.kind for v in doubled.verdict.violations} >= {"applied twice"}
    board = cv.dashboard(doubled)
    title = _title(board)
    assert title.startswith(f"Whole run: VIOLATION: {len(doubled.verdict.violations)} found, the first: "
                            f"{first.kind} at t={first.time:.2f} s\n")
    assert "\nEvery read sums to the bank's $12,000.00 (" in title  # the reads still sum right
    drawn = board_of(board.figure)
    assert drawn is not None
    red_line, red_word = drawn.layers.timed[-2][0], drawn.layers.timed[-1][0]
    assert red_word.get_text().startswith(f"✗ {first.kind}") and not red_word.get_visible()  # type: ignore[attr-defined]
    board.player.seek(board.series.bins - 1)
    assert red_line.get_visible() and red_word.get_visible()


def test_money_not_conserved_shows_as_a_red_cross(clean: BankRun) -> None:
    series = bank_series(money_violation(clean), bin_s=0.25)
    fig = render_dashboard(series, frame=0)
    drawn = board_of(fig)
    assert drawn is not None and drawn.layers.bad_reads is not None
    assert _data(drawn.layers.bad_reads.get_xdata()) == []  # at 0.25 s the bad read (0.6 s) is still ahead
    render_dashboard(series, fig=fig)
    assert _data(drawn.layers.bad_reads.get_xdata()) == [0.6]
    assert _data(drawn.layers.bad_reads.get_ydata()) == [12_000.01]
    title = fig.texts[0].get_text()
    assert title.startswith("Whole run: VIOLATION: 1 found, the first: money at t=0.60 s\nread 2 sums to 1200001 cents")
    assert "Money NOT conserved: 1 of 2 reads do not sum to the bank's $12,000.00" in title


def test_bad_frames_and_runs_are_refused(clean: BankRun) -> None:
    series = bank_series(clean)
    with pytest.raises(ValueError, match=r"frame must be an integer in \[0, "):
        render_dashboard(series, frame=series.bins)
    with pytest.raises(ValueError, match="run must be a BankRun"):
        cv.dashboard("run")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"bin_s must be a number of seconds from 0\.01 to 60"):
        cv.dashboard(clean, bin_s=0)


def test_the_default_dashboard_replays_the_chapters_chaos_run() -> None:
    board = cv.dashboard(seed=3, bin_s=1.0)
    assert list(board.run.chaos) == chaos_for(3, BankConfig(seed=3))  # the notebook's seed-3 schedule
    assert [str(f) for f in board.run.chaos] == [n.detail for n in board.run.metrics.of("fault")]
    assert board.series.bins == len(board.series.starts) >= 10 and board.panel.last_png is not None


def test_the_final_quiz_has_five_questions_with_feedback() -> None:
    quiz = cv.quiz()
    assert len(quiz.questions) == 5 and "0 of 5 correct" in quiz.score.value
    assert "Chapter 6: final quiz" in quiz.widget.children[0].value
    for question in quiz.questions:
        data = question.question
        question.input.value = data.answer
        question.check_button.click()
        assert question.last is not None and question.last.correct is True


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize("frame", [0, 20, None])
def test_a_frozen_frame_looks_like_a_full_redraw(doubled: BankRun, frame: int | None) -> None:
    """The Player's figure draws what never moves once, as a picture; its frames match a full draw
    (but for the anti-aliased edges where a line crosses a spine)."""
    series = bank_series(doubled)
    frozen = render_dashboard(series, 5, fig=Figure(figsize=FIGSIZE, dpi=80), freeze=True)
    render_dashboard(series, frame, fig=frozen, freeze=True)
    drawn = board_of(frozen)
    assert drawn is not None and drawn.frozen == (560, 576, 4) and len(frozen.images) == 1
    full = render_dashboard(series, frame, fig=Figure(figsize=FIGSIZE, dpi=80))
    a, b = _pixels(figure_png(frozen)), _pixels(figure_png(full))
    assert a.shape == b.shape == (560, 576, 3)
    differ = (np.abs(a - b).max(axis=2) > 60).mean()
    assert differ < 0.0002, differ
    render_dashboard(series, frame, fig=frozen)  # asked not to freeze: rebuilt as a plain figure
    drawn = board_of(frozen)
    assert drawn is not None and drawn.frozen == () and len(frozen.images) == 0


def test_headlines_for_a_late_violation_and_for_no_reads(clean: BankRun) -> None:
    series = bank_series(clean)
    late = dataclasses.replace(series, violations=(Violation("saga", "saga c0-3 ended the run 'running'"),))
    assert headline(late).splitlines() == [
        "Whole run: VIOLATION: 1 found, the first: saga at the end", "saga c0-3 ended the run 'running'",
        f"Every read sums to the bank's $12,000.00 ({len(series.reads)} reads), but the totals alone miss this "
        "violation"]
    fig = render_dashboard(late)
    drawn = board_of(fig)
    assert drawn is not None
    red_line, red_word = drawn.layers.timed[-2][0], drawn.layers.timed[-1][0]
    assert red_word.get_text() == "✗ saga (found at the end)" and red_word.get_visible()  # type: ignore[attr-defined]
    assert _data(red_line.get_xdata()) == [drawn.span] * 2  # type: ignore[attr-defined]
    unread = dataclasses.replace(series, reads=())
    assert headline(unread) == ("Whole run: no read of every balance was made (the bank holds $12,000.00); "
                                "the checker found no violation")
    assert headline(dataclasses.replace(late, reads=())).splitlines()[-1] == (
        "No read of every balance was made (the bank holds $12,000.00)")


def _labels(fig: Figure) -> list[tuple[str, tuple[float, float]]]:
    """The visible vertical labels of the faults and crashes, with their pixel spans along x."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    found = []
    for text in fig.axes[0].texts:
        if text.get_visible() and text.get_rotation() == 90:
            box = text.get_window_extent(renderer)
            found.append((text.get_text().strip(), (box.x0, box.x1)))
    return sorted(found, key=lambda item: item[1])


def _assert_apart(labels: list[tuple[str, tuple[float, float]]]) -> None:
    """No two labels (sorted along x) overlap by more than half a pixel."""
    for (first, (_, right)), (second, (left, _)) in itertools.pairwise(labels):
        assert right <= left + 0.5, (first, second)


def test_each_crash_is_labelled_once_and_no_two_labels_overlap(clean: BankRun) -> None:
    """A crash right after the fault that caused it gets one label; labels too close to read side
    by side go to the other side of their line, or are left out (the line stays)."""
    marks = (Mark(1.37, "fault", "notifier crash", "n"), Mark(1.40, "crash", "notifier down", "n"),
             Mark(1.93, "fault", "service crash", "s"), Mark(1.95, "crash", "service down", "s"),
             Mark(5.0, "fault", "spike +120/s", "a"), Mark(5.05, "fault", "dups 50%", "b"),
             Mark(5.1, "fault", "fraud slow 5s", "c"), Mark(9.0, "crash", "relay down", "r"))
    series = dataclasses.replace(bank_series(clean), marks=marks)
    fig = render_dashboard(series)
    figure_png(fig)
    labels = _labels(fig)
    words = [word for word, _ in labels]
    assert "notifier down" not in words and "service down" not in words
    assert {"notifier crash", "service crash", "relay down", "spike +120/s", "dups 50%"} <= set(words)
    _assert_apart(labels)


@pytest.mark.parametrize("seed", [0, 4])
def test_the_walkthrough_s_crowded_runs_have_readable_labels(seed: int) -> None:
    """Seeds 0 and 4 of the notebook's chaos put two crashes within half a second."""
    board = cv.dashboard(seed=seed)
    board.player.seek(board.series.bins - 1)
    fig = render_dashboard(board.series)
    figure_png(fig)
    labels = _labels(fig)
    assert not any(word.endswith(" down") for word, _ in labels if seed == 0)
    _assert_apart(labels)


def test_the_headline_speaks_of_the_whole_run_at_every_frame(doubled: BankRun) -> None:
    """At 1.00 s the title may name a violation found later only as the whole run's verdict, and the
    reads summing right does not read as "all is well"."""
    board = cv.dashboard(doubled)
    board.player.seek(3)
    title = _title(board)
    first = doubled.verdict.first
    assert first is not None and first.time > board.now
    assert title.startswith("Whole run: VIOLATION")
    assert "Money conserved" not in title
    assert (f"\nEvery read sums to the bank's $12,000.00 ({len(board.series.reads)} reads), but the totals alone miss "
            "this violation\n") in title
