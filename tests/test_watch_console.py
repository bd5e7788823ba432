"""The console shows each call's events as `calls.watch()` reports them: its feed
(/console/api/watch) runs the watcher's own diff on the sandbox's state, so a watcher and
the console tell the same story, and the page lists them (in a real browser)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import ACCOUNT, STATIC_TOKENS, TOKEN
from tests.test_browser import browser, wait  # noqa: F401 (the browser fixture)
from tests.test_watch_cli import control  # noqa: F401 (the frozen sandbox's control API)
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import Telephony

CALLER = "15557654321"
WAIT = 30.0


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess([*STATIC_TOKENS, "--dialect", "observed"]) as running:
        yield running


class Feed:
    """The console's watch feed, its server-sent events read on a thread."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.http = httpx.Client(timeout=httpx.Timeout(10.0, read=120.0))
        self.answer = self.http.send(
            self.http.build_request(
                "GET",
                sandbox.origin + "/console/api/watch",
                headers={"Authorization": f"Bearer {TOKEN}"},
            ),
            stream=True,
        )
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        try:
            for line in self.answer.iter_lines():
                if line.startswith("data: "):
                    for event in json.loads(line[6:]):  # the events of one look
                        self.events.put(event)
        except httpx.HTTPError:
            pass  # closed by the test

    def next(self) -> dict[str, Any]:
        return self.events.get(timeout=WAIT)

    def close(self) -> None:
        self.answer.close()
        self.http.close()


def receptionist(admin: httpx.Client, seconds: float) -> None:
    """1002 answers, then passes the call on to 1003 `seconds` later."""
    admin.post(
        f"/accounts/{ACCOUNT}/outcomes",
        json={
            "target": "1002",
            "outcomes": [{"outcome": "transfer_after", "seconds": seconds, "to": "1003"}],
        },
    ).raise_for_status()


def without_time(event: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in event.items() if key != "at"}


def test_the_console_feed_reports_what_a_watcher_reports(
    sandbox: SandboxProcess,
    control: httpx.Client,  # noqa: F811 (the fixture imported above)
) -> None:
    receptionist(control, 6)
    feed = Feed(sandbox)
    try:
        with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
            watcher = client.calls.watch()
            call_id = control.post(
                f"/accounts/{ACCOUNT}/inbound-calls", json={"from": CALLER, "to": "1002"}
            ).json()["call_id"]
            shown = [feed.next()]
            seen = [event.to_dict() for event in watcher.look()]
            control.post("/clock", json={"advance": 6}).raise_for_status()  # the transfer
            shown.append(feed.next())
            seen += [event.to_dict() for event in watcher.look()]
            client.calls.hangup(call_id)
            shown.append(feed.next())
            seen += [event.to_dict() for event in watcher.look()]
    finally:
        feed.close()
    assert [(e["type"], e["call_id"]) for e in shown] == [
        ("started", call_id),
        ("changed", call_id),
        ("ended", call_id),
    ]
    assert "transfer" in [change["what"] for change in shown[1]["changes"]]
    assert [without_time(e) for e in shown] == [without_time(e) for e in seen]


def test_a_transfer_by_the_clock_reaches_the_feed_when_it_falls_due(
    sandbox: SandboxProcess,
    control: httpx.Client,  # noqa: F811
) -> None:
    """With the clock running and nobody acting, the feed wakes when the transfer is due."""
    control.post("/clock", json={"freeze": False}).raise_for_status()
    receptionist(control, 1)
    feed = Feed(sandbox)
    try:
        control.post(
            f"/accounts/{ACCOUNT}/inbound-calls", json={"from": CALLER, "to": "1002"}
        ).raise_for_status()
        assert feed.next()["type"] == "started"
        changed = feed.next()
    finally:
        feed.close()
    assert "transfer" in [change["what"] for change in changed["changes"]]


def test_the_watch_feed_takes_only_a_valid_token_in_a_header(sandbox: SandboxProcess) -> None:
    path = f"{sandbox.origin}/console/api/watch"
    assert httpx.get(path, params={"access_token": TOKEN}).status_code == 401
    assert httpx.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_console_page_lists_the_events(
    browser: WebDriver,  # noqa: F811 (the fixture imported above)
    sandbox: SandboxProcess,
    control: httpx.Client,  # noqa: F811
) -> None:
    browser.execute_script("sessionStorage.clear()")
    browser.get(sandbox.origin + "/console/")
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    call_id = control.post(
        f"/accounts/{ACCOUNT}/inbound-calls", json={"from": CALLER, "to": "1002"}
    ).json()["call_id"]
    started = f'#watch-events li[data-type="started"][data-call="{call_id}"]'
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, started))
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
        client.calls.hangup(call_id)
    ended = f'#watch-events li[data-type="ended"][data-call="{call_id}"]'
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ended))
    assert "ringing" in browser.find_element(By.CSS_SELECTOR, started).text
