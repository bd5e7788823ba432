"""Which operation of the specs a request path names, before connexion routes it: for the
405 Allow header, the test kit's injected faults and its request journal (the Telephony,
VIS, token and control APIs)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import attrs

import vbc_spec as spec
from vbc_spec import API_BASE_PATH, GATEWAY_TOKEN_PATH, TOKEN_PATH, VIS_BASE_PATH

CONTROL_BASE_PATH = "/sandbox"
CONTROL_SPEC = Path(__file__).with_name("control.yaml")
TOKEN_PATHS = (TOKEN_PATH, GATEWAY_TOKEN_PATH)
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@attrs.frozen
class Route:
    pattern: re.Pattern[str]
    methods: dict[str, str]
    """HTTP method (upper case) -> operationId."""
    control: bool = False
    """An operation of the control API (which the test kit's faults and journal pass by)."""


@attrs.frozen
class Match:
    operation: str | None
    """None when the path exists but not for this method."""
    params: dict[str, str]


@functools.cache
def routes() -> tuple[Route, ...]:
    found = []
    for document, base in [
        (spec.load(), API_BASE_PATH),
        (spec.load(spec.VIS_SPEC), VIS_BASE_PATH),
        (spec.load(spec.OAUTH_SPEC), ""),
        (spec.load(CONTROL_SPEC), CONTROL_BASE_PATH),
    ]:
        for template, item in document["paths"].items():
            pattern = re.sub(r"\\\{([^/]+?)\\\}", r"(?P<\1>[^/]+)", re.escape(base + template))
            methods = {
                method.upper(): operation["operationId"]
                for method, operation in item.items()
                if method in HTTP_METHODS
            }
            found.append(Route(re.compile(pattern), methods, base == CONTROL_BASE_PATH))
    return tuple(found)


@functools.cache
def api_operations() -> tuple[str, ...]:
    """The operations of the Telephony, VIS and token APIs, sorted: those a fault can go to."""
    return tuple(
        sorted({name for route in routes() if not route.control for name in route.methods.values()})
    )


def match(method: str, path: str) -> Match | None:
    """The operation a request names, with its path parameters; None for no such path."""
    for route in routes():
        found = route.pattern.fullmatch(path)
        if found:
            return Match(route.methods.get(method.upper()), found.groupdict())
    return None


def allowed_methods(path: str) -> list[str]:
    """The methods the specs declare for a concrete request path."""
    for route in routes():
        if route.pattern.fullmatch(path):
            return sorted(route.methods)
    return []


def is_vis(path: str) -> bool:
    """A path under VIS's base, whose errors have a body of their own."""
    return path.startswith(VIS_BASE_PATH + "/")
