"""What a sandbox run is configured with; the CLI and the tests build one of these."""

from __future__ import annotations

import re
from pathlib import Path

import attrs

DEFAULT_SEED = Path(__file__).with_name("seed.json")
#: The largest request body read: every documented body is well under a kilobyte.
MAX_BODY_BYTES = 64 * 1024
#: The control API's token, kept off the command line (where `ps` would show it).
CONTROL_TOKEN_VARIABLE = "VBC_SANDBOX_ADMIN_TOKEN"  # noqa: S105 (a variable name)
#: Static tokens given through the environment (space-separated TOKEN[:ACCOUNT_ID]): unlike
#: --token, they do not show in the process list.
TOKENS_VARIABLE = "VBC_SANDBOX_TOKENS"
#: The --db default, so a PostgreSQL password stays off the command line too.
DB_VARIABLE = "VBC_SANDBOX_DB"
#: The control API's bearer token when the sandbox listens on loopback and none is given.
#: It is well known on purpose: loopback is the test mode, and any token at all keeps a web
#: page from driving the control API (browsers cannot send one across origins unasked).
LOOPBACK_CONTROL_TOKEN = "vbc-sandbox-admin"  # noqa: S105 (public by design, see above)


@attrs.frozen
class RateLimit:
    """At most `requests` per `seconds` for one access token (Vonage's default: 10/min)."""

    requests: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*", text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"rate limit must look like 10/min or 5/s, not {text!r}")
        unit = match.group(2)[0]
        return cls(int(match.group(1)), {"s": 1.0, "m": 60.0, "h": 3600.0}[unit])


@attrs.frozen
class StaticToken:
    """A bearer token registered on the command line; it never expires."""

    token: str = attrs.field(repr=False)
    account_id: str

    @classmethod
    def parse(cls, text: str, default_account: str = "1234") -> StaticToken:
        token, _, account = text.partition(":")
        if not token:
            raise ValueError("a token must not be empty (TOKEN or TOKEN:ACCOUNT_ID)")
        return cls(token, account or default_account)


@attrs.frozen
class Settings:
    """How a sandbox behaves: every option of `vbc-sandbox`, as data (`create_app(settings)`)."""

    ring_delay: float = 0.0
    """Seconds each phone rings before it answers (0: answer at once)."""
    linger: float = 30.0
    """Seconds a busy, failed or unanswered call stays listed before it ends."""
    token_ttl: float = 86400.0
    refresh_ttl: float = 604800.0
    rate_limit: RateLimit | None = None
    static_tokens: tuple[StaticToken, ...] = ()
    seed_file: Path = DEFAULT_SEED
    db: str | None = attrs.field(default=None, repr=False)
    """Where the state lives: a postgresql:// URL (instances on any host share it), a SQLite
    file (workers of one host share it; kept across restarts), or None (memory). Not in the
    repr: a URL may hold a password."""
    validate_responses: bool = False
    """Check every response against openapi.yaml (the test suite turns this on)."""
    max_body_bytes: int = MAX_BODY_BYTES
    """The largest request body read; a larger one is refused with 413, unread."""
    login_failures: int = 5
    """Failed logins per user, and per client, within `login_window` before a lockout."""
    login_window: float = 60.0
    lockout: float = 300.0
    """Seconds a user or client stays locked out after too many failed logins."""
    control_token: str | None = attrs.field(default=LOOPBACK_CONTROL_TOKEN, repr=False)
    """The bearer token of the control API (/sandbox/...); None turns that API off."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names (lower case, no port) requests may address besides loopback. Requests over
    TCP are checked when this names any, or the control token is the well-known one."""
    webhook_hosts: tuple[str, ...] = ()
    """Host names or addresses (lower case, no port) besides loopback that VIS deliveries may
    go to, redirects included; `*` for any. A user of a shared sandbox registers the URL:
    without this bound it could make the sandbox POST into the network it runs in."""
    journal: bool = True
    """Keep a journal of every request (the test kit's GET /sandbox/requests)."""
    dialect: str = "documented"
    """How responses are shaped: as Vonage documents them, or as live traffic showed them
    (`vbc_sandbox.phone.dialects`)."""

    @property
    def checks_host(self) -> bool:
        """Whether requests over TCP must name loopback or an allowed host (web/hosts.py)."""
        return self.control_token == LOOPBACK_CONTROL_TOKEN or bool(self.allowed_hosts)
