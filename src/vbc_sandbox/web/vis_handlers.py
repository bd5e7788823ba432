"""One function per operationId of vis.yaml: the user's webhooks and the events kept for
them, served at VIS's base path with the Telephony API's tokens.

VIS is per user (`/self`): the token's user owns what it creates and sees only that; another
user of the account gets 404 as for an unknown id. A token without a user behind it (a static
token) or whose user has no extension gets 401 `failed to get claims`, as a live tenant
answered an API user (vis.yaml). Events are read after the producer caught up, so a read
shows every change made before it.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from connexion import context

from vbc_sandbox.errors import BadRequest, NotFound, SandboxError, Unauthorized
from vbc_sandbox.phone.vis_events import vis_time, vis_user_id
from vbc_sandbox.phone.webhook_rules import Statistics, expires_at
from vbc_sandbox.web.handlers import JSON, Reply, ok, sandbox, touched
from vbc_sandbox.web.hosts import delivers_to

if TYPE_CHECKING:
    from vbc_sandbox.phone.state import Sandbox
    from vbc_sandbox.storage.store import Row

#: Webhooks one user may hold (VIS states no limit; the sandbox's bound).
MAX_WEBHOOKS = 20
#: Events a page may hold (`size`), at most (the sandbox's bound).
MAX_PAGE = 1000
#: Events skipped by `offset` past which no page has any: the answer is empty, unread.
MAX_SKIP = 2**53
#: Seconds from a webhook's expiry to its purge (30 days in vis.yaml's example).
PURGE_AFTER = 30 * 86400.0
#: What `sort` may name: the call's start; without it, the order events happened in.
SORTS = ("startTime",)
#: The claims VIS could not find for a token without a user with a phone (observed).
NO_CLAIMS = "failed to get claims"


class Unprocessable(SandboxError):
    status = 422


def vis_bearer_info(token: str, request: Any) -> dict[str, str]:
    """connexion's bearer hook for VIS: the token's account and user, who must have an
    extension (raises Unauthorized otherwise)."""
    found: Sandbox = request.scope["vbc.sandbox"]
    account_id, username = found.authority.user_of(token)
    user = found.store.user(username) if username is not None else None
    if user is None or not user["extension"] or str(user["account_id"]) != account_id:
        raise Unauthorized(NO_CLAIMS)
    return {"sub": username or "", "account_id": account_id, "username": username or ""}


def user() -> tuple[str, str]:
    """The account and user of the request's token (checked by `vis_bearer_info`)."""
    info = context.context["token_info"]
    touched(account_id=info["account_id"])
    return info["account_id"], info["username"]


def webhook_time(seconds: float) -> str:
    """A webhook's time: milliseconds and `Z`, as vis.yaml's examples."""
    return vis_time(seconds).removesuffix("+0000") + "Z"


def webhook_json(row: Row) -> dict[str, Any]:
    statistics = Statistics(
        row["total_attempts"], row["total_successes"], row["total_failures"], bool(row["failed"])
    ).to_json()
    for name, column in (("lastSuccess", "last_success"), ("lastFailure", "last_failure")):
        if row[column] is not None:
            statistics[name] = webhook_time(row[column])
    if row["last_error"]:
        statistics["lastErrorMessage"] = row["last_error"]
    shown: dict[str, Any] = {
        "id": row["webhook_id"],
        "userId": row["user_id"],
        "accountId": row["account_id"],
        "url": row["url"],
        "status": "ACTIVE",
        "events": json.loads(row["events"]),
        "signingAlgo": row["signing_algo"],
        "metadataPolicy": row["metadata_policy"],
        "expireAt": webhook_time(row["expire_at"]),
        "createdAt": webhook_time(row["created_at"]),
        "purgeAt": webhook_time(row["expire_at"] + PURGE_AFTER),
        "statistics": statistics,
    }
    if row["signing_key"]:
        shown["signingKey"] = row["signing_key"]  # echoed back, as VIS does
    if row["renewed_at"] is not None:
        shown |= {"renewedAt": webhook_time(row["renewed_at"]), "renewedBy": row["user_id"]}
    return shown


def receiver_url(url: str) -> str:
    """The URL deliveries go to: absolute http or https, no spaces or control characters."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number
        host = None
    if (
        not host
        or parts.scheme not in ("http", "https")
        or any(ord(char) <= 32 or ord(char) == 127 for char in url)
    ):
        raise BadRequest("url: must be an absolute http or https URL")
    if not delivers_to(sandbox().settings.webhook_hosts, host):
        raise BadRequest(
            f"url: this sandbox delivers to loopback only, not {host[:100]}; start it with"
            f" --webhook-host {host[:100]} (or '*') to deliver there"
        )
    return url


async def create_webhook(body: dict[str, Any]) -> Reply:
    account_id, username = user()
    found = sandbox()
    store, now = found.store, found.clock.now()
    webhook = {
        "webhook_id": str(uuid.uuid4()),
        "account_id": account_id,
        "username": username,
        "user_id": vis_user_id(account_id, username),
        "url": receiver_url(body["url"]),
        "events": json.dumps(sorted(set(body["events"]))),
        "signing_algo": body.get("signingAlgo", "NONE"),
        "signing_key": body.get("signingKey", ""),
        "metadata_policy": body.get("metadataPolicy", "NONE"),
        "created_at": now,
        "expire_at": expires_at(now),
    }
    with store.transaction():
        if store.count_webhooks(account_id, username) >= MAX_WEBHOOKS:
            raise Unprocessable(f"A user may hold {MAX_WEBHOOKS} webhooks at most")
        store.add_webhook(webhook)
        store.watch_calls(account_id)
    return ok(webhook_json(own_webhook(account_id, username, webhook["webhook_id"])), 201)


def own_webhook(account_id: str, username: str, webhook_id: str) -> Row:
    row = sandbox().store.webhook(account_id, username, webhook_id)
    if row is None:
        raise NotFound(f"No webhook {webhook_id}")
    return row


async def list_webhooks() -> Reply:
    account_id, username = user()
    return ok([webhook_json(row) for row in sandbox().store.webhooks(account_id, username)])


async def get_webhook(webhook_id: str) -> Reply:
    return ok(webhook_json(own_webhook(*user(), webhook_id)))


async def delete_webhook(webhook_id: str) -> Reply:
    account_id, username = user()
    if not sandbox().store.delete_webhook(account_id, username, webhook_id):
        raise NotFound(f"No webhook {webhook_id}")
    # The content type only tells connexion which of the operation's types this is (its
    # errors have two); a 204 has no body.
    return None, 204, JSON


async def renew_webhook(webhook_id: str) -> Reply:
    account_id, username = user()
    found = sandbox()
    now = found.clock.now()
    with found.store.transaction():
        renewed = found.store.renew_webhook(account_id, username, webhook_id, now, expires_at(now))
    if not renewed:
        raise NotFound(f"No webhook {webhook_id}")
    return ok(webhook_json(own_webhook(account_id, username, webhook_id)))


# ----------------------------------------------------------------- the events kept


async def caught_up() -> None:
    """Every change made before this request recorded (the VIS loop's producer, run now)."""
    await context.scope["vbc.vis_loop"].produce()


def event_filter(query: dict[str, Any]) -> tuple[str, list[Any]]:
    """The request's filters: `fromDate`/`toDate` in epoch milliseconds (the unit of
    vis.yaml's example values; VIS does not say), against when each event happened."""
    account_id, username = user()

    def seconds(name: str) -> float | None:
        value = query.get(name)
        return None if value is None else min(int(value), MAX_SKIP) / 1000

    states = query.get("states")
    return sandbox().store.vis_event_filter(
        account_id,
        username,
        since=seconds("fromDate"),
        until=seconds("toDate"),
        direction=query.get("direction"),
        states=tuple(states.split(",")) if states else (),
    )


async def list_events(**query: Any) -> Reply:
    size, offset, sort = query.get("size", 20), query.get("offset", 0), query.get("sort")
    if size > MAX_PAGE:
        raise BadRequest(f"query parameter size: at most {MAX_PAGE} events a page")
    if sort is not None and sort not in SORTS:
        raise BadRequest(
            f"query parameter sort: the sandbox sorts by {', '.join(SORTS)} (without sort:"
            " in the order the events happened)"
        )
    where = event_filter(query)
    await caught_up()
    if offset * size > MAX_SKIP:
        return ok([])
    rows = sandbox().store.vis_event_page(
        where,
        descending=query.get("order") == "DESC",
        by_start=sort is not None,
        limit=size,
        offset=offset * size,
    )
    return ok([json.loads(row["event"]) for row in rows])


async def count_events(**query: Any) -> Reply:
    where = event_filter(query)
    await caught_up()
    return ok({"count": sandbox().store.vis_event_count(where)})


async def get_event(event_id: str) -> Reply:
    """A call record's latest event (its `id` is the record's, shared by each state it
    passed through), as an array of one."""
    account_id, username = user()
    await caught_up()
    row = sandbox().store.latest_vis_event(account_id, username, event_id)
    if row is None:
        raise NotFound(f"No event {event_id}")
    return ok([json.loads(row["event"])])
