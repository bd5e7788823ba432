"""The workflows users copy (.github/workflows) cannot run here: what they call must exist and
parse, and they keep to pinned actions and least privilege. (`make workflow-lint` runs zizmor and
the workflow schema on them.)"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load(path.read_text())
    return workflow


def steps(path: Path) -> list[dict[str, Any]]:
    return [step for job in load(path)["jobs"].values() for step in job.get("steps", [])]


def run_scripts() -> list[str]:
    return [step["run"] for path in WORKFLOWS for step in steps(path) if "run" in step]


def test_the_four_workflows_are_there() -> None:
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "spec.yml", "conformance.yml", "release.yml"}


def test_every_make_target_and_script_a_workflow_runs_exists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    called = {t for script in run_scripts() for t in re.findall(r"\bmake ([a-z][a-z-]*)", script)}
    assert called >= {"test", "generate", "spec-gate", "changelog", "dist"}
    assert called <= targets
    paths = {p for script in run_scripts() for p in re.findall(r"scripts/[\w.]+\.py", script)}
    assert paths and all((ROOT / p).is_file() for p in paths)


def test_ci_runs_make_test_on_every_supported_python() -> None:
    ci = load(ROOT / ".github/workflows/ci.yml")
    assert set(ci[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as True
    (job,) = ci["jobs"].values()
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert any("make test" in step.get("run", "") for step in job["steps"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_and_permissions_least(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        granted = job["permissions"]
        if "id-token" in granted:
            # Trusted publishing only: the publish job, in its own environment, nothing else.
            assert (path.name, name, granted) == ("release.yml", "publish", {"id-token": "write"})
            assert job["environment"]["name"] == "pypi"
        else:
            assert granted == {"contents": "read"}
    text = path.read_text()
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", text, re.MULTILINE)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), action
    for step in steps(path):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.fixture
def fake_conformance(tmp_path: Path) -> Path:
    """A vbc-conformance that parses its arguments with the real parser, and prints them."""
    command = tmp_path / "vbc-conformance"
    command.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "from vbc_conformance.cli import parser\n"
        "print(json.dumps(vars(parser().parse_args(sys.argv[1:])), default=str))\n"
    )
    command.chmod(command.stat().st_mode | stat.S_IXUSR)
    return tmp_path


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({}, {"base_url": None, "dialect": "documented"}),
        (
            {
                "BASE_URL": "https://pbx.example/telephony/v3",
                "ACCOUNT_ID": "42",
                "OPTIONS": "--sandbox --max-examples 5",
            },
            {"base_url": "https://pbx.example/telephony/v3", "account_id": "42", "sandbox": True},
        ),
    ],
)
def test_the_conformance_workflow_calls_vbc_conformance_with_arguments_it_accepts(
    fake_conformance: Path, tmp_path: Path, inputs: dict[str, str], expected: dict[str, Any]
) -> None:
    workflow = load(ROOT / ".github/workflows/conformance.yml")
    call = workflow[True]["workflow_call"]
    (step,) = [
        s
        for s in steps(ROOT / ".github/workflows/conformance.yml")
        if s.get("name") == "vbc-conformance"
    ]
    defaults = {
        name.upper().replace("-", "_"): str(i.get("default", ""))
        for name, i in call["inputs"].items()
    }
    env = {
        **os.environ,
        **defaults,
        **inputs,
        "PATH": f"{fake_conformance}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert (
        parsed["junit"] == "conformance/junit.xml" and parsed["report"] == "conformance/report.html"
    )
    assert {k: parsed[k] for k in expected} == expected
    assert (
        "token" in step["env"]["VBC_TOKEN"] and parsed["token"] is None
    )  # from $VBC_TOKEN, not argv
