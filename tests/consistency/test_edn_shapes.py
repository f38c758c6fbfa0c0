"""Every EDN shape Jepsen and Knossos write, from the shared conformance set: each file is read
(format detected from its content) and checked, and the verdict is the one its README lists.

The set lives beside the repository, in ``../shared/conformance/edn-shapes/``; the test is
skipped only when that directory is absent."""
import re
from pathlib import Path

import pytest

from distlab.consistency import check_linearizable, detect_format, read_file

SHAPES = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "edn-shapes"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|[^|]*\|\s*([\w-]+)\s*\|\s*(yes|no)\b", re.MULTILINE)


def _expected() -> list[tuple[str, str, bool]]:
    """(file, model, linearizable?) for each row of the README's table."""
    if not SHAPES.is_dir():
        return []
    return [(m[1], m[2], m[3] == "yes") for m in _ROW.finditer((SHAPES / "README.md").read_text())]


EXPECTED = _expected()
pytestmark = pytest.mark.skipif(not SHAPES.is_dir(), reason=f"{SHAPES} is absent")


def test_readme_lists_every_file():
    listed = {name for name, _, _ in EXPECTED}
    assert listed and listed == {p.name for p in SHAPES.glob("*.edn")}


@pytest.mark.parametrize("name,model,linearizable", EXPECTED, ids=[row[0] for row in EXPECTED])
def test_shape_is_read_and_gives_the_listed_verdict(name, model, linearizable):
    path = SHAPES / name
    assert detect_format(path.read_text(encoding="utf-8")) == "edn"
    h = read_file(path)
    assert len(h) >= 2
    v = check_linearizable(h, model)
    assert v.status == ("holds" if linearizable else "violated"), v.explanation


@pytest.mark.parametrize("name", [row[0] for row in EXPECTED])
def test_shape_with_a_byte_order_mark_reads_the_same(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + (SHAPES / name).read_bytes())
    assert read_file(path) == read_file(SHAPES / name)
