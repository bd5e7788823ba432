"""client.webhooks and client.events against Prism mocking vis.yaml: Prism checks every
request against the spec (a violation is in its output, and answered 422), and answers with
the spec's own examples. End-to-end behaviour (deliveries, expiry) is the sandbox's to test."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.fixtures.vis_evidence import TUTORIAL_WEBHOOK
from vbc_sandbox.launch import LOOPBACK, free_port
from vbc_telephony import (
    AsyncTelephony,
    AuthenticationError,
    BadRequestError,
    Telephony,
    Webhook,
)
from vbc_telephony._errors import APIStatusError, error_from
from vbc_telephony.webhooks import VisCallEvent
from vbc_vis_api.models import Webhook as WebhookModel

ROOT = Path(__file__).resolve().parents[1]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
SIGNING_KEY = "a-long-random-secret"


class Prism:
    """`prism mock vis.yaml` on a free loopback port; its output read as it comes."""

    def __init__(self) -> None:
        self.port = free_port()
        self.lines: list[str] = []
        self.listening = threading.Event()
        self.process = subprocess.Popen(
            [str(PRISM), "mock", str(ROOT / "vis.yaml"), "-h", LOOPBACK, "-p", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Prism is listening" in line:
                self.listening.set()
        self.listening.set()  # ended: the fixture reports what it said

    @property
    def origin(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def violations(self, since: int) -> list[str]:
        return [line for line in self.lines[since:] if "Violation:" in line]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)


@pytest.fixture(scope="module")
def prism() -> Iterator[Prism]:
    server = Prism()
    try:
        server.listening.wait(timeout=120)
        assert server.process.poll() is None, "".join(server.lines)
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(prism: Prism) -> Iterator[Telephony]:
    # Prism serves vis.yaml's paths at its root: the VIS base URL is given, not derived.
    with Telephony(
        account_id="self",
        token="a-token",
        base_url="http://127.0.0.1:9/t/vbc.prod/telephony/v3",
        vis_base_url=prism.origin,
    ) as vbc:
        start = len(prism.lines)
        yield vbc
    assert prism.violations(start) == []


def receiver_url() -> str:
    # Prism POSTs the callback example to it: a loopback port nothing listens on.
    return f"http://{LOOPBACK}:{free_port()}/vonage/events"


def test_the_vis_base_url_is_on_the_telephony_host_unless_given() -> None:
    with Telephony(
        account_id="1", token="t", base_url="http://127.0.0.1:8080/t/vbc.prod/telephony/v3"
    ) as vbc:
        assert vbc.vis_base_url == "http://127.0.0.1:8080/t/vbc.prod/vis/v1"
    with Telephony(account_id="1", token="t") as vbc:
        assert vbc.vis_base_url == "https://api.vonage.com/t/vbc.prod/vis/v1"
    with pytest.raises(ValueError, match="vis_base_url"):
        Telephony(account_id="1", token="t", vis_base_url="ftp://example.com")


def test_create_sends_what_the_vendor_documents_and_reads_the_webhook(client: Telephony) -> None:
    webhook = client.webhooks.create(url=receiver_url(), signing_key=SIGNING_KEY)
    assert isinstance(webhook, Webhook)
    assert webhook.id == "7dc53df5-703e-49b3-8670-b1c468f47f1f"
    assert (webhook.user_id, webhook.account_id) == ("522078", "257073")
    assert webhook.events == ("CALL",) and webhook.metadata_policy == "HEADER"
    assert webhook.expire_at == datetime(2019, 1, 11, tzinfo=UTC)
    assert webhook.statistics.total_attempts == 0 and not webhook.failed


def test_the_signing_key_is_read_but_never_shown(client: Telephony) -> None:
    (webhook,) = client.webhooks.list()
    assert webhook.signing_key == "string"  # echoed back, as the vendor's tutorial shows
    webhook = client.webhooks.get("184094")
    assert webhook.signing_key == "string"
    assert "string" not in repr(webhook).replace("'string'", "")
    assert "signing_key" not in repr(webhook)


def test_list_get_renew_and_delete(client: Telephony) -> None:
    (listed,) = client.webhooks.list()
    assert listed.failed and listed.statistics.last_http_error_code == "500 INTERNAL_SERVER_ERROR"
    assert listed.statistics.last_success == datetime(2020, 6, 23, 11, 28, 12, 434000, tzinfo=UTC)
    renewed = client.webhooks.renew(listed.id)
    assert not renewed.failed and renewed.renewed_by == "522078"
    assert renewed.renewed_at == datetime(2019, 1, 5, tzinfo=UTC)
    assert client.webhooks.delete(listed.id) is None


def test_ids_that_would_leave_their_path_segment_are_refused_before_sending(
    client: Telephony,
) -> None:
    for bad in ("..", "a/b", "", "x?y"):
        with pytest.raises(ValueError):
            client.webhooks.get(bad)
        with pytest.raises(ValueError):
            client.events.get(bad)


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"url": "not a url", "signing_key": "k"}, "url"),
        ({"url": "https://user:pw@r.example.com/x", "signing_key": "k"}, "credentials"),
        ({"url": "https://r.example.com/x", "signing_key": ""}, "signing_key"),
        ({"url": "https://r.example.com/x", "signing_key": "k" * 1025}, "signing_key"),
        (
            {"url": "https://r.example.com/x", "signing_key": "k", "metadata_policy": "header"},
            "HEADER",
        ),
    ],
)
def test_a_subscription_is_checked_before_it_is_sent(
    client: Telephony, options: dict[str, str], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint) as raised:
        client.webhooks.create(**options)  # type: ignore[arg-type]
    assert "pw" not in str(raised.value)


def test_events_are_typed_whatever_json_type_their_ids_came_in(client: Telephony) -> None:
    events = list(client.events.list())
    assert [event.state for event in events] == ["ANSWERED", "RINGING"]
    answered, ringing = events
    assert isinstance(answered, VisCallEvent) and answered.ended and not ringing.ended
    assert answered.duration == timedelta(milliseconds=2950)
    assert answered.start_time == datetime(2018, 2, 15, 18, 58, 56, 194000, tzinfo=UTC)
    assert answered.end_time == datetime(2018, 2, 15, 18, 59, 6, 446000, tzinfo=UTC)
    assert (answered.user_id, answered.account_id) == ("24785", "376")
    assert ringing.answer_time is None and ringing.phone_number == "xxxxxxxxxx"
    assert client.events.get(answered.id) == answered


def test_events_page_by_offset_until_a_page_brings_nothing_new(
    client: Telephony, prism: Prism, caplog: pytest.LogCaptureFixture
) -> None:
    start = len(prism.lines)
    # A page of 2 is full: the next offset is asked for; Prism answers the same two events
    # again, and the walk ends after that page (it brought nothing new), with a warning.
    with caplog.at_level(logging.WARNING, logger="vbc_telephony"):
        events = list(
            client.events.list(size=2, states=["ANSWERED", "RINGING"], direction="OUTBOUND")
        )
    assert len(events) == 4 and len(set(events)) == 2
    assert "offset=1" in caplog.text
    asked = [line for line in prism.lines[start:] if "get /self/events" in line]
    assert len(asked) == 2
    assert "brought no item not already seen" in caplog.text
    # A page shorter than its size is the last: one request.
    start = len(prism.lines)
    assert len(list(client.events.list(size=3, order="DESC", from_date=0))) == 2
    assert len([line for line in prism.lines[start:] if "get /self/events" in line]) == 1


def test_count(client: Telephony) -> None:
    assert client.events.count(states=["RINGING", "ACTIVE"], direction="INBOUND") == 42


@pytest.mark.parametrize(
    "call",
    [
        lambda vbc: vbc.events.count(
            states=["ANSWERED"]
        ),  # the vendor's count lists no final state
        lambda vbc: vbc.events.list(states=["COMPLETED"]),
        lambda vbc: vbc.events.list(direction="inbound"),
        lambda vbc: vbc.events.list(from_date=float("nan")),
        lambda vbc: vbc.events.list(size=0),
    ],
)
def test_filters_vis_does_not_document_are_refused_before_sending(client: Telephony, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        call(client)


def test_vis_errors_are_typed_with_their_message(prism: Prism) -> None:
    with Telephony(account_id="self", token="t", vis_base_url=prism.origin) as vbc:
        # Prism answers as the spec's first 401 example does when asked for a 401.
        with pytest.raises(AuthenticationError, match="failed to get claims"):
            vbc.vis_api.get_httpx_client().get("/self/webhooks", headers={"Prefer": "code=401"})
        # Prism answers an invalid request with vis.yaml's 422 example, VIS's own error body.
        with pytest.raises(APIStatusError, match="Validation failed") as raised:
            vbc.http.get(f"{prism.origin}/self/events", params={"states": "NOPE"})
        assert raised.value.code == "VALIDATION_ERROR"
        assert not isinstance(raised.value, BadRequestError)


def test_a_signing_key_echoed_in_an_error_is_hidden() -> None:
    """An error answer that repeats the key sent (a 422 quoting the body, say) never shows it:
    Prism cannot be made to echo one, so the answer is built here."""
    request = httpx.Request(
        "POST",
        "http://127.0.0.1:9/self/webhooks",
        json={"url": "https://r.example.com", "signingKey": SIGNING_KEY},
    )
    echoed = httpx.Response(422, json={"errorMessage": f"bad key {SIGNING_KEY}"}, request=request)
    error = error_from(echoed)
    assert SIGNING_KEY not in str(error) and SIGNING_KEY not in repr(error.body)


def test_the_async_client_does_the_same(prism: Prism) -> None:
    async def main() -> tuple[Webhook, list[VisCallEvent], int]:
        async with AsyncTelephony(account_id="self", token="t", vis_base_url=prism.origin) as vbc:
            webhook = await vbc.webhooks.create(
                url=receiver_url(), signing_key=SIGNING_KEY, metadata_policy="BODY"
            )
            events = [event async for event in vbc.events.list()]
            return webhook, events, await vbc.events.count()

    start = len(prism.lines)
    webhook, events, count = asyncio.run(main())
    assert webhook.id and len(events) == 2 and count == 42
    assert prism.violations(start) == []


def test_a_webhooks_repr_shows_its_url_without_credentials() -> None:
    """A listed webhook's URL may carry a user:password (registered elsewhere): a repr in a
    log must not."""
    model = WebhookModel.from_dict(
        {**TUTORIAL_WEBHOOK, "url": "https://hook-user:URL-PASSWORD@crm.example/vis"}
    )
    shown = repr(Webhook.of(model))
    assert "URL-PASSWORD" not in shown and "hook-user" not in shown
    assert "crm.example/vis" in shown
