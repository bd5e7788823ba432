"""Write the SDK's sync code from its async source, as httpcore does: every module of
src/vbc_telephony/_async/ becomes its twin in src/vbc_telephony/_sync/ by whole-word
substitutions, then ruff formats it. `--check` fails when a twin differs from what its
source gives (make check-generated runs it).

    python scripts/unasync.py          # write the twins
    python scripts/unasync.py --check  # exit 1 and name the stale ones
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src/vbc_telephony/_async"
TARGET = ROOT / "src/vbc_telephony/_sync"

#: (pattern, replacement), applied in order; patterns are whole words unless they say.
SUBSTITUTIONS = [
    # Names of our own.
    (r"AsyncTelephony", "Telephony"),
    (r"AsyncCalls", "Calls"),
    (r"AsyncLegs", "Legs"),
    (r"AsyncDevices", "Devices"),
    (r"AsyncWebhooks", "Webhooks"),
    (r"AsyncEvents", "Events"),
    (r"AsyncPager", "Pager"),
    (r"AsyncResource", "Resource"),
    (r"AsyncRetryTransport", "RetryTransport"),
    (r"AsyncReadingTransport", "ReadingTransport"),
    (r"AsyncRenewal", "Renewal"),
    (r"AsyncCallWatcher", "CallWatcher"),
    (r"AsyncBearerFlow", "BearerFlow"),
    (r"_arenew", "_renew"),
    (r"atoken", "token"),
    (r"arefresh", "refresh"),
    (r"_ahttp", "_http"),
    (r"self\._loop_lock\(\)", "self._lock"),
    (r"_async_transport", "_transport"),
    (r"vbc_telephony\._async\b", "vbc_telephony._sync"),
    # httpx, the generated client, tenacity, the standard library.
    (r"httpx\.AsyncClient", "httpx.Client"),
    (r"httpx\.AsyncBaseTransport", "httpx.BaseTransport"),
    (r"httpx\.AsyncHTTPTransport", "httpx.HTTPTransport"),
    (r"handle_async_request", "handle_request"),
    (r"async_auth_flow", "sync_auth_flow"),
    (r"get_async_httpx_client", "get_httpx_client"),
    (r"set_async_httpx_client", "set_httpx_client"),
    (r"asyncio_detailed", "sync_detailed"),
    (r"tenacity\.AsyncRetrying", "tenacity.Retrying"),
    (r"AsyncGenerator\[([^\]]+)\]", r"Generator[\1, None]"),
    (r"AsyncGenerator", "Generator"),
    (r"AsyncIterator", "Iterator"),
    (r"Awaitable\[(\w+)\]", r"\1"),
    (r"__aenter__", "__enter__"),
    (r"__aexit__", "__exit__"),
    (r"__aiter__", "__iter__"),
    (r"aclose", "close"),
    (r"aclosing", "closing"),
    (r"aread", "read"),
    (r"asyncio\.sleep", "time.sleep"),
    (r"import asyncio", "import time"),
    (r"async def", "def"),
    (r"async with", "with"),
    (r"async for", "for"),
    (r"await ", ""),
]
#: The line each twin starts with.
HEADER = (
    "# Written by scripts/unasync.py from {source}: edit that file, then run `make generate`.\n"
)


def unasync(text: str) -> str:
    for pattern, replacement in SUBSTITUTIONS:
        # Whole words: no letter, digit or underscore just before or after.
        before = r"(?<!\w)" if re.match(r"[\w\\]", pattern) else ""
        after = r"(?!\w)" if re.search(r"\w$", pattern) else ""
        text = re.sub(before + pattern + after, replacement, text)
    # `import asyncio` became `import time`, which the module may have had already.
    lines, seen = [], set()
    for line in text.splitlines(keepends=True):
        if line.startswith("import ") and line in seen:
            continue
        seen.add(line)
        lines.append(line)
    return "".join(lines)


def twins() -> dict[Path, str]:
    """Each twin's path and the text it must hold (formatted)."""
    out: dict[Path, str] = {}
    for source in sorted(SOURCE.glob("*.py")):
        out[TARGET / source.name] = HEADER.format(source=source.name) + unasync(source.read_text())
    return {path: formatted(path, text) for path, text in out.items()}


def formatted(path: Path, text: str) -> str:
    """ruff's import sorting and formatting, as `make lint` applies them to the tree."""
    fixed = subprocess.run(
        [
            "ruff",
            "check",
            "--quiet",
            "--fix-only",
            "--select",
            "I,F401",
            "--stdin-filename",
            str(path),
            "-",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return subprocess.run(
        ["ruff", "format", "--quiet", "--stdin-filename", str(path), "-"],
        input=fixed,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout


def main(argv: list[str]) -> int:
    expected = twins()
    if "--check" in argv:
        stale = [p for p, text in expected.items() if not p.exists() or p.read_text() != text]
        extra = [p for p in TARGET.glob("*.py") if p not in expected]
        for path in stale + extra:
            print(
                f"{path.relative_to(ROOT)} is not what scripts/unasync.py writes", file=sys.stderr
            )
        if stale or extra:
            print("run 'make generate' (or python scripts/unasync.py)", file=sys.stderr)
            return 1
        print(f"{len(expected)} sync twins match their async source")
        return 0
    TARGET.mkdir(exist_ok=True)
    for path in TARGET.glob("*.py"):
        if path not in expected:
            path.unlink()
    for path, text in expected.items():
        path.write_text(text)
    print(f"wrote {len(expected)} sync twins into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
