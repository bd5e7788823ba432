"""`vbc-sandbox`: run the stateful Telephony API sandbox on this machine."""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import attrs
import uvicorn
import uvicorn.config
from jsonschema import Draft4Validator

import vbc_spec as spec
from vbc_sandbox.errors import SandboxError
from vbc_sandbox.json_reading import read_json
from vbc_sandbox.phone.dialects import DIALECTS
from vbc_sandbox.phone.pbx import MAGIC_NUMBERS
from vbc_sandbox.routes import CONTROL_SPEC
from vbc_sandbox.settings import (
    CONTROL_TOKEN_VARIABLE,
    DB_VARIABLE,
    DEFAULT_SEED,
    LOOPBACK_CONTROL_TOKEN,
    MAX_BODY_BYTES,
    TOKENS_VARIABLE,
    RateLimit,
    Settings,
    StaticToken,
)
from vbc_sandbox.storage.engines import is_postgres, shown
from vbc_sandbox.storage.store import Store
from vbc_sandbox.testkit.sandbox_app import SandboxApp, create_app
from vbc_sandbox.web.hosts import host_name, is_loopback
from vbc_sandbox.web.messages import explain
from vbc_sandbox.web.slow_clients import HEADER_TIMEOUT_VARIABLE, HeaderDeadlineProtocol
from vbc_spec import API_BASE_PATH
from vbc_telephony._version import __version__

#: uvicorn's logging, with request lines on stderr beside everything else it logs, their
#: query's secrets replaced.
LOG_CONFIG = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
LOG_CONFIG["handlers"]["access"]["stream"] = "ext://sys.stderr"
LOG_CONFIG["filters"] = {"redaction": {"()": "vbc_sandbox.redaction.AccessLogRedaction"}}
LOG_CONFIG["handlers"]["access"]["filters"] = ["redaction"]

#: What --allowed-host takes: a DNS name or an IP address (an IPv6 one without brackets).
HOST_NAME = re.compile(r"[a-z0-9._-]+|[0-9a-f:.]+")

#: The longest duration an option takes (ten years): more is a slip, and the times derived
#: from it (token expiry, ringing) would overflow what the API shows.
MAX_SECONDS = 315_360_000.0

#: Workers are separate processes: they receive the settings through the environment.
SETTINGS_VARIABLE = "VBC_SANDBOX_SETTINGS"


def settings_to_env(settings: Settings) -> str:
    data = attrs.asdict(settings, recurse=True)
    data["seed_file"] = str(settings.seed_file)
    return json.dumps(data)


def settings_from_env() -> Settings:
    data: dict[str, Any] = json.loads(os.environ[SETTINGS_VARIABLE])
    data["seed_file"] = Path(data["seed_file"])
    data["static_tokens"] = tuple(StaticToken(**t) for t in data["static_tokens"])
    data["rate_limit"] = RateLimit(**data["rate_limit"]) if data["rate_limit"] else None
    data["allowed_hosts"] = tuple(data["allowed_hosts"])
    data["webhook_hosts"] = tuple(data["webhook_hosts"])
    return Settings(**data)


def app_from_env() -> SandboxApp:
    """The app factory each uvicorn worker calls."""
    return create_app(settings_from_env())


def seconds(text: str) -> float:
    """A duration option's value: a number of seconds from 0 to MAX_SECONDS (not NaN)."""
    value = float(text)
    if not 0 <= value <= MAX_SECONDS:
        raise ValueError(text)
    return value


def parser() -> argparse.ArgumentParser:
    magic = ", ".join(f"{number} {outcome}" for number, outcome in MAGIC_NUMBERS.items())
    p = argparse.ArgumentParser(
        prog="vbc-sandbox",
        description="A stateful sandbox of the VBC Telephony API v3 that behaves like a phone "
        f"system. The API is served under {API_BASE_PATH}, the token endpoint at /token.",
        epilog=f"Magic PSTN numbers: {magic}. Seed users log in as USERNAME@vbc.prod with "
        "client sandbox-client / sandbox-secret (see the seed file).",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default 8080; 0 picks one)"
    )
    p.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN[:ACCOUNT_ID]",
        help="register a static bearer token for an account (default account 1234); repeatable;"
        f" ${TOKENS_VARIABLE} adds more, space-separated, kept out of the process list",
    )
    p.add_argument(
        "--seed-file", type=Path, default=DEFAULT_SEED, help="accounts, users and devices (JSON)"
    )
    p.add_argument(
        "--db",
        default=os.environ.get(DB_VARIABLE),
        help="where the state lives: a postgresql://USER:PASSWORD@HOST/DB URL (any number of"
        " instances on any hosts share it) or a SQLite file (the workers of this host share it);"
        f" kept across restarts; default ${DB_VARIABLE}, else memory",
    )
    p.add_argument(
        "--db-wait",
        type=seconds,
        default=0.0,
        help="seconds to keep trying a PostgreSQL server that is not up yet (default 0)",
    )
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--ring-delay",
        type=seconds,
        default=0.0,
        help="seconds a phone rings before answering (0: at once)",
    )
    p.add_argument(
        "--linger",
        type=seconds,
        default=30.0,
        help="seconds a busy/failed/unanswered call stays listed",
    )
    p.add_argument(
        "--token-ttl",
        type=seconds,
        default=86400.0,
        help="access token lifetime in seconds (default 24 h)",
    )
    p.add_argument("--rate-limit", help="per-token quota such as 10/min (default: none)")
    p.add_argument(
        "--dialect",
        choices=DIALECTS,
        default="documented",
        help="shape responses as Vonage documents them (default) or as live traffic showed"
        " them: from_number/leg_map, microsecond strings, click2dial answering 202 with no id",
    )
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=MAX_BODY_BYTES,
        help=f"largest request body read; larger ones get 413, unread (default {MAX_BODY_BYTES})",
    )
    p.add_argument(
        "--login-failures",
        type=int,
        default=5,
        help="failed logins per user within a minute before a lockout (a client: 4 times as"
        " many); default 5",
    )
    p.add_argument(
        "--lockout", type=seconds, default=300.0, help="seconds a lockout lasts (default 300)"
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        help="connections served at once per worker; more are answered 503 (default 1000)",
    )
    p.add_argument(
        "--header-timeout",
        type=seconds,
        default=10.0,
        help="seconds a client has to send a request's head, and then its body, before it is"
        " disconnected (a body late gets 408; default 10)",
    )
    p.add_argument(
        "--admin-token",
        default=os.environ.get(CONTROL_TOKEN_VARIABLE),
        help="bearer token of the control API under /sandbox (reset, clock, outcomes, faults,"
        f" journal); default ${CONTROL_TOKEN_VARIABLE}, else {LOOPBACK_CONTROL_TOKEN!r} on a"
        " loopback address; off on any other address without one",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name requests may address besides localhost and 127.0.0.1 (a container's"
        " service name, say); repeatable. Without it, requests naming another host are refused"
        " while the control API has the well-known token",
    )
    p.add_argument(
        "--webhook-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name VIS webhooks may deliver to besides loopback (a receiver's service"
        " name, say), or '*' for any; repeatable. Without it, a webhook URL naming another host"
        " is refused",
    )
    p.add_argument(
        "--no-journal", action="store_true", help="keep no journal of the requests received"
    )
    p.add_argument("--access-log", action="store_true", help="log every request line")
    p.add_argument(
        "--validate-responses", action="store_true", help="check every response against the spec"
    )
    return p


#: Each count option (durations are `seconds`): its smallest value, its largest.
COUNT_OPTIONS: dict[str, tuple[int, int]] = {
    "port": (0, 65535),
    "workers": (1, 128),
    "max_body_bytes": (1, 2**30),
    "login_failures": (1, 1_000_000),
    "max_connections": (1, 1_000_000),
}


def check_numbers(args: argparse.Namespace) -> None:
    """Each count option within its range."""
    for name, (least, most) in COUNT_OPTIONS.items():
        value = getattr(args, name)
        if not least <= value <= most:
            raise ValueError(
                f"--{name.replace('_', '-')} must be from {least} to {most}, not {value}"
            )


def check_seed_file(path: Path) -> None:
    """The seed file in the form POST /sandbox/seed takes, said in a line if it is not."""
    try:
        seed = read_json(path.read_text(encoding="utf-8"), "the file")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"seed file {path}: {error}") from None
    schema = spec.load(CONTROL_SPEC)["components"]["schemas"]["Seed"]
    problem = next(iter(Draft4Validator(schema).iter_errors(seed)), None)
    if problem is not None:
        raise ValueError(f"seed file {path}: {explain(problem, 'seed')}")


def settings_from(args: argparse.Namespace) -> Settings:
    check_numbers(args)
    # Durations are numbers of seconds from 0 up (`seconds`); these two must pass some.
    if args.token_ttl <= 0 or args.header_timeout <= 0:
        raise ValueError("--token-ttl and --header-timeout must be > 0")
    if not args.seed_file.is_file():
        raise ValueError(f"seed file {args.seed_file} does not exist")
    check_seed_file(args.seed_file)
    given = [*args.token, *os.environ.get(TOKENS_VARIABLE, "").split()]
    static_tokens = tuple(StaticToken.parse(text) for text in given)
    allowed_hosts = tuple(host_name(name) for name in args.allowed_host)
    if not all(HOST_NAME.fullmatch(name) for name in allowed_hosts):
        raise ValueError("--allowed-host takes a host name or an IP address, such as sandbox")
    webhook_hosts = tuple(host_name(name) for name in args.webhook_host)
    if not all(name == "*" or HOST_NAME.fullmatch(name) for name in webhook_hosts):
        raise ValueError("--webhook-host takes a host name, an IP address or '*', such as receiver")
    control_token = args.admin_token or (LOOPBACK_CONTROL_TOKEN if is_loopback(args.host) else None)
    if control_token and any(t.token == control_token for t in static_tokens):
        raise ValueError("the admin token must not also be a Telephony token")
    return Settings(
        ring_delay=args.ring_delay,
        linger=args.linger,
        token_ttl=args.token_ttl,
        rate_limit=RateLimit.parse(args.rate_limit) if args.rate_limit else None,
        static_tokens=static_tokens,
        control_token=control_token,
        allowed_hosts=allowed_hosts,
        webhook_hosts=webhook_hosts,
        journal=not args.no_journal,
        seed_file=args.seed_file,
        db=args.db,
        validate_responses=args.validate_responses,
        dialect=args.dialect,
        max_body_bytes=args.max_body_bytes,
        login_failures=args.login_failures,
        lockout=args.lockout,
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = settings_from(args)
    except ValueError as error:
        print(f"vbc-sandbox: {error}", file=sys.stderr)
        return 2
    if is_postgres(settings.db):
        # Asked here, once, so a bad URL or a server that is down is one line, not a
        # traceback from each worker. The workers apply the migrations.
        try:
            Store(settings.db, connect_wait=args.db_wait).close()
        except (RuntimeError, SandboxError) as error:
            print(f"vbc-sandbox: {error}", file=sys.stderr)
            return 2
    with contextlib.ExitStack() as scratch:
        if settings.db is None and args.workers > 1:
            # Workers are processes: they can only share a file. It lives in a folder only
            # this user can open (mkdtemp's 0700), removed with it when the sandbox stops.
            folder = scratch.enter_context(tempfile.TemporaryDirectory(prefix="vbc-sandbox-"))
            settings = attrs.evolve(settings, db=str(Path(folder) / "state.db"))
        serve(args, settings)
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> None:
    """Run uvicorn until the sandbox is told to stop (SIGTERM, SIGINT)."""
    os.environ[SETTINGS_VARIABLE] = settings_to_env(settings)
    # This process's protocol class, and (through the environment) each worker's.
    os.environ[HEADER_TIMEOUT_VARIABLE] = str(args.header_timeout)
    HeaderDeadlineProtocol.header_timeout = args.header_timeout
    where = shown(settings.db)
    print(
        f"vbc-sandbox: API at http://{args.host}:{args.port}{API_BASE_PATH}, state in {where},"
        f" {args.workers} worker(s), {len(settings.static_tokens)} static token(s),"
        f" {settings.dialect} dialect, control API "
        + ("on" if settings.control_token else "off (no --admin-token)")
        + (
            ", requests must name " + " or ".join(["localhost/127.0.0.1", *settings.allowed_hosts])
            if settings.checks_host
            else ""
        ),
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "vbc_sandbox.cli:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        # uvicorn logs request lines at info: --access-log needs that level.
        log_level="info" if args.access_log else "warning",
        log_config=LOG_CONFIG,
        lifespan="on",  # the VIS loop runs from startup to shutdown (web/app.py)
        http=HeaderDeadlineProtocol,
        limit_concurrency=args.max_connections,
        # An open console keeps a live feed open: do not wait for it to end on shutdown.
        timeout_graceful_shutdown=2,
    )


if __name__ == "__main__":
    sys.exit(main())
