"""Where the OpenAPI documents live, installed or in a checkout, and how to read them."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

#: The Telephony API description: the single source of truth for every package here.
TELEPHONY_SPEC = Path(str(files("vbc_telephony") / "openapi.yaml"))
#: The OAuth token endpoint, which lives at the API host's root rather than under the API base.
OAUTH_SPEC = Path(str(files("vbc_telephony") / "oauth.yaml"))


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
