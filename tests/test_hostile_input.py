"""The sandbox against hostile input, over real HTTP: no 5xx for any body, a body too large is
refused unread, messages say what is wrong in a line, failed logins are throttled, and slow
clients cannot hold a connection."""

from __future__ import annotations

import json
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, ALICE_LOGIN, SEED_CLIENT, STATIC_TOKENS, TOKEN
from vbc_sandbox.launch import SandboxProcess

CALLS = f"/cc/accounts/{ACCOUNT}/calls"
DIAL = {
    "from": {"destination": "1001", "type": "extension"},
    "to": {"destination": "15551234567", "type": "pstn"},
}


@pytest.fixture(scope="module")
def target() -> Iterator[SandboxProcess]:
    args = [*STATIC_TOKENS, "--login-failures", "3", "--lockout", "3", "--header-timeout", "1"]
    with SandboxProcess(args) as running:
        yield running


@pytest.fixture
def http(target: SandboxProcess) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=target.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    ) as client:
        yield client


def post_raw(http: httpx.Client, path: str, body: bytes) -> httpx.Response:
    return http.post(path, content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "nested too deeply"),
        (
            json.dumps({**DIAL, "to": {"destination": "X", "type": "pstn"}})
            .replace('"X"', "1" * 5000)
            .encode(),
            "too many digits",
        ),
        (json.dumps({**DIAL, "to": {"destination": "\ud800", "type": "pstn"}}).encode(), "Unicode"),
        (b'{"from": ', "not JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (
            json.dumps({**DIAL, "to": {"destination": "1" * 60_000, "type": "pstn"}}).encode(),
            "maxLength",
        ),
    ],
    ids=[
        "nested 10,000",
        "5,000 digits",
        "lone surrogate",
        "truncated",
        "not UTF-8",
        "60 kB field",
    ],
)
def test_bad_bodies_get_a_400_that_says_why_in_a_line(
    http: httpx.Client, body: bytes, says: str
) -> None:
    answer = post_raw(http, CALLS, body)
    assert answer.status_code == 400, answer.text
    message = answer.json()["message"]
    assert says in message and len(message) < 300 and "\n" not in message
    assert "Failed validating" not in message and "in schema" not in message


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        (f"/t/vbc.prod/telephony/v3{CALLS}", json.dumps(DIAL).encode(), '"message"'),
        ("/token", b"grant_type=password&username=a&password=b", '"error": "invalid_request"'),
    ],
    ids=["a call", "a token"],
)
def test_a_body_without_a_content_type_gets_a_400(
    target: SandboxProcess, path: str, body: bytes, says: str
) -> None:
    # httpx adds no Content-Type to raw content; connexion once passed such a body on as bytes.
    answer = httpx.post(
        target.origin + path, content=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 400, answer.text
    assert says in answer.text and "no Content-Type" in answer.text


@pytest.mark.parametrize(
    "content_type",
    [
        "Application/JSON",
        "APPLICATION/JSON ; Charset=UTF-8",
        "application/json;charset=hex",
        "application/json; charset=no-such-charset",
    ],
)
def test_a_media_type_is_read_however_it_is_spelled(http: httpx.Client, content_type: str) -> None:
    # Media types are case-insensitive, with optional whitespace around ";"; JSON is UTF-8
    # whatever charset is named. These were a 500, a 400 and two 500s.
    answer = http.post(CALLS, content=json.dumps(DIAL), headers={"Content-Type": content_type})
    assert answer.status_code == 200, answer.text


def test_a_query_parameter_message_quotes_a_short_excerpt(http: httpx.Client) -> None:
    answer = http.get(CALLS, params={"start_time": "9" * 5000})
    assert answer.status_code == 400
    assert len(answer.json()["message"]) < 200 and "start_time" in answer.json()["message"]


def rss_peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def send_huge(target: SandboxProcess, chunked: bool, total: int = 200 * 1024 * 1024) -> bytes:
    """Start sending a 200 MB body; return what the sandbox answered (it should not wait)."""
    head = (
        f"POST /t/vbc.prod/telephony/v3{CALLS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
        + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n")
        + "\r\n"
    ).encode()
    chunk = b"7" * (1024 * 1024)
    with socket.create_connection(("127.0.0.1", target.port), timeout=30) as sock:
        sock.sendall(head)
        sent = 0
        try:
            while sent < total:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
                sent += len(chunk)
        except OSError:
            pass  # the sandbox answered and closed: it stopped reading
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
        except OSError:
            pass
    return answer


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_200_mb_body_is_refused_unread_in_bounded_memory(
    target: SandboxProcess, http: httpx.Client, chunked: bool
) -> None:
    assert target.process is not None
    http.get(CALLS)  # warm
    idle = rss_peak_kib(target.process.pid)
    answer = send_huge(target, chunked)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert rss_peak_kib(target.process.pid) - idle < 100 * 1024  # KiB: under 100 MB above idle
    assert http.get(CALLS).status_code == 200  # and it still serves


def test_seeded_fuzz_of_malformed_bodies_never_gets_a_5xx(http: httpx.Client) -> None:
    rng = random.Random(20261127)
    call_id = http.post(CALLS, json=DIAL).json()
    leg_id = http.get(f"{CALLS}/{call_id}/legs").json()[0]["leg_id"]
    targets = [CALLS, f"{CALLS}/{call_id}", f"{CALLS}/{call_id}/legs/{leg_id}"]
    valid = [json.dumps(DIAL), '{"state": "held"}', '{"dtmf": "12#"}']
    pieces = [
        '"',
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\\u0000",
        "\\ud83d",
        "1e999",
        "-0",
        "null",
        "true",
        "9" * 400,
        "\u202e",
        "é",
        "\x00",
    ]
    statuses = []
    for _ in range(150):
        text = rng.choice(valid)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(pieces) + text[at + rng.randint(0, 3) :]
        body = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.1:
            body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        method = "POST" if rng.random() < 0.4 else "PUT"
        content_type = rng.choice(
            ["application/json", "text/plain", "application/json; charset=latin-1"]
        )
        answer = http.request(
            method, rng.choice(targets), content=body, headers={"Content-Type": content_type}
        )
        statuses.append(answer.status_code)
        assert answer.status_code < 500, (method, body[:200], answer.text[:300])
    assert {400, 405} & set(statuses)  # the fuzz did reach the validators


def test_failed_logins_are_throttled_per_user_then_let_through(target: SandboxProcess) -> None:
    form = {
        "grant_type": "password",
        "username": "carol@vbc.prod",
        "password": "guess",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    token_url = target.origin + "/token"
    answers = [httpx.post(token_url, data=form) for _ in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 3
    right = {**form, "password": "carol-sandbox-password"}
    assert httpx.post(token_url, data=right).status_code == 429  # locked, even when right
    other = {**right, "username": "bob@vbc.prod", "password": "bob-sandbox-password"}
    assert httpx.post(token_url, data=other).status_code == 200  # another user is not
    time.sleep(int(answers[-1].headers["Retry-After"]) + 0.2)
    assert httpx.post(token_url, data=right).status_code == 200


def test_a_client_dripping_its_headers_is_disconnected_while_others_are_served(
    target: SandboxProcess, http: httpx.Client
) -> None:
    with socket.create_connection(("127.0.0.1", target.port), timeout=10) as slow:
        slow.sendall(b"GET /sandbox/health HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 8:
            assert http.get(CALLS).status_code == 200
            try:
                slow.sendall(b"X-Drip: 1\r\n")
            except OSError:
                closed = True
                break
            time.sleep(0.25)
        assert closed, "the sandbox kept a connection that never finished its headers"


def test_access_log_logs_request_lines() -> None:
    with SandboxProcess([*STATIC_TOKENS, "--access-log"]) as logging_one:
        httpx.get(
            logging_one.base_url + CALLS,
            params={"page_size": 7},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert f"GET /t/vbc.prod/telephony/v3{CALLS}?page_size=7 HTTP/1.1" in logging_one.log
    assert TOKEN not in logging_one.log


@pytest.mark.parametrize(
    ("send", "status", "says"),
    [
        ({"data": {"grant_type": "foo"}}, 400, "form.grant_type: must be one of"),
        ({"files": {"username": ("a", b"x" * 5_000_000)}}, 413, "not read"),
        (
            {
                "content": b"grant_type=password&username=%ED%A0%80%40vbc.prod&password=x"
                b"&client_id=sandbox-client&client_secret=sandbox-secret",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            "Authentication failed",
        ),
    ],
    ids=["unknown grant", "5 MB multipart field", "a lone surrogate, percent-encoded"],
)
def test_the_token_endpoint_refuses_bad_forms_with_a_4xx(
    target: SandboxProcess, send: dict[str, object], status: int, says: str
) -> None:
    answer = httpx.post(target.origin + "/token", **send)  # type: ignore[arg-type]
    assert answer.status_code == status and says in answer.text


# ----------------------------------------------------------------- no secret at rest

#: A secret the tests below send in every wrong way; it must never be written down.
SECRET = "hunter2-never-written-down"


def journal_of(target: SandboxProcess) -> list[dict[str, object]]:
    answer = httpx.get(target.origin + "/sandbox/requests", headers=ADMIN)
    assert answer.status_code == 200
    return list(answer.json()["requests"])


@pytest.mark.parametrize(
    "content_type",
    ["Application/X-WWW-Form-Urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED ; Charset=UTF-8"],
)
def test_token_requests_in_any_spelling_of_their_media_type_keep_no_secret(
    target: SandboxProcess, content_type: str
) -> None:
    token_url = target.origin + "/token"
    headers = {"Content-Type": content_type}
    login = httpx.post(token_url, content=urlencode(ALICE_LOGIN), headers=headers)
    assert login.status_code == 200, login.text
    refresh_token = login.json()["refresh_token"]
    refresh = {"grant_type": "refresh_token", "refresh_token": refresh_token, **SEED_CLIENT}
    assert httpx.post(token_url, content=urlencode(refresh), headers=headers).status_code == 200
    journal = journal_of(target)
    everything = json.dumps(journal)
    for secret in (ALICE_LOGIN["password"], SEED_CLIENT["client_secret"], refresh_token):
        assert secret not in everything
    assert journal[-2]["body"] == {
        "grant_type": "password",
        "username": "alice@vbc.prod",
        "password": "[redacted]",
        "client_id": "sandbox-client",
        "client_secret": "[redacted]",
    }


@pytest.mark.parametrize(
    ("path", "send", "shown"),
    [
        (
            "/token",
            {"content": f"grant_type=password&password={SECRET}"},
            "bytes of a body with no",
        ),
        (
            "/token",
            {"content": f"password={SECRET}", "headers": {"Content-Type": "text/plain"}},
            "bytes of text/plain",
        ),
        (
            "/token",
            {"data": {"grant_type": "password"}, "files": {"password": (None, SECRET)}},
            "bytes of multipart/form-data",
        ),
        (f"/token?grant_type=password&password={SECRET}&{SECRET}", {}, "password=[redacted]"),
        (
            "/token",
            {"json": {"password": SECRET, "pad": "x" * 5000}},
            "more than the journal keeps",
        ),
        ("/token", {"json": {"grant_type": "password", "password": SECRET}}, "[redacted]"),
        ("/token", {"data": {"grant_type": "password", SECRET: "x"}}, "1 other field(s)"),
        (
            f"/t/vbc.prod/telephony/v3{CALLS}?note=Bearer+{SECRET}&api_key={SECRET}",
            {"json": {**DIAL, "auth": {"password": SECRET}, "note": f"Bearer {SECRET}"}},
            "note=[redacted]&api_key=[redacted]",
        ),
    ],
    ids=[
        "no Content-Type",
        "text/plain",
        "multipart",
        "query string",
        "JSON over 4 KB",
        "JSON",
        "a secret as a field's name",
        "an API call",
    ],
)
def test_credentials_sent_any_wrong_way_are_never_journaled(
    target: SandboxProcess, path: str, send: dict[str, object], shown: str
) -> None:
    answer = httpx.post(target.origin + path, **send)  # type: ignore[arg-type]
    assert answer.status_code < 500
    entry = journal_of(target)[-1]
    assert entry["path"] == path.partition("?")[0]
    assert SECRET not in json.dumps(entry)
    assert shown in json.dumps(entry)  # and what was sent is still told


def test_the_access_log_never_holds_a_query_s_secrets() -> None:
    with SandboxProcess([*STATIC_TOKENS, "--access-log"]) as logging_one:
        httpx.post(logging_one.origin + f"/token?grant_type=password&password={SECRET}")
        httpx.get(
            logging_one.base_url + CALLS,
            params={"page_size": 7, "access_token": SECRET},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert "POST /token?grant_type=password&password=[redacted] HTTP/1.1" in logging_one.log
    assert f"{CALLS}?page_size=7&access_token=[redacted] HTTP/1.1" in logging_one.log
    assert SECRET not in logging_one.log


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--token-ttl", "nan"),  # every POST /token was a 500
        ("--token-ttl", "inf"),
        ("--ring-delay", "nan"),  # every dial was a 500
        ("--linger", "1e308"),
        ("--lockout", "-inf"),
        ("--header-timeout", "nan"),
    ],
)
def test_a_duration_option_that_is_not_a_number_of_seconds_is_refused_at_start(
    option: str, value: str
) -> None:
    with pytest.raises(RuntimeError, match=f"argument {option}: invalid seconds value"):
        SandboxProcess([f"{option}={value}"]).start()


def send_head(target: SandboxProcess, head: bytes) -> bytes:
    """Send a request head; what the sandbox answered before it closed the connection."""
    with socket.create_connection(("127.0.0.1", target.port), timeout=30) as sock:
        try:
            sock.sendall(head)
        except OSError:
            pass  # the sandbox answered and closed: it stopped reading
        answer = b""
        try:
            while part := sock.recv(65536):
                answer += part
        except OSError:
            pass
    return answer


@pytest.mark.parametrize(
    "headers",
    [b"X-Big: " + b"a" * (1024 * 1024) + b"\r\n", b"".join(b"X-%d: 1\r\n" % n for n in range(200))],
    ids=["a 1 MB header line", "200 headers"],
)
def test_a_request_head_past_its_bound_gets_a_431_while_others_are_served(
    target: SandboxProcess, http: httpx.Client, headers: bytes
) -> None:
    request = b"GET /sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    answer = send_head(target, request + headers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"not read" in answer
    assert http.get(CALLS).status_code == 200
    # A head of some tens of kilobytes is still read.
    answer = send_head(target, request + b"X-Big: " + b"a" * 30_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


def test_a_lockout_and_a_failure_window_from_before_the_clock_was_set_back_end_as_usual(
    target: SandboxProcess,
) -> None:
    token_url = target.origin + "/token"
    clock_url = target.origin + "/sandbox/clock"
    admin = {"Authorization": "Bearer vbc-sandbox-admin"}
    wrong = {
        "grant_type": "password",
        "username": "frank@vbc.prod",
        "password": "guess",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    right = {**wrong, "password": "frank-sandbox-password"}
    three_years = 3 * 365 * 86400

    def set_back() -> None:
        now = httpx.get(clock_url, headers=admin).json()["now"]
        assert httpx.post(clock_url, json={"at": now - three_years}, headers=admin).is_success

    try:
        assert [httpx.post(token_url, data=wrong).status_code for _ in range(3)] == [400] * 3
        set_back()
        locked = httpx.post(token_url, data=right)
        assert locked.status_code == 429 and 1 <= int(locked.headers["Retry-After"]) <= 3
        httpx.post(clock_url, json={"advance": 3}, headers=admin)
        assert httpx.post(token_url, data=right).status_code == 200
        # Failures counted before the clock went back start a window anew.
        assert [httpx.post(token_url, data=wrong).status_code for _ in range(2)] == [400] * 2
        set_back()
        assert [httpx.post(token_url, data=wrong).status_code for _ in range(2)] == [400] * 2
        assert httpx.post(token_url, data=right).status_code == 200
    finally:
        httpx.post(target.origin + "/sandbox/reset", headers=admin)


def test_made_up_query_parameters_are_ignored_and_not_logged() -> None:
    names = "&".join(f"made-up-{n:03}-" + "x" * 50 for n in range(100))
    with SandboxProcess(STATIC_TOKENS) as fresh:
        answer = httpx.get(
            f"{fresh.base_url}{CALLS}?{names}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert answer.status_code == 200
    assert "made-up" not in fresh.log


def chunked_ring(chunks: list[bytes], trailers: bytes) -> bytes:
    """The console's inbound call (connexion's routes take no chunked body) as a chunked
    request."""
    head = (
        "POST /console/api/inbound-calls HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    return head + framed + b"0\r\n" + trailers + b"\r\n"


def test_trailers_past_the_head_bound_close_the_connection_while_others_are_served(
    target: SandboxProcess, http: httpx.Client
) -> None:
    body = json.dumps({"from": "15551112222", "to": "1001"}).encode()
    # One-byte chunks (five bytes of framing each) and a trailer are still read.
    single_bytes = [body[n : n + 1] for n in range(len(body))]
    answer = send_head(target, chunked_ring(single_bytes, b"X-Checksum: 1\r\n"))
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]
    # httptools gathers a trailer line of any length in memory, as it would a header.
    answer = send_head(target, chunked_ring([body], b"X-Big: " + b"a" * (1024 * 1024) + b"\r\n"))
    assert answer == b""
    assert http.get(CALLS).status_code == 200


def test_a_connection_answered_before_its_body_came_is_closed_once_idle(
    target: SandboxProcess,
) -> None:
    # A Host the sandbox refuses is answered before the body is read; the rest of the body
    # then cancelled uvicorn's keep-alive timer, and the connection stayed open for good.
    with socket.create_connection(("127.0.0.1", target.port), timeout=30) as sock:
        sock.sendall(
            b"POST /sandbox/clock HTTP/1.1\r\nHost: rebind.example\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 403 ")
        sock.sendall(b"1\r\n}\r\n0\r\n\r\n")
        try:
            while sock.recv(65536):
                pass
        except TimeoutError:
            pytest.fail("the sandbox kept an idle connection open past its header timeout")


def test_a_client_dripping_its_body_gets_a_408_while_others_are_served(
    target: SandboxProcess, http: httpx.Client
) -> None:
    """The head came whole but the body never finishes: the sandbox stops waiting after the
    head deadline (1 s here) instead of holding the connection for as long as bytes drip."""
    with socket.create_connection(("127.0.0.1", target.port), timeout=10) as slow:
        slow.sendall(
            f"POST /t/vbc.prod/telephony/v3{CALLS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\n\r\n{".encode()
        )
        started = time.monotonic()
        answer = b""
        while time.monotonic() - started < 8 and b"\r\n\r\n" not in answer:
            assert http.get(CALLS).status_code == 200
            try:
                slow.sendall(b" ")
                slow.settimeout(0.25)
                answer += slow.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
        assert answer.startswith(b"HTTP/1.1 408 "), answer
