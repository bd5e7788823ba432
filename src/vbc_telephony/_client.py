"""The configured client users start from."""

from __future__ import annotations

import httpx

from vbc_telephony_api import AuthenticatedClient

PRODUCTION_BASE_URL = "https://api.vonage.com/t/vbc.prod/telephony/v3"


class Telephony:
    """Holds a configured low-level client; ``telephony.api`` is what the generated
    functions (``vbc_telephony_api.api.*``) take as ``client=``."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str = PRODUCTION_BASE_URL,
        timeout: float | httpx.Timeout = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api = AuthenticatedClient(
            base_url=self.base_url,
            token=token,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            raise_on_unexpected_status=True,
        )

    def __repr__(self) -> str:
        # The token stays out of reprs and logs.
        return f"Telephony(base_url={self.base_url!r})"
