"""One function per operationId of openapi.yaml, oauth.yaml and control.yaml.

connexion has already checked auth and validated the request against the spec; these turn
it into a PBX action and the PBX's answer into a response.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from connexion import context, request

from vbc_sandbox.errors import NotFound

if TYPE_CHECKING:
    from vbc_sandbox.app import Sandbox

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
    return token_account


def ok(body: Any, status: int = 200) -> Reply:
    return body, status, JSON


def paging_args(query: dict[str, Any]) -> dict[str, Any]:
    return {
        "page": query.get("page", 1),
        "page_size": query.get("page_size", 100),
        "order": query.get("order", "desc"),
        "start_time": query.get("start_time"),
        "end_time": query.get("end_time"),
    }


def snapshot() -> int | None:
    """The `as_of` bound carried by next/previous page URIs (see paging.page_fields)."""
    value = request.query_params.get("as_of", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


async def list_calls(account_id: str, **query: Any) -> Reply:
    account = own_account(account_id)
    return ok(
        sandbox().pbx.list_calls(
            account, extension=query.get("extension"), as_of=snapshot(), **paging_args(query)
        )
    )


async def create_call(account_id: str, body: dict[str, Any]) -> Reply:
    pbx = sandbox().pbx
    return pbx.dialect.created(pbx.dial(own_account(account_id), body))


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
    return ok(sandbox().registrations.list(account, **paging_args(query)))


async def get_device(account_id: str, device_id: str) -> Reply:
    return ok(sandbox().registrations.get(own_account(account_id), device_id))


async def create_token(body: dict[str, Any]) -> Reply:
    return ok(sandbox().authority.grant(body, request.headers.get("authorization")))


# The same grant at the path live integrations use on the API gateway's own host.
create_token_at_gateway = create_token


async def create_inbound_call(account_id: str, body: dict[str, Any]) -> Reply:
    account = own_account(account_id)
    return ok(sandbox().pbx.inbound(account, body["from"], body["to"]), 201)


async def reset() -> Reply:
    sandbox().store.reset()
    return None, 204, {}


async def health() -> Reply:
    # The pid tells which worker process answered (the multi-worker test relies on it).
    return ok({"status": "ok", "worker": os.getpid()})


def bearer_info(token: str, request: Any) -> dict[str, str]:
    """connexion's bearer hook (x-bearerInfoFunc): the account a token reaches."""
    account_id = request.scope["vbc.sandbox"].authority.account_of(token)
    return {"sub": account_id, "account_id": account_id}


def basic_info(username: str, password: str) -> dict[str, str]:
    """connexion's basic hook for POST /token: client credentials are checked by the grant."""
    return {"sub": username}
