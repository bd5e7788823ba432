"""Conformance of traffic the suite did not send: `vbc-conformance replay` judges HAR files
recorded from real exchanges with a sandbox (either dialect, or a faulty one)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, ALICE_LOGIN, SEED_CLIENT, STATIC_TOKENS, TOKEN
from tests.test_conformance import CATALOGUE, Fault
from vbc_conformance.evidence import FORMAT
from vbc_conformance.judging import frame
from vbc_conformance.launch import ProxyProcess
from vbc_conformance.proxy import MOST_PENDING_BYTES, JudgePipe
from vbc_sandbox.launch import SandboxProcess, free_port
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


def conformance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vbc_conformance.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )


def replay(har: Path, base_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return conformance("replay", str(har), "--base-url", base_url, *extra)


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
    report, junit = tmp_path / "report.md", tmp_path / "junit.xml"
    har = recorder.har(tmp_path / "faulty.har")
    result = replay(har, base_url, "--report", str(report), "--junit", str(junit))
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
    # The JUnit report a CI reads: a failing test case per operation, named as a generated
    # run names it, its check in the message and the entry in the text.
    failures = ElementTree.parse(junit).findall(".//testcase/failure")  # noqa: S314 (ours)
    shown = [failure for failure in failures if f"entry {showing}:" in (failure.text or "")]
    assert [failure.get("message") for failure in shown] == ["response_schema_conformance"]


def test_a_file_that_is_not_har_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text('{"log": {}}')
    result = replay(bad, "http://127.0.0.1:9/t/vbc.prod/telephony/v3")
    assert result.returncode == 2
    assert "not a HAR file" in result.stderr and "Traceback" not in result.stderr


def journal_count(sandbox: SandboxProcess) -> int:
    answer = httpx.get(sandbox.origin + "/sandbox/requests", headers=ADMIN, timeout=10)
    return len(answer.json()["requests"])


def test_an_application_through_the_proxy_sees_the_same_answers_and_is_judged(
    tmp_path: Path,
) -> None:
    report, junit = tmp_path / "report.md", tmp_path / "junit.xml"
    with SandboxProcess([*STATIC_TOKENS, "--dialect", "observed"]) as sandbox:
        proxy = ProxyProcess(sandbox.origin, "--report", str(report), "--junit", str(junit))
        proxy.start()
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
            for method, target in (
                ("GET", path),
                ("GET", path + "/legs"),
                ("GET", "/cc/accounts/1234/calls/nope"),
                ("HEAD", path),  # no body, whatever its length says; and no operation to judge
            ):
                direct = httpx.request(method, sandbox.base_url + target, headers=auth)
                proxied = httpx.request(method, proxy.base_url + target, headers=auth)
                assert proxied.status_code == direct.status_code
                assert proxied.content == direct.content
                assert dict(proxied.headers) == dict(direct.headers) | {
                    "date": proxied.headers["date"]
                }
            received = journal_count(sandbox) - before
        finally:
            output = proxy.stop()
    # Exactly the application's requests reached the sandbox: its SDK calls, then eight
    # (four direct, four through the proxy); none of the proxy's own.
    assert len(application.entries) >= 2
    assert received == len(application.entries) + 8
    assert "dialect: observed (" in output and ": conforms" in output, output
    for secret in (TOKEN, ALICE_LOGIN["password"], SEED_CLIENT["client_secret"]):
        assert secret not in output and secret not in report.read_text()
        assert secret not in junit.read_text()


#: The faults of the catalogue an application's own traffic shows, each where `traffic` meets
#: it. The others need requests of the suite's own (see the conformance guide): another
#: account's token (cross_account_leak), none (auth_not_enforced), invalid input
#: (invalid_input_accepted), a read after a delete (deleted_call_readable) or reads a judge
#: of traffic does not make (leg_hidden_from_call, page_ignored: they compare answers the
#: checks read themselves).
SHOWN_BY_TRAFFIC = [
    fault
    for fault in CATALOGUE
    if fault.name
    in {
        "call_status_dropped",
        "leg_status_dropped",
        "undocumented_enum",
        "wrong_type",
        "server_error",
        "undocumented_status",
        "wrong_content_type",
        "id_changes",
        "clock_backwards",
        "throttled_without_retry_after",
    }
]


def traffic(base_url: str) -> list[tuple[str, str]]:
    """What an application does: place a call, list calls, read the call twice and its legs,
    list devices (in order, and three more times) and read one; (method, path) of each
    request, in order."""
    sent: list[tuple[str, str]] = []
    calls = f"/cc/accounts/{ACCOUNT}/calls"
    devices = f"/registration/accounts/{ACCOUNT}/devices"
    placing = {
        "from": {"destination": "1001", "type": "extension"},
        "to": {"destination": "15551234567", "type": "pstn"},
    }
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:

        def send(method: str, path: str, **kwargs: Any) -> httpx.Response:
            sent.append((method, urlsplit(base_url + path).path))
            return http.request(method, path, **kwargs)

        send("POST", calls, json=placing)
        call_id = send("GET", calls).json()["calls"][0]["call_id"]
        for path in (f"{calls}/{call_id}", f"{calls}/{call_id}", f"{calls}/{call_id}/legs"):
            send("GET", path)
        send("GET", devices, params={"order": "asc"})
        listed = [send("GET", devices) for _ in range(3)]
        mac = next(answer for answer in listed if answer.status_code == 200).json()
        send("GET", f"{devices}/{mac['devices'][0]['mac_address']}")
    return sent


@pytest.mark.parametrize("fault", SHOWN_BY_TRAFFIC, ids=lambda fault: fault.name)
def test_each_fault_traffic_shows_is_reported_on_the_exchange_that_showed_it(
    fault: Fault, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    with (
        SandboxProcess(
            [*STATIC_TOKENS, "--fault", fault.name], module="tests.faulty_sandbox"
        ) as sandbox,
        ProxyProcess(sandbox.origin, "--junit", str(junit)) as proxy,
    ):
        sent = traffic(proxy.base_url)
        output = proxy.stop()
    if fault.marked:  # only this project's assumption: an advisory on a live target
        assert proxy.returncode == 0 and "FAILED" not in output, output
        assert "advisories:" in output
        return
    assert proxy.returncode == 1, output
    showing = [
        line for line in output.splitlines() if line.startswith("FINDING") and fault.check in line
    ]
    assert showing, output
    for line in showing:
        number, method, path = re.match(r"FINDING exchange (\d+) (\w+) (\S+):", line).groups()
        assert sent[int(number) - 1] == (method, path), (line, sent)
    assert any(f"FAILED {op}: {fault.check}:" in output for op in fault.operations), output
    failures = ElementTree.parse(junit).findall(".//testcase/failure")  # noqa: S314 (ours)
    assert any(fault.check in failure.get("message", "") for failure in failures)


def test_answers_in_gzip_go_through_as_sent_and_are_judged_decoded() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "gzip"}
    with (
        SandboxProcess(
            [*STATIC_TOKENS, "--dialect", "observed", "--gzip"], module="tests.faulty_sandbox"
        ) as sandbox,
        ProxyProcess(sandbox.origin, "--max-requests", "1") as proxy,
    ):
        Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url).calls.dial(
            "1002", from_="1001"
        )
        path = f"/cc/accounts/{ACCOUNT}/calls"
        with (
            httpx.stream("GET", sandbox.base_url + path, headers=auth) as direct,
            httpx.stream("GET", proxy.base_url + path, headers=auth) as proxied,
        ):
            assert proxied.headers["content-encoding"] == "gzip"
            assert b"".join(proxied.iter_raw()) == b"".join(direct.iter_raw())
        output = proxy.finished()  # --max-requests 1: it stops by itself
    assert proxy.returncode == 0 and ": conforms" in output, output
    assert "dialect: observed (" in output  # read from the decoded calls


def test_exchanges_the_judge_cannot_take_in_time_are_counted_in_its_summary() -> None:
    """A judge that has not read yet: what the proxy hands it past the bound is counted, not
    kept; the judge's summary then says how many went unjudged (exit 2: not known)."""
    read_end, write_end = os.pipe()
    loop = asyncio.new_event_loop()
    pipe = JudgePipe()
    loop.run_until_complete(
        loop.connect_write_pipe(lambda: pipe, os.fdopen(write_end, "wb", buffering=0))
    )
    elsewhere = {"method": "GET", "url": "http://127.0.0.1:9/elsewhere", "status": 200}
    elsewhere |= {"request_headers": [], "response_headers": [], "cut": False}
    body = b"x" * 2**20
    handed = MOST_PENDING_BYTES // len(body) + 3
    for number in range(1, handed + 1):
        pipe.hand(frame({**elsewhere, "label": f"exchange {number}"}, b"", body))
    unjudged = pipe.unjudged["judging fell behind"]
    assert unjudged >= 1
    judge = subprocess.Popen(
        [sys.executable, "-m", "vbc_conformance.judging", "--upstream", "http://127.0.0.1:9"],
        stdin=read_end,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    os.close(read_end)
    loop.run_until_complete(pipe.end())
    loop.close()
    output = judge.communicate(timeout=120)[0]
    assert judge.returncode == 2, output
    assert f"{handed - unjudged} exchange(s) ignored" in output
    assert f"error in proxy: not judged: judging fell behind (x{unjudged})" in output


def test_requests_the_upstream_does_not_answer_get_a_502_and_leave_the_run_incomplete() -> None:
    with ProxyProcess(f"http://127.0.0.1:{free_port()}") as proxy:  # nothing listens there
        answer = httpx.get(proxy.base_url + f"/cc/accounts/{ACCOUNT}/calls")
        output = proxy.stop()
    assert answer.status_code == 502
    assert (
        "502 to GET /t/vbc.prod/telephony/v3/cc/accounts/1234/calls: the upstream cannot connect ("
        in output
    )
    assert "not judged: the upstream gave no answer (502) (x1)" in output
    assert proxy.returncode == 2 and "incomplete" in output, output


def test_an_address_the_proxy_cannot_listen_on_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        result = conformance("proxy", "--upstream", "http://a.test", "--listen", listen)
    assert result.returncode == 2
    assert f"cannot listen on {listen}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_proxy_keeps_its_connection_to_the_upstream_alive(tmp_path: Path) -> None:
    """Requests on new connections from the application reuse one to the upstream (a TLS
    handshake per request would be most of a live request's time)."""
    log = tmp_path / "requests.jsonl"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with (
        SandboxProcess(
            [*STATIC_TOKENS, "--record", str(log)], module="tests.faulty_sandbox"
        ) as sandbox,
        ProxyProcess(sandbox.origin) as proxy,
    ):
        for _ in range(3):
            assert (
                httpx.get(
                    proxy.base_url + f"/cc/accounts/{ACCOUNT}/calls", headers=auth
                ).status_code
                == 200
            )
        proxy.stop()
    ports = [json.loads(line)["client_port"] for line in log.read_text().splitlines()]
    assert len(ports) == 3 and len(set(ports)) == 1, ports
