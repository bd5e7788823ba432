"""What our generator templates change in openapi-python-client's own (the version pinned in
pyproject.toml): a unified diff per override, recorded in templates/UPSTREAM.diff. When opc
is upgraded, tests/test_templates.py fails until the record is written again, so the review
sees what upstream changed under each override.

    python scripts/template_diff.py           # print the diff
    python scripts/template_diff.py --write   # record it in templates/UPSTREAM.diff
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import openapi_python_client

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "templates"
UPSTREAM = Path(openapi_python_client.__file__).parent / "templates"
RECORD = OURS / "UPSTREAM.diff"


def overrides() -> list[Path]:
    return sorted(path.relative_to(OURS) for path in OURS.rglob("*.jinja"))


def diff() -> str:
    out = []
    for relative in overrides():
        upstream = UPSTREAM / relative
        theirs = upstream.read_text().splitlines(keepends=True) if upstream.exists() else []
        out += difflib.unified_diff(
            theirs,
            (OURS / relative).read_text().splitlines(keepends=True),
            fromfile=f"opc/{relative}",
            tofile=f"templates/{relative}",
        )
    return "".join(out)


def main(argv: list[str]) -> int:
    if "--write" in argv:
        RECORD.write_text(diff())
        print(f"recorded {len(overrides())} overrides in {RECORD.relative_to(ROOT)}")
    else:
        sys.stdout.write(diff())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
