"""The sandbox as an ASGI app: connexion routes and validates from the specs, handlers act."""

from __future__ import annotations

import copy
import functools
import hmac
import json
import logging
from typing import Any

import attrs
import connexion
import connexion.decorators.parameter
import connexion.security
import connexion.utils
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.types import Message, Receive, Scope, Send

import vbc_spec as spec
from vbc_sandbox import handlers, pages
from vbc_sandbox.auth import Authority
from vbc_sandbox.clock import Clock
from vbc_sandbox.devices import Registrations
from vbc_sandbox.engines import StoreUnavailable
from vbc_sandbox.errors import (
    NotFound,
    OAuthError,
    SandboxError,
    Unauthorized,
    documented_body,
    error_answer,
)
from vbc_sandbox.fastpath import FastPath
from vbc_sandbox.feeds import Feeds
from vbc_sandbox.hosts import HostCheck
from vbc_sandbox.journal import Faults, Journal, TestKitLayer
from vbc_sandbox.limits import BodyLimit
from vbc_sandbox.pbx import Pbx
from vbc_sandbox.routes import (
    CONTROL_BASE_PATH,
    CONTROL_SPEC,
    TOKEN_PATHS,
    allowed_methods,
)
from vbc_sandbox.settings import Settings
from vbc_sandbox.store import Store
from vbc_sandbox.validation import validator_map
from vbc_spec import API_BASE_PATH

# connexion inspects the handler's and the security hook's signatures on every request (a
# sixth of get_call's time, profiled); a function's signature never changes.
connexion.decorators.parameter.inspect_function_arguments = functools.cache(
    connexion.utils.inspect_function_arguments
)
connexion.security.inspect_function_arguments = (
    connexion.decorators.parameter.inspect_function_arguments
)

# connexion logs as an error each query parameter a handler taking **query does not declare,
# its name in full: a line per name a client makes up, up to a request head's 64 KiB. The
# parameter is ignored, as the spec allows; nothing for the sandbox's log.
logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)

#: Control API paths that answer even when the control API is off.
ALWAYS_OPEN = (CONTROL_BASE_PATH + "/health",)

log = logging.getLogger("vbc_sandbox")


@attrs.define
class Sandbox:
    """Everything a request may touch, built once per worker process."""

    settings: Settings
    store: Store
    clock: Clock
    authority: Authority
    pbx: Pbx
    registrations: Registrations
    faults: Faults
    journal: Journal
    feeds: Feeds = attrs.field(init=False)
    """The console's live feeds open in this process."""

    def __attrs_post_init__(self) -> None:
        self.feeds = Feeds(self)

    @classmethod
    def build(cls, settings: Settings) -> Sandbox:
        store = Store(settings.db)
        store.load_seed(settings.seed_file)
        clock = Clock(store)
        return cls(
            settings,
            store,
            clock,
            Authority(store, settings, clock),
            Pbx(store, settings, clock),
            Registrations(store),
            Faults(store),
            Journal(store, clock),
        )

    def check_control_token(self, token: str) -> None:
        expected = self.settings.control_token
        if expected is None:
            raise NotFound("The control API is off: start vbc-sandbox with --admin-token")
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise Unauthorized("Invalid Credentials: the control API needs its admin token")


def with_security_hooks(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a spec whose security schemes name our hook functions, so the spec on disk
    stays free of connexion-specific extensions."""
    document = copy.deepcopy(document)
    for name, scheme in document["components"]["securitySchemes"].items():
        if name == "adminAuth":
            scheme["x-bearerInfoFunc"] = "vbc_sandbox.handlers.admin_info"
        elif scheme.get("scheme") == "bearer":
            scheme["x-bearerInfoFunc"] = "vbc_sandbox.handlers.bearer_info"
        elif scheme.get("scheme") == "basic":
            scheme["x-basicInfoFunc"] = "vbc_sandbox.handlers.basic_info"
    return document


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status,
        body=json.dumps(body),
        content_type="application/json",
        headers=headers or {},
    )


def documented_error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    return error_response(status, documented_body(status, message), headers)


def on_sandbox_error(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    assert isinstance(error, SandboxError)
    return error_response(error.status, error.body(), error.headers())


def on_oauth_error(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    assert isinstance(error, OAuthError)
    return error_response(
        error.status, {"error": error.error, "error_description": error.description}, error.headers
    )


def on_problem(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    """connexion's own failures (validation, auth, routing) in the documented shapes."""
    status = int(getattr(error, "status_code", None) or getattr(error, "status", None) or 500)
    detail = getattr(error, "detail", None) or str(error) or "Request failed"
    headers = dict(getattr(error, "headers", None) or {})
    if request.url.path in TOKEN_PATHS:
        oauth_error = "invalid_client" if status == 401 else "invalid_request"
        return error_response(
            400 if status not in (401, 405) else status,
            {"error": oauth_error, "error_description": detail},
            headers,
        )
    if status == 415:
        # The spec documents 400 for every malformed request, a wrong media type included.
        status, detail = 400, "Content-Type must be application/json"
    if status == 401:
        detail = "Invalid Credentials: a valid bearer token is required"
    if status == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.url.path))
    return documented_error(status, detail, headers)


def on_undecodable_body(_request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    return documented_error(400, "The request body is not valid UTF-8")


def on_too_deep(_request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    return documented_error(400, "The request is nested too deeply to read")


def on_bad_form(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    message = f"The form cannot be read: {str(error)[:100]}"
    if request.url.path in TOKEN_PATHS:
        return error_response(400, {"error": "invalid_request", "error_description": message})
    return documented_error(400, message)


def on_unexpected(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    log.exception("unexpected error", exc_info=error)
    return documented_error(500, "Internal server error")


class SandboxApp:
    """ASGI entry point: puts this process's Sandbox in every request's scope."""

    def __init__(self, settings: Settings) -> None:
        self.sandbox = Sandbox.build(settings)
        resolver = Resolver(
            function_resolver=lambda name: getattr(handlers, name.rsplit(".", 1)[-1])
        )
        app = connexion.AsyncApp(__name__, validator_map=validator_map())
        for document, base_path in [
            (spec.load(), API_BASE_PATH),
            (spec.load(CONTROL_SPEC), CONTROL_BASE_PATH),
            (spec.load(spec.OAUTH_SPEC), ""),
        ]:
            app.add_api(
                with_security_hooks(document),
                base_path=base_path,
                resolver=resolver,
                validate_responses=settings.validate_responses,
                strict_validation=False,
                # The reference page is pages.py's /docs, under its security headers.
                swagger_ui_options=SwaggerUIOptions(swagger_ui=False),
            )
        app.add_error_handler(SandboxError, on_sandbox_error)
        app.add_error_handler(OAuthError, on_oauth_error)
        app.add_error_handler(ProblemException, on_problem)
        app.add_error_handler(HTTPException, on_problem)
        app.add_error_handler(UnicodeDecodeError, on_undecodable_body)
        app.add_error_handler(RecursionError, on_too_deep)
        app.add_error_handler(MultiPartException, on_bad_form)
        app.add_error_handler(Exception, on_unexpected)
        self.host_check = (
            HostCheck(frozenset(settings.allowed_hosts)) if settings.checks_host else None
        )
        self.pages = BodyLimit(pages.PAGES, settings.max_body_bytes)
        self.fast_path = FastPath(BodyLimit(app, settings.max_body_bytes), self.sandbox)
        self.app = TestKitLayer(
            self.fast_path,
            self.sandbox.faults,
            self.sandbox.journal if settings.journal else None,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["vbc.sandbox"] = self.sandbox
        scope["vbc.touched"] = {}
        if scope["type"] == "http":
            refusal = self.host_check.refusal(scope) if self.host_check else None
            if refusal is not None:
                await error_answer(refusal)(scope, receive, send)
                return
            path = scope["path"]
            if pages.is_page(path):
                await self.pages(scope, receive, send)
                return
            if (
                self.sandbox.settings.control_token is None
                and path.startswith(CONTROL_BASE_PATH + "/")
                and path not in ALWAYS_OPEN
            ):
                error = NotFound("The control API is off: start vbc-sandbox with --admin-token")
                await error_answer(error)(scope, receive, send)
                return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except StoreUnavailable as error:
            # Outside connexion's handlers (the fault queue, the journal): still a clean 503.
            log.warning("the database cannot be reached: %s", error.__cause__ or error)
            if not started and scope["type"] == "http":
                await error_answer(error)(scope, receive, send)


def create_app(settings: Settings | None = None) -> SandboxApp:
    """The sandbox as an ASGI app, to serve with any ASGI server or call in process."""
    return SandboxApp(settings or Settings())
