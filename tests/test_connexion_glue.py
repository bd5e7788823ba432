"""What web/connexion_glue.py relies on in the pinned connexion (constraints.txt), beyond its
public API: each test fails if an upgrade renames, moves or reshapes one of them."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar

import connexion
import connexion.context
import connexion.decorators.parameter
import connexion.security
import connexion.utils
import httpx
import pytest
from connexion.exceptions import BadRequestProblem
from connexion.validators import (
    VALIDATOR_MAP,
    FormDataValidator,
    JSONRequestBodyValidator,
    ParameterValidator,
)
from connexion.validators.abstract import AbstractRequestBodyValidator
from jsonschema import FormatChecker

from vbc_sandbox.settings import Settings, StaticToken
from vbc_sandbox.testkit.inprocess import SyncASGITransport
from vbc_sandbox.testkit.sandbox_app import SandboxApp
from vbc_sandbox.web import connexion_glue
from vbc_spec import API_BASE_PATH

ADMIN = "glue-admin"
TOKEN = "glue-token"


def parameter_names(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


@pytest.fixture
def control() -> Iterator[httpx.Client]:
    """A sandbox in process, every request through connexion (no fast path)."""
    app = SandboxApp(
        Settings(
            control_token=ADMIN,
            static_tokens=(StaticToken(TOKEN, "1234"),),
            validate_responses=True,
        )
    )
    with httpx.Client(
        transport=SyncASGITransport(app),
        base_url="http://vbc-sandbox.invalid",
        headers={"Authorization": f"Bearer {ADMIN}"},
    ) as client:
        yield client


# ------------------------------------------------------------- the signature inspection patch


def test_the_inspection_patched_is_connexions_own() -> None:
    def handler(account_id: str, *args: object, **query: object) -> None: ...

    original = connexion.utils.inspect_function_arguments
    assert original(handler) == (["account_id"], True)
    cached = connexion.decorators.parameter.inspect_function_arguments
    assert cached.__wrapped__ is original  # type: ignore[attr-defined]
    assert connexion.security.inspect_function_arguments is cached


def test_connexion_looks_the_inspection_up_where_it_is_patched() -> None:
    """Both callers read the module global we replace (not a name bound at their import)."""
    security_check = connexion.security.AbstractSecurityHandler._accepts_kwarg
    decorator = connexion.decorators.parameter.AsyncParameterDecorator.__call__
    for caller in (security_check, decorator):
        assert "inspect_function_arguments" in caller.__code__.co_names
        assert caller.__globals__["inspect_function_arguments"] is (
            connexion.decorators.parameter.inspect_function_arguments
        )


def test_requests_through_connexion_reuse_the_inspected_signatures(
    control: httpx.Client,
) -> None:
    cached = connexion.decorators.parameter.inspect_function_arguments
    assert control.get("/sandbox/clock").status_code == 200
    before = cached.cache_info()  # type: ignore[attr-defined]
    for _ in range(3):
        assert control.get("/sandbox/clock").status_code == 200
    after = cached.cache_info()  # type: ignore[attr-defined]
    assert after.hits >= before.hits + 3 and after.misses == before.misses


# ------------------------------------------------------------- the silenced logger


def test_the_silenced_logger_is_the_one_naming_undeclared_parameters(
    control: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A made-up query parameter of list_calls (whose handler takes **query) is logged, by
    the logger the glue silences."""
    silenced = logging.getLogger("connexion.decorators.parameter")
    assert connexion.decorators.parameter.logger is silenced
    assert silenced.level == logging.CRITICAL
    calls = f"{API_BASE_PATH}/cc/accounts/1234/calls"
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    def logged() -> list[str]:
        return [
            r.levelname
            for r in caplog.records
            if r.name == silenced.name and "made_up" in r.getMessage()
        ]

    with caplog.at_level(logging.DEBUG):
        assert control.get(calls, params={"made_up": "1"}, headers=bearer).is_success
        assert logged() == []
        silenced.setLevel(logging.NOTSET)  # (setLevel: it also clears the logger's cache)
        try:
            assert control.get(calls, params={"made_up": "1"}, headers=bearer).is_success
        finally:
            silenced.setLevel(logging.CRITICAL)
    assert "ERROR" in logged()


# ------------------------------------------------------------- the fast path's request context


def test_the_request_context_is_what_connexions_proxies_read() -> None:
    for name in ("_context", "_receive", "_scope"):
        assert isinstance(getattr(connexion.context, name), ContextVar)
    scope = {"type": "http", "path": API_BASE_PATH, "headers": []}

    async def receive() -> dict[str, object]:
        return {"type": "http.request"}

    def entered() -> None:
        connexion_glue.enter_request(scope, receive, {"account_id": "1234"})
        assert connexion.context.context["token_info"] == {"account_id": "1234"}
        assert connexion.context.scope["path"] == API_BASE_PATH
        assert connexion.context.receive._get_current_object() is receive  # type: ignore[attr-defined]
        assert connexion.request.scope["path"] == API_BASE_PATH  # type: ignore[attr-defined]

    contextvars.copy_context().run(entered)


# ------------------------------------------------------------- the validators' hooks


def test_the_body_validators_call_the_hooks_we_override() -> None:
    wrap = AbstractRequestBodyValidator.wrap_receive
    assert {"_parse", "_validate"} <= set(wrap.__code__.co_names)
    assert parameter_names(JSONRequestBodyValidator._parse) == ["self", "stream", "scope"]
    assert parameter_names(JSONRequestBodyValidator._validate) == ["self", "body"]
    assert parameter_names(FormDataValidator._validate) == ["self", "body"]
    assert parameter_names(wrap) == ["self", "receive", "scope"]
    assert set(VALIDATOR_MAP) >= {"body", "parameter"}
    assert "*/*json" in VALIDATOR_MAP["body"]
    assert "application/x-www-form-urlencoded" in VALIDATOR_MAP["body"]


def test_the_explained_body_reads_connexions_private_state() -> None:
    """_validator, _nullable and _encoding, as connexion's constructor sets them."""
    schema = {"type": "object", "required": ["to"], "properties": {"to": {"type": "string"}}}
    body = connexion_glue.ExplainedBody(
        schema=schema, required=True, nullable=False, encoding="utf-8", strict_validation=False
    )
    with pytest.raises(BadRequestProblem, match="the request body is missing"):
        body._validate(None)
    with pytest.raises(BadRequestProblem, match="to"):
        body._validate({})

    async def stream() -> AsyncIterator[bytes]:
        yield b'{"to": NaN}'

    with pytest.raises(BadRequestProblem, match="NaN"):
        asyncio.run(body._parse(stream(), {}))


def test_the_parameter_hook_is_the_one_connexion_calls() -> None:
    assert isinstance(
        inspect.getattr_static(ParameterValidator, "validate_parameter"), staticmethod
    )
    assert parameter_names(ParameterValidator.validate_parameter) == parameter_names(
        connexion_glue.ExplainedParameters.validate_parameter
    )
    for caller in ("validate_query_parameter", "validate_path_parameter"):
        assert "validate_parameter" in getattr(ParameterValidator, caller).__code__.co_names
    from connexion.validators import parameter

    assert isinstance(parameter.draft4_format_checker, FormatChecker)
    assert parameter.is_nullable({"nullable": True}) and parameter.is_null("null")


def test_the_fast_paths_schemas_are_connexions_own() -> None:
    resolved = connexion_glue.resolved({"a": {"$ref": "#/b"}, "b": {"type": "integer"}})
    assert resolved["a"] == {"type": "integer"}
    check = connexion_glue.body_check({"type": "object", "required": ["to"]})
    assert check({"to": 1}) and not check({})
