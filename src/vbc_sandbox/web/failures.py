"""How a failure is answered: connexion's error handlers (its own refusals, validation, auth
and routing, and ours) in the documented bodies, and the same answer given at the ASGI level
outside connexion (the fast path, the pages, the host check)."""

from __future__ import annotations

import json
import logging
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import JSONResponse

from vbc_sandbox import routes
from vbc_sandbox.errors import OAuthError, SandboxError, documented_body, vis_body
from vbc_sandbox.routes import TOKEN_PATHS, allowed_methods

log = logging.getLogger("vbc_sandbox")


def error_answer(error: SandboxError) -> JSONResponse:
    """A failure answered at the ASGI level, outside connexion: the same status, body and
    headers connexion's handler gives it (on_sandbox_error)."""
    return JSONResponse(error.body(), error.status, error.headers())


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
    request: ConnexionRequest, status: int, message: str, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    body = vis_body if is_vis(request) else documented_body
    return error_response(status, body(status, message), headers)


def is_vis(request: ConnexionRequest) -> bool:
    """A request to VIS, whose errors have a body of their own."""
    return routes.is_vis(str(request.url.path))


def on_sandbox_error(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    assert isinstance(error, SandboxError)
    body = error.vis_body() if is_vis(request) else error.body()
    return error_response(error.status, body, error.headers())


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
    return documented_error(request, status, detail, headers)


def on_undecodable_body(request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    return documented_error(request, 400, "The request body is not valid UTF-8")


def on_too_deep(request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    return documented_error(request, 400, "The request is nested too deeply to read")


def on_bad_form(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    message = f"The form cannot be read: {str(error)[:100]}"
    if request.url.path in TOKEN_PATHS:
        return error_response(400, {"error": "invalid_request", "error_description": message})
    return documented_error(request, 400, message)


def on_unexpected(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    log.exception("unexpected error", exc_info=error)
    return documented_error(request, 500, "Internal server error")


#: connexion's error handlers, in the order they are added (the catch-all last).
ERROR_HANDLERS = (
    (SandboxError, on_sandbox_error),
    (OAuthError, on_oauth_error),
    (ProblemException, on_problem),
    (HTTPException, on_problem),
    (UnicodeDecodeError, on_undecodable_body),
    (RecursionError, on_too_deep),
    (MultiPartException, on_bad_form),
    (Exception, on_unexpected),
)
