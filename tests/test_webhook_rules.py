"""VIS's delivery rules on the sandbox's clock: retries, failure, expiry and renewal,
statistics, and where the metadata and the signature travel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.fixtures.vis_evidence import EVENT_2018
from vbc_sandbox.phone.webhook_rules import (
    LIFETIME,
    Next,
    Parcel,
    Statistics,
    after_attempt,
    envelope,
    expires_at,
    receives,
)

NOW = 1_800_000_000.0
#: The 2018 vendor example (vis-call-events.md §4).
EVENT = EVENT_2018
DIGEST = "signature of 5a85d86f253bcd10897f3189 with mysecretkey"


def sign(event: Mapping[str, Any], key: str) -> str:
    """A stand-in for `vbc_telephony.webhooks.sign` (tested with the vendor's vector there):
    shows which event and key the envelope signed."""
    return f"signature of {event['id']} with {key}"


def settle(statuses: list[int | None]) -> list[Next]:
    """The steps of one delivery whose attempts are answered with `statuses` in turn, each
    as soon as it is due, from NOW."""
    steps, attempt, now = [], 1, NOW
    for status in statuses:
        step = after_attempt(attempt, status, now)
        steps.append(step)
        if step.settled:
            break
        assert step.due_at is not None
        attempt, now = step.attempt, step.due_at
    return steps


def test_a_delivery_answered_200_is_delivered_at_the_first_attempt() -> None:
    assert settle([200]) == [Next("delivered", 1)]


@pytest.mark.parametrize("status", [201, 204, 302, 404, 500, None])
def test_only_200_counts(status: int | None) -> None:
    assert after_attempt(1, status, NOW) == Next("retry", 2, NOW + 10)


def test_five_retries_ten_seconds_apart_then_the_webhook_fails() -> None:
    steps = settle([500] * 10)
    assert [(s.kind, s.attempt, s.due_at) for s in steps] == [
        ("retry", 2, NOW + 10),
        ("retry", 3, NOW + 20),
        ("retry", 4, NOW + 30),
        ("retry", 5, NOW + 40),
        ("retry", 6, NOW + 50),
        ("failed", 6, None),
    ]


def test_a_retry_that_is_answered_200_delivers() -> None:
    assert [s.kind for s in settle([None, 503, 200])] == ["retry", "retry", "delivered"]


def test_statistics_count_each_delivery_once_when_it_settles() -> None:
    stats = Statistics()
    for step in settle([500, 200]) + settle([500] * 6):
        stats = stats.settled(step)
    assert stats.to_json() == {
        "totalAttempts": 2,
        "totalSuccesses": 1,
        "totalFailures": 1,
        "failed": True,
    }
    renewed = stats.renewed()
    assert not renewed.failed and renewed.total_failures == 1  # the rest is kept


def test_a_webhook_lives_ten_days_and_nothing_reaches_a_failed_one() -> None:
    expiry = expires_at(NOW)
    assert expiry - NOW == LIFETIME == 864000
    assert receives(False, expiry, expiry - 0.001)
    assert not receives(False, expiry, expiry)
    assert not receives(True, expiry, NOW)


def parcel(policy: str, key: str = "mysecretkey", algo: str = "HMAC_SHA256") -> Parcel:
    return Parcel(EVENT, "webhook-1", "delivery-1", 3, policy, algo, key)


def test_policy_header_puts_the_metadata_and_signature_in_headers() -> None:
    body, headers = envelope(parcel("HEADER"), sign)
    assert body == {"event": EVENT}
    assert headers == {
        "X-VON-Signature": DIGEST,
        "X-VON-Webhook-Id": "webhook-1",
        "X-VON-Delivery-Id": "delivery-1",
        "X-VON-Attempt": "3",
    }


def test_policy_body_puts_them_in_the_body() -> None:
    body, headers = envelope(parcel("BODY"), sign)
    assert headers == {}
    assert body == {
        "event": EVENT,
        "metadata": {
            "signature": DIGEST,
            "webhookId": "webhook-1",
            "deliveryId": "delivery-1",
            "attempt": 3,
        },
    }


def test_policy_none_sends_the_event_alone() -> None:
    assert envelope(parcel("NONE"), sign) == ({"event": EVENT}, {})


@pytest.mark.parametrize(("key", "algo"), [("", "HMAC_SHA256"), ("mysecretkey", "NONE")])
def test_no_signature_without_a_key_and_the_algorithm(key: str, algo: str) -> None:
    assert "signature" not in envelope(parcel("BODY", key, algo), sign)[0]["metadata"]
    assert "X-VON-Signature" not in envelope(parcel("HEADER", key, algo), sign)[1]


def test_the_signing_key_stays_out_of_a_parcels_repr() -> None:
    assert "mysecretkey" not in repr(parcel("HEADER"))


def test_an_unknown_metadata_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="NONE, HEADER, BODY"):
        parcel("HEADERS")
