"""What sync and async clients share: configuration, the httpx client under the generated
one, and turning whatever a request ends in into a value or a typed error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs
import httpx

from vbc_telephony._auth import BearerAuth, StaticToken, TokenProvider
from vbc_telephony._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    error_from,
)
from vbc_telephony._json import AsyncJSONTransport, JSONTransport
from vbc_telephony._retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from vbc_telephony_api import AuthenticatedClient

PRODUCTION_BASE_URL = "https://api.vonage.com/t/vbc.prod/telephony/v3"
T = TypeVar("T")


@attrs.frozen
class Config:
    base_url: str
    account_id: str
    auth: TokenProvider = attrs.field(repr=False)
    timeout: httpx.Timeout
    retry: RetryPolicy


def make_config(
    *,
    account_id: str | int,
    token: str | None,
    auth: TokenProvider | None,
    base_url: str,
    timeout: float | httpx.Timeout,
    retry: RetryPolicy | None,
) -> Config:
    if (token is None) == (auth is None):
        raise ValueError("give exactly one of token= (a fixed token) or auth= (a token provider)")
    provider = auth if auth is not None else StaticToken(str(token))
    return Config(
        base_url=base_url.rstrip("/"),
        account_id=str(account_id),
        auth=provider,
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        retry=retry or RetryPolicy(),
    )


def raise_for_error(response: httpx.Response) -> None:
    """Response hook: error statuses become typed errors before any parsing. A 401 is left
    to BearerAuth, which refreshes the token once before it gives up."""
    if response.status_code >= 400 and response.status_code != 401:
        response.read()
        raise error_from(response)


async def araise_for_error(response: httpx.Response) -> None:
    if response.status_code >= 400 and response.status_code != 401:
        await response.aread()
        raise error_from(response)


def sync_api(config: Config, transport: httpx.BaseTransport | None) -> AuthenticatedClient:
    """The generated client, over an httpx client with our auth, retries and errors."""
    http = httpx.Client(
        base_url=config.base_url,
        auth=BearerAuth(config.auth),
        timeout=config.timeout,
        transport=RetryTransport(JSONTransport(transport or httpx.HTTPTransport()), config.retry),
        event_hooks={"response": [raise_for_error]},
    )
    # The token field is unused: BearerAuth sets the header on every request.
    api = AuthenticatedClient(base_url=config.base_url, token="")
    api.set_httpx_client(http)
    return api


def async_api(config: Config, transport: httpx.AsyncBaseTransport | None) -> AuthenticatedClient:
    http = httpx.AsyncClient(
        base_url=config.base_url,
        auth=BearerAuth(config.auth),
        timeout=config.timeout,
        transport=AsyncRetryTransport(
            AsyncJSONTransport(transport or httpx.AsyncHTTPTransport()), config.retry
        ),
        event_hooks={"response": [araise_for_error]},
    )
    api = AuthenticatedClient(base_url=config.base_url, token="")
    api.set_async_httpx_client(http)
    return api


def translate(error: Exception) -> APIError:
    """The typed error for what httpx or the generated parser raised."""
    if isinstance(error, APIError):
        return error
    request = getattr(error, "_request", None)
    method, url = (request.method, str(request.url)) if request is not None else (None, None)
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"no response in time: {error}", method=method, url=url)
    if isinstance(error, httpx.TransportError):
        return APIConnectionError(f"connection failed: {error}", method=method, url=url)
    return APIResponseValidationError(
        f"the response does not match openapi.yaml: {type(error).__name__}: {error}"
    )


def parsed(call: Callable[[], Any]) -> Any:
    """Run a generated `*_detailed` call and return what it parsed."""
    try:
        response = call()
    except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
        raise translate(error) from error
    return response.parsed


async def aparsed(call: Callable[[], Any]) -> Any:
    try:
        response = await call()
    except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
        raise translate(error) from error
    return response.parsed


def page_url(base_url: str, uri: str) -> str:
    """A `*_page_uri` as a URL: documented relative to the API base, but accepted absolute or
    with the base path already in it."""
    if uri.startswith(("http://", "https://")):
        return uri
    base = urlsplit(base_url)
    if uri.startswith(base.path + "/"):
        return f"{base.scheme}://{base.netloc}{uri}"
    return base_url + (uri if uri.startswith("/") else "/" + uri)


def created_call_id(response: httpx.Response) -> str | None:
    """The id in a create-call answer: a JSON string (documented) or plain text; None when
    the answer has none (observed: 202 with an empty text/plain body)."""
    text = response.text.strip()
    if response.status_code == 202 or not text:
        return None
    if "json" in response.headers.get("content-type", ""):
        try:
            value = json.loads(response.content)
        except ValueError:
            value = text
        if isinstance(value, str):
            return value or None
        if isinstance(value, dict) and isinstance(value.get("call_id"), str):
            return str(value["call_id"])
        raise APIResponseValidationError(f"no call id in the create-call answer: {text[:100]}")
    return text.strip('"') or None
