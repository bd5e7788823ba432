"""Access tokens as users hold them: a fixed one (StaticToken), or the password grant kept
fresh with rotating refresh tokens (PasswordGrant); and the httpx auth that sends them."""

from __future__ import annotations

import httpx

from vbc_telephony._async.bearer import AsyncBearerFlow
from vbc_telephony._async.renewal import AsyncRenewal
from vbc_telephony._grant import (
    GATEWAY_TOKEN_URL,
    TOKEN_REQUEST,
    TOKEN_URL,
    StaticToken,
    TokenProvider,
)
from vbc_telephony._sync.bearer import BearerFlow
from vbc_telephony._sync.renewal import Renewal

__all__ = [
    "GATEWAY_TOKEN_URL",
    "TOKEN_REQUEST",
    "TOKEN_URL",
    "BearerAuth",
    "PasswordGrant",
    "StaticToken",
    "TokenProvider",
]


class PasswordGrant(Renewal, AsyncRenewal):
    """OAuth password grant for a VBC user, renewed with refresh tokens (each works once).

    `token_url` is the documented endpoint by default; GATEWAY_TOKEN_URL is the one live
    integrations report. `client_auth` sends the client id and secret as form fields
    ("form", as documented) or as HTTP Basic credentials ("basic", as a live integration
    does); the token endpoint accepts either."""


class BearerAuth(BearerFlow, AsyncBearerFlow, httpx.Auth):
    """Sends the provider's token; on a 401, refreshes once and tries again, and a second 401
    raises AuthenticationError."""

    def __init__(self, provider: TokenProvider) -> None:
        self.provider = provider
