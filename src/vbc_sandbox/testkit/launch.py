"""Start `vbc-sandbox` in a child process on a free loopback port, and stop it again."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import IO

import httpx

from vbc_spec import API_BASE_PATH

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class OutputTail:
    """A child's output read as it comes, on a thread, so the child never blocks on a full
    pipe (64 KiB of log: about 1,600 malformed requests); only the last `limit` bytes are
    kept, to show when something goes wrong."""

    def __init__(self, pipe: IO[bytes], limit: int = 256 * 1024) -> None:
        self.pipe = pipe
        self.limit = limit
        self.kept = bytearray()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.drain, name="vbc-sandbox-log", daemon=True)
        self.thread.start()

    def drain(self) -> None:
        with self.pipe:
            while chunk := os.read(self.pipe.fileno(), 65536):
                with self.lock:
                    self.kept += chunk
                    del self.kept[: -self.limit]

    def text(self) -> str:
        with self.lock:
            return self.kept.decode(errors="replace")

    def finish(self, timeout: float = 5.0) -> str:
        """All the child wrote, once it (and every process holding the pipe) has exited."""
        self.thread.join(timeout)
        return self.text()


class SandboxProcess:
    """A running sandbox; `base_url` is its API base, `origin` its root (for /token)."""

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        port: int | None = None,
        module: str = "vbc_sandbox.cli",
        env: dict[str, str] | None = None,
    ) -> None:
        self.module = module
        self.env = env or {}
        """Added to this process's environment (secrets, kept off the command line)."""
        self.port = port or free_port()
        self.args = [*args]
        self.origin = f"http://{LOOPBACK}:{self.port}"
        self.base_url = self.origin + API_BASE_PATH
        self.process: subprocess.Popen[bytes] | None = None
        self.output: OutputTail | None = None

    @property
    def log(self) -> str:
        """The end of what the sandbox wrote to stderr (its last 256 KiB), so far."""
        return self.output.text() if self.output else ""

    def start(self, timeout: float = 30.0) -> SandboxProcess:
        command = [
            sys.executable,
            "-m",
            self.module,
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
            [*command, *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, **self.env},
        )
        assert self.process.stderr is not None
        self.output = OutputTail(self.process.stderr)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.output.finish()
                raise RuntimeError(
                    f"vbc-sandbox exited with {self.process.returncode}: {error[-2000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.origin + "/sandbox/health", timeout=1).status_code == 200:
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"vbc-sandbox did not answer on port {self.port} within {timeout:.0f} s:"
            f" {self.log[-2000:]}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            # The whole session: with --workers the sandbox is a parent and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.output:
            self.output.finish()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running_sandbox(args: Sequence[str] = ()) -> Iterator[SandboxProcess]:
    with SandboxProcess(args) as sandbox:
        yield sandbox
