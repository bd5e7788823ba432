"""VIS on the sandbox: the SDK's `client.webhooks` and `client.events` served at
/t/vbc.prod/vis/v1 (over a real port and in process), the events a call's changes produce
for the users who subscribed, the deliveries queued for their webhooks (signed as each
webhook says), user scoping, the observed 401 for a token without a phone, the state's
reset and snapshots, and the producer on two instances sharing one PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.postgres_server import PostgresServer
from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.phone.vis_producer import Seen, record_changes
from vbc_sandbox.phone.webhook_rules import expires_at
from vbc_sandbox.settings import Settings
from vbc_sandbox.storage.store import Store
from vbc_sandbox.testkit.plugin import RunningSandbox, Sandboxes
from vbc_spec import VIS_BASE_PATH
from vbc_telephony import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PasswordGrant,
    Telephony,
)

KEY = "a-long-random-secret"
CUSTOMER = "15551234567"
RECEIVER = "http://127.0.0.1:9/vis"
DELAYED = "delayed 3600 s by the test kit"


@pytest.fixture(params=["process", "in_process"])
def sandbox(request: pytest.FixtureRequest, vbc_sandboxes: Sandboxes) -> RunningSandbox:
    """The plugin's sandbox over a real port (its VIS loop started by the lifespan) and in
    process (a tick before a request), back at its seed."""
    running = vbc_sandboxes.get("documented", request.param)
    running.reset()
    return running


def login(sandbox: RunningSandbox, name: str) -> Telephony:
    """A client with the token of a seed user (VIS is per user: a static token has none)."""
    return sandbox.client(auth=sandbox.password_grant(name, f"{name}-sandbox-password"))


@pytest.fixture
def alice(sandbox: RunningSandbox) -> Iterator[Telephony]:
    with login(sandbox, "alice") as client:
        yield client


@pytest.fixture
def bob(sandbox: RunningSandbox) -> Iterator[Telephony]:
    with login(sandbox, "bob") as client:
        yield client


def answered_inbound_call(sandbox: RunningSandbox, client: Telephony) -> str:
    """A customer rings alice (1001); her desk phone answers; the call is hung up."""
    call_id = str(sandbox.ring_inbound(CUSTOMER, "1001")["call_id"])
    client.calls.answer(call_id, device="VH1111111")
    client.calls.hangup(call_id)
    return call_id


def test_a_call_rung_answered_and_hung_up_is_kept_and_queued_signed_for_its_user(
    sandbox: RunningSandbox, alice: Telephony
) -> None:
    # Held on the sandbox's clock by the test kit: they stay queued, as first signed.
    sandbox.delivery_outcome("delay", times=3, seconds=3600)
    webhook = alice.webhooks.create(url=RECEIVER, signing_key=KEY, metadata_policy="HEADER")
    call_id = answered_inbound_call(sandbox, alice)

    events = list(alice.events.list())
    assert [event.state for event in events] == ["RINGING", "ACTIVE", "ANSWERED"]
    assert {(event.direction, event.phone_number, event.user_id) for event in events} == {
        ("INBOUND", CUSTOMER, webhook.user_id)
    }
    assert events[-1].ended and events[-1].end_time is not None
    assert alice.events.count() == 3
    assert alice.events.get(events[0].id).state == "ANSWERED"  # the record's latest

    queued = sandbox.deliveries(call_id=call_id)
    assert [delivery.state for delivery in queued] == ["pending"] * 3
    delivered = [delivery.verify(KEY) for delivery in reversed(queued)]  # oldest first
    assert [d.event.state for d in delivered] == ["RINGING", "ACTIVE", "ANSWERED"]
    assert {(d.webhook_id, d.attempt) for d in delivered} == {(webhook.id, 1)}
    assert len({d.delivery_id for d in delivered}) == 3


def test_the_users_webhooks_are_listed_renewed_and_deleted(
    sandbox: RunningSandbox, alice: Telephony
) -> None:
    sandbox.freeze()
    created = alice.webhooks.create(url=RECEIVER, signing_key=KEY, metadata_policy="BODY")
    assert created.expire_at is not None and created.created_at is not None
    assert (created.expire_at - created.created_at).days == 10
    [listed] = alice.webhooks.list()
    assert (listed.id, listed.signing_key, listed.metadata_policy) == (created.id, KEY, "BODY")
    sandbox.advance(86400)
    renewed = alice.webhooks.renew(created.id)
    assert renewed.expire_at is not None and renewed.expire_at > created.expire_at
    assert not renewed.failed
    alice.webhooks.delete(created.id)
    assert alice.webhooks.list() == []
    with pytest.raises(NotFoundError):
        alice.webhooks.get(created.id)
    # Every answer whole, on a real server too (a 204 with a body breaks the connection).
    assert sandbox.process is None or "Exception" not in sandbox.process.log


def test_a_users_webhook_sees_nothing_of_another_users_calls(
    sandbox: RunningSandbox, alice: Telephony, bob: Telephony
) -> None:
    theirs = alice.webhooks.create(url=RECEIVER, signing_key=KEY)
    mine = bob.webhooks.create(url=RECEIVER, signing_key=KEY)
    call_id = answered_inbound_call(sandbox, alice)
    assert list(bob.events.list()) == []
    assert bob.events.count() == 0
    assert sandbox.deliveries(webhook_id=mine.id) == []
    assert len(sandbox.deliveries(call_id=call_id)) == 3
    assert [webhook.id for webhook in bob.webhooks.list()] == [mine.id]
    with pytest.raises(NotFoundError):
        bob.webhooks.get(theirs.id)
    with pytest.raises(NotFoundError):
        bob.webhooks.delete(theirs.id)
    assert [webhook.id for webhook in alice.webhooks.list()] == [theirs.id]


def test_an_outbound_call_is_the_callers_and_the_callees(
    sandbox: RunningSandbox, alice: Telephony, bob: Telephony
) -> None:
    alice.webhooks.create(url=RECEIVER, signing_key=KEY)
    bob.webhooks.create(url=RECEIVER, signing_key=KEY)
    call_id = alice.calls.dial("1002", from_="1001")
    alice.calls.hangup(call_id)
    mine = list(alice.events.list(direction="OUTBOUND", states=["ANSWERED"]))
    theirs = list(bob.events.list(order="DESC"))
    assert [(event.direction, event.phone_number) for event in mine] == [("OUTBOUND", "1002")]
    assert [event.state for event in theirs] == ["ANSWERED", "ACTIVE", "RINGING"]
    assert {event.caller_id for event in theirs} == {"Alice"}  # the remote party's name
    assert bob.events.count(states=["RINGING"]) == 1


def test_a_token_without_a_phone_fails_to_get_claims(
    sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    with pytest.raises(AuthenticationError, match="failed to get claims"):
        vbc_client.webhooks.list()  # a static token: no user behind it
    sandbox.load_seed(
        {
            "accounts": [
                {
                    "account_id": sandbox.account_id,
                    "name": "Acme Plumbing",
                    "users": [{"username": "api-user", "password": "api-user-sandbox-password"}],
                }
            ]
        }
    )
    with (
        login(sandbox, "api-user") as api_user,
        pytest.raises(AuthenticationError, match="failed to get claims"),
    ):
        api_user.webhooks.create(url=RECEIVER, signing_key=KEY)


def user_token(sandbox: RunningSandbox, name: str) -> str:
    form = {
        "grant_type": "password",
        "username": f"{name}@vbc.prod",
        "password": f"{name}-sandbox-password",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    with httpx.Client(transport=sandbox.transport()) as raw:
        return str(raw.post(sandbox.origin + "/token", data=form).json()["access_token"])


def test_bad_queries_and_subscriptions_get_a_clear_400_in_vis_body(
    sandbox: RunningSandbox, alice: Telephony
) -> None:
    headers = {"Authorization": f"Bearer {user_token(sandbox, 'alice')}"}
    vis = sandbox.origin + VIS_BASE_PATH
    with httpx.Client(transport=sandbox.transport(), headers=headers) as raw:
        for query, message in [
            ({"size": 1001}, "size: at most 1000"),
            ({"sort": "state"}, "sorts by startTime"),
            ({"states": "ANSWERED,COMPLETED"}, "states"),
            ({"offset": -1}, "offset"),
        ]:
            answer = raw.get(f"{vis}/self/events", params=query)
            assert answer.status_code == 400, query
            assert answer.json()["errorCode"] == "BAD_REQUEST"
            assert message in answer.json()["errorMessage"]
        assert raw.get(f"{vis}/self/events", params={"offset": 10**30}).json() == []
        count = raw.get(f"{vis}/self/events/count", params={"fromDate": 10**30})
        assert count.json() == {"count": 0}
        for body in [
            {"url": "ftp://example.com/", "events": ["CALL"]},
            {"url": "http://[::1/", "events": ["CALL"]},
            {"url": RECEIVER, "events": ["CALL"], "secret": "unknown field"},
            {"url": RECEIVER, "events": ["SMS"]},
        ]:
            answer = raw.post(f"{vis}/self/webhooks", json=body)
            assert answer.status_code == 400, body
            assert answer.json()["errorMessage"]
    assert alice.webhooks.list() == []
    with pytest.raises(BadRequestError, match="at most 1000"):
        alice.events.list(size=1001).first_page()


def test_reset_and_snapshots_cover_webhooks_deliveries_and_events(
    sandbox: RunningSandbox,
) -> None:
    with login(sandbox, "alice") as alice:
        webhook = alice.webhooks.create(url=RECEIVER, signing_key=KEY)
        answered_inbound_call(sandbox, alice)
        assert alice.events.count() == 3
    kept = sandbox.snapshot()
    sandbox.reset()
    assert sandbox.deliveries() == []
    with login(sandbox, "alice") as alice:
        assert alice.webhooks.list() == []
        assert alice.events.count() == 0
    sandbox.restore(kept)
    assert len(sandbox.deliveries(webhook_id=webhook.id)) == 3
    with login(sandbox, "alice") as alice:
        assert [found.id for found in alice.webhooks.list()] == [webhook.id]
        assert alice.events.count() == 3


@pytest.mark.vbc_sandbox(mode="in_process")
def test_the_console_shows_a_calls_deliveries(vbc_sandbox: RunningSandbox) -> None:
    # Held an hour on the sandbox's clock by the test kit: the delivery stays as it is shown.
    vbc_sandbox.delivery_outcome("delay", seconds=3600)
    with login(vbc_sandbox, "alice") as alice:
        alice.webhooks.create(url=RECEIVER, signing_key=KEY)
        call_id = str(vbc_sandbox.ring_inbound(CUSTOMER, "1001")["call_id"])
    until = time.monotonic() + 30
    while [d.outcome for d in vbc_sandbox.deliveries(call_id=call_id)] != [DELAYED]:
        assert time.monotonic() < until, vbc_sandbox.deliveries(call_id=call_id)
        time.sleep(0.05)
    headers = {"Authorization": f"Bearer {vbc_sandbox.token}"}
    with httpx.Client(transport=vbc_sandbox.transport(), headers=headers) as raw:
        state = raw.get(vbc_sandbox.origin + "/console/api/state").json()
    [call] = [call for call in state["calls"] if call["call_id"] == call_id]
    assert call["deliveries"] == [
        {"event": "RINGING", "state": "pending", "attempt": 1, "outcome": DELAYED}
    ]


def test_a_served_sandbox_records_changes_by_itself(tmp_path: Path) -> None:
    """The VIS loop runs with the app's lifespan: the events are kept without any read."""
    database = str(tmp_path / "state.db")
    with SandboxProcess(["--db", database]) as running:
        token_url = running.origin + "/token"
        grant = PasswordGrant(
            username="alice",
            password="alice-sandbox-password",
            client_id="sandbox-client",
            client_secret="sandbox-secret",
            token_url=token_url,
        )
        with Telephony(account_id="1234", base_url=running.base_url, auth=grant) as alice:
            alice.webhooks.create(url=RECEIVER, signing_key=KEY)
            call_id = alice.calls.dial(CUSTOMER, from_="1001")
            alice.calls.hangup(call_id)
        store = Store(database)
        try:
            states = poll(lambda: kept_states(store), 3)
        finally:
            store.close()
    assert states == ["RINGING", "ACTIVE", "ANSWERED"]


def kept_states(store: Store) -> list[str]:
    return [row["state"] for row in store.all("SELECT state FROM vis_events ORDER BY seq")]


def poll(read: Any, wanted: int, deadline: float = 20.0) -> Any:
    """What `read` returns once it holds `wanted` items (or at the deadline)."""
    until = time.monotonic() + deadline
    found = read()
    while len(found) < wanted and time.monotonic() < until:
        time.sleep(0.05)
        found = read()
    return found


# ----------------------------------------------------------------- two instances, one PostgreSQL


def test_two_instances_on_postgresql_record_each_change_once(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    one, two = (Sandbox.build(Settings(db=url, linger=0.0)) for _ in range(2))
    try:
        now = one.clock.now()
        with one.store.transaction():
            one.store.add_webhook(
                {
                    "webhook_id": "w",
                    "account_id": "1234",
                    "username": "alice",
                    "user_id": "24785",
                    "url": RECEIVER,
                    "events": '["CALL"]',
                    "signing_algo": "HMAC_SHA256",
                    "signing_key": KEY,
                    "metadata_policy": "HEADER",
                    "created_at": now,
                    "expire_at": expires_at(now),
                }
            )
            one.store.watch_calls("1234")
        stop = threading.Event()
        failures: list[BaseException] = []

        passes = [0, 0]

        def produce(sandbox: Sandbox) -> None:
            seen = Seen()
            try:
                while not stop.is_set():
                    record_changes(sandbox, sandbox.clock.now(), seen)
                    passes[(one, two).index(sandbox)] += 1
            except BaseException as error:
                failures.append(error)
            finally:
                sandbox.store.close()

        producers = [threading.Thread(target=produce, args=(s,)) for s in (one, two)]
        for producer in producers:
            producer.start()
        calls = []
        placing = Sandbox.build(Settings(db=url))
        for _ in range(10):
            call_id = placing.pbx.dial(
                "1234",
                {"from": {"type": "extension", "destination": "1001"},
                 "to": {"type": "pstn", "destination": CUSTOMER}},
            )  # fmt: skip
            placing.pbx.hang_up("1234", call_id)
            calls.append(call_id)
        poll(lambda: placing.store.all("SELECT 1 FROM vis_events"), 30)
        # Both producers look twice more after every change was recorded: a second record
        # of any change would be made by then.
        after, until = list(passes), time.monotonic() + 30
        while any(now < then + 2 for now, then in zip(passes, after, strict=True)):
            assert time.monotonic() < until and not failures, failures
            time.sleep(0.01)
        stop.set()
        for producer in producers:
            producer.join()
        assert not failures
        rows = placing.store.all("SELECT call_id, state FROM vis_events ORDER BY seq")
        queued = placing.store.all("SELECT call_id, event FROM deliveries")
        placing.store.close()
    finally:
        for sandbox in (one, two):
            sandbox.store.close()
    for call_id in calls:
        assert [state for call, state in rows if call == call_id] == [
            "RINGING",
            "ACTIVE",
            "ANSWERED",
        ]
    assert len(queued) == 30


def test_an_account_without_a_webhook_is_not_looked_at() -> None:
    sandbox = Sandbox.build(Settings())
    call_id = sandbox.pbx.dial(
        "1234",
        {"from": {"type": "extension", "destination": "1001"},
         "to": {"type": "pstn", "destination": CUSTOMER}},
    )  # fmt: skip
    assert record_changes(sandbox, sandbox.clock.now(), Seen()) == 0
    assert sandbox.store.call_look(call_id) is None
    sandbox.store.close()


def test_webhooks_deliver_to_loopback_unless_the_sandbox_names_other_hosts(
    sandbox: RunningSandbox, alice: Telephony
) -> None:
    """A shared sandbox POSTs wherever its users' webhooks say: into the network it runs in,
    unless bounded. Loopback by default; `--webhook-host NAME` (or '*') admits others."""
    for url in ["http://10.0.0.1/admin", "http://metadata.internal/", "https://[fd00::1]/"]:
        with pytest.raises(BadRequestError, match="--webhook-host"):
            alice.webhooks.create(url=url, signing_key=KEY)
    assert alice.webhooks.create(url="http://localhost:8000/vis", signing_key=KEY).id
    form = {
        "grant_type": "password",
        "username": "alice@vbc.prod",
        "password": "alice-sandbox-password",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    with SandboxProcess(["--webhook-host", "Receiver.Example"]) as running:
        token = httpx.post(running.origin + "/token", data=form).json()["access_token"]
        webhooks = running.origin + VIS_BASE_PATH + "/self/webhooks"
        headers = {"Authorization": f"Bearer {token}"}
        for url, status in [("http://receiver.example:8080/vis", 201), ("http://10.0.0.1/", 400)]:
            body = {"url": url, "events": ["CALL"]}
            assert httpx.post(webhooks, json=body, headers=headers).status_code == status, url


def test_a_webhooks_signing_key_and_url_password_stay_out_of_the_journal(
    sandbox: RunningSandbox, alice: Telephony
) -> None:
    # Sent raw: the SDK refuses a URL with credentials before it leaves.
    headers = {"Authorization": f"Bearer {user_token(sandbox, 'alice')}"}
    body = {"url": "http://hook-user:URL-PASSWORD@127.0.0.1:9/vis", "signingKey": KEY}
    with httpx.Client(transport=sandbox.transport(), headers=headers) as raw:
        webhooks = sandbox.origin + VIS_BASE_PATH + "/self/webhooks"
        assert raw.post(webhooks, json={**body, "events": ["CALL"]}).status_code == 201
    journal = json.dumps(sandbox.requests())
    assert "/self/webhooks" in journal
    assert KEY not in journal and "URL-PASSWORD" not in journal
    assert "hook-user" not in journal
    snapshot = sandbox.snapshot()
    sandbox.reset()
    sandbox.restore(snapshot)
    assert KEY not in json.dumps(sandbox.requests())


def test_a_body_over_the_limit_is_refused_in_vis_body(sandbox: RunningSandbox) -> None:
    headers = {"Authorization": f"Bearer {user_token(sandbox, 'alice')}"}
    body = {"url": "http://127.0.0.1:9/" + "a" * 70_000, "events": ["CALL"]}
    with httpx.Client(transport=sandbox.transport(), headers=headers) as raw:
        answer = raw.post(sandbox.origin + VIS_BASE_PATH + "/self/webhooks", json=body)
    assert answer.status_code == 413
    assert set(answer.json()) == {"errorCode", "errorMessage"}
