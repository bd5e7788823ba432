"""`vbc-conformance replay FILE.har`: judge recorded traffic offline, with the same checks,
dialect detection, drift and advisories as a generated run (`exchanges.Judge`)."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vbc_conformance.exchanges import Exchange

#: The largest HAR file read (a browser's or mitmproxy's export of a day's traffic fits).
MOST_HAR_BYTES = 512 * 1024 * 1024


class HarError(ValueError):
    """A file that is not HAR 1.x (a ValueError: the command reports it as a usage error)."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vbc-conformance replay",
        description="Judge the traffic recorded in a HAR file (browsers' developer tools,"
        " mitmproxy, Charles) against openapi.yaml, and VIS's against vis.yaml: same checks,"
        " dialect, drift, advisories, reports and exit codes as a generated run. Sends no"
        " request.",
    )
    p.add_argument("har", type=Path, metavar="FILE.har")
    p.add_argument(
        "--base-url",
        required=True,
        help="the API base URL the traffic went to; entries elsewhere are ignored and counted",
    )
    p.add_argument(
        "--vis-base-url",
        help="VIS's base URL the traffic went to (default: /t/vbc.prod/vis/v1 on the API's host)",
    )
    add_outputs(p)
    return p


def add_outputs(p: argparse.ArgumentParser) -> None:
    """What a judging of traffic (replay, proxy) writes besides its summary."""
    p.add_argument("--report", type=Path, metavar="PATH", help="write a report (.md or .html)")
    p.add_argument(
        "--evidence",
        type=Path,
        metavar="PATH",
        help="write what the traffic showed about the API's form, without its data (JSON)",
    )
    p.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report")


def headers_of(entries: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for header in entries if isinstance(entries, list) else ():
        if isinstance(header, dict) and isinstance(header.get("name"), str):
            found.setdefault(header["name"].lower(), []).append(str(header.get("value", "")))
    return found


def body_of(content: Any, where: str) -> bytes:
    """A HAR body (`postData` or `content`): text, base64-encoded or absent."""
    if not isinstance(content, dict) or not isinstance(content.get("text"), str):
        return b""
    text: str = content["text"]
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise HarError(f"{where}: a body marked base64 is not base64") from None
    return text.encode("utf-8")


def exchanges(path: Path) -> Iterator[Exchange]:
    """Each HAR entry as an exchange, labelled `entry N` (from 1, in file order)."""
    if path.stat().st_size > MOST_HAR_BYTES:
        raise HarError(f"{path}: larger than {MOST_HAR_BYTES // 2**20} MiB")
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise HarError(f"{path}: not JSON ({error})") from None
    entries = document.get("log", {}).get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{path}: not a HAR file (no log.entries)")
    for number, entry in enumerate(entries, 1):
        label = f"entry {number}"
        try:
            request, response = entry["request"], entry["response"]
            method, url, status = str(request["method"]), str(request["url"]), response["status"]
        except (KeyError, TypeError):
            raise HarError(
                f"{path}: {label} has no request method/url or response status"
            ) from None
        if not isinstance(status, int) or not 100 <= status <= 599:
            continue  # 0: the browser got no answer (blocked, aborted): nothing to judge
        yield Exchange(
            method=method,
            url=url,
            request_headers=headers_of(request.get("headers")),
            request_body=body_of(request.get("postData"), label),
            status=status,
            response_headers=headers_of(response.get("headers")),
            response_body=body_of(response.get("content"), label),
            label=label,
        )


def main(argv: list[str]) -> int:
    from vbc_conformance import cli

    args = parser().parse_args(argv)
    if not args.har.is_file():
        raise cli.UsageError(f"no file {args.har}")
    with tempfile.TemporaryDirectory(prefix="vbc-conformance-") as scratch:
        events = Path(scratch)
        judge = judge_for(args.base_url, events, args.vis_base_url)
        started = time.monotonic()
        for exchange in exchanges(args.har):
            judge.judge(exchange)
        seconds = time.monotonic() - started
        return cli.conclude_traffic(args, judge, events, f"{args.har} ({args.base_url})", seconds)


def judge_for(base_url: str, events: Path, vis_base_url: str | None = None) -> Any:
    """A judge of traffic to `base_url` (and VIS's, by default on its host) whose hooks
    record into `events`: a live, read-only target whose checks read nothing more."""
    from vbc_conformance.settings import RunSettings

    settings = RunSettings(
        base_url.rstrip("/"), "", "", live=True, writes=False, events_dir=events, extra_reads=False
    )
    os.environ.update(settings.environment())
    from vbc_conformance.exchanges import Judge

    return Judge(base_url, vis_base_url)
