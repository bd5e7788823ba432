"""The sandbox as a process on this machine, on SQLite whatever `--sandbox-db` says (what it
writes to disk is the point): what it leaves behind when it stops."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import httpx
import pytest

from tests.conftest import STATIC_TOKENS, TOKEN
from vbc_sandbox.launch import SandboxProcess


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_workers_without_a_db_share_a_private_file_removed_when_the_sandbox_stops(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    # module= the entry point by another name: this test is about the file the sandbox
    # makes itself, so a --sandbox-db postgresql run must not give it a --db.
    sandbox = SandboxProcess(
        [*STATIC_TOKENS, "--workers", "2"], module="vbc_sandbox", env={"TMPDIR": str(tmp_path)}
    )
    with sandbox:
        assert sandbox.process is not None
        calls = f"{sandbox.base_url}/cc/accounts/1234/calls"
        assert httpx.get(calls, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        [folder] = tmp_path.iterdir()
        assert (folder / "state.db").is_file()
        # The journal is in there: only this user may open the folder.
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        os.killpg(sandbox.process.pid, stop_signal)
        assert sandbox.process.wait(timeout=30) == 0
    assert list(tmp_path.iterdir()) == [], sandbox.log[-2000:]
