"""Conformance of traffic the suite did not send: `vbc-conformance replay` judges HAR files
recorded from real exchanges with a sandbox (either dialect, or a faulty one)."""

from __future__ import annotations

import base64
import json
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, ALICE_LOGIN, SEED_CLIENT, STATIC_TOKENS, TOKEN
from vbc_conformance.evidence import FORMAT
from vbc_sandbox.launch import SandboxProcess
from vbc_spec import API_BASE_PATH
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


def values_in(node: Any) -> set[str]:
    """Every value and key a JSON document holds, as text."""
    if isinstance(node, dict):
        return set(map(str, node)) | {v for item in node.values() for v in values_in(item)}
    if isinstance(node, list):
        return {v for item in node for v in values_in(item)}
    return {str(node)}


def test_evidence_shows_the_dialects_form_and_no_value_from_the_traffic(tmp_path: Path) -> None:
    recorder = Recorder()
    with SandboxProcess([*STATIC_TOKENS, "--dialect", "observed"]) as sandbox:
        drive(sandbox, recorder)
        base_url = sandbox.base_url
    evidence = tmp_path / "evidence.json"
    har = recorder.har(tmp_path / "observed.har")
    result = replay(har, base_url, "--evidence", str(evidence))
    assert result.returncode == 0, result.stdout + result.stderr
    shown = json.loads(evidence.read_text())
    call = shown["operations"]["get_call"]["200"]
    assert call["content_types"] == ["application/json"]
    assert call["fields"]["$.start_time"] == ["epoch-us string"]  # the observed form
    assert "$.leg_map.(key).leg_id" in call["fields"]  # a map's keys are ids: not written
    text = evidence.read_text().replace(FORMAT, "")  # its version is ours, not the traffic's
    words = set(re.findall(r"[\w.@+:-]+", text))
    recorded = {TOKEN, ACCOUNT}
    for entry in recorder.entries:
        body = base64.b64decode(entry["response"]["content"]["text"])
        recorded |= values_in(json.loads(body)) if body.strip().startswith((b"{", b"[")) else set()
        recorded |= set(re.findall(r"[^/?&=]+", entry["request"]["url"].split("/v3/", 1)[-1]))
    leaked = {value for value in recorded if value in words and value not in shown_names(shown)}
    assert not leaked, leaked


def shown_names(shown: dict[str, Any]) -> set[str]:
    """The words evidence is made of: field names openapi.yaml declares, encodings, statuses,
    operation ids, media types."""
    names = set(spec_property_names())
    for answers in shown["operations"].values():
        names |= set(answers)
    return names | set(shown["operations"]) | {"application/json"}


def spec_property_names() -> set[str]:
    from vbc_conformance.evidence import property_names
    from vbc_spec import load

    return property_names(load())


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


class ProxyProcess:
    """`vbc-conformance proxy` in its own process; its output read on a thread."""

    def __init__(self, upstream: str, *extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vbc_conformance.cli", "proxy", "--upstream", upstream, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()
        first = self.lines.get(timeout=60)
        self.origin = first.rsplit(" -> ", 1)[0].split("proxying ", 1)[1]
        self.base_url = self.origin + API_BASE_PATH

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def stop(self) -> str:
        """SIGTERM, as Ctrl-C or a supervisor stops it; its whole output."""
        self.process.send_signal(signal.SIGTERM)
        return self.finished()

    def finished(self) -> str:
        """Its whole output, once it has ended."""
        self.process.wait(timeout=60)
        self.reader.join(timeout=60)  # the pipe's end: all it printed has been read
        return "".join(self.output)


def journal_count(sandbox: SandboxProcess) -> int:
    answer = httpx.get(sandbox.origin + "/sandbox/requests", headers=ADMIN, timeout=10)
    return len(answer.json()["requests"])


def test_an_application_through_the_proxy_sees_the_same_answers_and_is_judged(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.md"
    with SandboxProcess([*STATIC_TOKENS, "--dialect", "observed"]) as sandbox:
        proxy = ProxyProcess(sandbox.origin, "--report", str(report))
        try:
            # A password grant through the proxy: forwarded, never written anywhere.
            assert httpx.post(proxy.origin + "/token", data=ALICE_LOGIN).status_code == 200
            before = journal_count(sandbox)
            application = Recorder()  # counts what the application sends
            with Telephony(
                account_id=ACCOUNT, token=TOKEN, base_url=proxy.base_url, transport=application
            ) as client:
                call_id = client.calls.dial("1002", from_="1001")
                list(client.calls.list())
            path = f"/cc/accounts/{ACCOUNT}/calls/{call_id}"
            auth = {"Authorization": f"Bearer {TOKEN}"}
            for target in (path, path + "/legs", "/cc/accounts/1234/calls/nope"):
                direct = httpx.get(sandbox.base_url + target, headers=auth)
                proxied = httpx.get(proxy.base_url + target, headers=auth)
                assert proxied.status_code == direct.status_code
                assert proxied.content == direct.content
                assert dict(proxied.headers) == dict(direct.headers) | {
                    "date": proxied.headers["date"]
                }
            received = journal_count(sandbox) - before
        finally:
            output = proxy.stop()
    # Exactly the application's requests reached the sandbox: its SDK calls, then six GETs
    # (three direct, three through the proxy); none of the proxy's own.
    assert len(application.entries) >= 2
    assert received == len(application.entries) + 6
    assert "dialect: observed (" in output and ": conforms" in output, output
    for secret in (TOKEN, ALICE_LOGIN["password"], SEED_CLIENT["client_secret"]):
        assert secret not in output and secret not in report.read_text()


def test_a_faulty_upstream_is_reported_on_the_exchange_that_showed_it() -> None:
    with SandboxProcess(
        [*STATIC_TOKENS, "--fault", "wrong_content_type"], module="tests.faulty_sandbox"
    ) as sandbox:
        proxy = ProxyProcess(sandbox.origin, "--max-requests", "2")
        auth = {"Authorization": f"Bearer {TOKEN}"}
        calls = httpx.get(proxy.base_url + f"/cc/accounts/{ACCOUNT}/calls", headers=auth)
        devices = httpx.get(
            proxy.base_url + f"/registration/accounts/{ACCOUNT}/devices", headers=auth
        )
        output = proxy.finished()  # --max-requests 2: it stops by itself
    assert calls.status_code == 200 and devices.headers["content-type"].startswith("text/html")
    assert proxy.process.returncode == 1, output
    findings = [line for line in output.splitlines() if line.startswith("FINDING")]
    assert findings and all(line.startswith("FINDING exchange 2 GET /t/") for line in findings)
    assert any("content_type_conformance" in line for line in findings), findings
