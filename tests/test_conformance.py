"""The conformance suite passes a conforming server, catches each kind of fault by the right
check, and never writes to a live target it was not allowed to."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import httpx
import pytest

from tests.conftest import ACCOUNT, CATALOGUE_SCORE, OTHER_TOKEN, STATIC_TOKENS, TOKEN
from vbc_sandbox.launch import SandboxProcess
from vbc_telephony import Telephony

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = [
    "list_calls",
    "create_call",
    "get_call",
    "update_call",
    "delete_call",
    "list_call_legs",
    "get_call_leg",
    "update_call_leg",
    "delete_call_leg",
    "list_devices",
    "get_device",
]


def conformance(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vbc_conformance.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=600,
    )


def faulty(*extra: str) -> SandboxProcess:
    """The sandbox as the embedded run starts it (no call ends by itself), plus `extra`."""
    return SandboxProcess(
        [*STATIC_TOKENS, "--linger", "86400", *extra], module="tests.faulty_sandbox"
    )


def against(target: SandboxProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return conformance(
        "--base-url", target.base_url, "--token", TOKEN, "--account-id", ACCOUNT, *args
    )


def summary_row(output: str, operation: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(operation + " "))


def test_embedded_default_run_passes_and_reports_every_operation(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    junit = tmp_path / "junit.xml"
    result = conformance("--report", str(report), "--junit", str(junit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(embedded sandbox)" in result.stdout
    for operation in OPERATIONS:
        row = summary_row(result.stdout, operation).split()
        assert int(row[1]) > 0 and row[2] == "-", row
    assert "cases/s), seed 1: conforms" in result.stdout
    # It says what it is doing from its first line, then phase by phase, as it goes.
    lines = result.stdout.splitlines()
    assert lines[0].startswith("vbc-conformance ") and "embedded sandbox" in lines[0]
    phases = [line.strip() for line in lines if line.endswith("phase ...")]
    assert phases == [
        f"{phase} phase ..." for phase in ("examples", "coverage", "fuzzing", "stateful")
    ]
    assert "    get_device: " in result.stdout
    assert lines.index("  examples phase ...") < lines.index(
        next(line for line in lines if line.startswith("operation "))
    )
    # What the target speaks, and what showed it.
    assert "dialect: documented (documented: POST /cc/accounts/{account_id}/calls answers 200" in (
        result.stdout
    )
    assert "Call.legs" in result.stdout and "Call.leg_map" not in result.stdout
    assert "## Failures (0)" in report.read_text()
    assert "<testsuite" in junit.read_text()


@attrs.frozen
class Fault:
    """One entry of the fault catalogue: a fault tests/faulty_sandbox.py injects, what it
    is, the check that must name it, and the operations a run needs to meet it."""

    name: str
    what: str
    check: str
    operations: tuple[str, ...]
    phases: str = "examples,coverage"
    """The phases that meet it (the stateful one, for what only a walk of links reaches)."""
    examples: int = 3
    marked: str = ""
    """Why the fault is not failed on a live target, where it is not (then an advisory)."""


#: Every kind of fault the suite must catch, in both dialects: its proof of strength. Each run
#: tests only the operations the fault needs (the stateful phase walks the links between
#: them), against a target with three calls in progress.
CATALOGUE = [
    Fault(
        "call_status_dropped",
        "a field every form carries dropped from calls",
        "response_schema_conformance",
        ("list_calls", "get_call"),
    ),
    Fault(
        "leg_status_dropped",
        "a field every form carries dropped from legs",
        "response_schema_conformance",
        ("list_calls", "get_call", "list_call_legs"),
    ),
    Fault(
        "undocumented_enum",
        "a call state no form uses",
        "response_schema_conformance",
        ("list_calls", "get_call"),
    ),
    Fault("wrong_type", "a wrong type", "response_schema_conformance", ("list_calls",)),
    Fault("server_error", "a 500", "not_a_server_error", ("list_devices",), phases="examples"),
    Fault(
        "undocumented_status",
        "an undocumented status",
        "status_code_conformance",
        ("get_device",),
        phases="examples",
    ),
    Fault(
        "wrong_content_type",
        "a wrong content type",
        "content_type_conformance",
        ("list_devices",),
        phases="examples",
    ),
    Fault(
        "deleted_call_readable",
        "a call still readable after hang-up",
        "use_after_free",
        ("list_calls", "create_call", "get_call", "delete_call"),
        phases="stateful",
        examples=5,
    ),
    Fault(
        "invalid_input_accepted",
        "garbage accepted",
        "negative_data_rejection",
        ("update_call_leg",),
        phases="coverage",
    ),
    Fault(
        "auth_not_enforced", "auth ignored", "ignored_auth", ("list_devices",), phases="examples"
    ),
    Fault(
        "cross_account_leak",
        "another account's call readable",
        "cross_account_isolation",
        ("list_calls", "get_call"),
    ),
    Fault(
        "leg_hidden_from_call",
        "a leg missing from `legs` but present in GET .../legs",
        "legs_match_call",
        ("list_calls", "get_call", "list_call_legs"),
        phases="stateful",
    ),
    Fault(
        "id_changes",
        "an id that changes between create and get",
        "ids_match_request",
        ("list_calls", "create_call", "get_call"),
        phases="stateful",
    ),
    Fault(
        "page_ignored",
        "a list that repeats a call across pages",
        "pages_repeat_nothing",
        ("list_calls",),
    ),
    Fault(
        "throttled_without_retry_after",
        "a 429 without Retry-After",
        "response_headers_conformance",
        ("list_devices",),
        marked="Vonage documents no 429, so that one says when to come back is this project's"
        " assumption: a live target gets an advisory, not a failure",
    ),
    Fault(
        "clock_backwards",
        "a time that moves backwards",
        "times_move_forward",
        ("list_calls", "get_call"),
    ),
]
DIALECTS = ("documented", "observed")
#: The catalogue's runs at once (each a sandbox, a vbc-conformance and a schemathesis process).
WORKERS = 2
CALLS_IN_PROGRESS = 3


def place_calls(target: SandboxProcess, count: int) -> None:
    body = {
        "from": {"destination": "1001", "type": "extension"},
        "to": {"destination": "15551234567", "type": "pstn"},
    }
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for _ in range(count):
            placed = http.post(f"{target.base_url}/cc/accounts/{ACCOUNT}/calls", json=body)
            assert placed.status_code in (200, 202), placed.text


def catalogue_run(
    fault: Fault | None, dialect: str, report: Path
) -> subprocess.CompletedProcess[str]:
    """One fault (None: none, with every operation the catalogue uses) in one dialect."""
    operations = (
        fault.operations
        if fault
        else sorted({op for entry in CATALOGUE for op in entry.operations})
    )
    other = (
        ("--other-token", OTHER_TOKEN)
        if fault is None or fault.check == "cross_account_isolation"
        else ()
    )
    with faulty("--dialect", dialect, *(("--fault", fault.name) if fault else ())) as target:
        place_calls(target, CALLS_IN_PROGRESS)
        return against(
            target,
            "--sandbox",
            *other,
            "--max-examples",
            str(fault.examples if fault else 5),
            *(("--phases", fault.phases) if fault else ()),
            "--report",
            str(report),
            *[f"--operation={operation}" for operation in operations],
        )


@attrs.frozen
class Verdict:
    result: subprocess.CompletedProcess[str]
    report: Path

    def caught(self, fault: Fault) -> bool:
        failed = [line for line in self.result.stdout.splitlines() if line.startswith("FAILED ")]
        named = any(
            line.startswith(f"FAILED {operation}: {fault.check}:")
            for operation in fault.operations
            for line in failed
        )
        return self.result.returncode == 1 and named


@pytest.fixture(scope="module")
def catalogue(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Verdict]:
    """The runs of the catalogue's tests this session selected, WORKERS at a time."""
    wanted = {
        (item.callspec.params["name"], item.callspec.params["dialect"])
        for item in request.session.items
        if getattr(item, "originalname", "")
        == "test_the_fault_catalogue_is_caught_in_both_dialects"
    }
    faults = {fault.name: fault for fault in CATALOGUE}
    scratch = tmp_path_factory.mktemp("catalogue")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {
            (name, dialect): pool.submit(
                catalogue_run, faults.get(name), dialect, scratch / f"{name}-{dialect}.md"
            )
            for name, dialect in sorted(wanted)
        }
        verdicts = {
            key: Verdict(future.result(), scratch / f"{key[0]}-{key[1]}.md")
            for key, future in futures.items()
        }
    request.config.stash[CATALOGUE_SCORE] = score(verdicts)
    return verdicts


def score(verdicts: dict[tuple[str, str], Verdict]) -> list[str]:
    """The catalogue's score for the terminal summary: caught/total per dialect."""
    lines = []
    for dialect in DIALECTS:
        run = [fault for fault in CATALOGUE if (fault.name, dialect) in verdicts]
        if not run:
            continue
        caught = [fault for fault in run if verdicts[(fault.name, dialect)].caught(fault)]
        missed = ", ".join(fault.name for fault in run if fault not in caught)
        lines.append(
            f"{dialect}: {len(caught)}/{len(run)} faults caught"
            + (f" (missed: {missed})" if missed else "")
        )
    lines += [f"marked: {fault.name}: {fault.marked}" for fault in CATALOGUE if fault.marked]
    return lines


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", ["clean", *(fault.name for fault in CATALOGUE)])
def test_the_fault_catalogue_is_caught_in_both_dialects(
    name: str, dialect: str, catalogue: dict[tuple[str, str], Verdict]
) -> None:
    """Each fault fails the run (exit 1) with its check named; the same target without a
    fault, and the same operations, conforms."""
    verdict = catalogue[(name, dialect)]
    output = verdict.result.stdout + verdict.result.stderr
    if name == "clean":
        assert verdict.result.returncode == 0 and ": conforms" in output, output
        return
    fault = next(fault for fault in CATALOGUE if fault.name == name)
    assert verdict.caught(fault), output
    operation = next(op for op in fault.operations if f"FAILED {op}: {fault.check}:" in output)
    assert fault.check in summary_row(output, operation)
    text = verdict.report.read_text()
    assert f"`{operation}`: {fault.check}" in text
    # Every failure comes with a command that reproduces it, token left to the shell (the
    # one for auth ignored sends none).
    assert "curl -X " in text and TOKEN not in text
    if fault.check != "ignored_auth":
        assert '"Authorization: Bearer $VBC_TOKEN"' in text


def test_undocumented_state_shows_in_the_drift_report() -> None:
    with faulty("--fault", "undocumented_enum") as target:
        result = against(target, "--sandbox", "--max-examples", "5")
    assert (
        "enum value 'sleeping' at $.status in GET /cc/accounts/{account_id}/calls/{call_id}"
        in result.stdout
    )


def test_the_same_seed_reproduces_the_same_failures(tmp_path: Path) -> None:
    # Case counts can differ between runs (the sandbox's answers depend on the clock, and the
    # stateful walk follows them); what a seed must reproduce is what failed, and how.
    sections = []
    for run in range(2):
        report = tmp_path / f"run{run}.md"
        with faulty("--fault", "server_error") as target:  # a fresh sandbox each time
            result = against(
                target, "--sandbox", "--max-examples", "5", "--seed", "7", "--report", str(report)
            )
            text = report.read_text().replace(target.origin, "ORIGIN")
        assert result.returncode == 1 and "seed 7" in result.stdout
        sections.append(text[text.index("## Failures") : text.index("## Drift")])
    assert sections[0] == sections[1]
    assert "not_a_server_error" in sections[0] and "curl -X GET" in sections[0]


def recorded(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_live_target_gets_only_gets_by_default(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with faulty("--record", str(log)) as target:
        result = against(target, "--max-examples", "5", "--allow-writes")  # no --dial-allow
    assert result.returncode == 0, result.stdout + result.stderr
    # GETs, and OPTIONS probing for undeclared methods: nothing that writes.
    methods = {request["method"] for request in recorded(log)}
    assert "GET" in methods and methods <= {"GET", "OPTIONS"}


def test_writes_to_a_live_target_reach_only_allowed_parties_and_own_calls(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    allowed = {("extension", "1001"), ("pstn", "15550000180")}
    with faulty("--record", str(log)) as target:
        result = against(
            target,
            "--max-examples",
            "10",
            "--allow-writes",
            "--dial-allow",
            "extension:1001",
            "--dial-allow",
            "15550000180",
        )
    assert result.returncode == 0, result.stdout + result.stderr
    requests = recorded(log)
    writes = [r for r in requests if r["method"] != "GET"]
    assert any(r["method"] == "POST" for r in writes), "the run placed no call at all"
    for write in writes:
        body = json.loads(write["body"]) if write["body"] else {}
        for value in body.values() if isinstance(body, dict) else []:
            if isinstance(value, dict) and value.get("type") not in (None, "leg"):
                assert (value["type"], str(value["destination"])) in allowed, write


def test_usage_errors_exit_2_with_one_line() -> None:
    missing = conformance(
        "--base-url", "http://127.0.0.1:9/t/vbc.prod/telephony/v3", "--token", "x"
    )
    assert missing.returncode == 2 and "--account-id is required" in missing.stderr
    unreachable = conformance(
        "--base-url",
        "http://127.0.0.1:9/t/vbc.prod/telephony/v3",
        "--token",
        "x",
        "--account-id",
        "1",
    )
    assert unreachable.returncode == 2 and "cannot reach" in unreachable.stderr
    assert "Traceback" not in missing.stderr + unreachable.stderr
    bad_party = conformance(
        "--base-url",
        "http://127.0.0.1:9/x",
        "--token",
        "x",
        "--account-id",
        "1",
        "--allow-writes",
        "--dial-allow",
        "leg:abc",
    )
    assert bad_party.returncode == 2 and "--dial-allow takes TYPE:DESTINATION" in bad_party.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "0", "-1"])
@pytest.mark.parametrize(
    "command", [["--request-timeout"], ["proxy", "--upstream", "http://127.0.0.1:9", "--duration"]]
)
def test_a_time_option_that_is_no_finite_positive_number_is_a_usage_error(
    command: list[str], value: str
) -> None:
    result = conformance(*command, value)
    assert result.returncode == 2 and "invalid seconds value" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_observed_dialect_conforms_and_is_named_with_its_fields() -> None:
    result = conformance("--dialect", "observed", "--max-examples", "10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": conforms" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith("dialect:"))
    assert line.startswith("dialect: observed (")
    for shown in ("answers 202", "Call.leg_map", "Call.from_number", "CallLeg.device_id"):
        assert shown in line
    # Map keys are leg ids, not undocumented fields.
    assert "drift" not in result.stdout


def test_a_live_target_departing_only_from_our_assumptions_conforms_with_advisories() -> None:
    with faulty("--fault", "beyond_assumed_limits") as target:
        # A call for the read-only run to read (it places none itself).
        Telephony(account_id=ACCOUNT, token=TOKEN, base_url=target.base_url).calls.dial(
            "15550000180", from_="1001"
        )
        live = against(target, "--max-examples", "10")
        as_sandbox = against(target, "--sandbox", "--max-examples", "10")
    assert live.returncode == 0, live.stdout + live.stderr
    assert ": conforms" in live.stdout and "FAILED" not in live.stdout
    advisories = live.stdout[live.stdout.index("advisories:") :]
    # In a response body, and a header left out (a 429 that does not say when to come back).
    assert "'2026-09-24 22:33:18'" in advisories
    assert "Missing required response headers" in advisories
    # In a query (the assumed last epoch second, sent as text) and in a path (the MAC pattern).
    assert "{'start_time': '253402300800'}" in advisories
    assert "request in GET /registration/accounts/{account_id}/devices/{device_id}" in advisories
    # Judged as our own sandbox, the same answers break the spec's (our) limits.
    assert as_sandbox.returncode == 1, as_sandbox.stdout
    assert "FAILED get_call: response_schema_conformance" in as_sandbox.stdout
    assert "FAILED list_devices: response_headers_conformance" in as_sandbox.stdout
    assert "FAILED get_device: negative_data_rejection" in as_sandbox.stdout


def test_requests_that_time_out_are_named_and_the_exit_code_matches_the_verdict() -> None:
    with faulty("--fault", "slow_devices") as target:
        result = against(target, "--sandbox", "--max-examples", "2", "--request-timeout", "0.5")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "incomplete: no check failed" in result.stdout and "exit 2" in result.stdout
    assert "conforms" not in result.stdout
    assert "error in GET /registration/accounts/{account_id}/devices" in result.stdout


def test_the_html_report_is_real_html_grouped_per_operation_and_check() -> None:
    from html.parser import HTMLParser

    from vbc_conformance.report import Failure, Outcome, html_page

    outcome = Outcome(seed=7, operations=OPERATIONS)
    outcome.cases.update({"get_call": 10, "list_calls": 4})
    for check, title in [("response_schema_conformance", "A"), ("not_a_server_error", "B")]:
        outcome.failures.append(
            Failure("get_call", check, title, "<script>alert(1)</script>", "curl -X GET 'u'")
        )
    outcome.failures.append(Failure("list_calls", "not_a_server_error", "C", "m", "curl 2"))

    class Headings(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, str]] = []
            self.current = ""

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag != "code":  # inline: the text belongs to the heading around it
                self.current = tag

        def handle_data(self, data: str) -> None:
            if self.current in ("h3", "h4", "pre", "script") and data.strip():
                self.tags.append((self.current, data.strip()))

    page = html_page(outcome, "http://127.0.0.1:1/t/vbc.prod/telephony/v3", 1.5)
    parsed = Headings()
    parsed.feed(page)
    headings = [text for tag, text in parsed.tags if tag in ("h3", "h4")]
    assert headings == [
        "get_call",
        "response_schema_conformance",
        "not_a_server_error",
        "list_calls",
        "not_a_server_error",
    ]
    assert ("pre", "curl -X GET 'u'") in parsed.tags
    assert not any(tag == "script" for tag, _ in parsed.tags)  # the message is escaped
    assert "&lt;script&gt;" in page and "3 distinct failure(s), exit 1" in page


def test_a_rate_limited_run_says_how_long_it_may_take() -> None:
    from vbc_conformance.cli import eta, parser

    live = parser().parse_args(
        ["--base-url", "http://x", "--rate-limit", "10/m", "--max-examples", "5"]
    )
    # Read-only against a live target: the 6 GET operations, 3 phases, 5 cases each, 10 a minute.
    assert eta(live) == "at 10/m, up to about 90 requests: about 9 min"
    assert eta(parser().parse_args([])) is None
    one = parser().parse_args(
        "--base-url http://x --rate-limit 10/m --max-examples 5 --operation get_call".split()
    )
    assert eta(one) == "at 10/m, up to about 15 requests: about 2 min"
    quick = parser().parse_args(
        "--base-url http://x --rate-limit 10/m --max-examples 5 --phases examples,coverage".split()
    )
    assert eta(quick) == "at 10/m, up to about 30 requests: about 3 min"


def test_an_unknown_operation_or_phase_is_named_before_anything_runs() -> None:
    result = conformance("--operation", "get_calls", "--max-examples", "1")
    assert result.returncode == 2 and "no operation get_calls in openapi.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    phase = conformance("--phases", "examples,fuzing")
    assert phase.returncode == 2 and "no phase 'fuzing': choose from examples" in phase.stderr
