"""Our generator template overrides against the pinned openapi-python-client's own."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("template_diff", ROOT / "scripts/template_diff.py")
assert spec is not None and spec.loader is not None
template_diff = importlib.util.module_from_spec(spec)
sys.modules["template_diff"] = template_diff
spec.loader.exec_module(template_diff)


def test_every_override_replaces_a_template_opc_has() -> None:
    missing = [
        str(p) for p in template_diff.overrides() if not (template_diff.UPSTREAM / p).exists()
    ]
    assert missing == [], f"overrides of templates opc no longer has: {missing}"


def test_what_each_override_changes_is_the_reviewed_record() -> None:
    # Fails when opc's templates change under an override (an upgrade) or an override
    # changes: read the new diff, then `python scripts/template_diff.py --write`.
    assert template_diff.diff() == template_diff.RECORD.read_text()
