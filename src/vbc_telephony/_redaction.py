"""Secrets a request carried, hidden in what its answer says back: a server (or a gateway in
a debugging mood) that echoes the Authorization header or a grant's form into an error
message would otherwise put a token or password into `str(error)`, logs and `vbc`'s output.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, quote, quote_plus

import httpx

HIDDEN = "<hidden>"
#: The form fields of the password and refresh grants whose values are secrets.
SECRET_FIELDS = frozenset({"password", "client_secret", "refresh_token"})
#: The JSON body fields that are: a webhook's signing key (VIS, `webhooks.create`).
SECRET_JSON_FIELDS = frozenset({"signingKey"})
#: Shorter values are not looked for: hiding every "s" would garble a message, and a real
#: token, password or client secret is longer.
MIN_SECRET = 4


def secrets_sent(request: httpx.Request) -> list[str]:
    """What `request` carried that must not be written anywhere, in each spelling a server
    could echo it in (as sent, URL-encoded, JSON-escaped), longest first."""
    found: list[str] = []
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if credentials:
        found.append(credentials)
        if scheme.lower() == "basic":
            try:
                pair = base64.b64decode(credentials, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                pair = ""
            found += [pair, pair.partition(":")[2]]
    if "form-urlencoded" in request.headers.get("content-type", "").lower():
        try:
            form = parse_qsl(request.content.decode(errors="replace"))
        except httpx.RequestNotRead:
            form = []
        found += [value for name, value in form if name in SECRET_FIELDS]
    if "json" in request.headers.get("content-type", "").lower():
        found += json_secrets(request)
    spellings = {
        spelling
        for secret in found
        if len(secret) >= MIN_SECRET
        for spelling in (
            secret,
            quote(secret, safe=""),
            quote_plus(secret),
            json.dumps(secret)[1:-1],
        )
    }
    return sorted(spellings, key=len, reverse=True)


def json_secrets(request: httpx.Request) -> list[str]:
    """The secret fields of a JSON object this SDK sent (its own body: small and well formed)."""
    try:
        body = json.loads(request.content)
    except (httpx.RequestNotRead, ValueError, RecursionError):
        return []
    if not isinstance(body, dict):
        return []
    return [str(body[name]) for name in SECRET_JSON_FIELDS if isinstance(body.get(name), str)]


def hidden(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text


def echoed(content: bytes, secrets: list[str]) -> bool:
    """Whether an answer repeats any of them (the usual answer does not, and is left as is)."""
    return any(secret.encode() in content for secret in secrets)
