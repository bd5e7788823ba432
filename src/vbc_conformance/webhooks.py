"""`vbc-conformance webhooks --url URL`: check a user's VIS webhook receiver against Vonage's
delivery rules with the cases of `webhook_cases`, one report line per case.

Accepted means what Vonage counts: HTTP 200 (not any 2xx), the connection taken within 3 s
and the answer within 2 s of the request. Refused means a 4xx: a 2xx says the forged delivery
was taken, a redirect is followed by Vonage, and a 5xx is a receiver failing on it rather
than refusing it. It sends only to the URL given (no redirect followed, no proxy from the
environment), and the signing key never leaves this process: only signatures do."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx

from vbc_conformance import webhook_report
from vbc_conformance.webhook_cases import POLICIES, Case, Request, cases
from vbc_telephony._checks import http_url
from vbc_telephony._redaction import hidden
from vbc_telephony._version import __version__

KEY_VARIABLE = "VBC_SIGNING_KEY"
#: Vonage's delivery rules: the connection within 3 s, the 200 within 2 s of the request.
CONNECT_WITHIN = 3.0
ANSWER_WITHIN = 2.0
NOT_CONNECTED = f"the connection was not accepted within {CONNECT_WITHIN:g} s"
NOT_ANSWERED = f"no answer within {ANSWER_WITHIN:g} s"
#: The most of an answer's body kept, for the report.
MOST_ANSWER_BYTES = 2048
#: The longest key file read: a signing key is a few dozen characters.
MOST_KEY_BYTES = 4096


@attrs.frozen
class Answer:
    """What one request got: a status in `seconds` from the request's start, or no answer
    (`problem`); `connected` is False when no connection was made at all."""

    status: int | None = None
    seconds: float | None = None
    body: str = ""
    location: str | None = None
    problem: str | None = None
    connected: bool = True

    def said(self) -> str:
        if self.status is None:
            return f"no answer: {self.problem}"
        return f"{self.status} in {self.seconds * 1000:.0f} ms" if self.seconds is not None else ""


@attrs.frozen
class Result:
    case: Case
    answers: tuple[Answer, ...]
    failure: str | None
    """Why the case failed; None when it passed."""

    @property
    def passed(self) -> bool:
        return self.failure is None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vbc-conformance webhooks",
        description="Check your VIS webhook receiver: genuine signed deliveries of every call"
        " state and the 2018 test vector must get 200 within 2 s, forged ones (tampered,"
        " missing, over the raw body) a 4xx, a retry and a late RINGING 200. Sends only to"
        " --url; the key signs synthetic events and is never printed.",
    )
    p.add_argument("--url", required=True, help="the receiver, e.g. https://crm.example/vis")
    p.add_argument(
        "--signing-key",
        default=os.environ.get(KEY_VARIABLE),
        metavar="KEY",
        help=f"the key the receiver checks signatures with (default: ${KEY_VARIABLE}, which"
        " keeps it out of the process list); use a test key, not production's",
    )
    p.add_argument(
        "--signing-key-file", type=Path, metavar="PATH", help="read the key from this file"
    )
    p.add_argument(
        "--metadata-policy",
        choices=POLICIES,
        help="the receiver's metadata policy: signature in a header or in the body (default: both)",
    )
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow an http:// URL that is not loopback (the signed deliveries could be"
        " captured and replayed to a receiver using the same key)",
    )
    p.add_argument("--report", type=Path, metavar="PATH", help="write a report (.md or .html)")
    p.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report")
    return p


class UsageError(ValueError):
    """A mistake in how the command was called (exit 2)."""


def signing_key(args: argparse.Namespace) -> str:
    if args.signing_key_file is not None:
        path: Path = args.signing_key_file
        try:
            if path.stat().st_size > MOST_KEY_BYTES:
                raise UsageError(f"{path}: larger than {MOST_KEY_BYTES} bytes: not a signing key")
            key = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read the signing key file {path}: {error}") from None
    else:
        key = args.signing_key or ""
    if not key:
        raise UsageError(
            f"give the receiver's signing key: ${KEY_VARIABLE}, --signing-key-file or --signing-key"
        )
    return key


def checked_url(url: str, insecure: bool) -> str:
    """An http(s) URL without credentials; plain http only to loopback unless allowed:
    each delivery sent is validly signed with the user's key and has no replay protection."""
    http_url(url, "--url")
    parsed = httpx.URL(url)
    if parsed.scheme == "http" and not insecure and not loopback(parsed.host):
        raise UsageError(
            f"--url {url}: plain http to a host that is not loopback; anyone on the way could"
            " capture these signed deliveries and replay them later. Use https, or"
            " --allow-insecure-http"
        )
    return url


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def send(client: httpx.AsyncClient, url: str, request: Request, key: str) -> Answer:
    """POST one delivery. Its answer is due ANSWER_WITHIN s after the request's first byte
    goes out, however slowly it comes: httpx's timeouts bound each read, not the whole."""
    sent: list[float] = []  # when the request's first byte went out
    with anyio.CancelScope() as scope:
        # Until then, connecting is bounded by httpx's connect timeout (TLS included).
        scope.deadline = anyio.current_time() + CONNECT_WITHIN + ANSWER_WITHIN

        async def trace(name: str, info: Any) -> None:
            if name == "http11.send_request_headers.started":
                sent.append(time.perf_counter())
                scope.deadline = anyio.current_time() + ANSWER_WITHIN

        try:
            async with client.stream(
                "POST",
                url,
                content=request.body,
                headers=dict(request.headers),
                extensions={"trace": trace},
            ) as response:
                kept = bytearray()
                async for chunk in response.aiter_raw():
                    kept += chunk
                    if len(kept) >= MOST_ANSWER_BYTES:
                        break
                seconds = time.perf_counter() - sent[-1]
        except httpx.ConnectTimeout:
            return Answer(problem=NOT_CONNECTED)
        except httpx.ConnectError as error:
            return Answer(problem=f"no connection ({error})", connected=False)
        except httpx.TimeoutException:
            return Answer(problem=NOT_ANSWERED)
        except httpx.HTTPError as error:
            return Answer(problem=f"{type(error).__name__}: {error}")
        text = kept[:MOST_ANSWER_BYTES].decode("utf-8", "replace")
        return Answer(
            status=response.status_code,
            seconds=seconds,
            body=hidden(text, [key]),  # a receiver that echoes its key: kept out of the report
            location=response.headers.get("location"),
        )
    if not sent:
        return Answer(problem=NOT_CONNECTED)
    return Answer(problem=NOT_ANSWERED)


def judged(case: Case, answers: tuple[Answer, ...]) -> Result:
    judge = accepted if case.expected == "accepted" else refused
    failure = next(filter(None, map(judge, answers)), None)
    return Result(case, answers, failure)


def accepted(answer: Answer) -> str | None:
    """Why Vonage would not count this answer a success, or None."""
    if answer.status is None:
        return f"no answer: {answer.problem}"
    if answer.status != 200:
        where = f" to {answer.location}" if answer.location else ""
        kind = "a redirect" + where if 300 <= answer.status < 400 else "not 200"
        return f"answered {answer.status} ({kind}): only 200 counts, Vonage would retry it"
    if answer.seconds is not None and answer.seconds > ANSWER_WITHIN:
        return f"200 after {answer.seconds:.2f} s: later than {ANSWER_WITHIN:g} s, a failure"
    return None


def refused(answer: Answer) -> str | None:
    """Why this answer is no refusal of a forged delivery, or None."""
    if answer.status is None:
        return f"no answer: {answer.problem} (refuse it with a 4xx)"
    if 400 <= answer.status < 500:
        return None
    if answer.status < 300:
        return f"answered {answer.status}: the forged delivery was accepted"
    if answer.status < 400:
        return f"answered {answer.status}: a redirect, which Vonage follows; refuse with a 4xx"
    return f"answered {answer.status}: an error, not a refusal; answer 401 or 403"


async def checked(url: str, policies: list[str], key: str) -> list[Result]:
    """Each policy's cases sent and judged in turn, a line printed for each."""
    results = []
    timeout = httpx.Timeout(ANSWER_WITHIN, connect=CONNECT_WITHIN)
    # One connection per delivery, as a webhook sender makes; no proxy from the environment.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as client:
        for policy in policies:
            for case in cases(policy, key):
                answers = [await send(client, url, request, key) for request in case.requests]
                results.append(judged(case, tuple(answers)))
                print(webhook_report.line(results[-1]), flush=True)
    return results


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    key = signing_key(args)
    url = checked_url(args.url, args.allow_insecure_http)
    policies = [args.metadata_policy] if args.metadata_policy else list(POLICIES)
    print(f"vbc-conformance {__version__}: webhooks to {url}, policies {', '.join(policies)}")
    started = time.monotonic()
    results = anyio.run(checked, url, policies, key)
    seconds = time.monotonic() - started
    outcome = webhook_report.Outcome(url, tuple(results), seconds)
    print(outcome.summary())
    if args.report:
        args.report.write_text(webhook_report.page(outcome, args.report.suffix), encoding="utf-8")
        print(f"report: {args.report}")
    if args.junit:
        args.junit.write_text(webhook_report.junit(outcome), encoding="utf-8")
        print(f"junit: {args.junit}")
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
