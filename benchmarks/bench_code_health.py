"""Code-health figures (annotation and docstring coverage, long functions and modules): tools/code_health.py."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    tool = Path(__file__).resolve().parents[1] / "tools" / "code_health.py"
    sys.argv = [str(tool)]
    runpy.run_path(str(tool), run_name="__main__")
