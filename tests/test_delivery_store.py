"""The store's VIS webhooks and delivery queue, on SQLite and on PostgreSQL: webhooks per
user, deliveries claimed when due and never by two claimers, retries, settling with the
statistics, and the test kit's list."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from vbc_sandbox.phone.webhook_rules import Statistics, after_attempt, expires_at
from vbc_sandbox.storage.store import Store

NOW = 1_800_000_000.0
WALL = 1_700_000_000.0
LEASE = 60.0
ACCOUNT = "1234"


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    opened = Store(location)
    opened.load_seed(Path(__file__).resolve().parents[1] / "src/vbc_sandbox/seed.json")
    yield opened
    opened.close()


def add_webhook(store: Store, webhook_id: str, username: str = "alice", **extra: Any) -> None:
    store.add_webhook(
        {
            "webhook_id": webhook_id,
            "account_id": ACCOUNT,
            "username": username,
            "user_id": f"id-of-{username}",
            "url": f"http://127.0.0.1:9/{webhook_id}",
            "events": json.dumps(["CALL"]),
            "signing_algo": "HMAC_SHA256",
            "signing_key": "the key as given",
            "metadata_policy": "HEADER",
            "created_at": NOW,
            "expire_at": expires_at(NOW),
            **extra,
        }
    )


def enqueue(
    store: Store, webhook_id: str, count: int, due_at: float = NOW, call: str = "c"
) -> None:
    store.enqueue_deliveries(
        [
            {
                "delivery_id": f"{webhook_id}-{call}-{n}",
                "webhook_id": webhook_id,
                "account_id": ACCOUNT,
                "call_id": call,
                "event": json.dumps({"state": "RINGING", "n": n}),
                "created_at": NOW,
                "due_at": due_at,
            }
            for n in range(count)
        ]
    )


def claim(store: Store, claimer: str = "one", now: float = NOW, wall: float = WALL) -> list[str]:
    rows = store.claim_deliveries(claimer, now, wall, LEASE, 100)
    return [row["delivery_id"] for row in rows]


def row_of(store: Store, delivery_id: str) -> Any:
    [row] = [r for r in store.deliveries({}, 1000) if r["delivery_id"] == delivery_id]
    return row


def settle(
    store: Store, delivery_id: str, status: int | None, claimer: str = "one", now: float = NOW
) -> bool:
    """Settle or reschedule a claimed delivery as the rules say for an answer `status` at
    `now`."""
    row = row_of(store, delivery_id)
    step = after_attempt(row["attempt"], status, now)
    outcome = f"answered {status}"
    if step.kind == "retry":
        assert step.due_at is not None
        return store.reschedule_delivery(
            row["seq"], claimer, step.attempt, step.due_at, outcome, status
        )
    counted = attrs.astuple(Statistics().settled(step))
    return store.settle_delivery(
        row["seq"], claimer, state=step.kind, outcome=outcome, status=status, at=now,
        counted=counted,
    )  # fmt: skip


def test_webhooks_belong_to_their_user_and_keep_the_key_as_given(store: Store) -> None:
    add_webhook(store, "w1")
    add_webhook(store, "w2", username="bob")
    assert [row["webhook_id"] for row in store.webhooks(ACCOUNT, "alice")] == ["w1"]
    assert store.webhook(ACCOUNT, "bob", "w1") is None
    assert store.webhook(ACCOUNT, "alice", "w1")["signing_key"] == "the key as given"
    assert not store.delete_webhook(ACCOUNT, "bob", "w1")
    assert store.delete_webhook(ACCOUNT, "alice", "w1")
    assert store.webhooks(ACCOUNT, "alice") == []


def test_only_live_webhooks_receive_with_their_users_extension(store: Store) -> None:
    add_webhook(store, "live")
    add_webhook(store, "expired", expire_at=NOW - 1)
    add_webhook(store, "failed", username="bob")
    store.db.execute("UPDATE webhooks SET failed = 1 WHERE webhook_id = 'failed'")
    add_webhook(store, "not a user of the account", username="dave")
    receiving = store.receiving_webhooks(ACCOUNT, NOW)
    assert [(row["webhook_id"], row["extension"]) for row in receiving] == [("live", "1001")]


def test_a_delivery_is_claimed_once_due_and_again_only_after_its_lease(store: Store) -> None:
    add_webhook(store, "w")
    enqueue(store, "w", 1)
    enqueue(store, "w", 1, due_at=NOW + 5, call="later")
    assert claim(store, now=NOW - 1) == []
    assert claim(store) == ["w-c-0"]
    assert claim(store, "two", wall=WALL + LEASE - 1) == []
    # The first claimer stopped: after the lease, another claims it, and the first can no
    # longer settle it.
    assert claim(store, "two", now=NOW + 5, wall=WALL + LEASE) == ["w-c-0", "w-later-0"]
    assert not settle(store, "w-c-0", 200, claimer="one")
    assert settle(store, "w-c-0", 200, claimer="two")


def test_a_refused_delivery_is_retried_with_the_same_id_then_fails_its_webhook(
    store: Store,
) -> None:
    add_webhook(store, "w")
    enqueue(store, "w", 2)
    [first, second] = claim(store)
    assert settle(store, second, 200)
    now = NOW
    for attempt in range(2, 7):
        assert settle(store, first, 500, now=now)
        row = row_of(store, first)
        assert (row["delivery_id"], row["attempt"], row["due_at"]) == (first, attempt, now + 10)
        assert claim(store, now=now + 9.9) == []
        now += 10
        assert claim(store, now=now) == [first]
    enqueue(store, "w", 1, call="pending when it fails")
    assert settle(store, first, 500, now=now)  # the fifth retry refused too
    webhook = store.webhook(ACCOUNT, "alice", "w")
    assert (webhook["failed"], webhook["total_attempts"]) == (1, 2)
    assert (webhook["total_successes"], webhook["total_failures"]) == (1, 1)
    assert webhook["last_error"] == "answered 500" and webhook["last_failure"] == now
    states = {row["delivery_id"]: row["state"] for row in store.deliveries({}, 10)}
    assert states == {first: "failed", second: "delivered", "w-pending when it fails-0": "dropped"}
    assert store.receiving_webhooks(ACCOUNT, NOW) == []
    assert store.renew_webhook(ACCOUNT, "alice", "w", NOW + 100, expires_at(NOW + 100))
    renewed = store.webhook(ACCOUNT, "alice", "w")
    assert (renewed["failed"], renewed["renewed_at"], renewed["total_failures"]) == (
        0,
        NOW + 100,
        1,
    )


def test_deleting_a_webhook_drops_what_it_had_to_deliver(store: Store) -> None:
    add_webhook(store, "w")
    enqueue(store, "w", 3)
    store.delete_webhook(ACCOUNT, "alice", "w")
    assert claim(store) == []
    assert {row["state"] for row in store.deliveries({}, 10)} == {"dropped"}


def test_the_test_kit_lists_the_latest_deliveries_oldest_first_and_trims_settled_ones(
    store: Store,
) -> None:
    add_webhook(store, "w")
    enqueue(store, "w", 3, call="a")
    enqueue(store, "w", 2, call="b")
    listed = store.deliveries({"call_id": "a"}, 2)
    assert [row["delivery_id"] for row in listed] == ["w-a-1", "w-a-2"]
    for delivery_id in claim(store)[:4]:
        settle(store, delivery_id, 200)
    store.trim_vis(keep=2)
    assert [row["delivery_id"] for row in store.deliveries({}, 10)] == ["w-b-0", "w-b-1"]


def test_two_claimers_never_get_the_same_delivery(location: str, store: Store) -> None:
    """Two instances (two connections) claim a few at a time, at once, until none is left."""
    add_webhook(store, "w")
    enqueue(store, "w", 400)
    other = Store(location)
    claimed: dict[str, list[str]] = {"one": [], "two": []}
    start = threading.Barrier(2)

    def run(claimer: str, instance: Store) -> None:
        start.wait()
        while rows := instance.claim_deliveries(claimer, NOW, WALL, LEASE, 7):
            claimed[claimer] += [row["delivery_id"] for row in rows]

    threads = [
        threading.Thread(target=run, args=("one", store)),
        threading.Thread(target=run, args=("two", other)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.close()
    one, two = claimed["one"], claimed["two"]
    assert not set(one) & set(two)
    assert sorted(one + two) == sorted(f"w-c-{n}" for n in range(400))
    assert len(one) == len(set(one)) and len(two) == len(set(two))
