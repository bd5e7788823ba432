"""Start `vbc-conformance proxy` in a child process on a free loopback port, read what it
prints as it prints it, and stop it as Ctrl-C would (tests and `bench/bench_proxy.py`)."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading

from vbc_spec import API_BASE_PATH


class ProxyProcess:
    """A running proxy; `origin` is where the application connects, `base_url` its API base.
    Its output (the first line, findings, the summary) is read on a thread as it comes."""

    def __init__(self, upstream: str, *extra: str) -> None:
        self.command = [
            sys.executable,
            "-m",
            "vbc_conformance.cli",
            "proxy",
            "--upstream",
            upstream,
            *extra,
        ]
        self.process: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self.read, name="vbc-proxy-output", daemon=True)
        self.origin = self.base_url = ""

    def start(self, timeout: float = 60.0) -> ProxyProcess:
        self.process = subprocess.Popen(  # noqa: S603 (our own module)
            self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.reader.start()
        first = self.lines.get(timeout=timeout)
        if "proxying " not in first:
            self.finished(timeout)
            raise RuntimeError(f"vbc-conformance proxy did not start: {''.join(self.output)}")
        self.origin = first.rsplit(" -> ", 1)[0].split("proxying ", 1)[1]
        self.base_url = self.origin + API_BASE_PATH
        return self

    def read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    def stop(self, timeout: float = 60.0) -> str:
        """SIGTERM, as a supervisor (or Ctrl-C) stops it; its whole output."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.finished(timeout)

    def finished(self, timeout: float = 60.0) -> str:
        """Its whole output, once it has ended (by itself: --max-requests, --duration)."""
        if self.process is None:
            return ""
        self.process.wait(timeout=timeout)
        self.reader.join(timeout=timeout)  # the pipe's end: all it printed has been read
        return "".join(self.output)

    def __enter__(self) -> ProxyProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.stop()
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
