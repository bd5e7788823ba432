"""A client for one account: its resources, its options, and the httpx client (with our
auth, retries, bounded reading and typed errors) under the generated one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx

from vbc_spec import PRODUCTION_BASE_URL
from vbc_telephony._async.resources import AsyncCalls, AsyncDevices
from vbc_telephony._async.transports import AsyncReadingTransport, AsyncRetryTransport
from vbc_telephony._async.vis import AsyncEvents, AsyncWebhooks
from vbc_telephony._auth import BearerAuth, TokenProvider
from vbc_telephony._base import Config, make_config, page_url
from vbc_telephony._errors import error_from
from vbc_telephony._placement import Claimed
from vbc_telephony._reading import MAX_RESPONSE_BYTES
from vbc_telephony._retry import CallOptions, RetryPolicy
from vbc_telephony._version import USER_AGENT
from vbc_telephony_api import AuthenticatedClient
from vbc_vis_api import AuthenticatedClient as VisClient


async def raise_for_error(response: httpx.Response) -> None:
    """Response hook: error statuses become typed errors before any parsing. A 401 is left
    to BearerAuth, which refreshes the token once before it gives up."""
    if response.status_code >= 400 and response.status_code != 401:
        await response.aread()
        raise error_from(response)


def build_http(
    config: Config,
    base_url: str,
    transport: httpx.AsyncBaseTransport | None,
    sleep: Callable[[float], Awaitable[None]],
) -> httpx.AsyncClient:
    """An httpx client for one base URL, with our auth, retries, bounds and errors."""
    return httpx.AsyncClient(
        base_url=base_url,
        auth=BearerAuth(config.auth),
        timeout=config.timeout,
        transport=AsyncRetryTransport(
            AsyncReadingTransport(transport or httpx.AsyncHTTPTransport(), config.limits),
            config.retry,
            sleep=sleep,
            total_timeout=config.total_timeout,
        ),
        event_hooks={"response": [raise_for_error]},
        headers=USER_AGENT,
    )


def build_api(
    config: Config,
    transport: httpx.AsyncBaseTransport | None,
    sleep: Callable[[float], Awaitable[None]],
) -> AuthenticatedClient:
    """The generated client, over an httpx client with our auth, retries and errors."""
    # The token field is unused: BearerAuth sets the header on every request.
    api = AuthenticatedClient(base_url=config.base_url, token="")
    api.set_async_httpx_client(build_http(config, config.base_url, transport, sleep))
    return api


def build_vis_api(
    config: Config,
    transport: httpx.AsyncBaseTransport | None,
    sleep: Callable[[float], Awaitable[None]],
) -> VisClient:
    """The generated VIS client, the same way, on the VIS base URL."""
    api = VisClient(base_url=config.vis_base_url, token="")
    api.set_async_httpx_client(build_http(config, config.vis_base_url, transport, sleep))
    return api


class AsyncTelephony:
    """A client for one account.

    `token=` takes a fixed access token; `auth=` a provider such as PasswordGrant, which
    refreshes tokens by itself. `sleep=` is what waits between retries and while a placed
    call is looked for (a test may pass a recorder). `client.api` is the generated low-level
    client, for the `*_detailed` functions of `vbc_telephony_api.api`; `client.vis_api` the
    one for VIS (`vbc_vis_api.api`: call-event webhooks, `client.webhooks` and
    `client.events`), on `vis_base_url`, by default VIS's path on base_url's host.
    """

    def __init__(
        self,
        *,
        account_id: str | int,
        token: str | None = None,
        auth: TokenProvider | None = None,
        base_url: str = PRODUCTION_BASE_URL,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        vis_base_url: str | None = None,
    ) -> None:
        self._config: Config = make_config(
            account_id=account_id,
            token=token,
            auth=auth,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            max_response_bytes=max_response_bytes,
            vis_base_url=vis_base_url,
        )
        self.sleep = sleep or asyncio.sleep
        self.api = build_api(self._config, transport, self.sleep)
        self.vis_api = build_vis_api(self._config, transport, self.sleep)
        self.options = CallOptions()
        self.claimed = Claimed()
        self._attach_resources()

    def _attach_resources(self) -> None:
        self.calls = AsyncCalls(self)
        self.devices = AsyncDevices(self)
        self.webhooks = AsyncWebhooks(self)
        self.events = AsyncEvents(self)

    @property
    def account_id(self) -> str:
        return self._config.account_id

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def vis_base_url(self) -> str:
        return self._config.vis_base_url

    def page_url(self, uri: str) -> str:
        return page_url(self._config.base_url, uri)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.api.get_async_httpx_client()

    def with_options(
        self, *, retry: RetryPolicy | None = None, timeout: float | None = None
    ) -> AsyncTelephony:
        """The same client (sharing its connections) with other options for the calls made
        through it: `client.with_options(retry=NO_RETRIES, timeout=5).calls.get(...)`;
        `timeout` is the seconds each call may take in all, retries included."""
        copy = object.__new__(AsyncTelephony)
        copy.__dict__.update(self.__dict__)
        copy.options = self.options.but(retry=retry, timeout=timeout)
        copy._attach_resources()
        return copy

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.vis_api.get_async_httpx_client().aclose()

    async def __aenter__(self) -> AsyncTelephony:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self.account_id!r}, base_url={self.base_url!r})"
