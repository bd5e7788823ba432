"""The sandbox in a user's own test suite: the pytest plugin the wheel installs, used by a
suite with no conftest.py at all (run by pytester in its own process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

USERS_SUITE = """
import httpx
import pytest


def test_click_to_dial(vbc_client):
    call_id = vbc_client.calls.dial("15551234567", from_="1001")
    assert vbc_client.calls.get(call_id).status == "on-call"


def test_each_test_starts_from_the_seed(vbc_client):
    assert list(vbc_client.calls.list()) == []
    vbc_client.calls.dial("15551234567", from_="1002")


def test_another_account_sees_nothing_of_this_one(vbc_sandbox, vbc_client):
    call_id = vbc_client.calls.dial("15551234567", from_="1001")
    other = httpx.get(
        f"{vbc_sandbox.base_url}/cc/accounts/{vbc_sandbox.account_id}/calls/{call_id}",
        headers={"Authorization": f"Bearer {vbc_sandbox.other_token}"},
    )
    assert other.status_code == 404


@pytest.mark.vbc_sandbox(dialect="observed")
def test_the_observed_dialect_by_marker(vbc_sandbox, vbc_client):
    call_id = vbc_client.calls.dial("15551234567", from_="1001")  # found without an id
    raw = httpx.get(
        f"{vbc_sandbox.base_url}/cc/accounts/self/calls/{call_id}",
        headers={"Authorization": f"Bearer {vbc_sandbox.token}"},
    ).json()
    assert vbc_sandbox.dialect == "observed" and "leg_map" in raw


async def use(client):
    async with client:
        return [call async for call in client.calls.list()]


def test_the_async_client(vbc_async_client):
    import asyncio

    assert asyncio.run(use(vbc_async_client)) == []
"""


def test_a_users_suite_uses_the_sandbox_with_no_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_crm=USERS_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_the_dialect_option_applies_to_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_dialect="""
def test_observed(vbc_sandbox):
    assert vbc_sandbox.dialect == "observed"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--vbc-dialect", "observed")
    result.assert_outcomes(passed=1)


def test_reset_goes_back_to_the_seed_and_keeps_the_connection_usable() -> None:
    import httpx

    from tests.conftest import ADMIN, ALICE_LOGIN, STATIC_TOKENS, TOKEN
    from vbc_sandbox.launch import SandboxProcess

    dial = {
        "from": {"destination": "1001", "type": "extension"},
        "to": {"destination": "15551234567", "type": "pstn"},
    }
    with (
        SandboxProcess(STATIC_TOKENS) as sandbox,
        httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
    ):
        calls = f"{sandbox.base_url}/cc/accounts/1234/calls"
        http.post(calls, json=dial)
        issued = httpx.post(sandbox.origin + "/token", data=ALICE_LOGIN).json()["access_token"]
        # A Telephony token never reaches the control API.
        assert http.post(sandbox.origin + "/sandbox/reset").status_code == 401
        assert http.post(sandbox.origin + "/sandbox/reset", headers=ADMIN).status_code == 204
        # The same keep-alive connection goes on; the calls and the issued token are gone,
        # the static token and the seed stay.
        assert http.get(calls).json()["calls"] == []
        gone = httpx.get(calls, headers={"Authorization": f"Bearer {issued}"})
        assert gone.status_code == 401
        assert http.post(calls, json=dial).status_code == 200


BLOCK_SERVER_PARTS = """
import sys
# As in an environment with vbc-telephony but not its sandbox extra.
for name in ("connexion", "uvicorn", "starlette", "httptools"):
    sys.modules[name] = None
import pytest
sys.exit(pytest.main(["-p", "no:cacheprovider", *sys.argv[1:]]))
"""


def test_pytest_runs_where_the_sandbox_extra_is_missing_and_says_what_to_install(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_unrelated.py").write_text("def test_other():\n    assert True\n")
    (tmp_path / "test_wants_sandbox.py").write_text(
        "def test_dial(vbc_client):\n    pass\n", encoding="utf-8"
    )
    ran = subprocess.run(
        [sys.executable, "-c", BLOCK_SERVER_PARTS, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert "1 passed" in ran.stdout, ran.stdout + ran.stderr
    assert "pip install 'vbc-telephony[sandbox]'" in ran.stdout
    assert "Traceback" not in ran.stderr


def test_each_xdist_worker_gets_its_own_sandbox_and_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_parallel="""
import os
import pytest


@pytest.mark.parametrize("n", range(6))
def test_dial(vbc_sandbox, vbc_client, n):
    # Each test starts from the seed on its worker's own sandbox, whatever runs beside it.
    assert list(vbc_client.calls.list()) == []
    vbc_client.calls.dial("15551234567", from_="1001")
    worker = os.environ["PYTEST_XDIST_WORKER"]
    with open(f"{worker}-{n}.origin", "w") as out:
        out.write(vbc_sandbox.origin)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    origins: dict[str, set[str]] = {}
    for path in pytester.path.glob("*.origin"):
        origins.setdefault(path.name.split("-")[0], set()).add(path.read_text())
    assert len(origins) == 2 and all(len(found) == 1 for found in origins.values())
    assert len(set.union(*origins.values())) == 2


def test_a_sandbox_that_logs_far_more_than_a_pipe_holds_still_answers_the_next_reset() -> None:
    import socket

    from vbc_sandbox.testkit.plugin import Sandboxes

    sandboxes = Sandboxes()
    try:
        sandbox = sandboxes.get("documented", "process")
        assert sandbox.process is not None
        # Each malformed request logs a warning line: 3,000 of them are some 120 KiB, well
        # over the 64 KiB a pipe holds (the sandbox used to freeze once it was full).
        for _ in range(3000):
            with socket.create_connection(("127.0.0.1", sandbox.process.port), timeout=10) as sock:
                sock.sendall(b"NOT HTTP\r\n\r\n")
                assert sock.recv(100).startswith(b"HTTP/1.1 400")
        sandbox.reset()  # the next test's reset
        assert "Invalid HTTP request received" in sandbox.process.log
    finally:
        sandboxes.stop()


def test_a_childs_output_is_read_as_it_comes_and_only_its_end_kept() -> None:
    from vbc_sandbox.launch import OutputTail

    writes_a_megabyte = "import sys\nfor n in range(16384): sys.stderr.write(f'{n:063d}\\n')"
    child = subprocess.Popen([sys.executable, "-c", writes_a_megabyte], stderr=subprocess.PIPE)
    assert child.stderr is not None
    tail = OutputTail(child.stderr, limit=64 * 1024)
    assert child.wait(timeout=30) == 0  # never blocked on a full pipe
    kept = tail.finish()
    assert len(kept) == 64 * 1024 and kept.endswith(f"{16383:063d}\n")


def test_the_process_sandboxs_tokens_stay_out_of_the_process_list() -> None:
    from pathlib import Path

    from vbc_sandbox.testkit.plugin import Sandboxes

    sandboxes = Sandboxes()
    try:
        sandbox = sandboxes.get("documented", "process")
        assert sandbox.process is not None and sandbox.process.process is not None
        command_line = Path(f"/proc/{sandbox.process.process.pid}/cmdline").read_bytes()
        for secret in (sandbox.token, sandbox.other_token):
            assert secret.encode() not in command_line
        with sandbox.client() as client:  # the token still works, given through the environment
            assert client.calls.list().first_page() is not None
    finally:
        sandboxes.stop()
