"""What a caller configures, checked once, when a client or grant is made: a NaN timeout
would lift every bound it sets, an infinite one overflows the socket's clock, and
credentials in a URL would be written wherever the URL is (logs, errors, reprs)."""

from __future__ import annotations

import math

import httpx


def seconds(value: object, what: str) -> float:
    """A time limit: a finite number of seconds above 0."""
    number = a_number(value)
    if number is None or not math.isfinite(number) or number <= 0:
        raise ValueError(f"{what} must be a finite number of seconds above 0, not {value!r}")
    return number


def wait_seconds(value: object, what: str) -> float:
    """A time that may be 0 or unbounded (infinity), but not NaN or negative."""
    number = a_number(value)
    if number is None or not number >= 0:
        raise ValueError(f"{what} must be a number of seconds from 0, not {value!r}")
    return number


def count(value: object, what: str) -> int:
    """A whole number from 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a whole number from 1, not {value!r}")
    return value


def http_url(value: str, what: str) -> str:
    """An http(s) URL with a host and no credentials in it."""
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError) as error:
        raise ValueError(f"{what} {value!r} is not a URL: {error}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{what} {value!r} is not an http(s) URL")
    if url.userinfo:
        raise ValueError(f"{what} must not carry credentials (user:password@)")
    return value


def a_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an int wider than any float: unbounded
        return math.inf
