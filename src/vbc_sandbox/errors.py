"""Failures any layer raises, and the documented bodies they turn into (the web layer's
`failures` answers them)."""

from __future__ import annotations

from typing import Any


def documented_body(status: int, message: str) -> dict[str, Any]:
    """The documented `{code, message}` body; the documentation types 401's code as an
    integer and the others as strings."""
    code: int | str = status if status == 401 else str(status)
    return {"code": code, "message": message}


#: VIS's `errorCode` for a status (vis.yaml's examples: BAD_REQUEST; '401' as observed).
VIS_ERROR_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 409: "CONFLICT", 422: "UNPROCESSABLE"}


def vis_body(status: int, message: str) -> dict[str, Any]:
    """VIS's documented error body, `{errorCode, errorMessage}` (vis.yaml ErrorResponse)."""
    return {"errorCode": VIS_ERROR_CODES.get(status, str(status)), "errorMessage": message}


class SandboxError(Exception):
    """An API failure with the documented `{code, message}` body (VIS's own on its paths)."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return documented_body(self.status, self.message)

    def vis_body(self) -> dict[str, Any]:
        return vis_body(self.status, self.message)

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(SandboxError):
    status = 400


class Unauthorized(SandboxError):
    status = 401


class NotFound(SandboxError):
    status = 404

    def __init__(self, message: str = "No matching resource found for given API Request") -> None:
        super().__init__(message)


class Conflict(SandboxError):
    status = 409


class TooManyRequests(SandboxError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("Message throttled out")
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {
            "code": "900800",
            "message": self.message,
            "description": "You have exceeded your quota",
        }

    def vis_body(self) -> dict[str, Any]:
        return self.body()  # the API gateway's, in front of VIS too

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class OAuthError(Exception):
    """An RFC 6749 error from the token endpoint."""

    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}
