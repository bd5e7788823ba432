"""`vbc-conformance`: test a deployment of the VBC Telephony API against openapi.yaml."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import tomli_w

import vbc_spec as spec
from vbc_conformance import report
from vbc_conformance.progress import Progress
from vbc_conformance.safety import CALLER_TYPES, Party
from vbc_conformance.settings import RunSettings
from vbc_sandbox.phone.dialects import DIALECTS
from vbc_sandbox.settings import RateLimit
from vbc_spec import TOKEN_PATH
from vbc_telephony import (
    NO_RETRIES,
    APIConnectionError,
    APIError,
    AuthenticationError,
    PasswordGrant,
    Telephony,
)
from vbc_telephony._errors import InvalidIdError
from vbc_telephony._version import __version__

CONFIG = Path(__file__).with_name("schemathesis.toml")
#: schemathesis' phases, in the order it runs them.
PHASES = ("examples", "coverage", "fuzzing", "stateful")
EXIT_OK, EXIT_NONCONFORMING, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Fuzz a deployment of the VBC Telephony API v3 against openapi.yaml with schemathesis
(examples, coverage, fuzzing and stateful phases; every check) and report each place
where the deployment and the spec differ.

With no --base-url it starts the embedded sandbox on a free loopback port and tests
that, writes included.

Against any other target it is SAFE BY DEFAULT: it sends GET requests only and no
write of any kind. --allow-writes lifts that only together with --dial-allow: then
every call it places, answers or transfers goes to the parties you list and to no
one else, it acts only on calls it placed itself, and it sends only valid requests.
Without --dial-allow, --allow-writes still sends no write at all.
"""


#: The longest a time option may be: more is a typo, and schemathesis turns a request timeout
#: into whole milliseconds (NaN and infinity were tracebacks there).
MOST_SECONDS = 10**9


def seconds(text: str) -> float:
    """A time option's value: a finite number of seconds above 0 (argparse reports a
    ValueError as an invalid value, exit 2)."""
    value = float(text)
    if not 0 < value < MOST_SECONDS:
        raise ValueError(text)
    return value


class UsageError(Exception):
    """A mistake in how the command was called, or a target that cannot be reached."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vbc-conformance",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    target = p.add_argument_group("target (default: the embedded sandbox)")
    target.add_argument(
        "--base-url", help="API base URL, e.g. https://api.vonage.com/t/vbc.prod/telephony/v3"
    )
    target.add_argument("--account-id", help="account the token reaches (required with --base-url)")
    target.add_argument(
        "--dialect",
        choices=DIALECTS,
        help="the embedded sandbox's dialect: as Vonage documents the API (default) or as live"
        " traffic showed it",
    )
    target.add_argument(
        "--sandbox",
        action="store_true",
        help="the target is a vbc-sandbox or another system that rings no phones: test it"
        " fully, writes and invalid requests included, as the embedded sandbox is",
    )
    target.add_argument(
        "--token", default=os.environ.get("VBC_TOKEN"), help="access token (default: $VBC_TOKEN)"
    )
    target.add_argument(
        "--username", help="VBC user for the password grant, with or without @vbc.prod"
    )
    target.add_argument(
        "--password", default=os.environ.get("VBC_PASSWORD"), help="(default: $VBC_PASSWORD)"
    )
    target.add_argument(
        "--client-id", default=os.environ.get("VBC_CLIENT_ID"), help="(default: $VBC_CLIENT_ID)"
    )
    target.add_argument(
        "--client-secret",
        default=os.environ.get("VBC_CLIENT_SECRET"),
        help="(default: $VBC_CLIENT_SECRET)",
    )
    target.add_argument(
        "--token-url", help="token endpoint (default: /token at the base URL's host)"
    )
    target.add_argument(
        "--other-token",
        default=os.environ.get("VBC_OTHER_TOKEN"),
        help="a token of ANOTHER account: every request is replayed with it and must be refused",
    )
    safety = p.add_argument_group("writes (live targets)")
    safety.add_argument(
        "--allow-writes", action="store_true", help="allow POST/PUT/DELETE (needs --dial-allow)"
    )
    safety.add_argument(
        "--dial-allow",
        action="append",
        default=[],
        metavar="[TYPE:]DESTINATION",
        help="a party calls may involve, e.g. extension:1001 or 15551234567; repeatable",
    )
    run = p.add_argument_group("run")
    run.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="OPERATION_ID",
        help="test only this operation (an operationId of openapi.yaml, e.g. get_call);"
        " repeatable. The stateful phase then walks links between the operations given only",
    )
    run.add_argument(
        "--phases",
        metavar="LIST",
        help="only these phases, comma-separated, of " + ", ".join(PHASES) + " (default: all)",
    )
    run.add_argument(
        "--max-examples",
        type=int,
        help="cases per operation and phase (default from schemathesis.toml)",
    )
    run.add_argument(
        "--seed",
        type=int,
        help="the same seed reproduces the same run (default from schemathesis.toml)",
    )
    run.add_argument(
        "--rate-limit", help="at most this many requests, e.g. 10/m (Vonage's default quota)"
    )
    run.add_argument(
        "--request-timeout",
        type=seconds,
        metavar="SECONDS",
        help="give up on a request after this long (default from schemathesis.toml); a"
        " request that times out is named, and the run exits 2: not judged, not failed",
    )
    run.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report")
    run.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="write a report (.md or .html) naming every failure",
    )
    run.add_argument(
        "--verbose", action="store_true", help="show schemathesis' own output as it runs"
    )
    return p


def obtain_token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    if not (args.username and args.password and args.client_id and args.client_secret):
        raise UsageError("give --token, or --username, --password, --client-id and --client-secret")
    parts = urlsplit(args.base_url)
    grant = PasswordGrant(
        username=args.username,
        password=args.password,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_url=args.token_url or f"{parts.scheme}://{parts.netloc}{TOKEN_PATH}",
    )
    try:
        return grant.token()
    except AuthenticationError as error:
        raise UsageError(f"the token endpoint refused the credentials ({error.detail})") from None
    except APIError as error:
        raise UsageError(f"cannot get a token from {grant.token_url}: {error}") from None


def check_reachable(base_url: str, account_id: str, token: str) -> None:
    """One page of one call, through the SDK: the target answers and takes the token."""
    client = Telephony(account_id=account_id, token=token, base_url=base_url, retry=NO_RETRIES)
    with client:
        try:
            client.calls.list(page_size=1).first_page()
        except AuthenticationError:
            raise UsageError(f"{base_url} rejects the token (401)") from None
        except (APIConnectionError, InvalidIdError) as error:
            raise UsageError(f"cannot reach {base_url}: {error}") from None
        except APIError:
            pass  # it answered; what it answered is the suite's to judge


@contextmanager
def target(args: argparse.Namespace, events: Path) -> Iterator[RunSettings]:
    """What to test and how safely: the embedded sandbox, or the target the flags name."""
    if args.base_url is None:
        if args.allow_writes or args.dial_allow:
            raise UsageError(
                "--allow-writes and --dial-allow are for live targets (with --base-url)"
            )
        dialect = args.dialect or "documented"
        from vbc_sandbox.launch import SandboxProcess

        token, other = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        # No call ends by itself during a run (a lingering busy call timing out between two
        # requests would look like a resource vanishing): only the suite ends calls.
        # --token=VALUE: a random token may start with "-", which argparse would take for a flag.
        sandbox_args = [
            f"--token={token}:1234",
            f"--token={other}:5678",
            "--linger",
            "86400",
            "--dialect",
            dialect,
        ]
        with SandboxProcess(sandbox_args) as sandbox:
            yield RunSettings(
                sandbox.base_url, "1234", token, other, live=False, writes=True, events_dir=events
            )
        return
    if not args.account_id:
        raise UsageError("--account-id is required with --base-url")
    if args.dialect:
        raise UsageError(
            "--dialect sets the embedded sandbox's dialect; a target speaks its own, and the"
            " run reports which"
        )
    if args.sandbox and (args.allow_writes or args.dial_allow):
        raise UsageError(
            "--sandbox already allows every write; --allow-writes/--dial-allow are for live targets"
        )
    parties = tuple(Party.parse(text) for text in args.dial_allow)
    writes = bool(args.allow_writes and parties)
    if writes and not any(party.type in CALLER_TYPES for party in parties):
        raise UsageError("--dial-allow needs at least one extension or device to place calls from")
    token = obtain_token(args)
    check_reachable(args.base_url, args.account_id, token)
    yield RunSettings(
        args.base_url.rstrip("/"),
        args.account_id,
        token,
        args.other_token or "",
        live=not args.sandbox,
        writes=writes or args.sandbox,
        dial_allow=parties,
        events_dir=events,
    )


def config_for(settings: RunSettings, scratch: Path) -> Path:
    """schemathesis.toml, or for a read-only live run a copy whose coverage phase probes
    undeclared methods with OPTIONS only (a TRACE or PUT probe is still a request we
    promised not to send)."""
    if not settings.read_only:
        return CONFIG
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    config["phases"]["coverage"]["unexpected-methods"] = ["OPTIONS"]
    copy = scratch / "schemathesis.toml"
    copy.write_text(tomli_w.dumps(config), encoding="utf-8")
    return copy


def schemathesis_command(
    args: argparse.Namespace, settings: RunSettings, reports: Path
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config_for(settings, reports)),
        "run",
        str(spec.TELEPHONY_SPEC),
        "--report",
        "ndjson,junit" if args.junit else "ndjson",
        "--report-dir",
        str(reports),
    ]
    if args.junit:
        command += ["--report-junit-path", str(args.junit.resolve())]
    for operation in args.operation:
        command += ["--include-operation-id", operation]
    if args.phases:
        command += ["--phases", args.phases]
    if args.max_examples is not None:
        command += ["--max-examples", str(args.max_examples)]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    if args.rate_limit:
        command += ["--rate-limit", args.rate_limit]
    if args.request_timeout is not None:
        command += ["--request-timeout", str(args.request_timeout)]
    if settings.read_only:
        # No operation but GETs, and no probe with another method either.
        command += ["--include-method", "GET", "--exclude-checks", "unsupported_method"]
    elif settings.live:
        # Invalid writes could do anything on a live system: send valid ones only.
        command += ["--mode", "positive"]
    return command


def eta(args: argparse.Namespace) -> str | None:
    """A rough time for a rate-limited run: the cases it may send at the rate allowed (each
    operation, phases with generated cases, up to --max-examples each)."""
    if not args.rate_limit:
        return None
    try:
        limit = RateLimit.parse(args.rate_limit)
    except ValueError:
        return None  # a form schemathesis reads and we do not: no estimate, same run
    depth = (
        args.max_examples
        or tomllib.loads(CONFIG.read_text(encoding="utf-8"))["generation"]["max-examples"]
    )
    read_only = bool(args.base_url) and not args.sandbox and not args.allow_writes
    operations = sum(
        1
        for item in spec.load()["paths"].values()
        for method, operation in item.items()
        if (method == "get" or (method in ("post", "put", "delete") and not read_only))
        and (not args.operation or operation["operationId"] in args.operation)
    )
    # Every phase but the examples one generates up to `depth` cases per operation.
    generating = set((args.phases or ",".join(PHASES)).split(",")) - {"examples"}
    cases = operations * depth * max(1, len(generating))
    minutes = cases * limit.seconds / limit.requests / 60
    return f"at {args.rate_limit}, up to about {cases} requests: about {minutes:.0f} min"


def check_operations(wanted: list[str]) -> None:
    known = {
        operation["operationId"]
        for item in spec.load()["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise UsageError(f"no operation {', '.join(unknown)} in openapi.yaml: {sorted(known)}")


def check_phases(wanted: str | None) -> None:
    if wanted is None:
        return
    unknown = sorted(set(wanted.split(",")) - set(PHASES))
    if unknown:
        named = ", ".join(map(repr, unknown))
        raise UsageError(f"no phase {named}: choose from {', '.join(PHASES)}")


def run(args: argparse.Namespace) -> int:
    check_operations(args.operation)
    check_phases(args.phases)
    what = args.base_url or "the embedded sandbox (starting it)"
    print(f"vbc-conformance {__version__}: testing {what}", flush=True)
    estimate = eta(args)
    if estimate:
        print(f"vbc-conformance: {estimate}", flush=True)
    with tempfile.TemporaryDirectory(prefix="vbc-conformance-") as scratch:
        reports = Path(scratch)
        with target(args, reports) as settings:
            # Under a rate limit, no check reads more than schemathesis sends.
            settings = attrs.evolve(settings, extra_reads=not args.rate_limit)
            return judge(args, settings, reports)


def judge(args: argparse.Namespace, settings: RunSettings, reports: Path) -> int:
    """Run schemathesis against the target and report what it found."""
    env = {**os.environ, **settings.environment()}
    command = schemathesis_command(args, settings, reports)
    started = time.monotonic()
    output = None if args.verbose else (reports / "schemathesis.log").open("w")
    with Progress(spec.load(), reports, sys.stdout):
        result = subprocess.run(  # noqa: S603 (our own command line)
            command, env=env, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    seconds = time.monotonic() - started
    if output:
        output.close()
    ndjson = next(reports.glob("*.ndjson"), None)
    if result.returncode not in (0, 1) or ndjson is None:
        log = (reports / "schemathesis.log").read_text(errors="replace") if output else ""
        raise UsageError(f"schemathesis could not run (exit {result.returncode}):\n{log[-3000:]}")
    outcome = report.read(spec.load(), ndjson, reports / "events.jsonl")
    if result.returncode == 1 and outcome.exit_code == EXIT_OK:
        # schemathesis failed the run for something its report names neither as a
        # failure nor as an error: say so, rather than print "conforms" and exit 1.
        outcome.errors[("run", "schemathesis", "exited 1 without naming why")] += 1
    where = settings.base_url
    print(f"vbc-conformance: {where}" + (" (embedded sandbox)" if args.base_url is None else ""))
    return conclude(args, outcome, where, seconds)


def conclude(args: argparse.Namespace, outcome: report.Outcome, where: str, seconds: float) -> int:
    """The summary, the reports asked for, the failures and the exit code: the same for a
    generated run and for judged traffic (replay, proxy)."""
    print(report.summary(outcome, seconds))
    if args.report:
        page = (
            report.html_page if args.report.suffix.lower() in (".html", ".htm") else report.markdown
        )
        args.report.write_text(page(outcome, where, seconds), encoding="utf-8")
        print(f"report: {args.report}")
    for failure in outcome.failures:
        print(f"FAILED {failure.operation}: {failure.check}: {failure.title}")
    return outcome.exit_code


def conclude_traffic(
    args: argparse.Namespace, judge: Any, events: Path, where: str, seconds: float
) -> int:
    """`conclude` for traffic the suite did not send (replay, proxy): what the hooks recorded
    joins the judge's outcome, and the exchanges left unjudged are counted."""
    outcome = judge.outcome
    report.read_events(events / "events.jsonl", outcome)
    print(f"vbc-conformance: {where}")
    print(f"{judge.ignored} exchange(s) ignored: not to an operation under the APIs' base URLs")
    if args.evidence:
        judge.evidence.write(args.evidence)
        print(f"evidence: {args.evidence}")
    if args.junit:
        args.junit.write_text(report.junit(outcome, judge.labels, seconds), encoding="utf-8")
        print(f"junit: {args.junit}")
    return conclude(args, outcome, where, seconds)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["replay"]:
            from vbc_conformance import replay

            return replay.main(argv[1:])
        if argv[:1] == ["proxy"]:
            from vbc_conformance import proxy

            return proxy.main(argv[1:])
        if argv[:1] == ["webhooks"]:
            from vbc_conformance import webhooks

            return webhooks.main(argv[1:])
        return run(parser().parse_args(argv))
    except (UsageError, ValueError) as error:
        print(f"vbc-conformance: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `vbc-conformance | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE


if __name__ == "__main__":
    # As `python -m vbc_conformance.cli` this file is `__main__`, and the replay and proxy
    # modules raise `vbc_conformance.cli.UsageError`, another class: run that module's main.
    from vbc_conformance.cli import main as command

    sys.exit(command())
