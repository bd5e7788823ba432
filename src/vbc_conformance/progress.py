"""Lines that say how a run is going while schemathesis works: each phase as it starts and
ends, and each operation's cases as its scenario ends, read from the NDJSON report that
schemathesis flushes event by event."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from vbc_conformance.drift import operation_id_of

#: The phases that send test cases; schemathesis' own set-up phases are not worth a line.
TESTING = {"examples", "coverage", "fuzzing", "stateful"}


def phase_name(event: dict[str, Any]) -> str:
    phase = event.get("phase")
    if isinstance(phase, dict):
        return str(phase.get("name", "?"))
    return str(phase)


class Progress:
    """Follows the NDJSON files in `folder` on a thread until `stop()`."""

    def __init__(self, document: dict[str, Any], folder: Path, out: TextIO) -> None:
        self.document, self.folder, self.out = document, folder, out
        self.offset, self.partial = 0, b""
        self.started: dict[str, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.follow, daemon=True)

    def __enter__(self) -> Progress:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join(timeout=5)
        self.read()  # what was written after the last look

    def follow(self) -> None:
        while not self.done.wait(0.2):
            self.read()

    def read(self) -> None:
        if self.done.is_set() and self.thread.is_alive():
            return
        report = next(self.folder.glob("*.ndjson"), None)
        if report is None:
            return
        with report.open("rb") as stream:
            stream.seek(self.offset)
            chunk = stream.read()
        self.offset += len(chunk)
        *lines, self.partial = (self.partial + chunk).split(b"\n")
        for line in lines:
            if line.strip():
                self.show(json.loads(line))

    def say(self, text: str) -> None:
        try:
            print(text, file=self.out, flush=True)
        except (BrokenPipeError, ValueError):  # the reader went away (`| head`): stop saying
            self.done.set()

    def show(self, event: dict[str, Any]) -> None:
        if "PhaseStarted" in event:
            name = phase_name(event["PhaseStarted"])
            self.started[name] = time.monotonic()
            if name in TESTING:
                self.say(f"  {name} phase ...")
        elif "PhaseFinished" in event:
            name = phase_name(event["PhaseFinished"])
            if name not in TESTING:
                return
            took = time.monotonic() - self.started.get(name, time.monotonic())
            self.say(f"  {name} phase done in {took:.1f} s")
        elif "ScenarioFinished" in event:
            finished = event["ScenarioFinished"]
            recorder = finished.get("recorder", {})
            label = recorder.get("label", "")
            try:
                operation = operation_id_of(self.document, label)
            except KeyError:
                operation = label or "scenario"
            failed = sum(
                1
                for checks in recorder.get("checks", {}).values()
                for check in checks
                if check.get("status") == "failure"
            )
            cases = len(recorder.get("cases", {}))
            flag = f", {failed} failing check(s)" if failed else ""
            self.say(f"    {operation}: {cases} case(s){flag}")
