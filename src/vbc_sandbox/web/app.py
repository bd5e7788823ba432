"""The web layer as one ASGI app: connexion routes and validates the Telephony, VIS, token and
control APIs from their specs and the handlers act; the pages, the host check and the body
limit around them; VIS's background loop started and stopped with the app's lifespan. Its
builder may put a layer in front of the API (the test kit's faults and journal) and add
handlers for control operations of its own."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import connexion
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import vbc_spec as spec
from vbc_sandbox.errors import NotFound
from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.routes import CONTROL_BASE_PATH, CONTROL_SPEC
from vbc_sandbox.storage.engines import StoreUnavailable
from vbc_sandbox.web import handlers, pages, vis_handlers
from vbc_sandbox.web.connexion_glue import validator_map
from vbc_sandbox.web.failures import ERROR_HANDLERS, error_answer
from vbc_sandbox.web.fastpath import FastPath
from vbc_sandbox.web.feeds import Feeds
from vbc_sandbox.web.hosts import HostCheck
from vbc_sandbox.web.limits import BodyLimit
from vbc_sandbox.web.vis_loop import VisLoop
from vbc_spec import API_BASE_PATH, VIS_BASE_PATH

#: Control API paths that answer even when the control API is off.
ALWAYS_OPEN = (CONTROL_BASE_PATH + "/health",)

log = logging.getLogger("vbc_sandbox")


def with_security_hooks(
    document: dict[str, Any], bearer: Callable[..., Any] = handlers.bearer_info
) -> dict[str, Any]:
    """A copy of a spec whose security schemes name our hook functions (`bearer` for its
    bearer tokens), so the spec on disk stays free of connexion-specific extensions."""
    document = copy.deepcopy(document)
    for name, scheme in document["components"]["securitySchemes"].items():
        if name == "adminAuth":
            scheme["x-bearerInfoFunc"] = hook_name(handlers.admin_info)
        elif scheme.get("scheme") == "bearer":
            scheme["x-bearerInfoFunc"] = hook_name(bearer)
        elif scheme.get("scheme") == "basic":
            scheme["x-basicInfoFunc"] = hook_name(handlers.basic_info)
    return document


def hook_name(function: Callable[..., Any]) -> str:
    """The dotted name connexion imports a security hook by."""
    return f"{function.__module__}.{function.__name__}"


class WebApp:
    """ASGI entry point: puts this process's Sandbox (and the console's feeds, and the VIS
    loop) in every request's scope. `in_front_of_api` wraps the API (after the host check,
    the pages and the control API's switch; before the fast path); `control_handlers` serve
    control operations that `handlers` does not. The VIS loop runs from the lifespan's
    startup to its shutdown; without a lifespan (in process), a tick before a request."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        in_front_of_api: Callable[[ASGIApp], ASGIApp] = lambda api: api,
        control_handlers: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.sandbox = sandbox
        settings = sandbox.settings
        self.feeds = Feeds(sandbox.store)
        """The console's live feeds open in this process."""
        self.vis_loop = VisLoop(sandbox)
        self.serving = False
        """Whether a lifespan started the VIS loop (else a request ticks it)."""
        extra = dict(control_handlers or {})

        def resolver(module: Any) -> Resolver:
            def handler(name: str) -> Callable[..., Any]:
                operation = name.rsplit(".", 1)[-1]
                found: Callable[..., Any] = extra.get(operation) or getattr(module, operation)
                return found

            return Resolver(function_resolver=handler)

        app = connexion.AsyncApp(__name__, validator_map=validator_map())
        for document, base_path, module in [
            (with_security_hooks(spec.load()), API_BASE_PATH, handlers),
            (
                with_security_hooks(spec.load(spec.VIS_SPEC), vis_handlers.vis_bearer_info),
                VIS_BASE_PATH,
                vis_handlers,
            ),
            (with_security_hooks(spec.load(CONTROL_SPEC)), CONTROL_BASE_PATH, handlers),
            (with_security_hooks(spec.load(spec.OAUTH_SPEC)), "", handlers),
        ]:
            app.add_api(
                document,
                base_path=base_path,
                resolver=resolver(module),
                validate_responses=settings.validate_responses,
                strict_validation=False,
                # The reference page is pages.py's /docs, under its security headers.
                swagger_ui_options=SwaggerUIOptions(swagger_ui=False),
            )
        for kind, answer in ERROR_HANDLERS:
            app.add_error_handler(kind, answer)
        self.host_check = (
            HostCheck(frozenset(settings.allowed_hosts)) if settings.checks_host else None
        )
        self.pages = BodyLimit(pages.PAGES, settings.max_body_bytes)
        self.fast_path = FastPath(BodyLimit(app, settings.max_body_bytes), self.sandbox)
        self.app = in_front_of_api(self.fast_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        scope["vbc.sandbox"] = self.sandbox
        scope["vbc.feeds"] = self.feeds
        scope["vbc.vis_loop"] = self.vis_loop
        scope["vbc.touched"] = {}
        if not self.serving:
            await self.vis_loop.tick_if_due()
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
            # Outside connexion's handlers (a layer in front of the API): still a clean 503.
            log.warning("the database cannot be reached: %s", error.__cause__ or error)
            if not started and scope["type"] == "http":
                await error_answer(error)(scope, receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """The ASGI lifespan: the VIS loop runs from startup to shutdown."""
        async with anyio.create_task_group() as background:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    background.start_soon(self.vis_loop.run)
                    self.serving = True
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    background.cancel_scope.cancel()
                    self.serving = False
                    await send({"type": "lifespan.shutdown.complete"})
                    return
