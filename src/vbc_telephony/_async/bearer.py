"""Sending the provider's token; on a 401, one refresh and one more try."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import httpx

from vbc_telephony._errors import error_from
from vbc_telephony._grant import StaticToken, TokenProvider
from vbc_telephony._logs import logger


class AsyncBearerFlow:
    provider: TokenProvider

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
