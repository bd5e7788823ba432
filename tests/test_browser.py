"""The sandbox's pages and the documentation site in a real browser: Debian's headless
chromium, driven by its chromedriver (installed by `make browser-deps`). Screenshots go to
reports/screenshots, the site's to build/docs-site.png."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ACCOUNT, ADMIN, STATIC_TOKENS, TOKEN
from tests.docs_site import build_site
from vbc_conformance.report import Failure, Outcome, html_page
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import Telephony

# Selenium must not look for drivers or browsers on the network: Debian's are on PATH.
os.environ.setdefault("SE_OFFLINE", "true")
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "reports" / "screenshots"
#: The documentation site with its search open, for a person to look at.
DOCS_SCREENSHOT = ROOT / "build" / "docs-site.png"
WAIT = 10  # seconds a page may take to show what is expected


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="vbc-chromium-")
    # Headless, and no background traffic: this machine reaches nothing but loopback.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    # The console's messages (CSP violations among them), for policy_violations().
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess([*STATIC_TOKENS, "--ring-delay", "60"]) as running:
        yield running


def policy_violations(driver: WebDriver) -> list[str]:
    """What the browser refused under the page's Content-Security-Policy since last asked,
    and the script errors it logged."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Uncaught" in entry["message"]
    ]


def wait(driver: WebDriver) -> WebDriverWait[WebDriver]:
    # The console redraws as snapshots arrive: an element found a moment ago may be gone.
    return WebDriverWait(driver, WAIT, ignored_exceptions=[StaleElementReferenceException])


def phone_state(driver: WebDriver, extension: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, f'[data-phone="{extension}"]')
    return found[0].get_attribute("data-state") or "" if found else ""


def test_the_console_shows_an_inbound_call_ringing_and_a_click_answers_it(
    browser: WebDriver, sandbox: SandboxProcess
) -> None:
    policy_violations(browser)  # what earlier pages logged
    browser.get(sandbox.origin + "/console/")
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait(browser).until(lambda d: phone_state(d, "1002") == "idle")
    phones = [
        p.get_attribute("data-phone") for p in browser.find_elements(By.CSS_SELECTOR, ".phone")
    ]
    assert phones == ["1001", "1002", "1003", "1234"]  # the seeded extensions

    # An outside caller rings 1002, through the control API, not the page.
    ringing = httpx.post(
        f"{sandbox.origin}/sandbox/accounts/{ACCOUNT}/inbound-calls",
        json={"from": "15557654321", "to": "1002"},
        headers=ADMIN,
    ).json()
    wait(browser).until(lambda d: phone_state(d, "1002") == "ringing")
    browser.save_screenshot(str(SCREENSHOTS / "console-ringing.png"))

    # Found afresh until a click lands (see wait()).
    answer = (
        f'[data-call="{ringing["call_id"]}"] [data-status="ringing"] [data-action="answer-leg"]'
    )
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, answer).click() or True)
    wait(browser).until(lambda d: phone_state(d, "1002") == "on a call")
    browser.save_screenshot(str(SCREENSHOTS / "console-answered.png"))
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
        assert client.calls.get(ringing["call_id"]).status == "on-call"  # the API agrees

        # A call placed elsewhere (as `vbc calls dial` does) shows up by itself.
        dialled = client.calls.dial("15551234567", from_="1003")
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-call="{dialled}"]'))
    assert "ringing" in phone_state(browser, "1003")
    timeline = browser.find_element(
        By.CSS_SELECTOR, f'[data-call="{ringing["call_id"]}"] .timeline'
    )
    assert "ringing" in timeline.text and "on-call" in timeline.text
    # All of it under the page's security headers, which the browser did enforce.
    assert policy_violations(browser) == []
    assert browser.execute_script("return window.self === window.top")


def test_the_console_refuses_a_token_that_is_not_valid(
    browser: WebDriver, sandbox: SandboxProcess
) -> None:
    browser.execute_script("sessionStorage.clear()")
    browser.get(sandbox.origin + "/console/")
    browser.find_element(By.ID, "token").send_keys("not-a-token")
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait(browser).until(lambda d: "not valid" in d.find_element(By.ID, "status").text)
    assert browser.find_element(By.TAG_NAME, "main").get_attribute("hidden") is not None


def test_docs_renders_every_operation_of_the_spec_it_serves(
    browser: WebDriver, sandbox: SandboxProcess
) -> None:
    policy_violations(browser)
    browser.get(sandbox.origin + "/docs")
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == 11)
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/cc/accounts/{account_id}/calls/{call_id}/legs/{leg_id}" in {
        p.replace("\u200b", "") for p in paths
    }
    browser.save_screenshot(str(SCREENSHOTS / "docs.png"))
    # "Try it out" reaches the sandbox: list the calls of the example account (1234).
    browser.find_element(By.CSS_SELECTOR, ".authorize").click()
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, ".modal-ux input"))
    browser.find_element(By.CSS_SELECTOR, ".modal-ux input").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, ".modal-ux .auth-btn-wrapper .authorize").click()
    browser.find_element(By.CSS_SELECTOR, ".modal-ux .btn-done").click()
    listing = browser.find_element(By.ID, "operations-Call-list_calls")
    listing.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait(browser).until(lambda d: listing.find_element(By.CSS_SELECTOR, ".try-out__btn")).click()
    listing.find_element(By.CSS_SELECTOR, ".execute").click()
    wait(browser).until(
        lambda d: listing.find_elements(
            By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"
        )
    )
    status = listing.find_element(
        By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"
    )
    assert status.text.strip() == "200"
    assert policy_violations(browser) == []


def test_the_browser_runs_no_injected_script_in_the_pages_and_no_site_frames_them(
    browser: WebDriver, sandbox: SandboxProcess, tmp_path: Path
) -> None:
    inject = (
        "const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.append(s); return window.injected === 1"
    )
    for page in ("/console/", "/docs", "/"):
        browser.get(sandbox.origin + page)
        policy_violations(browser)
        assert browser.execute_script(inject) is False, page
        assert any("Content Security Policy" in m for m in policy_violations(browser)), page
    framing = tmp_path / "framing.html"
    framing.write_text(f'<iframe src="{sandbox.origin}/console/"></iframe>')
    browser.get(framing.as_uri())
    wait(browser).until(
        lambda d: any("frame-ancestors" in message for message in policy_violations(d))
    )


def test_make_docs_writes_the_same_reference_as_a_page_that_works_from_a_file(
    browser: WebDriver, tmp_path: Path
) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs.py"), str(tmp_path)], check=True, timeout=60
    )
    browser.get((tmp_path / "index.html").as_uri())
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == 11)


def test_the_html_report_reads_as_a_page(browser: WebDriver, tmp_path: Path) -> None:
    outcome = Outcome(seed=3, operations=["get_call"])
    outcome.cases["get_call"] = 5
    outcome.failures.append(
        Failure("get_call", "not_a_server_error", "Server error", "500", "curl x")
    )
    page = tmp_path / "report.html"
    page.write_text(html_page(outcome, "http://127.0.0.1:1", 2.0))
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "h3").text == "get_call"
    assert browser.find_element(By.CSS_SELECTOR, ".verdict").text == "1 distinct failure(s), exit 1"
    browser.save_screenshot(str(SCREENSHOTS / "report.png"))


def test_the_live_feed_takes_the_token_only_in_a_header(sandbox: SandboxProcess) -> None:
    # A token in a URL ends up in access logs: the page sends it in a header, and the
    # sandbox accepts it nowhere else.
    in_url = httpx.get(f"{sandbox.origin}/console/api/state", params={"access_token": TOKEN})
    assert in_url.status_code == 401
    in_header = httpx.get(
        f"{sandbox.origin}/console/api/state", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert in_header.status_code == 200 and in_header.json()["account_id"] == ACCOUNT


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[str]:
    """The site built as `make docs` does, served on a loopback port (search's web worker
    cannot start from file://): its origin."""
    built = build_site(tmp_path)
    assert built.returncode == 0, built.stderr
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_documentation_site_reads_navigates_and_searches_offline(
    browser: WebDriver, served_site: str
) -> None:
    # The site loads nothing from the network: this machine reaches only loopback, so a
    # font or script from a CDN would show as a failed load in the browser's log.
    browser.get_log("browser")
    browser.get(f"{served_site}/index.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "vbc-telephony"
    browser.find_element(By.LINK_TEXT, "Follow calls as they change").click()
    wait(browser).until(lambda d: d.current_url.endswith("guides/watch.html"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Follow calls as they change"
    search = browser.find_element(By.CSS_SELECTOR, "input[data-md-component='search-query']")
    search.click()
    search.send_keys("RunningSandbox")
    wait(browser).until(
        lambda d: any(
            "reference/test-kit.html" in (link.get_attribute("href") or "")
            for link in d.find_elements(By.CSS_SELECTOR, ".md-search-result__link")
        )
    )
    DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(DOCS_SCREENSHOT))
    assert [entry["message"] for entry in browser.get_log("browser")] == []
