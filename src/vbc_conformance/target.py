"""The target as the schemathesis process sees it: the run's settings (read once, typed), the
operation a case is for, an answer's body, and reading more from the target with the run's
token, bounded, for the checks that compare answers with each other."""

from __future__ import annotations

import json
from typing import Any

import requests
import schemathesis

from vbc_conformance.settings import RunSettings
from vbc_telephony import APIError
from vbc_telephony._base import page_url

SETTINGS = RunSettings.from_environment()
#: How long one extra read may take, and the most of an answer read (decoded).
READ_TIMEOUT = 10.0
MOST_BYTES = 16 * 1024 * 1024


def operation_id(case: schemathesis.Case[Any]) -> str:
    found: str = case.operation.definition.raw["operationId"]
    return found


def body_of(response: schemathesis.Response) -> Any:
    """An answer's JSON (parsed once per answer: schemathesis keeps it), else its text."""
    try:
        return response.json()
    except ValueError:
        return response.content.decode("utf-8", "replace") if response.content else None


def succeeded(case: schemathesis.Case[Any], response: schemathesis.Response) -> bool:
    """A 2xx to the operation's own method (not a probe with an undeclared one)."""
    return case.method.upper() == case.operation.method.upper() and (
        200 <= response.status_code < 300
    )


def absolute(uri: str) -> str:
    """A path under the API base, or a page URI, as a URL of the target; a URI on another
    host (which `read` never follows) as it is."""
    try:
        return page_url(SETTINGS.base_url, uri)
    except APIError:
        return uri


def read(uri: str) -> Any:
    """GET a path under the API base, or a page URI, with the run's token: the JSON of a 2xx
    answer, else None (nothing to compare). A URI on another host is never followed."""
    try:
        url = page_url(SETTINGS.base_url, uri)
    except APIError:
        return None
    headers = {"Authorization": f"Bearer {SETTINGS.token}"}
    try:
        with requests.get(url, headers=headers, timeout=READ_TIMEOUT, stream=True) as response:
            if not 200 <= response.status_code < 300:
                return None
            content = response.raw.read(MOST_BYTES + 1, decode_content=True)
    except requests.RequestException:
        return None
    if len(content) > MOST_BYTES:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
