"""Judging traffic the suite did not send (a HAR file, a proxy's exchanges) through the same
path as a generated run: the operation schemathesis finds for the method and path, a `Case`
and a `Response` built from what was recorded, schemathesis' own checks and ours on it, and
the hooks' `filter_failure` and `after_call` (drift, dialect, advisories). No check that
sends a request of its own runs: this judging adds no request to the traffic."""

from __future__ import annotations

import json
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
import requests
import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import CHECKS, CheckContext, load_all_checks, run_checks
from schemathesis.specs.openapi.schemas import OpenApiSchema

import vbc_spec as spec
from vbc_conformance.apis import APIS, TELEPHONY, VIS
from vbc_conformance.drift import media_type_of
from vbc_conformance.evidence import Evidence
from vbc_conformance.report import Failure, Outcome, curl, labels_of

#: Checks that judge one answer to one request, and never send one: the response checks.
#: The others re-send (ignored_auth, use_after_free, cross_account_isolation), need a case
#: generated as valid or invalid (negative/positive data), or probe (unsupported_method).
RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ids_match_request",
    "legs_match_call",
    "pages_repeat_nothing",
    "times_move_forward",
)

#: Request headers never handed to a check or written to a report (`report.curl` puts the
#: shell's $VBC_TOKEN in place of Authorization).
CREDENTIAL_HEADERS = ("cookie", "proxy-authorization")


@attrs.frozen
class Exchange:
    """One request and its answer as they went over the wire."""

    method: str
    url: str
    request_headers: dict[str, list[str]]
    request_body: bytes
    status: int
    response_headers: dict[str, list[str]]
    response_body: bytes
    label: str = ""
    """Where it came from (a HAR entry's number), for the report."""


@attrs.frozen
class Finding:
    label: str
    operation: str
    check: str
    title: str


class Judge:
    """Judges exchanges with the Telephony API at one base URL and with VIS (by default on
    the same host, `vbc_spec.vis_base_url`), each against its own spec, loaded once;
    exchanges elsewhere are counted as ignored."""

    def __init__(self, base_url: str, vis_base_url: str | None = None) -> None:
        # The hooks read the run's settings once, on import: the caller sets them first.
        from vbc_conformance import hooks

        self.hooks = hooks
        self.base_url = base_url.rstrip("/")
        vis = (vis_base_url or spec.vis_base_url(self.base_url)).rstrip("/")
        #: Each API with where it is and its spec as schemathesis reads it.
        self.apis = [
            (api, urlsplit(url), schemathesis.openapi.from_path(api.spec))
            for api, url in ((TELEPHONY, self.base_url), (VIS, vis))
        ]
        load_all_checks()
        self.checks: list[Any] = CHECKS.get_by_names(list(RESPONSE_CHECKS))
        #: Per operation, what its checks read of the configuration: made once, not per answer.
        self._contexts: dict[str, CheckContext] = {}
        self.outcome = Outcome()
        self.labels: dict[str, str] = {}
        """operationId -> its label (`GET /path`), of every API judged."""
        for api in APIS:
            self.outcome.add_api(api.name, api.document)
            self.labels |= labels_of(api.document)
        self.ignored = 0
        self.evidence = Evidence([api.document for api in APIS])
        self._seen: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def in_scope(self, url: str) -> tuple[OpenApiSchema, str] | None:
        """The spec (as schemathesis reads it) of the API the URL is under and the path
        under its base, or None for a URL elsewhere (another host, /token)."""
        parts = urlsplit(url)
        for _, base, schema in self.apis:
            if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and (
                parts.path.startswith(base.path + "/")
            ):
                return schema, parts.path[len(base.path) :]
        return None

    def judge(self, exchange: Exchange) -> list[Finding]:
        """Judge one exchange; the findings it showed (also added to `outcome`)."""
        with self._lock:  # the hooks keep state between calls (cascades, the guard)
            return self._judge(exchange)

    def _judge(self, exchange: Exchange) -> list[Finding]:
        schema, path = self.in_scope(exchange.url) or (None, "")
        operation = schema.find_operation_by_path(exchange.method, path) if schema else None
        # The router answers HEAD for a GET; neither spec documents a HEAD to judge.
        if operation is None or operation.method.upper() != exchange.method.upper():
            self.ignored += 1
            return []
        body = json_or_none(exchange.request_body)
        media_type = media_type_of(exchange.request_headers.get("content-type", [""])[0])
        with_body = (
            {"body": body, "media_type": media_type or "application/json"}
            if body is not None and len(operation.body)
            else {}
        )
        case = operation.Case(
            method=exchange.method.upper(),  # type: ignore[arg-type]
            path_parameters=path_parameters(operation.path, path),
            query=dict(parse_qsl(urlsplit(exchange.url).query)) or None,
            **with_body,
        )
        response = schemathesis.Response(
            status_code=exchange.status,
            headers=exchange.response_headers,
            content=exchange.response_body,
            request=prepared(exchange),
            elapsed=0.0,
            verify=True,
        )
        operation_id: str = operation.definition.raw["operationId"]
        self.outcome.cases[operation_id] += 1
        findings: list[Finding] = []

        def failed(name: str, _: Any, failure: AssertionError) -> None:
            findings.append(self._record(exchange, operation_id, name, failure))

        # Every check in one pass over the answer; failures the hooks' `filter_failure` drops
        # (assumed limits on a live target: advisories) never arrive here.
        run_checks(
            case=case,
            response=response,
            ctx=self._context(operation_id, operation),
            checks=self.checks,
            on_failure=failed,
        )
        self.hooks.after_call(None, case, response)
        self.evidence.add(
            operation_id,
            exchange.status,
            exchange.response_headers.get("content-type", [None])[0],
            json_or_none(exchange.response_body),
        )
        return findings

    def _context(self, operation_id: str, operation: Any) -> CheckContext:
        if operation_id not in self._contexts:
            self._contexts[operation_id] = CheckContext(
                override=None,
                auth=None,
                headers=None,
                config=operation.schema.config.checks_config_for(operation=operation),
                transport_kwargs=None,
                response_checks=None,
            )
        return self._contexts[operation_id]

    def _record(
        self, exchange: Exchange, operation_id: str, name: str, failure: AssertionError
    ) -> Finding:
        title = str(getattr(failure, "title", "") or failure)
        self.outcome.failed_checks[operation_id].add(name)
        key = (operation_id, name, title)
        if key not in self._seen:
            self._seen.add(key)
            self.outcome.failures.append(
                Failure(
                    operation=operation_id,
                    check=name,
                    title=title,
                    message=f"{exchange.label}: {getattr(failure, 'message', '')}".strip(),
                    curl=curl(
                        {
                            "method": exchange.method.upper(),
                            "uri": exchange.url,
                            "headers": {
                                name: values
                                for name, values in exchange.request_headers.items()
                                if name not in CREDENTIAL_HEADERS
                            },
                        }
                    ),
                )
            )
        return Finding(exchange.label, operation_id, name, title)


def path_parameters(template: str, path: str) -> dict[str, str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    matched = re.fullmatch(pattern, path)
    return matched.groupdict() if matched else {}


def json_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def prepared(exchange: Exchange) -> requests.PreparedRequest:
    """The request as schemathesis' checks see it, without its credentials: as it went over
    the wire, so nothing in it is encoded again."""
    request = requests.PreparedRequest()
    request.method = exchange.method.upper()
    request.url = exchange.url
    request.headers = CaseInsensitiveDict(
        {
            name: values[0]
            for name, values in exchange.request_headers.items()
            if values and name.lower() not in (*CREDENTIAL_HEADERS, "authorization")
        }
    )
    request.body = exchange.request_body or None
    return request
