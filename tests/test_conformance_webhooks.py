"""`vbc-conformance webhooks` against real receivers on loopback (Starlette under uvicorn): a
correct one (verify() and deduplication by deliveryId) passes; a crmnewpanel2-style one
(raw-body signature under x-vonage-signature, duration read as seconds) fails the cases it
gets wrong, by name; so do one that answers late and one that checks nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.raw_server import raw_server, request_of
from tests.serving import serving
from vbc_conformance import cli
from vbc_conformance.webhook_cases import VECTOR_2018
from vbc_telephony import webhooks

KEY = "receiver-test-key-7f3a"
FORGED = ("tampered signature", "missing signature", "signature over the raw body")
Handler = Callable[[Request], Awaitable[Response]]


def receiver(handle: Handler) -> Starlette:
    return Starlette(routes=[Route("/vis", handle, methods=["POST"])])


def correct() -> Handler:
    """As the guide writes one: verify(), then each deliveryId acted on once."""
    seen: set[str | None] = set()

    async def handle(request: Request) -> Response:
        try:
            delivery = webhooks.verify(await request.body(), request.headers, KEY)
        except webhooks.InvalidDeliveryError:
            return Response(status_code=403)
        if delivery.delivery_id not in seen:
            seen.add(delivery.delivery_id)
        return Response(status_code=200)

    return handle


def crmnewpanel2_style() -> Starlette:
    """Its signature.ts: HMAC over the raw body (as sent, with metadata.signature blanked,
    or omitted) from `x-vonage-signature`; its route reads `duration` as seconds."""

    async def handle(request: Request) -> Response:
        raw = await request.body()
        given = request.headers.get("x-vonage-signature", "")
        document = json.loads(raw)
        blanked = json.loads(raw)
        blanked.get("metadata", {})["signature"] = ""
        omitted = json.loads(raw)
        omitted.get("metadata", {}).pop("signature", None)
        candidates = [raw, json.dumps(blanked).encode(), json.dumps(omitted).encode()]
        digests = [hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest() for body in candidates]
        if not given or not any(hmac.compare_digest(given, digest) for digest in digests):
            return Response("invalid signature", status_code=403)
        timedelta(seconds=int(document["event"].get("duration", 0)))  # its misreading
        return Response(status_code=200)

    return receiver(handle)


@pytest.fixture
def key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VBC_SIGNING_KEY", KEY)


def lines_of(output: str) -> dict[str, str]:
    """Case name -> PASS or FAIL, from the report lines."""
    found = {}
    for line in output.splitlines():
        if line.startswith(("PASS  ", "FAIL  ")):
            verdict, _, rest = line.partition("  ")
            found[rest.split(": ")[0]] = verdict
    return found


def test_a_correct_receiver_passes(
    key_in_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report, junit = tmp_path / "report.md", tmp_path / "junit.xml"
    with serving(receiver(correct())) as origin:
        code = cli.main(
            ["webhooks", "--url", f"{origin}/vis", "--report", str(report), "--junit", str(junit)]
        )
    out, err = capsys.readouterr()
    verdicts = lines_of(out)
    assert code == 0, out + err
    assert len(verdicts) == 32 and set(verdicts.values()) == {"PASS"}
    for state in webhooks.STATES:
        assert verdicts[f"genuine {state} [HEADER]"] == verdicts[f"genuine {state} [BODY]"]
    assert "32 cases" in out and "follows Vonage's delivery rules" in out
    suite = ET.parse(junit).getroot()  # noqa: S314 (the file this command just wrote)
    assert (suite.get("tests"), suite.get("failures")) == ("32", "0")
    written = report.read_text(encoding="utf-8")
    assert "| 2018 test vector [BODY] | accepted | pass |" in written
    assert KEY not in out + err + written + junit.read_text(encoding="utf-8")


def test_a_crmnewpanel2_style_receiver_fails_the_cases_it_gets_wrong(
    key_in_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    with serving(crmnewpanel2_style()) as origin:
        code = cli.main(["webhooks", "--url", f"{origin}/vis", "--report", str(report)])
    out = capsys.readouterr().out
    verdicts = lines_of(out)
    assert code == 1
    for policy in ("HEADER", "BODY"):
        for state in webhooks.STATES:
            assert verdicts[f"genuine {state} [{policy}]"] == "FAIL"
        for name in ("2018 test vector", "repeated deliveryId", "late RINGING after ANSWERED"):
            assert verdicts[f"{name} [{policy}]"] == "FAIL"
        for name in FORGED:
            assert verdicts[f"{name} [{policy}]"] == "PASS"
    assert "FAIL  genuine ANSWERED [HEADER]: answered 403 (not 200): only 200 counts" in out
    assert "26 case(s) failed, exit 1" in out
    page = report.read_text(encoding="utf-8")
    assert "<h3>genuine RINGING [BODY]</h3>" in page and "invalid signature" in page


def test_a_receiver_that_checks_nothing_fails_the_forged_cases(
    key_in_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    async def take_all(request: Request) -> Response:
        return Response(status_code=200)

    with serving(receiver(take_all)) as origin:
        code = cli.main(["webhooks", "--url", f"{origin}/vis", "--metadata-policy", "BODY"])
    out = capsys.readouterr().out
    failed = {name for name, verdict in lines_of(out).items() if verdict == "FAIL"}
    assert code == 1
    assert failed == {f"{name} [BODY]" for name in FORGED}
    assert "answered 200: the forged delivery was accepted" in out


def test_a_receiver_answering_a_forged_delivery_with_500_does_not_refuse_it(
    key_in_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    async def crash_on_forged(request: Request) -> Response:
        try:
            webhooks.verify(await request.body(), request.headers, KEY)
        except webhooks.SignatureError:
            return Response(status_code=500)
        return Response(status_code=200)

    with serving(receiver(crash_on_forged)) as origin:
        code = cli.main(["webhooks", "--url", f"{origin}/vis", "--metadata-policy", "HEADER"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  missing signature [HEADER]: answered 500: an error, not a refusal" in out


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets a held answer go when the test ends, so the server stops at once."""
    event = threading.Event()
    yield event
    event.set()


def test_an_answer_later_than_2_s_fails_its_case(
    key_in_env: None, capsys: pytest.CaptureFixture[str], release: threading.Event
) -> None:
    handle = correct()

    async def slow_on_the_vector(request: Request) -> Response:
        if VECTOR_2018["id"].encode() in await request.body():
            await asyncio.to_thread(release.wait, 30)  # held until the test ends
        return await handle(request)

    with serving(receiver(slow_on_the_vector)) as origin:
        code = cli.main(["webhooks", "--url", f"{origin}/vis", "--metadata-policy", "HEADER"])
        release.set()
    out = capsys.readouterr().out
    failed = {name: verdict for name, verdict in lines_of(out).items() if verdict == "FAIL"}
    assert code == 1
    assert failed == {"2018 test vector [HEADER]": "FAIL"}
    assert "FAIL  2018 test vector [HEADER]: no answer: no answer within 2 s" in out


def test_an_answer_trickling_in_past_2_s_fails_its_case(
    key_in_env: None, capsys: pytest.CaptureFixture[str], release: threading.Event
) -> None:
    """Its status line and headers a byte at a time, each byte well within a read timeout:
    cut off 2 s after the request, as Vonage would, not waited on to the end."""

    def trickle_on_the_vector(connection: socket.socket) -> None:
        try:
            if VECTOR_2018["id"].encode() not in request_of(connection):
                connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                return
            for byte in b"HTTP/1.1 200 OK\r\nx-slow: " + b"a" * 200:
                if release.wait(0.05):
                    return
                connection.sendall(bytes([byte]))
            connection.sendall(b"\r\ncontent-length: 0\r\n\r\n")
        except OSError:
            return

    with raw_server(trickle_on_the_vector) as origin:
        code = cli.main(["webhooks", "--url", f"{origin}/vis", "--metadata-policy", "HEADER"])
        release.set()
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  2018 test vector [HEADER]: no answer: no answer within 2 s" in out
    assert lines_of(out)["genuine RINGING [HEADER]"] == "PASS"


def test_usage_mistakes_exit_2_without_a_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("VBC_SIGNING_KEY", raising=False)
    assert cli.main(["webhooks", "--url", "http://127.0.0.1:9/vis"]) == 2
    assert "give the receiver's signing key" in capsys.readouterr().err
    monkeypatch.setenv("VBC_SIGNING_KEY", KEY)
    assert cli.main(["webhooks", "--url", "http://crm.example/vis"]) == 2
    assert "plain http to a host that is not loopback" in capsys.readouterr().err
    assert cli.main(["webhooks", "--url", "https://user:pw@crm.example/vis"]) == 2
    key_file = tmp_path / "key"
    key_file.write_bytes(b"\xff\xfe")
    code = cli.main(
        ["webhooks", "--url", "http://127.0.0.1:9/", "--signing-key-file", str(key_file)]
    )
    assert code == 2
    assert "cannot read the signing key file" in capsys.readouterr().err


def test_an_unreachable_receiver_is_incomplete_not_failed(
    key_in_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    with serving(receiver(correct())) as origin:
        pass  # the port is free again: nothing listens
    code = cli.main(["webhooks", "--url", f"{origin}/vis", "--signing-key-file", str(key_file)])
    out = capsys.readouterr().out
    assert code == 2
    assert "incomplete: no connection" in out and KEY not in out
