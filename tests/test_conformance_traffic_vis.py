"""VIS traffic judged by `vbc-conformance proxy` and `replay` against vis.yaml, beside the
Telephony API's: a user's webhooks and the events of their calls, through the proxy to the
sandbox, and recorded as HAR (conforming, and with departures on the entries that show
them)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ACCOUNT, ALICE_LOGIN, SEED_CLIENT
from tests.test_conformance_traffic import Recorder, replay, values_in
from vbc_conformance.evidence import FORMAT, property_names
from vbc_conformance.launch import ProxyProcess
from vbc_sandbox.launch import SandboxProcess
from vbc_spec import API_BASE_PATH, TELEPHONY_SPEC, VIS_BASE_PATH, VIS_SPEC, load
from vbc_telephony import PasswordGrant, Telephony

#: What alice does with VIS: subscribes, calls, reads the events of her call, renews, leaves.
VIS_OPERATIONS = (
    "create_webhook",
    "list_webhooks",
    "list_events",
    "renew_webhook",
    "delete_webhook",
)
RECEIVER = "http://127.0.0.1:9/vis"
SIGNING_KEY = "a-long-random-secret"


def alice_uses_vis(origin: str, transport: httpx.HTTPTransport | None = None) -> None:
    """Alice logs in (password grant at `origin`) and uses VIS through the SDK, around a call
    she places and hangs up (Telephony)."""
    grant = PasswordGrant(
        username="alice",
        password=ALICE_LOGIN["password"],
        token_url=origin + "/token",
        client_id=SEED_CLIENT["client_id"],
        client_secret=SEED_CLIENT["client_secret"],
        transport=transport,
    )
    with Telephony(
        account_id=ACCOUNT, base_url=origin + API_BASE_PATH, auth=grant, transport=transport
    ) as alice:
        webhook = alice.webhooks.create(url=RECEIVER, signing_key=SIGNING_KEY)
        assert [listed.id for listed in alice.webhooks.list()] == [webhook.id]
        alice.calls.hangup(alice.calls.dial("15551234567", from_="1001"))
        assert list(alice.events.list())  # the call's events, kept for her
        alice.webhooks.renew(webhook.id)
        alice.webhooks.delete(webhook.id)


def vis_rows(output: str) -> dict[str, tuple[int, str]]:
    """The summary's rows under `VIS:`: operation -> (cases, failed checks)."""
    rows = output.split("\nVIS:\n", 1)[1].split("\n\n", 1)[0]
    found = re.findall(r"^(\w+)\s+(\d+)\s+(.+)$", rows, re.MULTILINE)
    return {operation: (int(cases), failed) for operation, cases, failed in found}


def test_vis_traffic_through_the_proxy_is_judged_against_vis_yaml(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    with (
        SandboxProcess() as sandbox,
        ProxyProcess(sandbox.origin, "--report", str(report)) as proxy,
    ):
        alice_uses_vis(proxy.origin)
        output = proxy.stop()
    assert proxy.returncode == 0 and ": conforms" in output, output
    rows = vis_rows(output)
    for operation in VIS_OPERATIONS:
        cases, failed = rows[operation]
        assert cases >= 1 and failed == "-", (operation, output)
    assert "| VIS | `list_events` |" in report.read_text()
    # The token endpoint's exchanges only: every VIS and Telephony one was judged.
    ignored = re.search(r"^(\d+) exchange\(s\) ignored", output, re.MULTILINE)
    assert ignored and 1 <= int(ignored.group(1)) <= 2, output
    for secret in (ALICE_LOGIN["password"], SEED_CLIENT["client_secret"], SIGNING_KEY):
        assert secret not in output and secret not in report.read_text()


def recorded_vis_traffic(tmp_path: Path) -> tuple[Recorder, str]:
    """Alice's VIS traffic with a sandbox, as HAR entries; and the sandbox's API base URL."""
    recorder = Recorder()
    with SandboxProcess() as sandbox:
        alice_uses_vis(sandbox.origin, recorder)
        base_url = sandbox.base_url
    return recorder, base_url


def body_of(entry: dict[str, Any]) -> Any:
    return json.loads(base64.b64decode(entry["response"]["content"]["text"]))


def set_body(entry: dict[str, Any], body: Any) -> None:
    entry["response"]["content"]["text"] = base64.b64encode(json.dumps(body).encode()).decode()


def number_of(recorder: Recorder, ending: str) -> int:
    """The HAR number (from 1) of the first answered entry whose VIS path ends so."""
    return next(
        number
        for number, entry in enumerate(recorder.entries, 1)
        if httpx.URL(entry["request"]["url"]).path.startswith(VIS_BASE_PATH)
        and httpx.URL(entry["request"]["url"]).path.endswith(ending)
        and entry["response"]["status"] == 200
    )


def test_recorded_vis_traffic_conforms_with_evidence_and_no_value(tmp_path: Path) -> None:
    recorder, base_url = recorded_vis_traffic(tmp_path)
    evidence = tmp_path / "evidence.json"
    result = replay(recorder.har(tmp_path / "vis.har"), base_url, "--evidence", str(evidence))
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": conforms" in result.stdout
    rows = vis_rows(result.stdout)
    assert all(rows[operation][0] >= 1 for operation in VIS_OPERATIONS), result.stdout
    tokens = sum(httpx.URL(e["request"]["url"]).path == "/token" for e in recorder.entries)
    assert f"{tokens} exchange(s) ignored" in result.stdout
    shown = json.loads(evidence.read_text())
    events = shown["operations"]["list_events"]["200"]
    assert events["shapes"] == ["array"]
    assert events["fields"]["$[].state"] == ["string"]  # vis.yaml's names, not `(key)`
    assert events["fields"]["$[].startTime"] == ["iso-8601 string"]
    words = set(re.findall(r"[\w.@+:-]+", evidence.read_text().replace(FORMAT, "")))
    # The words evidence is made of: the specs' field names, operation ids, statuses.
    names = property_names(load(VIS_SPEC)) | property_names(load(TELEPHONY_SPEC))
    names |= set(shown["operations"]) | {s for a in shown["operations"].values() for s in a}
    recorded = {SIGNING_KEY, RECEIVER}
    for entry in recorder.entries:
        if VIS_BASE_PATH in entry["request"]["url"] and entry["response"]["content"]["text"]:
            recorded |= values_in(body_of(entry))
    leaked = {value for value in recorded & words if value not in names}
    assert not leaked, leaked


def test_replayed_vis_departures_are_reported_on_their_entries(tmp_path: Path) -> None:
    recorder, base_url = recorded_vis_traffic(tmp_path)
    # An event list whose items lack `state`; a webhook list answered as a web page; a
    # renewal whose expiry has no time zone, which only this project's assumption refuses.
    events, webhooks, renewal = (
        number_of(recorder, ending) for ending in ("/self/events", "/self/webhooks", "/renew")
    )
    listed_events = recorder.entries[events - 1]
    set_body(
        listed_events,
        [{k: v for k, v in e.items() if k != "state"} for e in body_of(listed_events)],
    )
    renewed = recorder.entries[renewal - 1]
    set_body(renewed, {**body_of(renewed), "expireAt": "2030-01-02T03:04:05"})
    page = recorder.entries[webhooks - 1]
    page["response"]["headers"] = [
        header for header in page["response"]["headers"] if header["name"] != "content-type"
    ] + [{"name": "content-type", "value": "text/html"}]
    page["response"]["content"] = {"text": "<html><body>Sign in</body></html>"}
    report = tmp_path / "report.md"
    result = replay(recorder.har(tmp_path / "vis.har"), base_url, "--report", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED list_events: response_schema_conformance:" in result.stdout
    assert "FAILED list_webhooks: content_type_conformance:" in result.stdout
    rows = vis_rows(result.stdout)
    assert rows["list_events"][1] == "response_schema_conformance"
    assert rows["renew_webhook"] == (1, "-")  # judged on vis.yaml without our assumptions
    assert re.search(
        r"\$\.expireAt in \w+ /self/webhooks/\{webhook_id\}/renew: '2030-01-02T03:04:05'"
        r" outside assumed pattern",
        result.stdout,
    ), result.stdout
    text = report.read_text()
    assert f"entry {events}:" in text and f"entry {webhooks}:" in text
