"""Auth, isolation, paging, storage, workers, quota and bad input, over real HTTP."""

from __future__ import annotations

import concurrent.futures
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import (
    ACCOUNT,
    ALICE_LOGIN,
    OTHER_ACCOUNT,
    OTHER_TOKEN,
    SEED_CLIENT,
    STATIC_TOKENS,
    TOKEN,
)
from tests.test_sandbox_calls import dial, legs_of
from vbc_sandbox.cli import parser, settings_from
from vbc_sandbox.errors import SandboxError
from vbc_sandbox.launch import SandboxProcess
from vbc_sandbox.phone.pbx import Pbx
from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.settings import Settings
from vbc_telephony_api import AuthenticatedClient

TO_PSTN = b'"to": {"destination": "1", "type": "pstn"}}'
CLIENT = SEED_CLIENT
ALICE = {k: v for k, v in ALICE_LOGIN.items() if k not in SEED_CLIENT}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def every_operation(account: str, call_id: str, leg_id: str) -> list[tuple[str, str, object]]:
    calls = f"/cc/accounts/{account}/calls"
    leg = f"{calls}/{call_id}/legs/{leg_id}"
    dial_body = {
        "from": {"destination": "1001", "type": "extension"},
        "to": {"destination": "15551234567", "type": "pstn"},
    }
    return [
        ("GET", calls, None),
        ("POST", calls, dial_body),
        ("GET", f"{calls}/{call_id}", None),
        (
            "PUT",
            f"{calls}/{call_id}",
            {"state": "parked", "from": {"destination": "1001", "type": "extension"}},
        ),
        ("DELETE", f"{calls}/{call_id}", None),
        ("GET", f"{calls}/{call_id}/legs", None),
        ("GET", leg, None),
        ("PUT", leg, {"state": "held"}),
        ("DELETE", leg, None),
        ("GET", f"/registration/accounts/{account}/devices", None),
        ("GET", f"/registration/accounts/{account}/devices/79-5C-7D-28-1B-B3", None),
    ]


def test_every_operation_needs_a_valid_token(
    sandbox: SandboxProcess, api: AuthenticatedClient
) -> None:
    call_id = dial(api, "15551234567")
    leg_id = legs_of(api, call_id)[0].leg_id
    for method, path, body in every_operation(ACCOUNT, call_id, leg_id):
        for headers in [{}, bearer("not-a-token"), {"Authorization": "Basic abc"}]:
            response = httpx.request(method, sandbox.base_url + path, json=body, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["code"] == 401
            assert call_id not in response.text


def test_another_accounts_token_reaches_nothing_of_this_account(
    sandbox: SandboxProcess, api: AuthenticatedClient
) -> None:
    call_id = dial(api, "15551234567")
    leg_id = legs_of(api, call_id)[0].leg_id
    # Both with this account's id in the path, and with the other account's own id.
    for account in (ACCOUNT, OTHER_ACCOUNT):
        for method, path, body in every_operation(account, call_id, leg_id):
            if (
                account == OTHER_ACCOUNT
                and path.endswith(("/calls", "/devices"))
                and "devices/" not in path
            ):
                continue  # listing or dialling in one's own account is allowed
            if account == OTHER_ACCOUNT and "devices/" in path:
                continue  # the device belongs to 1234; 5678 asks its own account
            response = httpx.request(
                method, sandbox.base_url + path, json=body, headers=bearer(OTHER_TOKEN)
            )
            assert response.status_code == 404, (method, path, response.text)
            assert call_id not in response.text and leg_id not in response.text
    # The call is untouched.
    assert (
        httpx.get(
            f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls/{call_id}", headers=bearer(TOKEN)
        ).status_code
        == 200
    )
    own = httpx.get(
        f"{sandbox.base_url}/cc/accounts/{OTHER_ACCOUNT}/calls?page_size=1000",
        headers=bearer(OTHER_TOKEN),
    )
    assert call_id not in own.text
    device = httpx.get(
        f"{sandbox.base_url}/registration/accounts/{OTHER_ACCOUNT}/devices/79-5C-7D-28-1B-B3",
        headers=bearer(OTHER_TOKEN),
    )
    assert device.status_code == 404


def test_password_grant_then_refresh_rotation(sandbox: SandboxProcess) -> None:
    token_url = sandbox.origin + "/token"
    first = httpx.post(token_url, data={**ALICE, **CLIENT, "scope": "openid"})
    assert first.status_code == 200
    tokens = first.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 86400
    calls = f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls"
    assert httpx.get(calls, headers=bearer(tokens["access_token"])).status_code == 200
    # Alice belongs to 1234 only.
    other = f"{sandbox.base_url}/cc/accounts/{OTHER_ACCOUNT}/calls"
    assert httpx.get(other, headers=bearer(tokens["access_token"])).status_code == 404

    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    second = httpx.post(
        token_url, data=refresh, auth=(CLIENT["client_id"], CLIENT["client_secret"])
    )
    assert second.status_code == 200
    assert second.json()["refresh_token"] != tokens["refresh_token"]
    replay = httpx.post(token_url, data={**refresh, **CLIENT})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    newer = {"grant_type": "refresh_token", "refresh_token": second.json()["refresh_token"]}
    assert httpx.post(token_url, data={**newer, **CLIENT}).status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**ALICE, **CLIENT, "password": "wrong"}, 400, "invalid_grant"),
        ({**ALICE, **CLIENT, "username": "alice"}, 400, "invalid_grant"),
        ({**ALICE, "client_id": "sandbox-client", "client_secret": "nope"}, 401, "invalid_client"),
        ({**ALICE}, 401, "invalid_client"),
        ({**CLIENT, "grant_type": "client_credentials"}, 400, None),
    ],
)
def test_bad_token_requests_get_oauth_errors_without_echoing_secrets(
    sandbox: SandboxProcess, form: dict[str, str], status: int, error: str | None
) -> None:
    response = httpx.post(sandbox.origin + "/token", data=form)
    assert response.status_code == status
    if error:
        assert response.json()["error"] == error
    for secret in ("alice-sandbox-password", "sandbox-secret", "wrong", "nope"):
        assert secret not in response.text


def test_access_tokens_expire() -> None:
    with SandboxProcess(["--token-ttl", "1"]) as short:
        tokens = httpx.post(short.origin + "/token", data={**ALICE, **CLIENT}).json()
        calls = f"{short.base_url}/cc/accounts/{ACCOUNT}/calls"
        assert httpx.get(calls, headers=bearer(tokens["access_token"])).status_code == 200
        time.sleep(1.5)
        expired = httpx.get(calls, headers=bearer(tokens["access_token"]))
        assert expired.status_code == 401 and "expired" in expired.json()["message"]
        fresh = httpx.post(
            short.origin + "/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                **CLIENT,
            },
        ).json()
        assert httpx.get(calls, headers=bearer(fresh["access_token"])).status_code == 200


def test_paging_walks_every_call_once_in_order_while_calls_are_placed(
    sandbox: SandboxProcess,
) -> None:
    headers = bearer(OTHER_TOKEN)
    calls_url = f"{sandbox.base_url}/cc/accounts/{OTHER_ACCOUNT}/calls"
    body = {
        "from": {"destination": "2001", "type": "extension"},
        "to": {"destination": "15550001111", "type": "pstn"},
    }
    with httpx.Client(headers=headers) as http:
        placed = {http.post(calls_url, json=body).json() for _ in range(25)}
        seen: list[str] = []
        url: str | None = f"{calls_url}?page_size=10&order=asc"
        pages = 0
        while url:
            page = http.get(url).json()
            pages += 1
            seen += [call["call_id"] for call in page["calls"]]
            # Calls placed mid-walk must neither shift nor repeat what the walk returns.
            http.post(calls_url, json=body)
            url = sandbox.base_url + page["next_page_uri"] if page["next_page_uri"] else None
        assert pages == 3 and len(seen) == len(set(seen)) == 25
        assert set(seen) == placed
        first = http.get(f"{calls_url}?page_size=10&order=desc").json()
        # 25 placed first, 3 more during the walk: 28 calls, 3 pages.
        assert first["pages"] == 3 and first["previous_page_uri"] is None
        # Pages of calls count from 0, as the vendor's example shows.
        assert first["current_page"] == 0
        assert http.get(sandbox.base_url + first["next_page_uri"]).json()["current_page"] == 1
        for call_id in http.get(f"{calls_url}?page_size=1000").json()["calls"]:
            http.delete(f"{calls_url}/{call_id['call_id']}")


def test_list_filters_by_extension_and_time(
    sandbox: SandboxProcess, api: AuthenticatedClient
) -> None:
    mine = dial(api, "15551239999", frm="1003")
    theirs = dial(api, "15551238888", frm="1002")
    url = f"{sandbox.base_url}/cc/accounts/{ACCOUNT}/calls"
    found = httpx.get(
        url, params={"extension": "1003", "page_size": 1000}, headers=bearer(TOKEN)
    ).json()
    ids = {call["call_id"] for call in found["calls"]}
    assert mine in ids and theirs not in ids
    future = httpx.get(
        url, params={"start_time": int(time.time()) + 3600}, headers=bearer(TOKEN)
    ).json()
    assert future["calls"] == [] and future["pages"] == 1
    past = httpx.get(url, params={"end_time": 1000, "order": "asc"}, headers=bearer(TOKEN)).json()
    assert past["calls"] == []


def test_devices_page_and_any_mac_spelling(sandbox: SandboxProcess) -> None:
    url = f"{sandbox.base_url}/registration/accounts/{ACCOUNT}/devices"
    page = httpx.get(url, params={"page_size": 2, "order": "asc"}, headers=bearer(TOKEN)).json()
    assert [d["mac_address"] for d in page["devices"]] == ["79-5C-7D-28-1B-B3", "38-99-62-93-E2-A9"]
    assert page["pages"] == 2 and page["next_page"] == 2
    rest = httpx.get(sandbox.base_url + page["next_page_uri"], headers=bearer(TOKEN)).json()
    assert [d["mac_address"] for d in rest["devices"]] == ["00-0A-95-9D-68-16"]
    for spelling in ("79:5c:7d:28:1b:b3", "795C7D281BB3", "79-5C-7D-28-1B-B3"):
        device = httpx.get(f"{url}/{spelling}", headers=bearer(TOKEN))
        assert device.status_code == 200 and device.json()["device_ip"] == "150.24.83.17"


def test_state_survives_a_restart_with_db(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with SandboxProcess([*STATIC_TOKENS, "--db", db]) as first:
        with AuthenticatedClient(base_url=first.base_url, token=TOKEN) as api:
            call_id = dial(api, "15550000180")
        port = first.port
    with SandboxProcess([*STATIC_TOKENS, "--db", db], port=port) as second:
        response = httpx.get(
            f"{second.base_url}/cc/accounts/{ACCOUNT}/calls/{call_id}", headers=bearer(TOKEN)
        )
        assert response.status_code == 200 and response.json()["status"] == "ringing"


def test_two_workers_share_one_state(tmp_path: Path) -> None:
    with SandboxProcess([*STATIC_TOKENS, "--workers", "2", "--db", str(tmp_path / "s.db")]) as both:
        with AuthenticatedClient(base_url=both.base_url, token=TOKEN) as api:
            placed = {dial(api, "15550000180") for _ in range(5)}

        def look() -> tuple[int, set[str]]:
            # A fresh connection each time, so the kernel spreads them over the workers.
            worker = httpx.get(both.origin + "/sandbox/health").json()["worker"]
            page = httpx.get(f"{both.base_url}/cc/accounts/{ACCOUNT}/calls", headers=bearer(TOKEN))
            return worker, {call["call_id"] for call in page.json()["calls"]}

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: look(), range(60)))
        assert len({worker for worker, _ in results}) == 2
        assert all(seen == placed for _, seen in results)


def test_two_workers_transferring_one_leg_at_once_move_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An action checks and writes in one write transaction. Two workers (two stores on one
    file) transfer the same leg while each is slowed between its check and its write: the
    second waits for the first, then finds the leg gone, and the call keeps two parties."""
    settings = Settings(db=str(tmp_path / "s.db"))
    first, second = Sandbox.build(settings), Sandbox.build(settings)
    call_id = first.pbx.dial(
        ACCOUNT,
        {
            "from": {"destination": "1001", "type": "extension"},
            "to": {"destination": "15551234567", "type": "pstn"},
        },
    )
    customer = next(
        leg for leg in first.pbx.list_legs(ACCOUNT, call_id) if leg["to"] == 15551234567
    )
    transfer = {"state": "active", "to": {"type": "extension", "destination": "1003"}}
    resolve = Pbx.resolve

    def slow_resolve(self: Pbx, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)  # the window another worker could act in, were the check apart
        return resolve(self, *args, **kwargs)

    monkeypatch.setattr(Pbx, "resolve", slow_resolve)

    def move(sandbox: Sandbox) -> str:
        try:
            sandbox.pbx.update_leg(ACCOUNT, call_id, customer["leg_id"], transfer)
        except SandboxError as error:
            return str(error.status)
        return "moved"

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(move, [first, second]))
    assert sorted(outcomes) == ["404", "moved"]
    legs = first.pbx.list_legs(ACCOUNT, call_id)
    assert sorted(str(leg["to"]) for leg in legs) == ["1001", "1003"]


def test_quota_answers_429_with_retry_after() -> None:
    with SandboxProcess([*STATIC_TOKENS, "--rate-limit", "5/min"]) as limited:
        url = f"{limited.base_url}/cc/accounts/{ACCOUNT}/calls"
        statuses = [httpx.get(url, headers=bearer(TOKEN)).status_code for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2
        refused = httpx.get(url, headers=bearer(TOKEN))
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["message"] == "Message throttled out"
        # The quota is per token.
        assert (
            httpx.get(
                f"{limited.base_url}/cc/accounts/{OTHER_ACCOUNT}/calls", headers=bearer(OTHER_TOKEN)
            ).status_code
            == 200
        )


THREE_YEARS = 3 * 365 * 86400
ADMIN = {"Authorization": "Bearer vbc-sandbox-admin"}


def set_clock_back(sandbox: SandboxProcess, seconds: float) -> None:
    clock = sandbox.origin + "/sandbox/clock"
    now = httpx.get(clock, headers=ADMIN).json()["now"]
    assert httpx.post(clock, json={"at": now - seconds}, headers=ADMIN).status_code == 200


def test_a_quota_window_opened_before_the_clock_was_set_back_starts_anew() -> None:
    with SandboxProcess([*STATIC_TOKENS, "--rate-limit", "2/min"]) as limited:
        url = f"{limited.base_url}/cc/accounts/{ACCOUNT}/calls"
        statuses = [httpx.get(url, headers=bearer(TOKEN)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        set_clock_back(limited, THREE_YEARS)
        answers = [httpx.get(url, headers=bearer(TOKEN)) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 429]
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60


def test_a_token_issued_before_the_clock_was_set_back_lives_no_longer_than_its_ttl() -> None:
    with SandboxProcess(["--token-ttl", "60"]) as short:
        token = httpx.post(short.origin + "/token", data={**ALICE, **CLIENT}).json()
        calls = f"{short.base_url}/cc/accounts/{ACCOUNT}/calls"
        set_clock_back(short, THREE_YEARS)
        assert httpx.get(calls, headers=bearer(token["access_token"])).status_code == 200
        httpx.post(short.origin + "/sandbox/clock", json={"advance": 61}, headers=ADMIN)
        expired = httpx.get(calls, headers=bearer(token["access_token"]))
        assert expired.status_code == 401 and "expired" in expired.json()["message"]


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--port", "70000", "--port must be from 0 to 65535, not 70000"),
        ("--workers", "100000", "--workers must be from 1 to 128, not 100000"),
        ("--max-body-bytes", "-1", "--max-body-bytes must be from 1 to"),
        ("--max-connections", "9" * 30, "--max-connections must be from 1 to 1000000"),
    ],
)
def test_a_count_option_out_of_range_is_refused_in_a_line(
    option: str, value: str, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        settings_from(parser().parse_args([f"{option}={value}"]))


@pytest.mark.parametrize(
    ("seed", "says"),
    [
        ("not json", "the file is not JSON: Expecting value at character 0"),
        ('{"accounts": 5}', "seed.accounts: must be an array, not 5"),
        ('{"accounts": [], "x": NaN}', "the file holds NaN, which is not a JSON number"),
    ],
    ids=["not JSON", "not a seed", "NaN"],
)
def test_a_bad_seed_file_is_one_line_and_no_traceback(tmp_path: Path, seed: str, says: str) -> None:
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(seed, encoding="utf-8")
    started = subprocess.run(
        [sys.executable, "-m", "vbc_sandbox.cli", "--port", "0", "--seed-file", str(seed_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert started.stderr == f"vbc-sandbox: seed file {seed_file}: {says}\n"


@pytest.mark.parametrize(
    ("method", "path", "content", "content_type"),
    [
        ("POST", "/calls", b"{not json", "application/json"),
        ("POST", "/calls", b'{"from": "\xff\xfe"}', "application/json"),
        ("POST", "/calls", b"\xff\xfe\xfd", "application/json"),
        (
            "POST",
            "/calls",
            b'{"from": {"destination": 1e999, "type": "extension"}, ' + TO_PSTN,
            "application/json",
        ),
        (
            "POST",
            "/calls",
            b'{"from": {"destination": 123456789012345678901234567890, "type": "x"}, ' + TO_PSTN,
            "application/json",
        ),
        ("POST", "/calls", b'{"from": [], "to": null}', "application/json"),
        ("POST", "/calls", b"from=1001", "application/x-www-form-urlencoded"),
        ("POST", "/calls", b"", "application/json"),
        ("PUT", "/calls/x/legs/y", b'{"state": "held", "dtmf": "1"}', "application/json"),
        ("PUT", "/calls/x", b"[]", "application/json"),
        ("GET", "/calls?page_size=99999999999999999999999", b"", "application/json"),
        ("GET", "/calls?page=99999999999999999999&page_size=1000", b"", "application/json"),
        ("GET", "/calls?page_size=-1", b"", "application/json"),
        ("GET", "/calls?order=sideways", b"", "application/json"),
        ("GET", "/calls?start_time=abc", b"", "application/json"),
        ("GET", "/calls?as_of=99999999999999999999999999", b"", "application/json"),
        ("GET", "/calls/%00%ff", b"", "application/json"),
    ],
)
def test_bad_input_gets_a_documented_4xx_never_a_5xx(
    sandbox: SandboxProcess, method: str, path: str, content: bytes, content_type: str
) -> None:
    response = httpx.request(
        method,
        f"{sandbox.base_url}/cc/accounts/{ACCOUNT}{path}",
        content=content,
        headers={**bearer(TOKEN), "Content-Type": content_type},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message"} and body["code"] == str(response.status_code)
