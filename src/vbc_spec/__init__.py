"""The Telephony API's description, and the facts every package here takes from it: where
the OpenAPI documents are and how to read them, the API's base path (and VIS's, for call
events), the token paths, the VBC username suffix and the password grant's form. The SDK,
the sandbox and the conformance suite import this; it imports none of them."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

#: The Telephony API description: the single source of truth for every package here.
TELEPHONY_SPEC = Path(str(files("vbc_spec") / "openapi.yaml"))
#: The OAuth token endpoint, which lives at the API host's root rather than under the API base.
OAUTH_SPEC = Path(str(files("vbc_spec") / "oauth.yaml"))
#: VIS (Vonage Integration Suite): webhooks that push call events, and the events kept.
VIS_SPEC = Path(str(files("vbc_spec") / "vis.yaml"))

API_BASE_PATH = "/t/vbc.prod/telephony/v3"
"""Where the API lives on its host (openapi.yaml's server URL path)."""
PRODUCTION_BASE_URL = "https://api.vonage.com" + API_BASE_PATH
"""The live service's API: the SDK's default `base_url`."""
VIS_BASE_PATH = "/t/vbc.prod/vis/v1"
"""Where VIS lives on the same host (vis.yaml's server URL path)."""
#: The documented token path, and the API gateway's own that live integrations use.
TOKEN_PATH = "/token"  # noqa: S105 (a path)
GATEWAY_TOKEN_PATH = "/t/vbc.prod/oauth2/token"  # noqa: S105 (a path)
#: The forms the API is known in (`x-vbc-dialects`, `x-vbc-dialect`): as Vonage documents it,
#: and as live traffic showed it.
DIALECTS = ("documented", "observed")
#: Every VBC username is qualified with the tenant: alice logs in as alice@vbc.prod.
USERNAME_SUFFIX = "@vbc.prod"


def qualified(username: str) -> str:
    """The username as the token endpoint wants it, suffix added if missing."""
    return username if username.endswith(USERNAME_SUFFIX) else username + USERNAME_SUFFIX


def vis_base_url(base_url: str) -> str:
    """VIS's base URL on the host of a Telephony API base URL (scheme, host and port kept)."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{VIS_BASE_PATH}"


def password_form(username: str, password: str, client: dict[str, str]) -> dict[str, str]:
    """The documented password grant's form; `client` is the client id and secret as form
    fields, or empty when they go as HTTP Basic credentials."""
    return {
        "grant_type": "password",
        "scope": "openid",
        "username": qualified(username),
        "password": password,
        **client,
    }


def named(document: dict[str, Any], node: Any) -> tuple[str | None, Any]:
    """`node` with its local `$ref`s followed, and the name of the component it ended at."""
    name = None
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        name, node = node["$ref"].rsplit("/", 1)[-1], target
    return name, node


def resolve(document: dict[str, Any], node: Any) -> Any:
    """`node` with its local `$ref`s followed."""
    return named(document, node)[1]


@cache
def load(path: Path = TELEPHONY_SPEC) -> dict[str, Any]:
    """Parse an OpenAPI document once; callers must not mutate the result (copy it first)."""
    with path.open(encoding="utf-8") as stream:
        document: dict[str, Any] = yaml.safe_load(stream)
    return document
