"""Access tokens: a fixed one, or the password grant kept fresh with rotating refresh tokens.

A provider refreshes before the token expires, and once more when the service answers 401.
Concurrent requests share one refresh: the first to find the token stale renews it, the
others wait and reuse the result (a lock for threads, one per event loop for asyncio).
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Generator
from typing import Any, Literal, Protocol

import httpx

from vbc_telephony._errors import APIResponseValidationError, AuthenticationError, error_from
from vbc_telephony._logs import logger
from vbc_telephony._reading import AsyncReadingTransport, Limits, ReadingTransport
from vbc_telephony._retry import (
    AsyncRetryTransport,
    CallOptions,
    RetryPolicy,
    RetryTransport,
    call_options,
)
from vbc_telephony._version import USER_AGENT

#: The token endpoint Vonage documents.
TOKEN_URL = "https://api.vonage.com/token"  # noqa: S105 (a URL)
#: The token endpoint live integrations report using instead: the API gateway's own (WSO2)
#: host and tenant path (Vacademy-io/vacademy_platform, resuldeger/crmnewpanel2).
GATEWAY_TOKEN_URL = "https://apimanager.auth.prod.vonagenetworks.net/t/vbc.prod/oauth2/token"  # noqa: S105


#: A token request may be sent again: the password grant is the same login twice.
TOKEN_REQUEST = CallOptions(repeatable=True)


class TokenProvider(Protocol):
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


class PasswordGrant:
    """OAuth password grant for a VBC user, renewed with refresh tokens (each works once).

    `token_url` is the documented endpoint by default; GATEWAY_TOKEN_URL is the one live
    integrations report. `client_auth` sends the client id and secret as form fields
    ("form", as documented) or as HTTP Basic credentials ("basic", as a live integration
    does); the token endpoint accepts either."""

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
        self.username = username if username.endswith("@vbc.prod") else f"{username}@vbc.prod"
        self._password = password
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        if client_auth not in ("form", "basic"):
            raise ValueError('client_auth must be "form" or "basic"')
        self.client_auth = client_auth
        self.refresh_margin = refresh_margin
        self._timeout = timeout
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
        return f"PasswordGrant(username={self.username!r}, token_url={self.token_url!r})"

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
        return {
            "grant_type": "password",
            "scope": "openid",
            "username": self.username,
            "password": self._password,
            **self._client_credentials(),
        }

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
            lifetime = float(data.get("expires_in", 3600))
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

    def _http(self) -> httpx.Client:
        # Retried like any idempotent request: a grant sent twice just issues a second token
        # (a used refresh token is then refused, and the password grant takes over).
        return httpx.Client(
            transport=RetryTransport(
                ReadingTransport(self._transport or httpx.HTTPTransport(), Limits()),
                RetryPolicy(),
                total_timeout=self._timeout,
            ),
            timeout=self._timeout,
            auth=self._basic(),
            headers=USER_AGENT,
        )

    def _ahttp(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=AsyncRetryTransport(
                AsyncReadingTransport(
                    self._async_transport or httpx.AsyncHTTPTransport(), Limits()
                ),
                RetryPolicy(),
                total_timeout=self._timeout,
            ),
            timeout=self._timeout,
            auth=self._basic(),
            headers=USER_AGENT,
        )

    # ---------------------------------------------------------------- threads

    def _renew(self) -> str:
        logger.info("renewing the access token at %s", self.token_url)
        with self._http() as http, call_options(TOKEN_REQUEST):
            form = self._refresh_form()
            if form is not None:
                response = http.post(self.token_url, data=form)
                if response.status_code == 200:
                    return self._accept(response)
            # No refresh token, or it expired or was used: log in again.
            return self._accept(http.post(self.token_url, data=self._password_form()))

    def token(self) -> str:
        with self._lock:
            return self._fresh() or self._renew()

    def refresh(self, stale: str) -> str:
        with self._lock:
            if self._access and self._access != stale:
                return self._access  # another request refreshed it meanwhile
            return self._renew()

    # ---------------------------------------------------------------- asyncio

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._loop_locks.get(loop)
        if lock is None:
            lock = self._loop_locks[loop] = asyncio.Lock()
        return lock

    async def _arenew(self) -> str:
        logger.info("renewing the access token at %s", self.token_url)
        async with self._ahttp() as http:
            with call_options(TOKEN_REQUEST):
                form = self._refresh_form()
                if form is not None:
                    response = await http.post(self.token_url, data=form)
                    if response.status_code == 200:
                        return self._accept(response)
                return self._accept(await http.post(self.token_url, data=self._password_form()))

    async def atoken(self) -> str:
        async with self._loop_lock():
            return self._fresh() or await self._arenew()

    async def arefresh(self, stale: str) -> str:
        async with self._loop_lock():
            if self._access and self._access != stale:
                return self._access
            return await self._arenew()


class BearerAuth(httpx.Auth):
    """Sends the provider's token; on a 401, refreshes once and tries again, and a second 401
    raises AuthenticationError."""

    def __init__(self, provider: TokenProvider) -> None:
        self.provider = provider

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.provider.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and not isinstance(self.provider, StaticToken):
            logger.info("401 from %s %s: renewing the token once", request.method, request.url)
            request.headers["Authorization"] = f"Bearer {self.provider.refresh(token)}"
            response = yield request
        if response.status_code == 401:
            response.read()
            raise error_from(response)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.provider.atoken()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and not isinstance(self.provider, StaticToken):
            logger.info("401 from %s %s: renewing the token once", request.method, request.url)
            request.headers["Authorization"] = f"Bearer {await self.provider.arefresh(token)}"
            response = yield request
        if response.status_code == 401:
            await response.aread()
            raise error_from(response)
