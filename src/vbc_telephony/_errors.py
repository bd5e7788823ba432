"""One error hierarchy for everything a call to the API can end in, and turning what httpx
or a parser raised, or an error answer, into it."""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from vbc_telephony._redaction import echoed, hidden, secrets_sent

#: The longest message an error carries from an answer.
MESSAGE_CHARS = 500
#: Retry-After in seconds: digits (RFC 9110), with a fraction read too.
DELAY_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


class APIError(Exception):
    """Base of every error this SDK raises."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """The request got no response: the connection failed or broke."""


class APITimeoutError(APIConnectionError):
    """The request got no response in time."""


class APIResponseValidationError(APIError):
    """A successful response that does not match openapi.yaml (a required field missing, say)."""


class InvalidIdError(APIError, ValueError):
    """An id that is not one: empty, `.`/`..`, or with characters that would leave its URL
    path segment. Raised before any request is sent."""


class InvalidDeliveryError(APIError, ValueError):
    """A webhook delivery `webhooks.verify()` refuses: one whose signature is missing or
    wrong (`SignatureError`), or a genuine one with a field that cannot be read (a NaN or
    negative `duration`, an `attempt` that is no small whole number). A receiver answers it
    with a 4xx. Its message names what was wrong, never the signing key."""


class SignatureError(InvalidDeliveryError):
    """A delivery not proven to come from Vonage: no signature, a wrong one, or a body that
    cannot be checked (larger than the bound, not JSON, no `event` object)."""


class APIStatusError(APIError):
    """The service answered with an error status; `code` and `message` are its documented body."""

    def __init__(
        self,
        *,
        status_code: int,
        code: str | int | None,
        message: str,
        method: str,
        url: str,
        body: Any,
        headers: httpx.Headers,
    ) -> None:
        summary = f"{status_code} from {method} {url}: {message}"
        super().__init__(summary, method=method, url=url)
        self.status_code = status_code
        self.code = code
        self.detail = message
        self.body = body
        self.headers = headers


class BadRequestError(APIStatusError):
    """400: the request is malformed or a parameter is invalid."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, invalid or expired (and could not be refreshed)."""


class PermissionDeniedError(APIStatusError):
    """403: the gateway refused (the application is not subscribed to the API, say)."""


class NotFoundError(APIStatusError):
    """404: no such resource here (an ended call, a dropped leg, another account's id)."""


class ConflictError(APIStatusError):
    """409: the call's or leg's state does not allow this action."""


class RateLimitError(APIStatusError):
    """429: the token's quota is used up; `retry_after` says for how long, when the service said."""

    @property
    def retry_after(self) -> float | None:
        return retry_after_seconds(self.headers)


class ServerError(APIStatusError):
    """5xx: the service or its gateway failed."""


ERRORS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def http_date(value: str) -> datetime | None:
    """An HTTP date (`Date`, `Retry-After`) as an aware datetime; None for one that is not,
    or that no calendar holds (year 99999)."""
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # "-0000" (no zone said) is UTC, as RFC 5322 means it.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The seconds an answer's Retry-After asks to wait, given as seconds or as an HTTP date
    (a date past is 0); None when it says nothing a clock can use: NaN, infinities, negative
    numbers, 400 digits, dates no calendar holds."""
    value = headers.get("retry-after", "").strip()
    if DELAY_SECONDS.fullmatch(value):
        seconds = float(value)  # too many digits for a float: infinity, not an error
        return seconds if math.isfinite(seconds) else None
    moment = http_date(value)
    return None if moment is None else max(moment.timestamp() - time.time(), 0.0)


def error_from(response: httpx.Response) -> APIStatusError:
    """The typed error for an error response (whose body has been read). A secret the
    request carried that the answer repeats is hidden, in the message, body and headers."""
    status = response.status_code
    kind = ERRORS_BY_STATUS.get(status, ServerError if status >= 500 else APIStatusError)
    request = response.request
    secrets = secrets_sent(request)
    content: bytes | str = response.content
    headers = response.headers
    if secrets:
        headers = httpx.Headers(
            [(name, hidden(value, secrets)) for name, value in headers.multi_items()]
        )
    if echoed(response.content, secrets):
        content = hidden(response.text, secrets)
    body: Any
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
        body = content if isinstance(content, str) else response.text
    code: str | int | None = None
    message = response.reason_phrase or "error"
    if isinstance(body, dict):
        nested = body.get("fault")
        fault: dict[str, Any] = nested if isinstance(nested, dict) else body
        # VIS's own error body says errorCode and errorMessage.
        said = fault.get("code", fault.get("errorCode"))
        code = said if isinstance(said, str | int) and not isinstance(said, bool) else None
        text = fault.get("message") or fault.get("errorMessage") or fault.get("error_description")
        message = shortened(text) if isinstance(text, str | int | float) else message
    elif isinstance(body, str) and body.strip():
        message = shortened(body.strip())
    return kind(
        status_code=status,
        code=code,
        message=message,
        method=request.method,
        url=str(request.url),
        body=body,
        headers=headers,
    )


def shortened(text: object) -> str:
    """An error's message at most MESSAGE_CHARS long: the whole answer stays in `.body`."""
    said = str(text)
    return said if len(said) <= MESSAGE_CHARS else said[: MESSAGE_CHARS - 3] + "..."


def translate(error: Exception) -> APIError:
    """The typed error for what httpx or the generated parser raised."""
    if isinstance(error, APIError):
        return error
    request = getattr(error, "_request", None)
    method, url = (request.method, str(request.url)) if request is not None else (None, None)
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"no response in time: {error}", method=method, url=url)
    if isinstance(error, httpx.TransportError):
        return APIConnectionError(f"connection failed: {error}", method=method, url=url)
    return APIResponseValidationError(
        f"the response does not match openapi.yaml: {type(error).__name__}: {error}"
    )


#: What a generated parser or httpx raises on an answer it cannot use.
UNUSABLE = (
    httpx.HTTPError,
    httpx.InvalidURL,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
)
