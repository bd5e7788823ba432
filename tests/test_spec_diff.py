"""`make spec-diff` classifies each kind of spec change, and the gate in `.ci/run` fails on a
breaking change until the version and CHANGELOG.md announce it. Optic runs for real."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
loaded = importlib.util.spec_from_file_location("spec_diff", ROOT / "scripts" / "spec_diff.py")
assert loaded is not None and loaded.loader is not None
spec_diff = importlib.util.module_from_spec(loaded)
sys.modules["spec_diff"] = spec_diff
loaded.loader.exec_module(spec_diff)

#: A small API in the shape of openapi.yaml: Optic is quicker on it, and every kind of change
#: below is one edit away.
BASE: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Fixture", "version": "0.1.0"},
    "paths": {
        "/calls": {
            "get": {
                "operationId": "list_calls",
                "parameters": [
                    {"name": "extension", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "A page.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/CallPage"}
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "create_call",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Dial"}}
                    },
                },
                "responses": {"200": {"description": "Placed."}},
            },
        },
        "/devices/{mac}": {
            "get": {
                "operationId": "get_device",
                "parameters": [
                    {"name": "mac", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "A device.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Device"}}
                        },
                    }
                },
            }
        },
    },
    "components": {
        "schemas": {
            "CallPage": {
                "type": "object",
                "required": ["calls"],
                "properties": {
                    "calls": {"type": "array", "items": {"$ref": "#/components/schemas/Call"}}
                },
            },
            "Call": {
                "type": "object",
                "required": ["call_id", "status"],
                "properties": {
                    "call_id": {"type": "string"},
                    "status": {"type": "string", "enum": ["ringing", "on-call"]},
                    "to_name": {"type": "string"},
                },
            },
            "Dial": {
                "type": "object",
                "required": ["to"],
                "properties": {
                    "to": {"type": "string"},
                    "type": {"type": "string", "enum": ["click2dial", "odr"]},
                },
            },
            "Device": {
                "type": "object",
                "required": ["mac_address"],
                "properties": {
                    "mac_address": {"type": "string"},
                    "device_ip": {"type": "string"},
                },
            },
        }
    },
}

Edit = Callable[[dict[str, Any]], None]
SCHEMAS = ("components", "schemas")


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


CHANGES: dict[str, tuple[Edit, str]] = {
    "operation removed": (lambda d: d["paths"].pop("/devices/{mac}"), "clients"),
    "parameter removed": (lambda d: d["paths"]["/calls"]["get"].pop("parameters"), "clients"),
    "request field made required": (
        lambda d: schema(d, "Dial")["required"].append("type"),
        "clients",
    ),
    "request enum narrowed": (
        lambda d: schema(d, "Dial")["properties"]["type"].update(enum=["click2dial"]),
        "clients",
    ),
    "response field removed": (
        lambda d: schema(d, "Device")["properties"].pop("device_ip"),
        "clients",
    ),
    "response field made optional": (
        lambda d: schema(d, "Call")["required"].remove("status"),
        "clients",
    ),
    "response enum widened": (
        lambda d: schema(d, "Call")["properties"]["status"]["enum"].append("parked"),
        "clients",
    ),
    "response made stricter": (
        lambda d: schema(d, "Device")["required"].append("device_ip"),
        "servers",
    ),
    "optional response field added": (
        lambda d: schema(d, "Device")["properties"].update(label={"type": "string"}),
        "none",
    ),
    "operation added": (
        lambda d: d["paths"].update(
            {
                "/health": {
                    "get": {"operationId": "health", "responses": {"200": {"description": "Up."}}}
                }
            }
        ),
        "none",
    ),
}


def classify(tmp_path: Path, edit: Edit) -> Any:
    base_dir, head_dir = tmp_path / "base", tmp_path / "head"
    base_dir.mkdir()
    head_dir.mkdir()
    changed = copy.deepcopy(BASE)
    edit(changed)
    (base_dir / "openapi.yaml").write_text(yaml.safe_dump(BASE))
    (head_dir / "openapi.yaml").write_text(yaml.safe_dump(changed))
    return spec_diff.compare(base_dir, head_dir)


def test_each_kind_of_change_is_classified(tmp_path: Path) -> None:
    def run(item: tuple[str, tuple[Edit, str]]) -> tuple[str, str, Any]:
        name, (edit, expected) = item
        folder = tmp_path / name.replace(" ", "-")
        folder.mkdir()
        return name, expected, classify(folder, edit)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, CHANGES.items()))
    for name, expected, report in results:
        found = (
            "clients" if report.breaks_clients else "servers" if report.breaks_servers else "none"
        )
        assert found == expected, (name, spec_diff.printed(report, 20))
        if expected == "none":
            assert report.other, (name, "a change was made but none was listed")
        else:
            # Each breaking change names the operation it touches.
            changes = report.breaks_clients or report.breaks_servers
            assert all(change.operation.split()[0] in ("GET", "POST") for change in changes)


@pytest.mark.parametrize(
    ("base", "version", "changelog", "fails_because"),
    [
        ((0, 1, 0), (0, 1, 1), "## [0.1.1]\n### Breaking\n- x", "does not bump the minor part"),
        ((0, 1, 0), (0, 2, 0), "## [0.2.0]\n### Added\n- x", "no section for 0.2.0"),
        ((0, 1, 0), (0, 2, 0), "## [0.2.0] - 2026-11-27\n### Breaking\n- x", None),
        ((0, 9, 0), (1, 0, 0), "## [1.0.0]\nBreaking: x", None),
        ((1, 2, 0), (1, 3, 0), "## [1.3.0]\n### Breaking\n- x", "does not bump the major part"),
        ((1, 2, 0), (2, 0, 0), "## [2.0.0]\n### Breaking\n- x\n## [1.2.0]\n", None),
    ],
)
def test_the_gate_wants_the_right_bump_and_a_changelog_that_says_breaking(
    base: tuple[int, ...], version: tuple[int, ...], changelog: str, fails_because: str | None
) -> None:
    reason = spec_diff.announced(base, version, changelog)
    assert (reason is None) == (fails_because is None), reason
    if fails_because:
        assert fails_because in reason


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_removing_a_response_field_fails_the_gate_until_announced(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "openapi.yaml").write_text(yaml.safe_dump(BASE))
    (repo / "pyproject.toml").write_text('[project]\nversion = "0.1.0"\n')
    (repo / "CHANGELOG.md").write_text("# Changelog\n\n## [0.1.0]\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "0.1.0")
    changed = copy.deepcopy(BASE)
    schema(changed, "Device")["properties"].pop("device_ip")
    (repo / "openapi.yaml").write_text(yaml.safe_dump(changed))
    git(repo, "commit", "-qam", "drop device_ip")

    def gate() -> tuple[int, str]:
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "spec_diff.py"), "--repo", str(repo), "--gate"],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        return result.returncode, result.stdout

    code, output = gate()
    assert code == 1 and "FAIL" in output and "device_ip" in output
    assert "GET /devices/{mac}" in output
    (repo / "pyproject.toml").write_text('[project]\nversion = "0.2.0"\n')
    (repo / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [0.2.0]\n### Breaking\n- `device_ip` is gone\n\n## [0.1.0]\n"
    )
    git(repo, "commit", "-qam", "announce it")
    # HEAD^ now has the change already: compare with the release before it.
    git(repo, "tag", "v0.1.0", "HEAD~2")
    code, output = gate()
    assert code == 0 and "announced" in output, output


def test_a_new_spec_is_listed_as_added_and_breaks_no_one(tmp_path: Path) -> None:
    base_dir, head_dir = tmp_path / "base", tmp_path / "head"
    base_dir.mkdir()
    head_dir.mkdir()
    (base_dir / "openapi.yaml").write_text(yaml.safe_dump(BASE))
    (head_dir / "openapi.yaml").write_text(yaml.safe_dump(BASE))
    (head_dir / "vis.yaml").write_text((ROOT / "vis.yaml").read_text())
    report = spec_diff.compare(base_dir, head_dir)
    assert not report.breaking
    assert [(c.spec, c.what) for c in report.other] == [("vis.yaml", "added")]
