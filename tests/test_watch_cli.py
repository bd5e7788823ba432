"""`vbc calls watch` as a real process against a real sandbox process: NDJSON on stdout, a
line per event flushed as it happens, the state file saved on the way out, and Ctrl-C,
SIGTERM or a closed pipe ending it with status 0 and nothing on stderr."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.conftest import ACCOUNT, ADMIN, TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import Telephony

CUSTOMER = "15551234567"
WAIT = 30.0


@pytest.fixture
def control(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """The sandbox's control API, its clock frozen for the test and real again after."""
    with httpx.Client(base_url=sandbox.origin + "/sandbox", headers=ADMIN, timeout=30) as client:
        client.post("/reset").raise_for_status()
        client.post("/clock", json={"freeze": True}).raise_for_status()
        yield client
        client.post("/reset").raise_for_status()


@pytest.fixture
def api(sandbox: SandboxProcess) -> Iterator[Telephony]:
    with Telephony(account_id=ACCOUNT, token=TOKEN, base_url=sandbox.base_url) as client:
        yield client


class Lines:
    """A process's stdout read line by line on a thread, so a test waits with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self.read, args=(stream,), daemon=True).start()

    def read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def next(self) -> dict[str, Any]:
        line = self.lines.get(timeout=WAIT)
        assert line.endswith("\n")
        event: dict[str, Any] = json.loads(line)
        return event


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    """A test that fails mid-way leaves no watcher running."""
    yield
    for process in STARTED:
        if process.poll() is None:
            process.kill()
            process.communicate()
    STARTED.clear()


STARTED: list[subprocess.Popen[str]] = []


def vbc_watch(sandbox: SandboxProcess, *options: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "VBC_TOKEN": TOKEN,
        "VBC_ACCOUNT_ID": ACCOUNT,
        "VBC_BASE_URL": sandbox.base_url,
    }
    env.pop("VBC_LOG", None)
    env.pop("PYTHONUNBUFFERED", None)  # a pipe is block-buffered: each line must be flushed
    process = subprocess.Popen(
        [sys.executable, "-m", "vbc_telephony", "calls", "watch", "--interval", "0.05", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    STARTED.append(process)
    return process


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=WAIT)
    return process.returncode, stderr


def test_a_dialled_answered_and_hung_up_call_prints_started_changed_ended(
    sandbox: SandboxProcess, control: httpx.Client, api: Telephony, tmp_path: Path
) -> None:
    state_file = tmp_path / "watch.json"
    control.post(
        f"/accounts/{ACCOUNT}/outcomes",
        json={"target": CUSTOMER, "outcomes": [{"outcome": "answer_after", "seconds": 60}]},
    ).raise_for_status()
    call_id = api.calls.dial(CUSTOMER, from_="1001")
    process = vbc_watch(sandbox, "--state-file", str(state_file))
    assert process.stdout is not None
    lines = Lines(process.stdout)
    started = lines.next()
    assert (started["type"], started["call_id"], started["call"]["status"]) == (
        "started",
        call_id,
        "ringing",
    )
    assert set(started) == {"type", "call_id", "at", "call", "changes"}
    control.post("/clock", json={"advance": 60}).raise_for_status()
    changed = lines.next()
    assert (changed["type"], changed["call"]["status"]) == ("changed", "on-call")
    assert changed["changes"][0] == {
        "what": "status",
        "leg_id": None,
        "before": "ringing",
        "after": "on-call",
    }
    api.calls.hangup(call_id)
    ended = lines.next()
    assert (ended["type"], ended["call_id"]) == ("ended", call_id)
    process.send_signal(signal.SIGINT)
    assert finished(process) == (0, "")
    saved = json.loads(state_file.read_text())
    assert saved["calls"] == [] and saved["ended"] == [call_id]
    assert state_file.stat().st_mode & 0o077 == 0  # it holds phone numbers


def test_a_restart_from_the_state_file_reports_only_what_changed_meanwhile(
    sandbox: SandboxProcess, control: httpx.Client, api: Telephony, tmp_path: Path
) -> None:
    state_file = tmp_path / "watch.json"
    kept, ending = api.calls.dial(CUSTOMER, from_="1001"), api.calls.dial(CUSTOMER, from_="1002")
    process = vbc_watch(sandbox, "--state-file", str(state_file))
    assert process.stdout is not None
    lines = Lines(process.stdout)
    assert {lines.next()["call_id"], lines.next()["call_id"]} == {kept, ending}
    process.send_signal(signal.SIGTERM)  # as a service manager stops it
    assert finished(process) == (0, "")
    api.calls.hangup(ending)
    later = api.calls.dial(CUSTOMER, from_="1003")
    process = vbc_watch(sandbox, "--state-file", str(state_file))
    assert process.stdout is not None
    lines = Lines(process.stdout)
    first, second = lines.next(), lines.next()
    assert [(first["type"], first["call_id"]), (second["type"], second["call_id"])] == [
        ("started", later),
        ("ended", ending),
    ]
    process.send_signal(signal.SIGINT)
    assert finished(process) == (0, "")


def test_a_closed_pipe_ends_it_quietly_and_the_unread_event_is_reported_again(
    sandbox: SandboxProcess, control: httpx.Client, api: Telephony, tmp_path: Path
) -> None:
    """`vbc calls watch | head -1`: the reader leaves after one line."""
    state_file = tmp_path / "watch.json"
    first_call = api.calls.dial(CUSTOMER, from_="1001")
    process = vbc_watch(sandbox, "--state-file", str(state_file))
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["call_id"] == first_call
    process.stdout.close()
    second_call = api.calls.dial(CUSTOMER, from_="1002")
    assert finished(process) == (0, "")
    # The second call's `started` could not be written: the state does not count it.
    process = vbc_watch(sandbox, "--state-file", str(state_file))
    assert process.stdout is not None
    again = Lines(process.stdout).next()
    assert (again["type"], again["call_id"]) == ("started", second_call)
    process.send_signal(signal.SIGINT)
    assert finished(process) == (0, "")


@pytest.mark.parametrize(
    ("options", "state", "message"),
    [
        (["--interval", "nan"], None, "interval must be a finite number"),
        ([], "not json", "not a watcher's state"),
        ([], json.dumps({"version": 1, "account_id": "9", "extension": None}), "account '9'"),
    ],
)
def test_a_bad_option_or_state_file_is_one_line_and_status_2(
    sandbox: SandboxProcess,
    tmp_path: Path,
    options: list[str],
    state: str | None,
    message: str,
) -> None:
    state_file = tmp_path / "watch.json"
    if state is not None:
        state_file.write_text(state)
    process = vbc_watch(sandbox, *options, "--state-file", str(state_file))
    code, stderr = finished(process)
    assert code == 2
    assert stderr.count("\n") == 1 and message in stderr and "Traceback" not in stderr
    if state is not None:
        assert state_file.read_text() == state  # a bad state file is left as it was


def test_ctrl_c_stops_it_even_when_the_parent_left_sigint_ignored(
    sandbox: SandboxProcess, api: Telephony, tmp_path: Path
) -> None:
    """Started by a parent that ignores SIGINT (a shell script's background job, some
    supervisors), Python keeps ignoring it: the documented Ctrl-C must still stop it."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = vbc_watch(sandbox, "--state-file", str(tmp_path / "watch.json"))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert process.stdout is not None
    call_id = api.calls.dial(CUSTOMER, from_="1001")
    assert Lines(process.stdout).next()["call_id"] == call_id  # it is watching
    process.send_signal(signal.SIGINT)
    assert finished(process) == (0, "")
