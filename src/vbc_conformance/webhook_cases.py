"""The deliveries `vbc-conformance webhooks` sends a user's receiver, and what each must get:
genuine signed events of every VIS state (ANSWERED only as the end of an answered call), the
2018 test vector's event, forged ones (a tampered signature, none, one over the raw body),
a retry of one delivery and a RINGING that arrives after its call's ANSWERED. Every id they
carry starts `vbc-conformance`, so a receiver's logs show them for the tests they are."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import attrs

from vbc_telephony.webhooks import ANSWERED_STATES, FINAL_STATES, STATES, sign

POLICIES = ("HEADER", "BODY")
Expected = Literal["accepted", "refused"]
#: The 2018 test vector's event as Vonage's page printed it (key order included); its
#: digest under the key `mysecretkey` is 95aafd08...bb53fb5.
VECTOR_2018 = {
    "id": "5a85d86f253bcd10897f3189",
    "externalId": "callhalf-60227142553:0",
    "userId": "24785",
    "accountId": "376",
    "type": "CALL",
    "direction": "OUTBOUND",
    "duration": 2950,
    "state": "ANSWERED",
    "startTime": "2018-02-15T18:58:56.194+0000",
    "answerTime": "2018-02-15T18:59:03.496+0000",
    "endTime": "2018-02-15T18:59:06.446+0000",
}
#: States only inbound calls reach (CANCELLED only outbound ones); others come either way.
INBOUND_ONLY = frozenset({"INITIALIZING", "MISSED", "REJECTED"})
#: An answered call's length in the cases, in milliseconds as VIS sends it (73 s).
TALK_MS = 73_000


@attrs.frozen
class Request:
    """One POST to the receiver: its body as sent and its headers."""

    body: bytes
    headers: Mapping[str, str]


@attrs.frozen
class Case:
    """What is sent (one POST, or several in order) and what each must get."""

    name: str
    expected: Expected
    why: str
    requests: tuple[Request, ...]


def vis_time(moment: datetime) -> str:
    """`2018-02-15T18:58:56.194+0000`: VIS's form, milliseconds and an offset without colon."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def event_in(state: str, call_id: str, started: datetime) -> dict[str, Any]:
    """A call's event in `state`, as the vendor's examples lay it out (unsorted keys, ids as
    strings, the undocumented `internal` and `ucpType` of its 2020 example): `answerTime`
    only once answered, `endTime` only in a final state, `duration` non-zero only in ANSWERED."""
    event: dict[str, Any] = {
        "id": call_id,
        "externalId": f"vbc-conformance:{call_id}",
        "userId": "24785",
        "accountId": "376",
        "type": "CALL",
        "direction": "OUTBOUND" if state == "CANCELLED" else "INBOUND",
        "phoneNumber": "15555550123",
        "callerId": "Conformance Caller",
        "duration": TALK_MS if state == "ANSWERED" else 0,
        "state": state,
        "internal": False,
        "ucpType": "VBS",
        "startTime": vis_time(started),
    }
    answered = started + timedelta(seconds=5)
    if state in ANSWERED_STATES:
        event["answerTime"] = vis_time(answered)
    if state in FINAL_STATES:
        ended = answered + timedelta(milliseconds=TALK_MS) if state == "ANSWERED" else answered
        event["endTime"] = vis_time(ended)
    return event


def compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def printed(document: Any) -> bytes:
    """Indented, with `" : "` between names and values, as Vonage's page shows deliveries."""
    return json.dumps(document, indent=2, separators=(",", " : "), ensure_ascii=False).encode()


@attrs.frozen
class Deliverer:
    """Builds deliveries as Vonage sends them for one webhook, in one metadata policy."""

    policy: str
    key: str
    webhook_id: str = attrs.field(factory=lambda: f"vbc-conformance-{uuid.uuid4()}")

    def request(
        self,
        event: Mapping[str, Any],
        *,
        signature: str | None,
        delivery_id: str | None = None,
        attempt: int = 1,
        pretty: bool = False,
    ) -> Request:
        """A delivery of `event` carrying `signature` (None: unsigned) where the policy
        puts it; compact JSON, or `pretty` as Vonage's page prints it."""
        metadata: dict[str, Any] = {
            "webhookId": self.webhook_id,
            "deliveryId": delivery_id or f"vbc-conformance-{uuid.uuid4()}",
            "attempt": attempt,
        }
        headers = {"Content-Type": "application/json"}
        if self.policy == "HEADER":
            headers.update(
                {
                    "X-VON-Webhook-Id": metadata["webhookId"],
                    "X-VON-Delivery-Id": metadata["deliveryId"],
                    "X-VON-Attempt": str(attempt),
                }
            )
            if signature is not None:
                headers["X-VON-Signature"] = signature
            document: dict[str, Any] = {"event": event}
        else:
            if signature is not None:
                metadata["signature"] = signature
            document = {"event": event, "metadata": metadata}
        return Request(printed(document) if pretty else compact(document), headers)

    def genuine(self, event: Mapping[str, Any], **options: Any) -> Request:
        return self.request(event, signature=sign(event, self.key), **options)

    def signed_over_raw_body(self, event: Mapping[str, Any]) -> Request:
        """The mistake of hashing the body (as crmnewpanel2 does): the HMAC of the body as
        sent, or for policy BODY of the body before its signature was added."""
        unsigned = self.request(event, signature=None)
        signature = sign_bytes(unsigned.body, self.key)
        if self.policy == "HEADER":
            return Request(unsigned.body, {**unsigned.headers, "X-VON-Signature": signature})
        document = json.loads(unsigned.body)
        document["metadata"]["signature"] = signature
        return Request(compact(document), unsigned.headers)


def sign_bytes(body: bytes, key: str) -> str:
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def cases(policy: str, key: str, now: datetime | None = None) -> list[Case]:
    """Every case for one metadata policy, in the order they are sent."""
    deliver = Deliverer(policy, key)
    started = (now or datetime.now(UTC)) - timedelta(minutes=2)
    run = uuid.uuid4().hex[:12]

    def call(label: str) -> str:
        return f"vbc-conformance-{run}-{label}"

    tag = f"[{policy}]"
    found = [
        Case(
            f"genuine {state} {tag}",
            "accepted",
            "a genuine delivery must be answered 200 within 2 s, or Vonage retries it and,"
            " after 5 retries, stops the webhook",
            (deliver.genuine(event_in(state, call(state.lower()), started)),),
        )
        for state in STATES
    ]
    ringing = event_in("RINGING", call("forged"), started)
    signature = sign(ringing, key)
    answered_call = call("late")
    repeated = event_in("RINGING", call("retried"), started)
    first_id = f"vbc-conformance-{uuid.uuid4()}"
    found += [
        Case(
            f"2018 test vector {tag}",
            "accepted",
            "the event of Vonage's 2018 test vector, signed with your key (pretty-printed, keys"
            " unsorted in the body: only the event re-serialised is signed)",
            (deliver.genuine(VECTOR_2018, pretty=True),),
        ),
        Case(
            f"tampered signature {tag}",
            "refused",
            "a signature one hex digit off must be refused (4xx)",
            (deliver.request(ringing, signature=flipped(signature)),),
        ),
        Case(
            f"missing signature {tag}",
            "refused",
            "a delivery without a signature must be refused (4xx)",
            (deliver.request(ringing, signature=None),),
        ),
        Case(
            f"signature over the raw body {tag}",
            "refused",
            "Vonage signs the event re-serialised, never the raw body: a receiver that accepts"
            " this accepts what Vonage never signs (and refuses what it does)",
            (deliver.signed_over_raw_body(ringing),),
        ),
        Case(
            f"repeated deliveryId {tag}",
            "accepted",
            "a retry (same deliveryId, attempt 2) must be answered 200 too: deduplicate it,"
            " do not refuse it, or Vonage retries again",
            (
                deliver.genuine(repeated, delivery_id=first_id),
                deliver.genuine(repeated, delivery_id=first_id, attempt=2),
            ),
        ),
        Case(
            f"late RINGING after ANSWERED {tag}",
            "accepted",
            "deliveries are not ordered (retries come 10 s apart): a RINGING after its call's"
            " ANSWERED must be answered 200, and must not reopen the call",
            (
                deliver.genuine(event_in("ANSWERED", answered_call, started)),
                deliver.genuine(event_in("RINGING", answered_call, started)),
            ),
        ),
    ]
    return found


def flipped(signature: str) -> str:
    """The signature with its last hex digit changed."""
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")
