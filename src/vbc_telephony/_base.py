"""What sync and async clients share: configuration, ids that stay in their path segment,
and the value an answer gives (the typed errors it can end in: `_errors`)."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs
import httpx

import vbc_spec as spec
from vbc_telephony._auth import StaticToken, TokenProvider
from vbc_telephony._checks import http_url, seconds
from vbc_telephony._errors import (
    APIResponseValidationError,
    InvalidIdError,
)
from vbc_telephony._reading import MAX_RESPONSE_BYTES, Limits
from vbc_telephony._retry import RetryPolicy

T = TypeVar("T")


@attrs.frozen
class Config:
    base_url: str
    vis_base_url: str
    """VIS's base (call-event webhooks): on base_url's host unless given."""
    account_id: str
    auth: TokenProvider = attrs.field(repr=False)
    timeout: httpx.Timeout
    retry: RetryPolicy
    total_timeout: float | None
    """Seconds a whole call may take, retries included: `timeout=` given as a number."""
    limits: Limits


def make_config(
    *,
    account_id: str | int,
    token: str | None,
    auth: TokenProvider | None,
    base_url: str,
    timeout: float | httpx.Timeout,
    retry: RetryPolicy | None,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    vis_base_url: str | None = None,
) -> Config:
    if (token is None) == (auth is None):
        raise ValueError("give exactly one of token= (a fixed token) or auth= (a token provider)")
    http_url(base_url, "base_url")
    if vis_base_url is not None:
        http_url(vis_base_url, "vis_base_url")
    provider = auth if auth is not None else StaticToken(str(token))
    return Config(
        base_url=base_url.rstrip("/"),
        vis_base_url=(vis_base_url or spec.vis_base_url(base_url)).rstrip("/"),
        account_id=path_segment(str(account_id), "account_id"),
        auth=provider,
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        retry=retry or RetryPolicy(),
        total_timeout=None if isinstance(timeout, httpx.Timeout) else seconds(timeout, "timeout"),
        limits=Limits(max_response_bytes),
    )


#: What every documented or observed id is made of: UUIDs (calls, legs), MAC addresses
#: (devices), account numbers and `self`. Anything else is refused before a request is sent:
#: `/`, `?`, `#`, `%` or a `.`/`..` segment would take the request to another endpoint (the
#: generated client quotes ids, but `..` survives quoting and is then resolved).
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}")


def path_segment(value: object, what: str) -> str:
    """`value` as one URL path segment, or InvalidIdError before anything is sent."""
    text = value if isinstance(value, str) else str(value)
    if not ID.fullmatch(text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidIdError(
            f"{what} {shown!r} is not an id: ids are letters, digits and . _ : ~ -,"
            " starting with a letter or digit"
        )
    return text


def checked(response: Any, empty: bool) -> Any:
    """What the generated parser made of an answer; an answer it did not expect (a redirect,
    an empty 204 where a body is documented) is an error, never a silent None."""
    if response.parsed is None and not (empty and 200 <= response.status_code < 300):
        raise APIResponseValidationError(
            f"the service answered {int(response.status_code)} where the spec documents"
            f" a body: {response.content[:100]!r}"
        )
    return response.parsed


def page_url(base_url: str, uri: str) -> str:
    """A `*_page_uri` as a URL: documented relative to the API base, but accepted absolute or
    with the base path already in it."""
    if uri.startswith(("http://", "https://")):
        try:
            target, base = httpx.URL(uri), httpx.URL(base_url)
        except httpx.InvalidURL:
            raise APIResponseValidationError(
                f"a page URI that is not a URL: {uri[:100]!r}"
            ) from None
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            # The bearer token goes with every request: never to a host the page names.
            raise APIResponseValidationError(
                f"a page URI on another host ({target.host!r}) was not followed"
            )
        return uri
    parts = urlsplit(base_url)
    if uri.startswith(parts.path + "/"):
        return f"{parts.scheme}://{parts.netloc}{uri}"
    return base_url + (uri if uri.startswith("/") else "/" + uri)


def created_call_id(response: httpx.Response) -> str | None:
    """The id in a create-call answer: a JSON string (documented) or plain text; None when
    the answer has none (observed: 202 with an empty text/plain body). An id that could not
    be used in a path (`ID`) is an error, not a value to hand back."""
    text = response.text.strip()
    if response.status_code == 202 or not text:
        return None
    found: object = text.strip('"')
    if "json" in response.headers.get("content-type", ""):
        try:
            value = json.loads(response.content)
        except (ValueError, RecursionError):
            value = text
        found = value.get("call_id") if isinstance(value, dict) else value
    if found == "":
        return None
    if isinstance(found, str) and ID.fullmatch(found):
        return found
    raise APIResponseValidationError(f"no call id in the create-call answer: {text[:100]!r}")
