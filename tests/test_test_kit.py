"""The test kit a user's suite drives through the `vbc_sandbox` fixture: the clock, scripted
outcomes, injected faults, the request journal, call timelines, seeds and snapshots, and
the control API's own security."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN, ALICE_LOGIN, STATIC_TOKENS, TOKEN
from vbc_sandbox import outcomes
from vbc_sandbox.cli import parser, settings_from
from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.settings import Settings, StaticToken
from vbc_sandbox.storage import store
from vbc_sandbox.storage.store import MAX_SNAPSHOTS, Store
from vbc_sandbox.testkit import journal
from vbc_sandbox.testkit.inprocess import SyncASGITransport
from vbc_sandbox.testkit.plugin import ControlError, RunningSandbox
from vbc_sandbox.testkit.sandbox_app import SandboxApp
from vbc_spec import API_BASE_PATH
from vbc_telephony import NotFoundError, RateLimitError, Telephony

CUSTOMER = "15551234567"
in_process = pytest.mark.vbc_sandbox(mode="in_process")


# ----------------------------------------------------------------- the clock


@in_process
def test_a_frozen_clock_holds_a_ringing_phone_until_it_is_advanced(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    started = vbc_sandbox.freeze()
    vbc_sandbox.script(CUSTOMER, outcomes.answer_after(30))
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    assert vbc_client.calls.get(call_id).status == "ringing"
    vbc_sandbox.advance(29.5)
    assert vbc_client.calls.get(call_id).status == "ringing"
    vbc_sandbox.advance(0.5)
    call = vbc_client.calls.get(call_id)
    assert call.status == "on-call"
    # Every time the API shows follows the sandbox's clock, not the machine's.
    assert call.start_time is not None and int(call.start_time.timestamp()) == int(started)
    assert vbc_sandbox.now() == pytest.approx(started + 30)


@in_process
def test_a_thawed_clock_runs_on_from_where_it_stood(vbc_sandbox: RunningSandbox) -> None:
    frozen = vbc_sandbox.freeze()
    vbc_sandbox.advance(3600)
    thawed = vbc_sandbox.thaw()
    assert thawed == pytest.approx(frozen + 3600, abs=1)
    assert vbc_sandbox.now() >= thawed
    vbc_sandbox.reset()
    assert abs(vbc_sandbox.now() - thawed + 3600) < 60  # back to real time


@in_process
def test_an_expired_token_is_renewed_by_the_sdk_when_the_clock_passes_its_lifetime(
    vbc_sandbox: RunningSandbox,
) -> None:
    vbc_sandbox.freeze()
    grant = vbc_sandbox.password_grant("alice", "alice-sandbox-password")
    with vbc_sandbox.client(auth=grant) as client:
        call_id = client.calls.dial(CUSTOMER, from_="1001")
        vbc_sandbox.advance(86400 + 1)  # the sandbox's token lifetime
        assert client.calls.get(call_id).status == "on-call"
    journal = vbc_sandbox.requests()
    assert [(e["operation"], e["status"]) for e in journal] == [
        ("create_token", 200),
        ("create_call", 200),
        ("get_call", 401),
        ("create_token", 200),
        ("get_call", 200),
    ]
    assert journal[3]["body"]["grant_type"] == "refresh_token"


# ----------------------------------------------------------------- scripted outcomes


@in_process
def test_outcomes_are_taken_in_order_then_the_phone_answers_again(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.script(CUSTOMER, outcomes.busy(), outcomes.fail(404), outcomes.no_answer(after=0))
    statuses = []
    for _ in range(4):
        call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
        statuses.append(str(vbc_client.calls.get(call_id).status))
    assert statuses == ["busy", "failed", "unanswered", "on-call"]
    assert vbc_sandbox.call("GET", "/accounts/1234/outcomes")["outcomes"] == []


@in_process
def test_a_device_is_scripted_by_its_vh_id_and_an_extension_by_its_number(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.script("VH1111112", outcomes.device_offline())
    vbc_sandbox.script("1003", "busy")
    offline = vbc_client.calls.dial("VH1111112", to_type="device", from_="1001")
    busy = vbc_client.calls.dial("1003", to_type="extension", from_="1001")
    assert vbc_client.calls.get(offline).status == "unanswered"
    assert vbc_client.calls.get(busy).status == "busy"
    events = [e["event"] for e in vbc_sandbox.timeline(offline)]
    assert events == ["placed", "ringing", "answered", "ringing", "no answer"]
    assert "device offline" in vbc_sandbox.timeline(offline)[3]["detail"]


@in_process
def test_the_far_end_hangs_up_after_answering_and_the_call_ends(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.freeze()
    vbc_sandbox.script(CUSTOMER, outcomes.far_end_hangup_after(20))
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    vbc_sandbox.advance(19)
    assert vbc_client.calls.get(call_id).status == "on-call"
    vbc_sandbox.advance(1)
    with pytest.raises(NotFoundError):
        vbc_client.calls.get(call_id)
    last = vbc_sandbox.timeline(call_id)[-1]
    assert (last["event"], last["detail"]) == ("ended", "scripted: the far end hung up")


@in_process
def test_a_transfer_that_fails_leaves_the_call_as_it_was(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.script("1003", outcomes.transfer_fails())
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    before = {leg.leg_id for leg in vbc_client.calls.get(call_id).legs}
    vbc_client.calls.transfer(call_id, from_="1001", to="1003")
    call = vbc_client.calls.get(call_id)
    assert call.status == "on-call" and {leg.leg_id for leg in call.legs} == before
    assert vbc_sandbox.timeline(call_id)[-1]["event"] == "transfer failed"


@in_process
def test_bad_outcomes_get_a_clear_400_and_queue_nothing(vbc_sandbox: RunningSandbox) -> None:
    with pytest.raises(ControlError, match="answer_after needs seconds"):
        vbc_sandbox.script(CUSTOMER, {"outcome": "answer_after"})
    with pytest.raises(ControlError, match="400"):
        vbc_sandbox.script(CUSTOMER, "explode")
    with pytest.raises(ControlError, match="400"):
        vbc_sandbox.script(CUSTOMER, {"outcome": "busy", "seconds": -1})
    assert vbc_sandbox.call("GET", "/accounts/1234/outcomes")["outcomes"] == []


# ----------------------------------------------------------------- injected faults


@in_process
def test_a_429_is_injected_and_the_sdk_waits_it_out(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.fault("create_call", "429", times=2, retry_after=0)
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    statuses = [e["status"] for e in vbc_sandbox.requests(operation="create_call")]
    assert statuses == [429, 429, 200]
    assert vbc_client.calls.get(call_id).status == "on-call"


@in_process
def test_a_fault_outlasting_the_retries_reaches_the_caller(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    vbc_sandbox.fault("list_calls", "429", times=100, retry_after=0)
    with pytest.raises(RateLimitError):
        list(vbc_client.calls.list())
    assert vbc_sandbox.call("GET", "/faults")["faults"][0]["times"] < 100


def test_a_dropped_connection_is_a_real_one_and_the_sdk_retries_a_get(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    # The process mode: a real socket closes unanswered.
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    vbc_sandbox.fault("get_call", "drop")
    with httpx.Client() as raw, pytest.raises(httpx.RemoteProtocolError):
        raw.get(
            f"{vbc_sandbox.base_url}/cc/accounts/1234/calls/{call_id}",
            headers={"Authorization": f"Bearer {vbc_sandbox.token}"},
        )
    vbc_sandbox.fault("get_call", "drop")
    assert vbc_client.calls.get(call_id).status == "on-call"
    assert [e["status"] for e in vbc_sandbox.requests(operation="get_call")] == [0, 0, 200]
    assert vbc_sandbox.process is not None and "Exception" not in vbc_sandbox.process.log


@in_process
def test_a_fault_for_an_unknown_operation_is_refused(vbc_sandbox: RunningSandbox) -> None:
    with pytest.raises(ControlError, match="no operation 'get_calls'"):
        vbc_sandbox.fault("get_calls", "503")


# ----------------------------------------------------------------- journal and timeline


@in_process
def test_the_journal_keeps_what_was_asked_per_account_without_secrets(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    vbc_client.calls.hangup(call_id)
    with vbc_sandbox.client(account_id="5678", token=vbc_sandbox.other_token) as other:
        list(other.calls.list())
    vbc_sandbox.control.post("/token", data=ALICE_LOGIN)
    mine = vbc_sandbox.requests(account_id="1234")
    assert [(e["operation"], e["status"], e["call_id"]) for e in mine] == [
        ("create_call", 200, call_id),
        ("delete_call", 200, call_id),
    ]
    assert mine[0]["body"]["to"] == {"destination": CUSTOMER, "type": "pstn"}
    assert [e["operation"] for e in vbc_sandbox.requests(account_id="5678")] == ["list_calls"]
    token_request = vbc_sandbox.requests(operation="create_token")[0]
    assert token_request["body"]["password"] == "[redacted]"
    assert token_request["body"]["client_secret"] == "[redacted]"
    everything = str(vbc_sandbox.requests())
    assert "alice-sandbox-password" not in everything and vbc_sandbox.token not in everything
    vbc_sandbox.reset()
    assert vbc_sandbox.requests() == []


def test_the_journal_keeps_the_latest_entries_within_its_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(journal, "JOURNAL_LIMIT", 5)
    monkeypatch.setattr(journal, "TRIM_EVERY", 3)
    app = SandboxApp(
        Settings(db=str(tmp_path / "state.db"), static_tokens=(StaticToken(TOKEN, "1234"),))
    )
    calls = f"{API_BASE_PATH}/cc/accounts/1234/calls"
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://x") as http:
        for n in range(12):
            http.get(f"{calls}/no-such-call-{n}", headers={"Authorization": f"Bearer {TOKEN}"})
    kept = app.journal.entries(limit=100)
    assert [e["path"] for e in kept] == [f"{calls}/no-such-call-{n}" for n in range(7, 12)]
    assert {e["status"] for e in kept} == {404}


def test_journal_entries_kept_before_redaction_are_gone_after_an_upgrade(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    older = Store(db)
    raw = {"method": "POST", "path": "/token", "query": "", "status": 400, "at": 1.0}
    older.add_journal_entries(
        [{**raw, "account_id": None, "operation": "create_token", "call_id": None,
          "body": '"grant_type=password&password=hunter2"'}]
    )  # fmt: skip
    older.snapshot("kept-before", now=1.0)
    with older.transaction() as engine:  # as the release before redaction left it
        engine.execute("DELETE FROM schema_version WHERE version >= 5")
    older.close()
    upgraded = Store(db)
    assert upgraded.journal({}, 10, journal.LISTING_TEXT) == []
    assert upgraded.restore("kept-before")  # the snapshot stays, without its journal
    assert upgraded.journal({}, 10, journal.LISTING_TEXT) == []
    upgraded.close()


@in_process
def test_a_timeline_tells_a_call_from_ringing_to_its_end(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1001")
    call = vbc_client.calls.get(call_id)
    customer_leg = next(leg for leg in call.legs if leg.to == CUSTOMER)
    vbc_client.calls.legs.hold(call_id, customer_leg.leg_id)
    vbc_client.calls.legs.unhold(call_id, customer_leg.leg_id)
    vbc_client.calls.park(call_id, "1001")
    vbc_client.calls.hangup(call_id)
    events = [(e["event"], e["detail"]) for e in vbc_sandbox.timeline(call_id)]
    assert events == [
        ("placed", f"click2dial 1001 -> {CUSTOMER}"),
        ("ringing", "1001"),
        ("answered", "1001"),
        ("ringing", CUSTOMER),
        ("answered", CUSTOMER),
        ("held", CUSTOMER),
        ("taken off hold", CUSTOMER),
        ("parked", "1001"),
        ("ended", "hung up through the API"),
    ]
    with pytest.raises(ControlError, match="404"):
        vbc_sandbox.timeline(call_id, account_id="5678")


# ----------------------------------------------------------------- seeds and snapshots


@in_process
@pytest.mark.vbc_sandbox(
    mode="in_process",
    seed={
        "accounts": [
            {
                "account_id": "1234",
                "name": "Acme Plumbing",
                "users": [{"username": "zoe", "password": "zoe-pw", "extension": "1077"}],
            }
        ]
    },
)
def test_a_marker_seed_adds_an_extension_until_the_next_reset(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    call_id = vbc_client.calls.dial(CUSTOMER, from_="1077")
    assert vbc_client.calls.get(call_id).from_ == "1077"
    vbc_sandbox.reset()
    with pytest.raises(NotFoundError):
        vbc_client.calls.dial(CUSTOMER, from_="1077")


@in_process
def test_a_snapshot_restores_calls_and_the_clock_it_kept(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    kept_at = vbc_sandbox.freeze()
    kept_call = vbc_client.calls.dial(CUSTOMER, from_="1001")
    snapshot = vbc_sandbox.snapshot()
    vbc_client.calls.hangup(kept_call)
    vbc_client.calls.dial(CUSTOMER, from_="1002")
    vbc_sandbox.advance(500)
    vbc_sandbox.restore(snapshot)
    assert [call.call_id for call in vbc_client.calls.list()] == [kept_call]
    assert vbc_sandbox.now() == pytest.approx(kept_at)
    with pytest.raises(ControlError, match="404"):
        vbc_sandbox.restore("0123456789abcdef")
    with pytest.raises(ControlError, match="400"):
        vbc_sandbox.restore("not-a-snapshot")


@in_process
def test_a_bad_seed_gets_a_400_and_loads_nothing(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony
) -> None:
    bad = {"accounts": [{"account_id": "1234", "name": "x", "users": [{"username": "zoe"}]}]}
    with pytest.raises(ControlError, match="400"):
        vbc_sandbox.load_seed(bad)
    with pytest.raises(NotFoundError):
        vbc_client.calls.dial(CUSTOMER, from_="1077")


# ----------------------------------------------------------------- the control API's security


def test_the_control_api_takes_only_its_admin_token(sandbox: SandboxProcess) -> None:
    reset = sandbox.origin + "/sandbox/reset"
    assert httpx.post(reset).status_code == 401
    assert httpx.post(reset, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    assert httpx.post(reset, headers=ADMIN).status_code == 204
    assert httpx.get(sandbox.origin + "/sandbox/health").status_code == 200


def test_the_control_api_is_off_off_loopback_without_an_admin_token() -> None:
    # Judged from the flags alone: the tests never listen beyond loopback.
    public = settings_from(parser().parse_args(["--host", "0.0.0.0"]))  # noqa: S104
    assert public.control_token is None
    given = settings_from(parser().parse_args(["--host", "0.0.0.0", "--admin-token", "s3"]))  # noqa: S104
    assert given.control_token == "s3"
    with pytest.raises(ValueError, match="must not also be a Telephony token"):
        settings_from(parser().parse_args(["--admin-token", "same", "--token", "same"]))
    app = SandboxApp(Settings(static_tokens=(StaticToken("t", "1234"),), control_token=None))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://x") as http:
        off = http.post("/sandbox/reset", headers={"Authorization": "Bearer t"})
        assert off.status_code == 404 and "--admin-token" in off.json()["message"]
        assert http.get("/sandbox/health").status_code == 200


def test_an_admin_token_never_shows_in_the_settings_repr_or_the_process_list() -> None:
    settings = Settings(control_token="very-secret-admin")
    assert "very-secret-admin" not in repr(settings)
    with SandboxProcess(STATIC_TOKENS, env={"VBC_SANDBOX_ADMIN_TOKEN": "very-secret-admin"}) as sb:
        assert "very-secret-admin" not in " ".join(sb.process.args if sb.process else [])
        answer = httpx.post(
            sb.origin + "/sandbox/reset", headers={"Authorization": "Bearer very-secret-admin"}
        )
        assert answer.status_code == 204
    assert "very-secret-admin" not in sb.log


def test_bad_control_input_gets_a_clear_400(sandbox: SandboxProcess) -> None:
    clock = sandbox.origin + "/sandbox/clock"
    for body in ({}, {"advance": -5}, {"freeze": "yes"}, {"at": 1, "tick": 2}):
        answer = httpx.post(clock, json=body, headers=ADMIN)
        assert answer.status_code == 400, body
        assert answer.json()["message"]
    with socket.create_connection(("127.0.0.1", sandbox.port)) as raw:
        raw.sendall(
            b"POST /sandbox/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Bearer vbc-sandbox-admin\r\n"
            b"Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{oops"
        )
        assert raw.recv(100).startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        (
            "/accounts/1234/outcomes",
            b'{"target": "15550001111", "outcomes": [{"outcome": "answer_after", "seconds": NaN}]}',
            "NaN, which is not a JSON number",
        ),
        (
            "/accounts/1234/outcomes",
            b'{"target": "15550001111", "outcomes": [{"outcome": "no_answer", "seconds": 1e400}]}',
            "a number too large to use: 1e400",
        ),
        ("/clock", b'{"at": NaN}', "NaN, which is not a JSON number"),
        ("/clock", b'{"advance": NaN}', "NaN, which is not a JSON number"),
        ("/clock", b'{"advance": Infinity}', "Infinity, which is not a JSON number"),
        ("/clock", b'{"at": -Infinity}', "-Infinity, which is not a JSON number"),
        ("/faults", b'{"operation": "get_call", "fault": "503", "times": NaN}', "NaN"),
        ("/seed", b'{"accounts": [], "n": -Infinity}', "-Infinity"),
    ],
    ids=[
        "outcome NaN",
        "outcome 1e400",
        "clock at NaN",
        "clock advance NaN",
        "clock advance Infinity",
        "clock at -Infinity",
        "fault times NaN",
        "seed -Infinity",
    ],
)
def test_a_number_json_cannot_hold_gets_a_400_and_breaks_no_later_request(
    sandbox: SandboxProcess, path: str, body: bytes, says: str
) -> None:
    # Python's JSON parser reads NaN and the infinities; NaN passes every minimum and maximum.
    answer = httpx.post(
        sandbox.origin + "/sandbox" + path,
        content=body,
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["message"]
    dial = {
        "from": {"destination": "1001", "type": "extension"},
        "to": {"destination": "15550001111", "type": "pstn"},
    }
    calls = f"{sandbox.base_url}/cc/accounts/1234/calls"
    assert httpx.post(calls, json=dial, headers={"Authorization": f"Bearer {TOKEN}"}).is_success
    clock = httpx.get(sandbox.origin + "/sandbox/clock", headers=ADMIN)
    assert clock.status_code == 200 and clock.json()["now"] > 0


def test_the_clock_is_not_set_past_the_start_of_year_3000(sandbox: SandboxProcess) -> None:
    clock = sandbox.origin + "/sandbox/clock"
    try:
        answer = httpx.post(clock, json={"at": 32503680000, "advance": 1}, headers=ADMIN)
        assert answer.status_code == 400 and "year 3000" in answer.json()["message"]
        assert httpx.get(clock, headers=ADMIN).json()["now"] < 32503680000  # unchanged
        assert httpx.post(clock, json={"at": 32503680000}, headers=ADMIN).status_code == 200
    finally:
        httpx.post(sandbox.origin + "/sandbox/reset", headers=ADMIN)


@in_process
def test_a_fault_for_a_control_operation_is_refused_naming_those_that_take_one(
    vbc_sandbox: RunningSandbox,
) -> None:
    # The control API's requests never meet a fault: one queued would count toward the cap.
    for operation in ("health", "reset", "list_requests"):
        with pytest.raises(ControlError, match=f"400 no operation '{operation}'.*create_call"):
            vbc_sandbox.fault(operation, "503")
    assert vbc_sandbox.call("GET", "/faults")["faults"] == []


@in_process
def test_snapshots_are_dropped_oldest_first_whatever_the_clock_shows(
    vbc_sandbox: RunningSandbox,
) -> None:
    first = vbc_sandbox.snapshot()
    for _ in range(MAX_SNAPSHOTS - 1):
        vbc_sandbox.snapshot()
    vbc_sandbox.set_time(978307200)  # 2001: earlier than every snapshot kept
    newest = vbc_sandbox.snapshot()
    vbc_sandbox.restore(newest)
    with pytest.raises(ControlError, match="404"):
        vbc_sandbox.restore(first)


def test_the_journal_keeps_a_bounded_path_and_query(sandbox: SandboxProcess) -> None:
    httpx.post(sandbox.origin + "/sandbox/reset", headers=ADMIN)
    # A request head may hold 64 KiB.
    account = "9" * 30_000
    httpx.get(
        f"{sandbox.base_url}/cc/accounts/{account}/calls?q=" + "a" * 30_000,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    (entry,) = httpx.get(sandbox.origin + "/sandbox/requests", headers=ADMIN).json()["requests"]
    assert entry["query"] == "q=" + "a" * (journal.TEXT_KEPT - 2)
    assert len(entry["path"]) == len(entry["account_id"]) == journal.TEXT_KEPT


@in_process
def test_a_journal_listing_holds_the_latest_entries_within_its_text_bound(
    vbc_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = {"Authorization": f"Bearer {vbc_sandbox.token}"}
    for n in range(5):
        vbc_sandbox.control.get(f"{API_BASE_PATH}/cc/accounts/1234/calls?q{n}=" + "a" * 1000)
        vbc_sandbox.control.get(f"{API_BASE_PATH}/cc/accounts/1234/calls", headers=token)
    every = vbc_sandbox.requests()
    assert len(every) == 10
    texts = [len(json.dumps(e["body"])) + len(e["path"]) + len(e["query"]) for e in every]
    monkeypatch.setattr(journal, "LISTING_TEXT", sum(texts[-3:]))
    assert vbc_sandbox.requests() == every[-3:]


@in_process
def test_a_body_holding_nan_is_noted_unread_and_the_journal_listing_stays_json(
    vbc_sandbox: RunningSandbox,
) -> None:
    vbc_sandbox.control.post(
        f"{API_BASE_PATH}/cc/accounts/1234/calls",
        content=b'{"to": {"destination": NaN}, "from": {"destination": -Infinity}}',
        headers={
            "Authorization": f"Bearer {vbc_sandbox.token}",
            "Content-Type": "application/json",
        },
    )
    listing = vbc_sandbox.control.get("/sandbox/requests").text

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    body = json.loads(listing, parse_constant=refuse)["requests"][0]["body"]
    assert body.startswith("[not shown:") and "cannot be read" in body


@in_process
def test_seeds_add_no_more_than_the_directory_holds(
    vbc_sandbox: RunningSandbox, vbc_client: Telephony, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_DIRECTORY_ROWS", 20)
    users = [{"username": f"u{n}", "password": "p", "extension": f"7{n:03}"} for n in range(30)]
    with pytest.raises(ControlError, match="400 at most"):
        vbc_sandbox.load_seed({"accounts": [{"account_id": "1234", "name": "x", "users": users}]})
    with pytest.raises(NotFoundError):  # nothing of the refused seed was added
        vbc_client.calls.dial(CUSTOMER, from_="7000")
    vbc_sandbox.load_seed({"accounts": [{"account_id": "1234", "name": "x", "users": users[:5]}]})
    assert vbc_client.calls.dial(CUSTOMER, from_="7000")
