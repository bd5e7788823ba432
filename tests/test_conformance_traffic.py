"""Conformance of traffic the suite did not send: `vbc-conformance replay` judges HAR files
recorded from real exchanges with a sandbox (either dialect, or a faulty one)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ACCOUNT, STATIC_TOKENS, TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import APIResponseValidationError, Telephony

ROOT = Path(__file__).resolve().parents[1]


class Recorder(httpx.HTTPTransport):
    """A transport that keeps every exchange as a HAR 1.2 entry (response bodies base64, as
    mitmproxy writes them; request bodies as text)."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        content = response.read()
        entry: dict[str, Any] = {
            "request": {
                "method": request.method,
                "url": str(request.url),
                "headers": [{"name": k, "value": v} for k, v in request.headers.items()],
            },
            "response": {
                "status": response.status_code,
                "headers": [{"name": k, "value": v} for k, v in response.headers.items()],
                "content": {"text": base64.b64encode(content).decode(), "encoding": "base64"},
            },
        }
        if request.content:
            entry["request"]["postData"] = {"text": request.content.decode()}
        self.entries.append(entry)
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )

    def har(self, path: Path) -> Path:
        path.write_text(json.dumps({"log": {"version": "1.2", "entries": self.entries}}))
        return path


def drive(sandbox: SandboxProcess, recorder: Recorder) -> None:
    """What an application does all day: place a call, list calls, read the call, its legs;
    and one request to another host (the token endpoint) the replay must ignore."""
    with Telephony(
        account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url, transport=recorder
    ) as client:
        call_id = client.calls.dial("1002", from_="1001")
        list(client.calls.list())
        client.calls.get(call_id)
        client.calls.legs.list(call_id)
    with httpx.Client(transport=recorder) as raw:
        raw.post(sandbox.origin + "/token", data={"grant_type": "password"})


def replay(har: Path, base_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "vbc_conformance.cli",
            "replay",
            str(har),
            "--base-url",
            base_url,
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )


def dialect_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("dialect:"))


def test_replayed_traffic_of_each_dialect_conforms_and_names_it(tmp_path: Path) -> None:
    for dialect, shown in (("documented", "Call.legs"), ("observed", "Call.leg_map")):
        recorder = Recorder()
        with SandboxProcess([*STATIC_TOKENS, "--dialect", dialect]) as sandbox:
            drive(sandbox, recorder)
            base_url = sandbox.base_url
        report = tmp_path / f"{dialect}.md"
        result = replay(
            recorder.har(tmp_path / f"{dialect}.har"), base_url, "--report", str(report)
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert ": conforms" in result.stdout
        assert dialect_line(result.stdout).startswith(f"dialect: {dialect} (")
        assert shown in dialect_line(result.stdout)
        assert "1 exchange(s) ignored" in result.stdout
        assert report.exists() and TOKEN not in report.read_text()


def test_a_replayed_departure_fails_naming_the_check_and_the_entry(tmp_path: Path) -> None:
    recorder = Recorder()
    with SandboxProcess(
        [*STATIC_TOKENS, "--fault", "call_status_dropped"], module="tests.faulty_sandbox"
    ) as sandbox:
        with pytest.raises(APIResponseValidationError):  # the SDK sees it too
            drive(sandbox, recorder)
        base_url = sandbox.base_url
    report = tmp_path / "report.md"
    result = replay(recorder.har(tmp_path / "faulty.har"), base_url, "--report", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert failed and all("response_schema_conformance" in line for line in failed), failed
    # The entry that showed it: the first answer carrying a call.
    showing = next(
        number
        for number, entry in enumerate(recorder.entries, 1)
        if b'"call_id"' in base64.b64decode(entry["response"]["content"]["text"])
    )
    assert f"entry {showing}:" in report.read_text()


def test_a_file_that_is_not_har_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text('{"log": {}}')
    result = replay(bad, "http://127.0.0.1:9/t/vbc.prod/telephony/v3")
    assert result.returncode == 2
    assert "not a HAR file" in result.stderr and "Traceback" not in result.stderr
