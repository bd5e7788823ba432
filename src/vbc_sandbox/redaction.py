"""What of a request may be written down (the journal, the access log): nothing that cannot be
shown to be free of secrets. A body is kept only as the JSON or form it parses to, its
secret fields replaced; anything else (text, multipart, a body too long to keep, one that
does not parse) only as a note of its size and type. A query string keeps its names, the
values of secret ones replaced. A token request (the password and refresh grants) shows
only the fields its spec names that hold no secret; elsewhere a field is a secret when its
name says so (password, secret, token, auth, ...) or its value looks like a credential
("Bearer ..."). Headers are never written down."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from vbc_sandbox import media_types, routes
from vbc_sandbox.json_reading import read_json

REDACTED = "[redacted]"
#: Bytes of a body kept: a longer one is noted by its size (every documented body is well
#: under a kilobyte).
BODY_KEPT = 4096
#: A token request's fields shown as they came; its other fields are secrets (OAuth's spec).
TOKEN_FIELDS_SHOWN = frozenset({"grant_type", "username", "scope", "client_id"})
TOKEN_FIELDS_SECRET = frozenset({"password", "client_secret", "refresh_token"})
#: A name holding any of these (lowercase, letters and digits only) names a secret.
SECRET_WORDS = ("pass", "secret", "token", "auth", "credential", "apikey", "privatekey",
                "signature", "cookie", "session")  # fmt: skip
SECRET_NAMES = frozenset({"code", "key", "pin", "otp", "jwt", "sid"})
#: A name ending so names a key (VIS's `signingKey`, an `apiKey`, a `hmacKey`).
SECRET_ENDING = "key"  # noqa: S105 (a word, not a password)
#: A value that is a credential whatever its name: an Authorization header's value, a JWT.
CREDENTIAL = re.compile(
    r"\s*(?:bearer|basic|digest|token|negotiate)\s+\S|\s*eyJ[\w-]+\.[\w-]+", re.IGNORECASE
)
#: A URL's user and password (`https://user:password@host`): a webhook's URL may carry them.
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def is_token_request(path: str) -> bool:
    return path in routes.TOKEN_PATHS


def secret_name(name: str) -> bool:
    letters = re.sub(r"[^0-9a-z]", "", name.lower())
    return (
        letters in SECRET_NAMES
        or letters.endswith(SECRET_ENDING)
        or any(word in letters for word in SECRET_WORDS)
    )


def credential(value: Any) -> bool:
    return isinstance(value, str) and CREDENTIAL.match(value) is not None


def redacted(value: Any) -> Any:
    """A parsed body with every secret field (at any depth) replaced."""
    if isinstance(value, dict):
        return {
            name: REDACTED if secret_name(str(name)) else redacted(field)
            for name, field in value.items()
        }
    if isinstance(value, list):
        return [redacted(item) for item in value]
    if credential(value):
        return REDACTED
    return without_userinfo(value) if isinstance(value, str) else value


def without_userinfo(text: str) -> str:
    """`text` with any URL's user and password replaced."""
    return USERINFO.sub(rf"\1{REDACTED}@", text)


def token_fields(value: Any) -> Any:
    """A token request's parsed body: the fields its spec names, its secrets replaced; any
    other field only counted (its name may be a secret sent in the wrong place)."""
    if not isinstance(value, dict):
        return REDACTED
    shown: dict[str, Any] = {}
    for name, field in value.items():
        if name in TOKEN_FIELDS_SHOWN and isinstance(field, str) and not credential(field):
            shown[name] = field
        elif name in TOKEN_FIELDS_SHOWN or name in TOKEN_FIELDS_SECRET:
            shown[name] = REDACTED
    if len(shown) < len(value):
        shown["[not shown]"] = f"{len(value) - len(shown)} other field(s)"
    return shown


def shown_body(kept: bytes, size: int, content_type: str | None, path: str) -> Any:
    """What the journal shows of a body of `size` bytes, of which `kept` (up to BODY_KEPT)
    were kept."""
    if size == 0:
        return None
    if content_type is None:
        essence, what = None, "a body with no Content-Type"
    else:
        essence = media_types.essence(content_type)
        what = essence[:100] if essence else "an unknown media type"
    if size > BODY_KEPT:
        return f"[not shown: {size} bytes of {what}, more than the journal keeps]"
    try:
        if essence is not None and media_types.is_json(essence):
            # As the API reads it: NaN or an infinity would make the listing invalid JSON.
            parsed: Any = read_json(kept.decode("utf-8"))
        elif essence == media_types.FORM:
            parsed = dict(parse_qsl(kept.decode("utf-8", "replace"), keep_blank_values=True))
        else:
            return f"[not shown: {size} bytes of {what}]"
        return token_fields(parsed) if is_token_request(path) else redacted(parsed)
    except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested too deeply
        return f"[not shown: {size} bytes of {what} that cannot be read]"


def shown_query(query: str, path: str) -> str:
    """A query string with the values of its secret parameters replaced; in a token request
    (which takes no query) every parameter but the token form's public fields."""
    token_request = is_token_request(path)
    shown: list[str] = []
    for part in query.split("&") if query else []:
        raw_name, has_value, raw_value = part.partition("=")
        name, value = unquote_plus(raw_name), unquote_plus(raw_value)
        if not part:
            shown.append(part)
        elif token_request and (name not in TOKEN_FIELDS_SHOWN or credential(value)):
            # A name outside the form may itself be a secret (sent without "="): hidden too.
            known = name in TOKEN_FIELDS_SHOWN or name in TOKEN_FIELDS_SECRET
            shown.append(f"{raw_name}={REDACTED}" if known else REDACTED)
        elif credential(name):
            shown.append(REDACTED)
        elif has_value and (secret_name(name) or credential(value)):
            shown.append(f"{raw_name}={REDACTED}")
        elif USERINFO.search(value):
            shown.append(f"{raw_name}={without_userinfo(value)}")
        else:
            shown.append(part)
    return "&".join(shown)


def shown_target(target: str) -> str:
    """A request target (path?query) with its query as `shown_query` shows it."""
    path, has_query, query = target.partition("?")
    return f"{path}?{shown_query(query, path)}" if has_query and query else target


class AccessLogRedaction(logging.Filter):
    """uvicorn's access log lines with the query's secrets replaced (its arguments are the
    client, the method, the target, the HTTP version and the status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], shown_target(args[2]), args[3], args[4])
        return True
