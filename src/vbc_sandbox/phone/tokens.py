"""OAuth as production does it: password and rotating refresh-token grants, expiring tokens,
and an optional per-token quota."""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
from typing import Any

from vbc_sandbox.errors import OAuthError, TooManyRequests, Unauthorized
from vbc_sandbox.phone.clock import Clock
from vbc_sandbox.settings import Settings
from vbc_sandbox.storage.store import Store, digest
from vbc_spec import USERNAME_SUFFIX

#: How many times a user's failed logins a client (shared by all its users) may have.
CLIENT_FACTOR = 4


def in_window(now: float, window_start: float, seconds: float) -> bool:
    """Whether `now` falls in the window of `seconds` from `window_start`. A window that
    starts after now was opened before the sandbox's clock was set back: it is over, or its
    end would be further away than a window is long."""
    return 0 <= now - window_start < seconds


class Authority:
    """Issues and checks tokens; every worker sees the same tokens through the store."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        #: This instance's static tokens (by digest): they never expire and stay through
        #: resets and restores, so a request needs no lookup in the store for them.
        self.static = {digest(static.token): static.account_id for static in settings.static_tokens}
        with store.transaction():
            for key, account_id in self.static.items():
                store.add_static_token(key, account_id)

    def account_of(self, token: str) -> str:
        """The account a valid access token reaches; Unauthorized otherwise."""
        return self.user_of(token)[0]

    def user_of(self, token: str) -> tuple[str, str | None]:
        """The account a valid access token reaches and the user it was issued to, as the
        seed names them (None: a static token, which has none); Unauthorized otherwise."""
        key = digest(token)
        account_id, _, username = self.issued(key)
        self.charge_quota(key)
        return account_id, None if username is None else username.removesuffix(USERNAME_SUFFIX)

    def holder(self, key: str) -> tuple[str, float | None]:
        """The account the access token with this digest reaches and when it expires (None:
        never), counting nothing against its quota; Unauthorized if it is not valid now."""
        account_id, expires_at, _ = self.issued(key)
        return account_id, expires_at

    def issued(self, key: str) -> tuple[str, float | None, str | None]:
        """`holder`, and the user the token was issued to (None for a static token)."""
        account_id = self.static.get(key)
        if account_id is not None:
            return account_id, None, None
        row = self.store.token(key, "access")
        if row is None:
            raise Unauthorized("Invalid Credentials: the access token is not known")
        expires_at: float | None = row["expires_at"]
        if expires_at is not None:
            now = self.clock.now()
            if expires_at <= now:
                raise Unauthorized("Invalid Credentials: the access token has expired")
            if expires_at - now > self.settings.token_ttl:
                # Issued before the clock was set back: it lives no longer from now.
                expires_at = now + self.settings.token_ttl
                with self.store.transaction():
                    self.store.set_token_expiry(key, expires_at)
        return str(row["account_id"]), expires_at, row["username"]

    def charge_quota(self, key: str) -> None:
        """Count a request against the quota of the token with this digest."""
        limit = self.settings.rate_limit
        if limit is None:
            return
        now = self.clock.now()
        with self.store.transaction():
            row = self.store.quota(key)
            if row is None or not in_window(now, row["window_start"], limit.seconds):
                self.store.start_quota(key, now)
                return
            if row["used"] >= limit.requests:
                retry_after = math.ceil(row["window_start"] + limit.seconds - now)
                raise TooManyRequests(max(retry_after, 1))
            self.store.use_quota(key)

    def grant(self, form: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        """Answer POST /token for the password and refresh_token grants."""
        client = self.client_id(form, authorization)
        self.refuse_if_locked(f"client:{client}")
        try:
            self.check_client(form, authorization)
        except OAuthError:
            self.failed(f"client:{client}")
            raise
        grant_type = form.get("grant_type")
        if grant_type == "password":
            user = f"user:{form.get('username') or ''}"
            self.refuse_if_locked(user)
            try:
                granted = self.password_grant(form)
            except OAuthError:
                self.failed(user, f"client:{client}")
                raise
            self.forget(user)
            return granted
        if grant_type == "refresh_token":
            return self.refresh_grant(form)
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    @staticmethod
    def client_id(form: dict[str, Any], authorization: str | None) -> str:
        """Who a token request says it comes from, before it is checked (for throttling)."""
        if authorization and authorization.lower().startswith("basic "):
            try:
                return base64.b64decode(authorization[6:]).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                return ""
        return str(form.get("client_id") or "")

    def refuse_if_locked(self, key: str) -> None:
        row = self.store.login_failures(key)
        now = self.clock.now()
        if row is not None and row["locked_until"] and row["locked_until"] > now:
            locked_until = row["locked_until"]
            if locked_until - now > self.settings.lockout:
                # Locked before the clock was set back: a lockout lasts no longer from now.
                locked_until = now + self.settings.lockout
                with self.store.transaction():
                    self.store.set_login_failures(key, now, 0, locked_until)
            wait = math.ceil(locked_until - now)
            raise OAuthError(
                "temporarily_unavailable",
                f"Too many failed logins: try again in {wait} s",
                429,
                {"Retry-After": str(wait)},
            )

    def failed(self, *keys: str) -> None:
        """Count a failed login against each key; too many within the window lock it out."""
        now, settings = self.clock.now(), self.settings
        with self.store.transaction():
            self.store.forget_old_failures(now - settings.login_window, now)
            for key in keys:
                row = self.store.login_failures(key)
                if row is None or not in_window(now, row["window_start"], settings.login_window):
                    start, failures = now, 1
                else:
                    start, failures = row["window_start"], row["failures"] + 1
                # A client is shared by all its users: it locks only after many more failures.
                most = settings.login_failures * (CLIENT_FACTOR if key.startswith("client:") else 1)
                locked = now + settings.lockout if failures >= most else None
                self.store.set_login_failures(key, start, 0 if locked else failures, locked)

    def forget(self, key: str) -> None:
        with self.store.transaction():
            self.store.forget_failures(key)

    def check_client(self, form: dict[str, Any], authorization: str | None) -> None:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:], validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError("invalid_client", "Malformed Basic credentials", 401) from None
            client_id, _, client_secret = decoded.partition(":")
        if not client_id or not client_secret:
            raise OAuthError("invalid_client", "client_id and client_secret are required", 401)
        known = self.store.client_secret_digest(client_id)
        if known is None or not hmac.compare_digest(known, digest(client_secret)):
            raise OAuthError("invalid_client", "Client authentication failed", 401)

    def password_grant(self, form: dict[str, Any]) -> dict[str, Any]:
        username, password = form.get("username") or "", form.get("password") or ""
        if not username.endswith(USERNAME_SUFFIX):
            raise OAuthError("invalid_grant", f"the username must end with {USERNAME_SUFFIX}")
        row = self.store.user(username.removesuffix(USERNAME_SUFFIX))
        if row is None or not hmac.compare_digest(row["password_digest"], digest(password)):
            raise OAuthError(
                "invalid_grant", "Authentication failed for this username and password"
            )
        return self.issue(str(row["account_id"]), username, form.get("scope") or "openid")

    def refresh_grant(self, form: dict[str, Any]) -> dict[str, Any]:
        refresh = form.get("refresh_token") or ""
        now = self.clock.now()
        with self.store.transaction():
            row = self.store.token(digest(refresh), "refresh")
            if row is None or row["used"] or (row["expires_at"] or 0) <= now:
                raise OAuthError(
                    "invalid_grant", "Refresh token is invalid, expired or already used"
                )
            # Rotation: a refresh token works once.
            self.store.mark_token_used(digest(refresh))
        return self.issue(str(row["account_id"]), row["username"], "openid")

    def issue(self, account_id: str, username: str, scope: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.store.transaction():
            self.store.add_tokens(
                account_id,
                username,
                (digest(access), now + self.settings.token_ttl),
                (digest(refresh), now + self.settings.refresh_ttl),
            )
        return {
            "access_token": access,
            "refresh_token": refresh,
            "scope": scope,
            "id_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": int(self.settings.token_ttl),
        }
