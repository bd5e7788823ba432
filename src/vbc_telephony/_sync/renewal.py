# Written by scripts/unasync.py from renewal.py: edit that file, then run `make generate`.
"""Renewing a password grant's token: a refresh-token grant when there is one, else the
password grant again; one renewal at a time, the others reuse its result."""

from __future__ import annotations

import httpx

from vbc_telephony._errors import UNUSABLE, translate
from vbc_telephony._grant import MAX_TOKEN_ANSWER_BYTES, TOKEN_REQUEST, GrantState
from vbc_telephony._logs import logger
from vbc_telephony._reading import Limits
from vbc_telephony._retry import RetryPolicy, call_options
from vbc_telephony._sync.transports import ReadingTransport, RetryTransport
from vbc_telephony._version import USER_AGENT


class Renewal(GrantState):
    def _http(self) -> httpx.Client:
        # Retried like any idempotent request: a grant sent twice just issues a second token
        # (a used refresh token is then refused, and the password grant takes over).
        return httpx.Client(
            transport=RetryTransport(
                ReadingTransport(
                    self._transport or httpx.HTTPTransport(),
                    Limits(MAX_TOKEN_ANSWER_BYTES),
                ),
                RetryPolicy(),
                total_timeout=self._timeout,
            ),
            timeout=self._timeout,
            auth=self._basic(),
            headers=USER_AGENT,
        )

    def _renew(self) -> str:
        logger.info("renewing the access token at %s", self.token_url)
        try:
            with self._http() as http:
                with call_options(TOKEN_REQUEST):
                    form = self._refresh_form()
                    if form is not None:
                        response = http.post(self.token_url, data=form)
                        if response.status_code == 200:
                            return self._accept(response)
                    # No refresh token, or it expired or was used: log in again.
                    form = self._password_form()
                    return self._accept(http.post(self.token_url, data=form))
        except UNUSABLE as error:  # an endpoint that cannot be reached, say
            raise translate(error) from error

    def token(self) -> str:
        with self._lock:
            return self._fresh() or self._renew()

    def refresh(self, stale: str) -> str:
        with self._lock:
            if self._access and self._access != stale:
                return self._access  # another request refreshed it meanwhile
            return self._renew()
