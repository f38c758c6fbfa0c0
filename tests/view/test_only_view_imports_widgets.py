"""DESIGN.md: distlab.view is the ONLY package that imports ipywidgets or matplotlib."""

import re
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "lib" / "distlab"
PATTERN = re.compile(r"^\s*(import|from)\s+(ipywidgets|matplotlib)\b", re.M)


def test_no_module_outside_view_imports_ipywidgets_or_matplotlib():
    offenders = [str(p.relative_to(LIB)) for p in LIB.rglob("*.py")
                 if "view" not in p.relative_to(LIB).parts and PATTERN.search(p.read_text())]
    assert offenders == []


def test_the_view_modules_exist_and_are_scanned():
    assert (LIB / "view" / "panel.py").exists()
    assert PATTERN.search((LIB / "view" / "panel.py").read_text())
