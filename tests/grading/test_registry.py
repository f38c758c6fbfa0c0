import pytest

from distlab.grading import registry


def _fn(answer):
    return True


def _other(answer):
    return True


def test_registration_validation_and_lookup():
    with pytest.raises(ValueError, match="points"):
        registry.Exercise("x.y", "nb", _fn, points=0)
    with pytest.raises(ValueError, match="id"):
        registry.Exercise("", "nb", _fn)
    with pytest.raises(ValueError, match="check_fn"):
        registry.Exercise("x.y", "nb", "nope")
    registry.register(registry.Exercise("regtest.a", "07_regtest", _fn))
    try:
        registry.register(registry.Exercise("regtest.a", "07_regtest", _fn))  # re-import: fine
        with pytest.raises(ValueError, match="already registered"):
            registry.register(registry.Exercise("regtest.a", "07_regtest", _other))
        assert [e.id for e in registry.exercises_for("some/dir/07_regtest.ipynb")] == ["regtest.a"]
        assert registry.get("regtest.a").check_fn is _fn
    finally:
        registry.unregister("regtest.a")
    assert registry.get("regtest.a") is None


def test_load_all_never_raises_and_reports_broken_modules():
    errors = registry.load_all()
    assert isinstance(errors, dict)
    assert all(name.startswith("distlab.grading.") for name in errors)
