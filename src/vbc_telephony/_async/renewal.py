"""Renewing a password grant's token: a refresh-token grant when there is one, else the
password grant again; one renewal at a time, the others reuse its result."""

from __future__ import annotations

import httpx

from vbc_telephony._async.transports import AsyncReadingTransport, AsyncRetryTransport
from vbc_telephony._errors import UNUSABLE, translate
from vbc_telephony._grant import MAX_TOKEN_ANSWER_BYTES, TOKEN_REQUEST, GrantState
from vbc_telephony._logs import logger
from vbc_telephony._reading import Limits
from vbc_telephony._retry import RetryPolicy, call_options
from vbc_telephony._version import USER_AGENT


class AsyncRenewal(GrantState):
    def _ahttp(self) -> httpx.AsyncClient:
        # Retried like any idempotent request: a grant sent twice just issues a second token
        # (a used refresh token is then refused, and the password grant takes over).
        return httpx.AsyncClient(
            transport=AsyncRetryTransport(
                AsyncReadingTransport(
                    self._async_transport or httpx.AsyncHTTPTransport(),
                    Limits(MAX_TOKEN_ANSWER_BYTES),
                ),
                RetryPolicy(),
                total_timeout=self._timeout,
            ),
            timeout=self._timeout,
            auth=self._basic(),
            headers=USER_AGENT,
        )

    async def _arenew(self) -> str:
        logger.info("renewing the access token at %s", self.token_url)
        try:
            async with self._ahttp() as http:
                with call_options(TOKEN_REQUEST):
                    form = self._refresh_form()
                    if form is not None:
                        response = await http.post(self.token_url, data=form)
                        if response.status_code == 200:
                            return self._accept(response)
                    # No refresh token, or it expired or was used: log in again.
                    form = self._password_form()
                    return self._accept(await http.post(self.token_url, data=form))
        except UNUSABLE as error:  # an endpoint that cannot be reached, say
            raise translate(error) from error

    async def atoken(self) -> str:
        async with self._loop_lock():
            return self._fresh() or await self._arenew()

    async def arefresh(self, stale: str) -> str:
        async with self._loop_lock():
            if self._access and self._access != stale:
                return self._access  # another request refreshed it meanwhile
            return await self._arenew()
