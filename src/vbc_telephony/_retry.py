"""Retries, in one place: when repeating a request is safe, how long to wait, when to stop
(the transports that apply it are in `_async/transports.py` and its sync twin).

Retried: 429, 502, 503 and 504 answers and failed connections, with exponential backoff and
jitter (tenacity), honouring Retry-After, within a bound on attempts and on total time.

Not retried once the request may have reached the service, unless the caller says it is safe:
placing a call (a retry could dial twice), DTMF, playing a sound, transfers. Those are retried
only when the connection never opened, or on a 429, which the gateway answers instead of
doing anything.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import httpx
import tenacity

from vbc_telephony._checks import count, seconds, wait_seconds
from vbc_telephony._errors import retry_after_seconds
from vbc_telephony._logs import logger
from vbc_telephony._reading import DEADLINE, remaining

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


def _attempts(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    count(value, attribute.name)


def _wait(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    wait_seconds(value, attribute.name)  # infinity is a choice (no bound), NaN a mistake


@attrs.frozen
class RetryPolicy:
    """How the SDK retries a 429, 502, 503, 504 or failed connection: with exponential
    backoff and jitter, honouring Retry-After, within `max_attempts` and `max_total`."""

    max_attempts: int = attrs.field(default=3, validator=_attempts)
    """Attempts in all, the first included (1: never retry)."""
    max_total: float = attrs.field(default=60.0, validator=_wait)
    """Seconds from the first attempt after which no new attempt starts."""
    initial_backoff: float = attrs.field(default=0.5, validator=_wait)
    max_backoff: float = attrs.field(default=8.0, validator=_wait)
    max_retry_after: float = attrs.field(default=60.0, validator=_wait)
    """A longer Retry-After is not waited out: the error is raised instead."""


NO_RETRIES = RetryPolicy(max_attempts=1)
"""A policy that never retries: each request is sent once."""


@attrs.frozen
class CallOptions:
    """What the SDK knows about the request it is about to send."""

    retry: RetryPolicy | None = None
    timeout: float | None = None
    """Seconds the whole call may take, retries included (None: the client's)."""
    repeatable: bool | None = None
    """Whether sending the request twice is harmless: None decides by the HTTP method (GET,
    PUT and DELETE are), False when it could repeat an effect (dialling, DTMF, transfers),
    True when the caller says so (`retry_create=True`)."""

    def but(self, *, retry: RetryPolicy | None, timeout: float | None) -> CallOptions:
        """These options with `retry` and `timeout` replaced where given."""
        return attrs.evolve(
            self,
            retry=retry or self.retry,
            timeout=self.timeout if timeout is None else seconds(timeout, "timeout"),
        )


# CallOptions is frozen, so one shared default is safe.
_options: contextvars.ContextVar[CallOptions] = contextvars.ContextVar(
    "vbc_call_options",
    default=CallOptions(),  # noqa: B039
)


def current_options() -> CallOptions:
    return _options.get()


@contextmanager
def call_options(options: CallOptions) -> Iterator[None]:
    """Apply `options` to the requests sent inside the block (threads and tasks alike)."""
    reset = _options.set(options)
    try:
        yield
    finally:
        _options.reset(reset)


class RetryableResponse(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _repeatable(options: CallOptions, method: str) -> bool:
    if options.repeatable is not None:
        return options.repeatable
    return method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")


def retry_answer(options: CallOptions, method: str, response: httpx.Response) -> bool:
    """A 429 is the gateway refusing before anything happened; 5xx may come after."""
    if response.status_code not in RETRYABLE_STATUSES:
        return False
    return response.status_code == 429 or _repeatable(options, method)


def _should_retry(options: CallOptions, method: str, error: BaseException) -> bool:
    if isinstance(error, (RetryableResponse, *NEVER_SENT)):
        return True
    return _repeatable(options, method) and isinstance(error, httpx.TransportError)


class _RetryAfterTooLong(tenacity.stop.stop_base):
    """Stop when the service asks to wait longer than the policy allows."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if not isinstance(error, RetryableResponse):
            return False
        after = retry_after_seconds(error.response.headers)
        elapsed = state.seconds_since_start or 0.0
        return after is not None and (
            after > self.policy.max_retry_after or elapsed + after > self.policy.max_total
        )


class _DeadlineReached(tenacity.stop.stop_base):
    """Stop when the call's deadline would pass before the next attempt starts."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        left = remaining(self.request)
        return left is not None and left <= (state.upcoming_sleep or 0.0)


def log_answer(request: httpx.Request, response: httpx.Response, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.monotonic() - started) * 1000
        logger.debug(
            "%s %s -> %s (%.0f ms)", request.method, request.url, response.status_code, elapsed
        )


def log_retry(request: httpx.Request, state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    why = (
        f"an answer {error.response.status_code}"
        if isinstance(error, RetryableResponse)
        else type(error).__name__
    )
    logger.info(
        "retrying %s %s in %.1f s after %s (attempt %d)",
        request.method,
        request.url,
        state.upcoming_sleep,
        why,
        state.attempt_number + 1,
    )


def start_clock(request: httpx.Request, options: CallOptions, total: float | None) -> None:
    """Give the call a deadline (`timeout=` is wall-clock for all of it, retries included),
    once: a request sent again (after a token refresh) keeps its first deadline."""
    seconds = options.timeout if options.timeout is not None else total
    if seconds is not None and DEADLINE not in request.extensions:
        request.extensions[DEADLINE] = time.monotonic() + seconds


def retrying(
    policy: RetryPolicy, options: CallOptions, request: httpx.Request, **kwargs: Any
) -> Any:
    method = request.method
    backoff = tenacity.wait_exponential_jitter(
        multiplier=policy.initial_backoff, max=policy.max_backoff, jitter=policy.initial_backoff
    )

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableResponse):
            after = retry_after_seconds(error.response.headers)
            if after is not None:
                return after
        return float(backoff(state))

    def give_up(state: tenacity.RetryCallState) -> Any:
        # Out of attempts on an error answer: hand it back, so it is raised as a typed error.
        assert state.outcome is not None
        error = state.outcome.exception()
        if isinstance(error, RetryableResponse):
            return error.response
        return state.outcome.result()

    return dict(
        stop=tenacity.stop_any(
            tenacity.stop_after_attempt(policy.max_attempts),
            tenacity.stop_after_delay(policy.max_total),
            _RetryAfterTooLong(policy),
            _DeadlineReached(request),
        ),
        wait=wait,
        retry=tenacity.retry_if_exception(lambda error: _should_retry(options, method, error)),
        retry_error_callback=give_up,
        before_sleep=lambda state: log_retry(request, state),
        **kwargs,
    )
