"""A request's media type as RFC 9110 defines it: type, subtype and parameter names are
case-insensitive, and whitespace may surround each ";". connexion compares the header's text
as it came (`Application/JSON` found no body validator: a 500) and reads any charset it
names (`charset=hex`: a 500), so the sandbox hands it the header in one canonical form."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the plugin imports this module where the sandbox's extra is missing
    from starlette.types import Scope

TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
ESSENCE = re.compile(rf"{TOKEN.pattern}/{TOKEN.pattern}")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
#: The charsets a body may name (as Python calls them): other codecs Python has are no text
#: encodings (hex, rot13) or fail with errors nothing expects (idna's UnicodeError).
CHARSETS = {
    "ascii", "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
    "iso8859-1", "cp1252",
}  # fmt: skip


def essence(header: str) -> str | None:
    """The media type's lowercase `type/subtype`; None when the header is no media type."""
    found = header.partition(";")[0].strip(" \t").lower()
    return found if ESSENCE.fullmatch(found) else None


def unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def is_json(essence: str) -> bool:
    return essence == JSON or essence.endswith("+json")


def canonical(header: str) -> str:
    """The header as connexion reads it right: the type lowercase, no whitespace around
    ";", a charset only if it is one of CHARSETS (a body naming another is read as UTF-8,
    JSON's own encoding); other parameters (a multipart boundary) as they came. A header
    that is no media type stays as it is, for connexion to refuse."""
    found = essence(header)
    if found is None:
        return header
    parts = [found]
    for part in header.split(";")[1:]:
        name, _, value = part.strip(" \t").partition("=")
        if name.lower() != "charset":
            parts.append(part.strip(" \t"))
        elif charset := known_charset(unquoted(value)):
            parts.append(f"charset={charset}")
    return ";".join(part for part in parts if part)


def known_charset(name: str) -> str | None:
    try:
        found = codecs.lookup(name).name
    except (LookupError, ValueError):  # unknown; a NUL in the name
        return None
    return found if found in CHARSETS else None


def canonicalize_content_type(scope: Scope) -> None:
    """Put the request's Content-Type in canonical form, in its scope."""
    headers = scope["headers"]
    for at, (name, value) in enumerate(headers):
        if name == b"content-type":
            text = value.decode("latin-1")
            fixed = canonical(text)
            if fixed != text:
                headers = [*headers[:at], (name, fixed.encode("latin-1")), *headers[at + 1 :]]
                scope["headers"] = headers
