"""Builds the documentation site as `make docs` does, strictly, into a folder of a test's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_site(target: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the repository's site into `target`: a warning (a broken
    link or reference, a public name without a docstring) fails it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
