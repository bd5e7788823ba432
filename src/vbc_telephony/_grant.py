"""Tokens: the providers' common form, a fixed token, and the password grant's state.

A provider refreshes before the token expires, and once more when the service answers 401.
Concurrent requests share one refresh: the first to find the token stale renews it, the
others wait and reuse the result (a lock for threads, one per event loop for asyncio).
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
import weakref
from typing import Any, Literal, Protocol

import httpx

from vbc_spec import GATEWAY_TOKEN_PATH, TOKEN_PATH, password_form, qualified
from vbc_telephony._checks import http_url, seconds, wait_seconds
from vbc_telephony._errors import APIResponseValidationError, AuthenticationError, error_from
from vbc_telephony._retry import CallOptions

TOKEN_URL = "https://api.vonage.com" + TOKEN_PATH
"""The token endpoint Vonage documents."""
GATEWAY_TOKEN_URL = "https://apimanager.auth.prod.vonagenetworks.net" + GATEWAY_TOKEN_PATH
"""The token endpoint live integrations report using instead: the API gateway's own (WSO2)
host and tenant path (Vacademy-io/vacademy_platform, resuldeger/crmnewpanel2)."""
#: The largest token endpoint answer read: a token answer is a few kB of JSON.
MAX_TOKEN_ANSWER_BYTES = 1024 * 1024
#: How long a token lives when the endpoint does not say (or says what no clock can use).
DEFAULT_TOKEN_LIFETIME = 3600.0
#: The longest a token is taken to live, whatever the endpoint says: it is renewed at least
#: daily (and at once on a 401), never trusted for years.
MAX_TOKEN_LIFETIME = 24 * 3600.0
#: `expires_in` as a decimal string.
SECONDS_TEXT = re.compile(r"[0-9]{1,18}(\.[0-9]{1,9})?")
#: A token request may be sent again: the password grant is the same login twice.
TOKEN_REQUEST = CallOptions(repeatable=True)


def token_lifetime(expires_in: Any) -> float:
    """Seconds a new token lives, from `expires_in` (a number, or a decimal string): at most
    a day. NaN, a negative number, a boolean, text: the default hour, as when it is absent
    (a token that dies sooner is renewed on its first 401)."""
    if isinstance(expires_in, str) and SECONDS_TEXT.fullmatch(expires_in.strip()):
        expires_in = float(expires_in)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return DEFAULT_TOKEN_LIFETIME
    if isinstance(expires_in, int) and expires_in > MAX_TOKEN_LIFETIME:
        return MAX_TOKEN_LIFETIME  # 401 digits do not fit a float
    if math.isnan(expires_in) or expires_in < 0:
        return DEFAULT_TOKEN_LIFETIME
    return min(float(expires_in), MAX_TOKEN_LIFETIME)


class TokenProvider(Protocol):
    """What gives the SDK its access tokens (`StaticToken`, `PasswordGrant`, or your own):
    `token()` the current one, `refresh(stale)` a new one after a 401 on `stale`, and their
    async twins."""

    def token(self) -> str: ...
    def refresh(self, stale: str) -> str: ...
    async def atoken(self) -> str: ...
    async def arefresh(self, stale: str) -> str: ...


class StaticToken:
    """A token you manage yourself; a 401 is final."""

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self) -> str:
        return self._token

    def refresh(self, stale: str) -> str:
        return self._token

    async def atoken(self) -> str:
        return self._token

    async def arefresh(self, stale: str) -> str:
        return self._token

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"


class GrantState:
    """What a password grant holds and sends, and how it reads an answer; the renewing
    itself (sync and async) is in `_async/renewal.py` and its twin."""

    def __init__(
        self,
        *,
        username: str,
        password: str,
        client_id: str,
        client_secret: str,
        token_url: str = TOKEN_URL,
        client_auth: Literal["form", "basic"] = "form",
        refresh_margin: float = 60.0,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.username = qualified(username)
        self._password = password
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = http_url(token_url, "token_url")
        if client_auth not in ("form", "basic"):
            raise ValueError('client_auth must be "form" or "basic"')
        self.client_auth = client_auth
        self.refresh_margin = wait_seconds(refresh_margin, "refresh_margin")
        self._timeout = seconds(timeout, "timeout")
        self._transport = transport
        self._async_transport = async_transport
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(username={self.username!r}, token_url={self.token_url!r})"

    # ---------------------------------------------------------------- what to send

    def _client_credentials(self) -> dict[str, str]:
        if self.client_auth == "basic":
            return {}
        return {"client_id": self.client_id, "client_secret": self._client_secret}

    def _basic(self) -> httpx.BasicAuth | None:
        if self.client_auth == "basic":
            return httpx.BasicAuth(self.client_id, self._client_secret)
        return None

    def _password_form(self) -> dict[str, str]:
        return password_form(self.username, self._password, self._client_credentials())

    def _refresh_form(self) -> dict[str, str] | None:
        if self._refresh is None:
            return None
        return {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh,
            **self._client_credentials(),
        }

    def _fresh(self) -> str | None:
        if self._access and time.time() < self._expires_at - self.refresh_margin:
            return self._access
        return None

    def _accept(self, response: httpx.Response) -> str:
        if response.status_code != 200:
            error = error_from(response)
            if response.status_code >= 500 or response.status_code == 429:
                raise error  # the endpoint failed (after retries): not a refusal of the grant
            raise AuthenticationError(
                status_code=error.status_code,
                code=error.code,
                message=f"the token endpoint refused the grant: {error.detail}",
                method=error.method or "POST",
                url=error.url or self.token_url,
                body=error.body,
                headers=error.headers,
            )
        try:
            data: dict[str, Any] = response.json()
            access = data["access_token"]
            lifetime = token_lifetime(data.get("expires_in"))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise APIResponseValidationError(
                f"the token endpoint's answer has no usable access_token: {type(error).__name__}",
                method="POST",
                url=self.token_url,
            ) from None
        if not isinstance(access, str) or not access:
            raise APIResponseValidationError(
                "the token endpoint's access_token is not a string",
                method="POST",
                url=self.token_url,
            )
        self._access = access
        refresh = data.get("refresh_token")
        self._refresh = refresh if isinstance(refresh, str) and refresh else None
        self._expires_at = time.time() + lifetime
        return self._access

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._loop_locks.get(loop)
        if lock is None:
            lock = self._loop_locks[loop] = asyncio.Lock()
        return lock
