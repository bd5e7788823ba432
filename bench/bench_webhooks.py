"""What `webhooks.verify()` costs per delivery, in microseconds, for each metadata policy,
beside the bare minimum any verifier pays (json.loads, json.dumps sorted and compact, one
HMAC): the rest is verify()'s own care (numbers kept as sent, repeated keys refused, the
event typed). Best of 7 runs of N deliveries each, in this process: no I/O."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime

from vbc_conformance.webhook_cases import Deliverer, event_in
from vbc_telephony import webhooks

KEY = "bench-signing-key"
NUMBER = int(os.environ.get("BENCH_DELIVERIES", "5000"))


def microseconds(action: Callable[[], object]) -> float:
    return min(timeit.repeat(action, number=NUMBER, repeat=7)) / NUMBER * 1e6


def bare(body: bytes, signature: str) -> bool:
    event = json.loads(body)["event"]
    message = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
    expected = hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def main() -> int:
    event = event_in("ANSWERED", "bench-call", datetime.now(UTC))
    print(f"webhooks.verify() on an ANSWERED delivery, best of 7 runs of {NUMBER}")
    print(f"{'policy':<10}{'verify() us':>14}{'bare us':>10}{'ratio':>9}")
    for policy in ("HEADER", "BODY"):
        request = Deliverer(policy, KEY).genuine(event)
        body, headers = request.body, dict(request.headers)
        signature = headers.get("X-VON-Signature") or json.loads(body)["metadata"]["signature"]
        assert webhooks.verify(body, headers, KEY).event.state == "ANSWERED"
        ours = microseconds(lambda: webhooks.verify(body, headers, KEY))  # noqa: B023
        least = microseconds(lambda: bare(body, signature))  # noqa: B023
        print(f"{policy:<10}{ours:>14.1f}{least:>10.1f}{ours / least:>8.2f}x")
    print(f"webhooks.sign(): {microseconds(lambda: webhooks.sign(event, KEY)):.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
