"""What `vbc-conformance webhooks` found, said: a line per case, the summary and exit code,
and the reports (.md, .html, JUnit XML) with each failure and the receiver's answer."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from vbc_conformance.webhooks import Result

EXIT_OK, EXIT_FAILED, EXIT_INCOMPLETE = 0, 1, 2


def line(result: Result) -> str:
    said = "; ".join(answer.said() for answer in result.answers)
    if result.passed:
        return f"PASS  {result.case.name}: {said}"
    return f"FAIL  {result.case.name}: {result.failure}"


@attrs.frozen
class Outcome:
    url: str
    results: tuple[Result, ...]
    seconds: float

    @property
    def failures(self) -> list[Result]:
        return [result for result in self.results if not result.passed]

    @property
    def reached(self) -> bool:
        """Some request was connected: else nothing was judged (a wrong URL, no receiver)."""
        return any(answer.connected for result in self.results for answer in result.answers)

    @property
    def exit_code(self) -> int:
        """0 every case passed; 1 one failed; 2 the receiver could not be reached at all."""
        if not self.reached:
            return EXIT_INCOMPLETE
        return EXIT_FAILED if self.failures else EXIT_OK

    @property
    def verdict(self) -> str:
        if not self.reached:
            return f"incomplete: no connection to {self.url} (is the receiver running?), exit 2"
        if self.failures:
            return f"{len(self.failures)} case(s) failed, exit 1"
        return "the receiver follows Vonage's delivery rules"

    def summary(self) -> str:
        passed = len(self.results) - len(self.failures)
        return (
            f"\n{len(self.results)} cases in {self.seconds:.1f} s, {passed} passed: {self.verdict}"
        )


def page(outcome: Outcome, suffix: str) -> str:
    """The report for a file named with `suffix`: HTML for .html/.htm, else Markdown."""
    return html_page(outcome) if suffix.lower() in (".html", ".htm") else markdown(outcome)


def markdown(outcome: Outcome) -> str:
    out = [
        "# Webhook receiver report",
        "",
        f"Target: `{outcome.url}`  ",
        f"Cases: {len(outcome.results)} in {outcome.seconds:.1f} s: {outcome.verdict}",
        "",
        "| case | expected | result | answers |",
        "|---|---|---|---|",
    ]
    for result in outcome.results:
        said = "; ".join(answer.said() for answer in result.answers)
        verdict = "pass" if result.passed else "**FAIL**"
        out.append(f"| {result.case.name} | {result.case.expected} | {verdict} | {said} |")
    out += ["", f"## Failures ({len(outcome.failures)})", ""]
    if not outcome.failures:
        out.append("None.")
    for result in outcome.failures:
        out += [f"### {result.case.name}", "", f"**{result.failure}**", "", result.case.why, ""]
        for answer in result.answers:
            if answer.body.strip():
                out += ["The receiver answered:", "", "```", answer.body.strip(), "```", ""]
    return "\n".join(out) + "\n"


def html_page(outcome: Outcome) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(r.case.name)}</td><td>{e(r.case.expected)}</td>"
        f"<td class={'pass' if r.passed else 'fail'}>{'pass' if r.passed else 'FAIL'}</td>"
        f"<td>{e('; '.join(a.said() for a in r.answers))}</td></tr>"
        for r in outcome.results
    )
    failures = "".join(
        f"<h3>{e(r.case.name)}</h3><p><strong>{e(r.failure or '')}</strong></p>"
        f"<p>{e(r.case.why)}</p>"
        + "".join(f"<pre>{e(a.body.strip())}</pre>" for a in r.answers if a.body.strip())
        for r in outcome.failures
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Webhook receiver report: {e(outcome.url)}</title><style>"
        "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem}"
        "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .6rem}"
        ".fail{color:#a40000;font-weight:600}.pass{color:#116611}"
        "pre{background:#f5f5f5;padding:.6rem;white-space:pre-wrap}</style></head><body>"
        f"<h1>Webhook receiver report</h1><p>Target: <code>{e(outcome.url)}</code><br>"
        f"Cases: {len(outcome.results)} in {outcome.seconds:.1f} s: {e(outcome.verdict)}</p>"
        "<table><tr><th>case</th><th>expected</th><th>result</th><th>answers</th></tr>"
        f"{rows}</table><h2>Failures ({len(outcome.failures)})</h2>"
        f"{failures or '<p>None.</p>'}</body></html>\n"
    )


def junit(outcome: Outcome) -> str:
    """JUnit XML: a test case per case, its failure with the reason, for CI dashboards."""
    suite = ET.Element(
        "testsuite",
        name="vbc-conformance webhooks",
        tests=str(len(outcome.results)),
        failures=str(len(outcome.failures)),
        time=f"{outcome.seconds:.3f}",
    )
    for result in outcome.results:
        seconds = sum(answer.seconds or 0.0 for answer in result.answers)
        case = ET.SubElement(
            suite,
            "testcase",
            classname="webhooks",
            name=result.case.name,
            time=f"{seconds:.3f}",
        )
        if result.failure:
            failure = ET.SubElement(case, "failure", message=result.failure)
            failure.text = result.case.why
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
