"""The APIs traffic is judged against, both on the API host: Telephony (openapi.yaml) and VIS
(vis.yaml), each with its spec, where it lives on the host and its name in reports; and which
of them an operation schemathesis loaded belongs to."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

import vbc_spec as spec


@attrs.frozen
class Api:
    name: str
    spec: Path
    base_path: str

    @property
    def document(self) -> dict[str, Any]:
        return spec.load(self.spec)


TELEPHONY = Api("Telephony", spec.TELEPHONY_SPEC, spec.API_BASE_PATH)
VIS = Api("VIS", spec.VIS_SPEC, spec.VIS_BASE_PATH)
APIS = (TELEPHONY, VIS)


def api_of(operation: Any) -> Api:
    """The API a schemathesis operation is of, told by its spec's server (a generated run
    loads openapi.yaml only; a judge of traffic loads both)."""
    servers = operation.schema.raw_schema.get("servers") or [{}]
    return api_serving(str(servers[0].get("url", "")))


@cache
def api_serving(server_url: str) -> Api:
    """The API whose base path a spec's server URL has (Telephony's unless VIS's)."""
    base_path = urlsplit(server_url).path.rstrip("/")
    return next((api for api in APIS if api.base_path == base_path), TELEPHONY)
