"""One function per operationId of openapi.yaml, oauth.yaml and control.yaml (but the test
kit's faults and journal, which `testkit.control` serves).

connexion has already checked auth and validated the request against the spec; these turn
it into a PBX action and the PBX's answer into a response.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from connexion import context, request

from vbc_sandbox.errors import BadRequest, NotFound
from vbc_sandbox.phone.paging import PageQuery
from vbc_sandbox.phone.timeline import timeline
from vbc_sandbox.storage.store import MAX_DIRECTORY_ROWS

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox

JSON = {"Content-Type": "application/json"}
Reply = tuple[Any, int, dict[str, str]]


def sandbox() -> Sandbox:
    found: Sandbox = context.scope["vbc.sandbox"]
    return found


#: The account of the token itself: not documented for this API (an assumption, see the
#: AccountId parameter in openapi.yaml), but a Python CRM client defaults to it.
SELF = "self"


def own_account(account_id: str) -> str:
    """The account number `account_id` names, once the token is known to reach it (`self`
    names the token's own). Another account's resources answer 404, exactly as unknown ones
    do, so nothing leaks."""
    token_account: str = context.context["token_info"]["account_id"]
    if account_id not in (token_account, SELF):
        raise NotFound()
    touched(account_id=token_account)
    return token_account


def touched(**what: str) -> None:
    """Tell the request journal which account and call a request touched."""
    context.scope.get("vbc.touched", {}).update(what)


def ok(body: Any, status: int = 200) -> Reply:
    return body, status, JSON


def snapshot() -> int | None:
    """The `as_of` bound carried by next/previous page URIs (see paging.page_fields)."""
    # Read as starlette reads a query (the last of repeated values), without building a request.
    value = dict(parse_qsl(context.scope["query_string"].decode("latin-1"))).get("as_of", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


async def list_calls(account_id: str, **query: Any) -> Reply:
    account = own_account(account_id)
    return ok(
        sandbox().pbx.list_calls(
            account, PageQuery.of(query), extension=query.get("extension"), as_of=snapshot()
        )
    )


async def create_call(account_id: str, body: dict[str, Any]) -> Reply:
    pbx = sandbox().pbx
    call_id = pbx.dial(own_account(account_id), body)
    touched(call_id=call_id)
    return pbx.dialect.created(call_id)


async def get_call(account_id: str, call_id: str) -> Reply:
    return ok(sandbox().pbx.get_call(own_account(account_id), call_id))


async def update_call(account_id: str, call_id: str, body: dict[str, Any]) -> Reply:
    return ok(sandbox().pbx.update_call(own_account(account_id), call_id, body))


async def delete_call(account_id: str, call_id: str) -> Reply:
    return ok(sandbox().pbx.hang_up(own_account(account_id), call_id))


async def list_call_legs(account_id: str, call_id: str) -> Reply:
    return ok(sandbox().pbx.list_legs(own_account(account_id), call_id))


async def get_call_leg(account_id: str, call_id: str, leg_id: str) -> Reply:
    return ok(sandbox().pbx.get_leg(own_account(account_id), call_id, leg_id))


async def update_call_leg(
    account_id: str, call_id: str, leg_id: str, body: dict[str, Any]
) -> Reply:
    return ok(sandbox().pbx.update_leg(own_account(account_id), call_id, leg_id, body))


async def delete_call_leg(account_id: str, call_id: str, leg_id: str) -> Reply:
    sandbox().pbx.drop_leg(own_account(account_id), call_id, leg_id)
    return "", 204, {}


async def list_devices(account_id: str, **query: Any) -> Reply:
    account = own_account(account_id)
    return ok(sandbox().registrations.list(account, PageQuery.of(query)))


async def get_device(account_id: str, device_id: str) -> Reply:
    return ok(sandbox().registrations.get(own_account(account_id), device_id))


async def create_token(body: dict[str, Any]) -> Reply:
    return ok(sandbox().authority.grant(body, request.headers.get("authorization")))


# The same grant at the path live integrations use on the API gateway's own host.
create_token_at_gateway = create_token


# ---------------------------------------------------------------- the control API (admin token)


async def create_inbound_call(account_id: str, body: dict[str, Any]) -> Reply:
    return ok(sandbox().pbx.inbound(account_id, body["from"], body["to"]), 201)


async def reset() -> Reply:
    sandbox().store.reset()
    return None, 204, {}


async def load_seed(body: dict[str, Any]) -> Reply:
    if not sandbox().store.add_seed(body):
        raise BadRequest(
            f"at most {MAX_DIRECTORY_ROWS} clients, accounts, users or devices may be seeded"
        )
    return None, 204, {}


async def take_snapshot() -> Reply:
    snapshot_id = secrets.token_hex(8)
    sandbox().store.snapshot(snapshot_id, sandbox().clock.now())
    return ok({"snapshot_id": snapshot_id}, 201)


async def restore_snapshot(snapshot_id: str) -> Reply:
    if not sandbox().store.restore(snapshot_id):
        raise NotFound(f"No snapshot {snapshot_id}")
    return None, 204, {}


async def get_clock() -> Reply:
    return ok(sandbox().clock.state())


async def set_clock(body: dict[str, Any]) -> Reply:
    return ok(
        sandbox().clock.change(
            freeze=body.get("freeze"), advance=body.get("advance", 0.0), at=body.get("at")
        )
    )


async def script_outcomes(account_id: str, body: dict[str, Any]) -> Reply:
    sandbox().pbx.scripts.add(account_id, body["target"], body["outcomes"])
    return None, 204, {}


async def list_outcomes(account_id: str) -> Reply:
    return ok({"outcomes": sandbox().pbx.scripts.pending(account_id)})


async def get_timeline(account_id: str, call_id: str) -> Reply:
    found = sandbox()
    now = found.clock.now()
    found.pbx.catch_up(found.store.due_calls(now), now)  # a transfer by the clock, say
    events = timeline(found.store, account_id, call_id, now)
    return ok({"call_id": call_id, "events": events})


async def health() -> Reply:
    """Ready, and the database with it (a 503 when it cannot be reached, so a load balancer
    stops sending requests). The pid tells which worker process answered."""
    return ok({"status": "ok", "worker": os.getpid(), "database": sandbox().store.ping()})


def bearer_info(token: str, request: Any) -> dict[str, str]:
    """connexion's bearer hook (x-bearerInfoFunc): the account a token reaches."""
    return token_info(request.scope["vbc.sandbox"], token)


def token_info(found: Sandbox, token: str) -> dict[str, str]:
    """The account a bearer token reaches, its quota counted (raises Unauthorized, or
    TooManyRequests)."""
    account_id = found.authority.account_of(token)
    return {"sub": account_id, "account_id": account_id}


def admin_info(token: str, request: Any) -> dict[str, str]:
    """connexion's bearer hook for the control API: only its own admin token passes."""
    request.scope["vbc.sandbox"].check_control_token(token)
    return {"sub": "admin"}


def basic_info(username: str, password: str) -> dict[str, str]:
    """connexion's basic hook for POST /token: client credentials are checked by the grant."""
    return {"sub": username}
