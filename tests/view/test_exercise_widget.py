import pytest

from distlab.grading import checks, registry
from distlab.view.exercise import ExerciseBox


@pytest.fixture
def doubling():
    @registry.exercise("viewtest.double", notebook="viewtest", hints=["x + x", "2 * x"])
    def check_double(f):
        return f(3) == 6 or f"double(3) gave {f(3)}"
    yield
    registry.unregister("viewtest.double")
    checks.reset()


def test_box_checks_the_current_answer_and_reveals_hints(doubling):
    answer = {"f": None}

    def stub(x):
        raise NotImplementedError

    answer["f"] = stub
    box = ExerciseBox("viewtest.double", lambda: answer["f"])
    assert box.check().status == "not-attempted"
    answer["f"] = lambda x: x + 1
    assert box.check().status == "failed" and "double(3) gave 4" in box.feedback.value
    answer["f"] = lambda x: 2 * x
    assert box.check().passed and 'data-status="passed"' in box.feedback.value
    box.hint_button.click()
    assert "x + x" in box.hint_area.value and "2 * x" not in box.hint_area.value
    box.hint_button.click()
    assert "2 * x" in box.hint_area.value and box.hint_button.disabled


def test_box_survives_an_answer_that_cannot_be_read(doubling):
    box = ExerciseBox("viewtest.double", lambda: undefined_name)  # noqa: F821
    assert box.check().status == "failed"
    assert "NameError" in box.feedback.value
