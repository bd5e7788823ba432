"""The clients users start from: Telephony (threads) and AsyncTelephony (asyncio)."""

from __future__ import annotations

from types import TracebackType

import httpx

from vbc_telephony._auth import TokenProvider
from vbc_telephony._base import (
    PRODUCTION_BASE_URL,
    Config,
    async_api,
    make_config,
    page_url,
    sync_api,
)
from vbc_telephony._placement import Claimed
from vbc_telephony._reading import MAX_RESPONSE_BYTES
from vbc_telephony._resources import AsyncCalls, AsyncDevices, Calls, Devices
from vbc_telephony._retry import CallOptions, RetryPolicy


class Telephony:
    """A client for one account.

    `token=` takes a fixed access token; `auth=` a provider such as PasswordGrant, which
    refreshes tokens by itself. `client.api` is the generated low-level client, for the
    `*_detailed` functions of `vbc_telephony_api.api`.
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
        transport: httpx.BaseTransport | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._config = make_config(
            account_id=account_id,
            token=token,
            auth=auth,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            max_response_bytes=max_response_bytes,
        )
        self.api = sync_api(self._config, transport)
        self.options = CallOptions()
        self.claimed = Claimed()
        self.calls = Calls(self)
        self.devices = Devices(self)

    @property
    def account_id(self) -> str:
        return self._config.account_id

    @property
    def base_url(self) -> str:
        return self._config.base_url

    def page_url(self, uri: str) -> str:
        return page_url(self._config.base_url, uri)

    @property
    def http(self) -> httpx.Client:
        return self.api.get_httpx_client()

    def with_options(
        self, *, retry: RetryPolicy | None = None, timeout: float | None = None
    ) -> Telephony:
        """The same client (sharing its connections) with other options for the calls made
        through it: `client.with_options(retry=NO_RETRIES, timeout=5).calls.get(...)`;
        `timeout` is the seconds each call may take in all, retries included."""
        copy = object.__new__(Telephony)
        copy.__dict__.update(self.__dict__)
        copy.options = self.options.but(retry=retry, timeout=timeout)
        copy.calls = Calls(copy)
        copy.devices = Devices(copy)
        return copy

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Telephony:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Telephony(account_id={self.account_id!r}, base_url={self.base_url!r})"


class AsyncTelephony:
    """Telephony for asyncio: the same resources, each method awaited; lists with `async for`."""

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
    ) -> None:
        self._config: Config = make_config(
            account_id=account_id,
            token=token,
            auth=auth,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            max_response_bytes=max_response_bytes,
        )
        self.api = async_api(self._config, transport)
        self.options = CallOptions()
        self.claimed = Claimed()
        self.calls = AsyncCalls(self)
        self.devices = AsyncDevices(self)

    @property
    def account_id(self) -> str:
        return self._config.account_id

    @property
    def base_url(self) -> str:
        return self._config.base_url

    def page_url(self, uri: str) -> str:
        return page_url(self._config.base_url, uri)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.api.get_async_httpx_client()

    def with_options(
        self, *, retry: RetryPolicy | None = None, timeout: float | None = None
    ) -> AsyncTelephony:
        copy = object.__new__(AsyncTelephony)
        copy.__dict__.update(self.__dict__)
        copy.options = self.options.but(retry=retry, timeout=timeout)
        copy.calls = AsyncCalls(copy)
        copy.devices = AsyncDevices(copy)
        return copy

    async def aclose(self) -> None:
        await self.http.aclose()

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
        return f"AsyncTelephony(account_id={self.account_id!r}, base_url={self.base_url!r})"
