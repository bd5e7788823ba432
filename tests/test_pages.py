"""The sandbox's pages (/, /docs, /console and its endpoints) against every method and odd
paths, over real HTTP: a 404 or 405 in the documented body, never a 5xx, and the security
headers on every answer."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import STATIC_TOKENS, TOKEN
from vbc_sandbox.launch import SandboxProcess

BEARER = {"Authorization": f"Bearer {TOKEN}"}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
#: Each page path and the methods it takes.
PAGES = {
    "/": {"GET", "HEAD"},
    "/docs": {"GET", "HEAD"},
    "/docs/docs.js": {"GET", "HEAD"},
    "/docs/swagger-ui.css": {"GET", "HEAD"},
    "/console": {"GET", "HEAD"},
    "/console/": {"GET", "HEAD"},
    "/console/console.js": {"GET", "HEAD"},
    "/console/watch.js": {"GET", "HEAD"},
    "/console/api/state": {"GET", "HEAD"},
    "/console/api/events": {"GET", "HEAD"},
    "/console/api/watch": {"GET", "HEAD"},
    "/console/api/inbound-calls": {"POST"},
}
#: Request targets sent as they are (no client tidies them first).
ODD_PATHS = [
    "/console/missing.html",
    "/console/api/unknown",
    "/console/api/state/more",
    "/console/../sandbox/requests",
    "/console/..%2f..%2fapp.py",
    "/console/%2e%2e%2f%2e%2e%2fapp.py",
    "/console/%5c..%5c..%5capp.py",
    "/console//etc/passwd",
    "/console/console.css/more",
    "/console/%00",
    "/console/api/%00",
    "/console/" + "a" * 300,
    "/console/" + "a" * 5000 + "/b",
    "/docs/%2e%2e%2fdocs.js",
    "/docs/index.html",
    "/docs/swagger-ui-standalone-preset.js",
]
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def target() -> Iterator[SandboxProcess]:
    with SandboxProcess(STATIC_TOKENS) as running:
        yield running


def raw_request(
    target: SandboxProcess, method: str, path: str
) -> tuple[int, dict[str, str], bytes]:
    """One request with its target exactly as given; the status, headers and body."""
    with socket.create_connection(("127.0.0.1", target.port), timeout=10) as connection:
        connection.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Authorization: Bearer {TOKEN}\r\n\r\n".encode()
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def assert_secured(headers: httpx.Headers | dict[str, str]) -> None:
    for name, value in HEADERS.items():
        assert headers.get(name) == value, name
    policy = headers.get("content-security-policy", "")
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("method", METHODS)
def test_every_method_on_every_page_is_answered_or_refused_with_405(
    target: SandboxProcess, path: str, method: str
) -> None:
    body = {"from": "15557654321", "to": "1002"} if method == "POST" else None
    with httpx.stream(
        method, target.origin + path, headers=BEARER, json=body, timeout=10
    ) as answer:
        if method in PAGES[path]:
            assert answer.status_code < 400, answer.read()
        else:
            assert answer.status_code == 405
            assert set(answer.headers["allow"].split(", ")) == PAGES[path]
            if method != "HEAD":
                assert json.loads(answer.read()) == {"code": "405", "message": "Method Not Allowed"}
        assert_secured(answer.headers)


@pytest.mark.parametrize("path", ODD_PATHS, ids=lambda path: path[:40])
def test_odd_page_paths_are_404s(target: SandboxProcess, path: str) -> None:
    status, headers, body = raw_request(target, "GET", path)
    assert status == 404, body[:300]
    assert json.loads(body) == {"code": "404", "message": "Not Found"}
    assert_secured(headers)


def test_the_pages_are_not_served_in_frames_or_with_inline_scripts(target: SandboxProcess) -> None:
    # The pages themselves hold no inline script or style the policy would block.
    for path in ("/", "/docs", "/console/"):
        page = httpx.get(target.origin + path, follow_redirects=True)
        assert page.status_code == 200
        assert_secured(page.headers)
        assert (
            "<script>" not in page.text and "<style>" not in page.text and "style=" not in page.text
        )
