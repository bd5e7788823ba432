"""Read what a run recorded (schemathesis' ndjson events, our drift events) and say it:
a per-operation summary for the terminal, a markdown or HTML report with every failure."""

from __future__ import annotations

import base64
import json
import platform
import re
import shlex
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs
import jinja2

from vbc_conformance.apis import TELEPHONY
from vbc_conformance.drift import operation_id_of

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("vbc_conformance", "."),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
TOKEN_FOR_SHELL = '"Authorization: Bearer $VBC_TOKEN"'  # noqa: S105 (a placeholder)


@attrs.frozen
class Failure:
    operation: str
    check: str
    title: str
    message: str
    curl: str


EXIT_CONFORMS, EXIT_NONCONFORMING, EXIT_INCOMPLETE = 0, 1, 2


@attrs.define
class Outcome:
    seed: int | None = None
    cases: Counter[str] = attrs.field(factory=Counter)
    failed_checks: dict[str, set[str]] = attrs.field(factory=lambda: defaultdict(set))
    failures: list[Failure] = attrs.field(factory=list)
    drift: Counter[tuple[str, str, str, str]] = attrs.field(factory=Counter)
    operations: list[str] = attrs.field(factory=list)
    #: (dialect, kind, what) -> times seen; see drift.Form.
    forms: Counter[tuple[str, str, str]] = attrs.field(factory=Counter)
    #: (operation, where, keyword, value) -> times seen; see drift.Advisory.
    advisories: Counter[tuple[str, str, str, str]] = attrs.field(factory=Counter)
    #: (label, error type, message) -> times: requests that got no answer to judge (a timeout,
    #: a refused connection), which are not check failures.
    errors: Counter[tuple[str, str, str]] = attrs.field(factory=Counter)
    #: operationId -> the API it is of (Telephony, VIS), for each operation listed.
    apis: dict[str, str] = attrs.field(factory=dict)

    def add_api(self, name: str, document: dict[str, Any]) -> None:
        """List the operations of an API's spec, in its order, under its name."""
        for operation in labels_of(document):
            self.operations.append(operation)
            self.apis[operation] = name

    @property
    def total_cases(self) -> int:
        return sum(self.cases.values())

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0 conforms; 1 a check failed; 2 no check failed but some requests got no answer
        to judge, so conformance is not known."""
        if self.failures:
            return EXIT_NONCONFORMING
        return EXIT_INCOMPLETE if self.errors else EXIT_CONFORMS

    @property
    def verdict(self) -> str:
        if self.failures:
            return f"{len(self.failures)} distinct failure(s), exit 1"
        if self.errors:
            return (
                f"incomplete: no check failed, but {sum(self.errors.values())} request(s) got"
                " no answer to judge (listed below), exit 2"
            )
        return "conforms"

    def dialect(self) -> str:
        """Which form of the API the target speaks, judged by the fields and answers only one
        form has, with what showed it."""
        shown: dict[str, list[str]] = {"documented": [], "observed": []}
        for dialect, kind, what in sorted(self.forms):
            shown.setdefault(dialect, []).append(what if kind != "value" else f"({what})")
        telling = {dialect for dialect, kind, _ in self.forms if kind != "value"}
        name = (
            "mixed"
            if len(telling) > 1
            else next(iter(telling), "unknown (no call was seen in a successful answer)")
        )
        parts = [f"{d}: {', '.join(items)}" for d, items in shown.items() if items]
        return f"{name}" + (f" ({'; '.join(parts)})" if parts else "")

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(API, operation, cases, failed checks or "-"): the specs' operations in their
        order, then anything else the run recorded."""
        others = sorted(set(self.cases) - set(self.operations))
        return [
            (
                self.apis.get(op, "-"),
                op,
                self.cases.get(op, 0),
                ", ".join(sorted(self.failed_checks.get(op, ()))) or "-",
            )
            for op in self.operations + others
        ]


def read(document: dict[str, Any], ndjson: Path, drift_events: Path | None) -> Outcome:
    outcome = Outcome()
    outcome.add_api(TELEPHONY.name, document)
    seen: set[tuple[str, str, str]] = set()
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if "Initialize" in event:
            outcome.seed = event["Initialize"].get("seed")
        read_error(event, outcome)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        cases = recorder.get("cases", {})
        interactions = recorder.get("interactions", {})
        for case_id, checks in recorder.get("checks", {}).items():
            label = cases.get(case_id, {}).get("value", {})
            operation = operation_of(document, label, recorder["label"])
            outcome.cases[operation] += 1
            for check in checks:
                info = check.get("failure_info")
                if check.get("status") != "failure" or not info:
                    continue
                failure = info["failure"]
                key = (operation, check["name"], failure.get("title", ""))
                outcome.failed_checks[operation].add(check["name"])
                if key in seen:
                    continue
                seen.add(key)
                outcome.failures.append(
                    Failure(
                        operation=operation,
                        check=check["name"],
                        title=failure.get("title", ""),
                        message=failure.get("message", ""),
                        curl=reproduction(
                            interactions,
                            failure.get("case_id") or case_id,
                            stateful=finished.get("phase") == "stateful",
                        ),
                    )
                )
    if drift_events:
        read_events(drift_events, outcome)
    return outcome


def read_events(drift_events: Path, outcome: Outcome) -> None:
    """Add what the hooks recorded (drift, dialect forms, advisories) to `outcome`."""
    if drift_events.exists():
        for line in drift_events.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event["event"] == "drift":
                drifted = (event["kind"], event["value"], event["where"], event["operation"])
                outcome.drift[drifted] += 1
            elif event["event"] == "form":
                outcome.forms[(event["dialect"], event["kind"], event["what"])] += 1
            elif event["event"] == "advisory":
                beyond = (event["operation"], event["where"], event["keyword"], event["value"])
                outcome.advisories[beyond] += 1


def read_error(event: dict[str, Any], outcome: Outcome) -> None:
    """Count a schemathesis error event (not a check failure) under its operation."""
    error = event.get("NonFatalError") or event.get("FatalError")
    if not error:
        return
    value = error.get("value") or {}
    message = str(value.get("message", "")).splitlines()[0][:200] if value.get("message") else ""
    outcome.errors[(error.get("label") or "run", value.get("type", "error"), message)] += 1


def curl(request: dict[str, Any]) -> str:
    """A shell command sending this recorded request, with the token left to the shell."""
    parts = ["curl", "-X", request["method"]]
    for name, values in sorted(request.get("headers", {}).items()):
        if name.lower() == "authorization":
            parts.append(f"-H {TOKEN_FOR_SHELL}")
            continue
        for value in values:
            parts.append(f"-H {shlex.quote(f'{name}: {value}')}")
    body = request.get("body")
    if body and "$base64" in body:
        sent = base64.b64decode(body["$base64"]).decode("utf-8", "replace")
        parts.append(f"--data-binary {shlex.quote(sent)}")
    parts.append(shlex.quote(request["uri"]))
    return " ".join(parts)


def reproduction(interactions: dict[str, Any], case_id: str, stateful: bool) -> str:
    """The failing request; in a stateful scenario, preceded by the requests that led to it."""
    if not stateful:
        interaction = interactions.get(case_id)
        return curl(interaction["request"]) if interaction else ""
    ordered = sorted(interactions.items(), key=lambda item: item[1].get("timestamp", 0))
    steps: list[str] = []
    for recorded_id, interaction in ordered:
        steps.append(curl(interaction["request"]))
        if recorded_id == case_id:
            break
    return "\n".join(steps)


def operation_of(document: dict[str, Any], case: dict[str, Any], scenario_label: str) -> str:
    """The operationId a recorded case called (stateful scenarios span several); a probe
    with an undeclared method counts toward the operation it was derived from."""
    method, path = case.get("method"), case.get("path")
    for label in (f"{method} {path}", scenario_label):
        try:
            return operation_id_of(document, label)
        except KeyError:
            continue
    return scenario_label


def summary(outcome: Outcome, seconds: float) -> str:
    rows = outcome.rows()
    width = max(len(op) for _, op, _, _ in rows)
    lines = [f"{'operation':<{width}}  {'cases':>6}  failed checks"]
    for number, (api, op, cases, failed) in enumerate(rows):
        if number == 0 or rows[number - 1][0] != api:
            lines.append(f"{api}:")  # the API the operations below are of
        lines.append(f"{op:<{width}}  {cases:>6}  {failed}")
    rate = outcome.total_cases / seconds if seconds > 0 else 0.0
    timing = f"{outcome.total_cases} cases in {seconds:.1f} s ({rate:.0f} cases/s)"
    lines.append(f"\n{timing}, seed {outcome.seed}: {outcome.verdict}")
    lines.append(f"dialect: {outcome.dialect()}")
    for (label, kind, message), count in sorted(outcome.errors.items()):
        lines.append(f"  error in {label}: {kind}: {message} (x{count})")
    if outcome.advisories:
        lines.append(
            f"advisories: {len(outcome.advisories)} value(s) outside limits that are only this"
            " project's assumptions (not failures)"
        )
        for (operation, where, keyword, value), count in sorted(outcome.advisories.items()):
            lines.append(f"  {where} in {operation}: {value} outside assumed {keyword} (x{count})")
    if outcome.drift:
        lines.append(f"drift: {len(outcome.drift)} thing(s) seen that the spec does not describe")
        for (kind, value, where, operation), count in sorted(outcome.drift.items()):
            lines.append(f"  {kind} {value} at {where} in {operation} (x{count})")
    return "\n".join(lines)


def markdown(outcome: Outcome, target: str, seconds: float) -> str:
    out = [
        "# Conformance report",
        "",
        f"Target: `{target}`  ",
        f"Seed: `{outcome.seed}` (run again with `--seed {outcome.seed}` to reproduce)  ",
        f"Cases: {outcome.total_cases} in {seconds:.1f} s",
        "",
        "## Summary",
        "",
        "| api | operation | cases | failed checks |",
        "|---|---|---:|---|",
    ]
    for api, op, cases, failed in outcome.rows():
        out.append(f"| {api} | `{op}` | {cases} | {failed} |")
    out += ["", f"## Failures ({len(outcome.failures)})", ""]
    if not outcome.failures:
        out += ["None: every response conformed to its spec.", ""]
    for number, failure in enumerate(outcome.failures, 1):
        out += [
            f"### {number}. `{failure.operation}`: {failure.check}",
            "",
            f"**{failure.title}**",
            "",
            "```",
            failure.message.strip(),
            "```",
            "",
            "Reproduce (with `VBC_TOKEN` set to your access token):",
            "",
            "```sh",
            failure.curl,
            "```",
            "",
        ]
    out += ["## Dialect", "", outcome.dialect(), ""]
    if outcome.errors:
        out += ["## Errors (requests with no answer to judge)", ""]
        out += ["| operation | error | message | times |", "|---|---|---|---:|"]
        for (label, kind, message), count in sorted(outcome.errors.items()):
            out.append(f"| `{label}` | {kind} | {message} | {count} |")
        out.append("")
    out += ["## Advisories (this project's assumptions, not failures)", ""]
    if not outcome.advisories:
        out += ["None.", ""]
    else:
        out += ["| operation | where | assumed | value | times |", "|---|---|---|---|---:|"]
        for (operation, where, keyword, value), count in sorted(outcome.advisories.items()):
            out.append(f"| `{operation}` | `{where}` | {keyword} | `{value}` | {count} |")
        out.append("")
    out += ["## Drift", ""]
    if not outcome.drift:
        out.append("Nothing seen that the spec does not describe.")
    else:
        out += ["| kind | value | where | operation | times |", "|---|---|---|---|---:|"]
        for (kind, value, where, operation), count in sorted(outcome.drift.items()):
            out.append(f"| {kind} | `{value}` | `{where}` | `{operation}` | {count} |")
    return "\n".join(out) + "\n"


def html_page(outcome: Outcome, target: str, seconds: float) -> str:
    """The report as a page: failures grouped per operation and check, each with its curl."""
    grouped: dict[str, dict[str, list[Failure]]] = {}
    for failure in outcome.failures:
        grouped.setdefault(failure.operation, {}).setdefault(failure.check, []).append(failure)
    return TEMPLATES.get_template("report.html.jinja").render(
        outcome=outcome, target=target, seconds=seconds, grouped=grouped
    )


#: Characters XML 1.0 forbids even as references (a body may carry them).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def junit(outcome: Outcome, labels: dict[str, str], seconds: float) -> str:
    """Judged traffic as JUnit XML, in the shape schemathesis gives a generated run's: a test
    case per operation met (named by its label, `GET /path`), a failure naming the checks
    that failed with every failure's text, and an error per kind of exchange not judged.
    `labels` maps operationIds to labels."""
    cases: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for operation, count in outcome.cases.items():
        if count:
            cases.setdefault(labels.get(operation, operation), {"failure": [], "error": []})
    for failure in outcome.failures:
        text = "\n\n".join((failure.title, failure.message, failure.curl))
        name = labels.get(failure.operation, failure.operation)
        cases.setdefault(name, {"failure": [], "error": []})["failure"].append(
            (failure.check, text)
        )
    for (label, kind, message), count in sorted(outcome.errors.items()):
        cases.setdefault(label, {"failure": [], "error": []})["error"].append(
            (f"{kind}: {message}", f"{kind}: {message} (x{count})")
        )
    failing = sum(1 for found in cases.values() if found["failure"])
    erring = sum(1 for found in cases.values() if found["error"])
    counts = {
        "errors": str(erring),
        "failures": str(failing),
        "skipped": "0",
        "tests": str(len(cases)),
        "time": f"{seconds:.6f}",
    }
    suites = ElementTree.Element("testsuites", counts)
    suite = ElementTree.SubElement(
        suites, "testsuite", {"name": "vbc-conformance", "hostname": platform.node(), **counts}
    )
    for name, found in sorted(cases.items()):
        case = ElementTree.SubElement(suite, "testcase", {"name": name, "time": "0.000000"})
        for kind, outcomes in found.items():
            if outcomes:
                message = ", ".join(sorted({title for title, _ in outcomes}))
                element = ElementTree.SubElement(
                    case, kind, {"type": kind, "message": XML_ILLEGAL.sub("?", message)}
                )
                element.text = XML_ILLEGAL.sub("?", "\n\n".join(text for _, text in outcomes))
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        suites, encoding="unicode"
    )


def labels_of(document: dict[str, Any]) -> dict[str, str]:
    """operationId -> its label as schemathesis names it (`GET /cc/accounts/{account_id}/calls`)."""
    return {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }
