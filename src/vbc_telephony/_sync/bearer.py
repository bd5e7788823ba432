# Written by scripts/unasync.py from bearer.py: edit that file, then run `make generate`.
"""Sending the provider's token; on a 401, one refresh and one more try."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from vbc_telephony._errors import error_from
from vbc_telephony._grant import StaticToken, TokenProvider
from vbc_telephony._logs import logger


class BearerFlow:
    provider: TokenProvider

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
