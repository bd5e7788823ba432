"""What changed in openapi.yaml, oauth.yaml and vis.yaml between two versions, and whether it
breaks anyone. `make spec-diff BASE=<git ref>` prints it; `--gate` (in `.ci/run`) fails on a
breaking change the version and the changelog do not announce.

Two kinds of breaking change, since the spec both generates clients and judges servers:
* for clients, as Optic (pinned in package-lock.json) classifies them: an operation or a
  parameter removed, a request field made required, a request enum narrowed, a response
  field removed or made optional, a response enum widened, a type changed;
* for servers under test: a response made stricter (a field newly required, an enum value
  or a type removed, a limit added or tightened), which a deployment that conformed
  yesterday may now fail.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

from vbc_spec import resolve

ROOT = Path(__file__).resolve().parents[1]
SPECS = ("openapi.yaml", "oauth.yaml", "vis.yaml")
OPTIC = ROOT / "node_modules" / ".bin" / "optic"
OPERATION = re.compile(
    r"^(?:\S+\s+)?(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) (\S+?):?(?:\s+(added|removed))?\s*$"
)
FAILURE = re.compile(r"^x \[(?P<rule>[^\]]+)\] (?P<message>.*)$")
TIGHTER = {"maxLength": min, "maximum": min, "minLength": max, "minimum": max}


@attrs.frozen
class Change:
    spec: str
    operation: str
    where: str
    what: str

    def line(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.operation}:{where} {self.what}"


@attrs.define
class Report:
    breaks_clients: list[Change] = attrs.field(factory=list)
    breaks_servers: list[Change] = attrs.field(factory=list)
    other: list[Change] = attrs.field(factory=list)

    @property
    def breaking(self) -> bool:
        return bool(self.breaks_clients or self.breaks_servers)


# ---------------------------------------------------------------- Optic, for clients


def same_version(source: Path, target: Path) -> Path:
    """A copy of a spec with a fixed info.version: Optic waives its breaking-change rules when
    the version's major part changes, and here the gate, not Optic, judges versions."""
    text = source.read_text(encoding="utf-8")
    target.write_text(
        re.sub(r"^(  version:) .*$", r"\1 0.0.0", text, count=1, flags=re.M), encoding="utf-8"
    )
    return target


def optic(spec: str, base: Path, head: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="vbc-optic-") as scratch:
        return run_optic(
            spec,
            same_version(base, Path(scratch) / f"base-{spec}"),
            same_version(head, Path(scratch) / f"head-{spec}"),
        )


def run_optic(spec: str, base: Path, head: Path) -> str:
    result = subprocess.run(
        [str(OPTIC), "diff", str(base), str(head), "--check"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "OPTIC_TELEMETRY_LEVEL": "off", "NO_COLOR": "1"},
        timeout=300,
    )
    if result.returncode not in (0, 1, 2) or "Error" in result.stderr[:200]:
        raise SystemExit(f"optic failed on {spec}:\n{result.stderr[-2000:]}")
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


def read_optic(spec: str, text: str, report: Report) -> None:
    """Optic's text report: operations, the changes under each (indented), and the rules a
    change breaks (`x [rule] message`) right under it."""
    operation, context = "", []
    for raw in text.splitlines():
        line = raw.strip()
        found = OPERATION.match(line)
        if found and not raw.startswith(" "):
            operation, context = f"{found.group(1)} {found.group(2)}", []
            if found.group(3):  # a whole operation added or removed
                report.other.append(Change(spec, operation, "", f"operation {found.group(3)}"))
            continue
        if not operation or not line:
            continue
        failure = FAILURE.match(line)
        if failure:
            where = " > ".join(part for _, part in context)
            message = failure.group("message").removesuffix(" This is a breaking change.")
            report.breaks_clients.append(Change(spec, operation, where, message))
            continue
        if line.startswith("- "):
            depth = len(raw) - len(raw.lstrip())
            context = [(d, part) for d, part in context if d < depth]
            context.append((depth, line[2:].rstrip(": ")))
            if not line.endswith(":"):
                leaf = " > ".join(part for _, part in context[:-1])
                report.other.append(Change(spec, operation, leaf, context[-1][1]))


# ---------------------------------------------------------------- our walk, for servers


def stricter(
    old_doc: dict[str, Any], new_doc: dict[str, Any], old: Any, new: Any, where: str, seen: set[int]
) -> Iterator[str]:
    """Ways the `new` response schema accepts less than the `old` one did."""
    old, new = resolve(old_doc, old), resolve(new_doc, new)
    if not isinstance(old, dict) or not isinstance(new, dict) or id(new) in seen:
        return
    seen = seen | {id(new)}
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        yield f"{where}.{name} newly required"
    if "enum" in new and set(map(str, old.get("enum", new["enum"]))) - set(map(str, new["enum"])):
        lost = set(map(str, old.get("enum", []))) - set(map(str, new["enum"]))
        yield f"{where}: enum value(s) {', '.join(sorted(lost))} no longer allowed"
    if "enum" in new and "enum" not in old:
        yield f"{where}: now limited to {new['enum']}"
    for keyword, pick in TIGHTER.items():
        if keyword in new and (
            keyword not in old or pick(old[keyword], new[keyword]) != old[keyword]
        ):
            yield f"{where}: {keyword} {new[keyword]} (was {old.get(keyword, 'none')})"
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        yield f"{where}: pattern {new['pattern']!r} (was {old.get('pattern', 'none')!r})"
    if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
        yield f"{where}: no other fields allowed"
    for key in ("oneOf", "anyOf"):
        if key in old and key in new and len(new[key]) < len(old[key]):
            yield f"{where}: {len(old[key]) - len(new[key])} form(s) of {key} removed"
    if "type" in new and "type" in old and new["type"] != old["type"]:
        yield f"{where}: type {new['type']} (was {old['type']})"
    for name, schema in new.get("properties", {}).items():
        if name in old.get("properties", {}):
            yield from stricter(
                old_doc, new_doc, old["properties"][name], schema, f"{where}.{name}", seen
            )
    if "items" in new and "items" in old:
        yield from stricter(old_doc, new_doc, old["items"], new["items"], f"{where}[]", seen)


def parameters(
    document: dict[str, Any], item: dict[str, Any], operation: dict[str, Any]
) -> set[str]:
    return {
        f"{found['in']} parameter {found['name']}"
        for found in (
            resolve(document, p)
            for p in [*item.get("parameters", []), *operation.get("parameters", [])]
        )
    }


def read_parameters(
    spec: str, old_doc: dict[str, Any], new_doc: dict[str, Any], report: Report
) -> None:
    """A parameter removed breaks the clients that send it, optional or not (Optic counts
    only required ones)."""
    for path, item in old_doc.get("paths", {}).items():
        for method, operation in item.items():
            new_item = new_doc.get("paths", {}).get(path, {})
            if not isinstance(operation, dict) or method not in new_item:
                continue
            name = f"{method.upper()} {path}"
            flagged = " ".join(
                c.where + c.what for c in report.breaks_clients if c.operation == name
            )
            gone = parameters(old_doc, item, operation) - parameters(
                new_doc, new_item, new_item[method]
            )
            for parameter in sorted(gone):
                if parameter.split()[-1] not in flagged:
                    report.breaks_clients.append(Change(spec, name, parameter, "removed"))


def read_responses(
    spec: str, old_doc: dict[str, Any], new_doc: dict[str, Any], report: Report
) -> None:
    for path, item in new_doc.get("paths", {}).items():
        for method, operation in item.items():
            old_operation = old_doc.get("paths", {}).get(path, {}).get(method)
            if not isinstance(operation, dict) or not isinstance(old_operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                old_response = old_operation.get("responses", {}).get(status)
                if old_response is None:
                    continue
                content = resolve(new_doc, response).get("content", {})
                old_content = resolve(old_doc, old_response).get("content", {})
                for media, body in content.items():
                    if media in old_content and "schema" in body:
                        for found in stricter(
                            old_doc,
                            new_doc,
                            old_content[media]["schema"],
                            body["schema"],
                            "$",
                            set(),
                        ):
                            report.breaks_servers.append(
                                Change(spec, f"{method.upper()} {path}", f"{status} {media}", found)
                            )


# ---------------------------------------------------------------- versions and the gate


def at(repo: Path, ref: str, name: str) -> str | None:
    result = subprocess.run(
        ["git", "show", f"{ref}:{name}"], cwd=repo, capture_output=True, text=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def base_ref(repo: Path) -> str | None:
    """The last release tag before HEAD, else the previous commit; None in a clone that has
    neither (shallow)."""
    for command in (
        ["git", "describe", "--tags", "--match", "v*", "--abbrev=0", "HEAD^"],
        ["git", "rev-parse", "--verify", "--quiet", "HEAD^"],
    ):
        result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return None


def version_of(pyproject: str) -> tuple[int, ...]:
    version = tomllib.loads(pyproject)["project"]["version"]
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def announced(base: tuple[int, ...], version: tuple[int, ...], changelog: str) -> str | None:
    """Why a breaking change is not announced, or None when it is: the major part bumped (the
    minor part while below 1.0), and the changelog's section for the version says Breaking."""
    part = 1 if base[0] == 0 else 0
    shown = ".".join(map(str, version))
    if not version[: part + 1] > base[: part + 1]:
        return (
            f"the version {shown} does not bump the {'minor' if part else 'major'} part of"
            f" {'.'.join(map(str, base))}"
        )
    section = re.search(
        rf"^## \[{re.escape(shown)}\][^\n]*\n(?P<body>.*?)(?=^## |\Z)", changelog, re.M | re.S
    )
    if section is None or "breaking" not in section.group("body").lower():
        return f"CHANGELOG.md has no section for {shown} that names the breaking change"
    return None


# ---------------------------------------------------------------- output


def compare(base_dir: Path, head_dir: Path) -> Report:
    report = Report()
    for spec in SPECS:
        old, new = base_dir / spec, head_dir / spec
        if new.exists() and not old.exists():
            # A new API breaks no one: listed, not diffed.
            report.other.append(Change(spec, "the whole spec", "", "added"))
        if not old.exists() or not new.exists():
            continue
        if old.read_bytes() == new.read_bytes():
            continue
        read_optic(spec, optic(spec, old, new), report)
        old_doc = yaml.safe_load(old.read_text(encoding="utf-8"))
        new_doc = yaml.safe_load(new.read_text(encoding="utf-8"))
        read_parameters(spec, old_doc, new_doc, report)
        read_responses(spec, old_doc, new_doc, report)
    return report


def printed(report: Report, most: int) -> str:
    lines = []
    for title, changes in (
        ("Breaking for clients", report.breaks_clients),
        ("Breaking for servers under test (responses made stricter)", report.breaks_servers),
        ("Not breaking", report.other),
    ):
        lines.append(f"{title}: {len(changes)}")
        shown = changes if title.startswith("Breaking") else changes[:most]
        lines += [f"  [{change.spec}] {change.line()}" for change in shown]
        if len(changes) > len(shown):
            lines.append(f"  ... and {len(changes) - len(shown)} more")
    return "\n".join(lines)


def grouped(changes: list[Change]) -> list[str]:
    """One line per kind of change, naming the operations it touches."""
    places: dict[str, list[str]] = {}
    for change in changes:
        operations = places.setdefault(f"[{change.spec}] {change.what}", [])
        if change.operation not in operations:
            operations.append(change.operation)
    return [
        f"- {what}: {', '.join(f'`{operation}`' for operation in operations)}"
        for what, operations in places.items()
    ]


def changelog_section(report: Report) -> str:
    """Markdown for CHANGELOG.md's spec section: each kind of breaking change with the
    operations it touches, and the rest counted per operation."""
    out = []
    if report.breaks_clients:
        out += ["#### Breaking for clients", *grouped(report.breaks_clients), ""]
    if report.breaks_servers:
        out += ["#### Breaking for servers under test", *grouped(report.breaks_servers), ""]
    per_operation: dict[str, int] = {}
    for change in report.other:
        per_operation[change.operation] = per_operation.get(change.operation, 0) + 1
    if per_operation:
        out.append("#### Other changes")
        out += [f"- `{op}`: {count} change(s)" for op, count in sorted(per_operation.items())]
    return "\n".join(out) or "No change to the specs."


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="spec_diff", description=__doc__.split("\n\n")[0])
    p.add_argument("--base", help="git ref to compare with (default: last v* tag, else HEAD^)")
    p.add_argument("--base-dir", type=Path, help="a folder with the old specs (openapi.yaml, ...)")
    p.add_argument("--repo", type=Path, default=ROOT, help="the git work tree (default: this one)")
    p.add_argument("--head-dir", type=Path, help="the new specs' folder (default: the work tree)")
    p.add_argument("--gate", action="store_true", help="fail on an unannounced breaking change")
    p.add_argument("--fail-on-breaking", action="store_true", help="exit 1 on any breaking change")
    p.add_argument("--changelog", action="store_true", help="print a CHANGELOG.md section")
    p.add_argument("--most", type=int, default=40, help="non-breaking changes to list")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vbc-spec-diff-") as scratch:
        base_dir, ref = args.base_dir, None
        if base_dir is None:
            ref = args.base or base_ref(args.repo)
            if ref is None:
                print("spec-diff: no earlier version to compare with (a shallow clone?)")
                return 0
            base_dir = Path(scratch)
            for spec in SPECS:
                text = at(args.repo, ref, spec)
                if text is not None:
                    (base_dir / spec).write_text(text, encoding="utf-8")
        report = compare(base_dir, args.head_dir or args.repo)
    print(f"spec-diff: {ref or base_dir} -> {args.head_dir or 'the work tree'}")
    most = min(args.most, 10) if args.gate else args.most
    print(changelog_section(report) if args.changelog else printed(report, most))
    if args.fail_on_breaking and report.breaking:
        return 1
    if not (args.gate and report.breaking):
        return 0
    base_pyproject = at(args.repo, ref, "pyproject.toml") if ref else None
    if base_pyproject is None:
        print("spec-diff: breaking, and no base version to compare with: not gated")
        return 0
    changelog = args.repo / "CHANGELOG.md"
    reason = announced(
        version_of(base_pyproject),
        version_of((args.repo / "pyproject.toml").read_text(encoding="utf-8")),
        changelog.read_text(encoding="utf-8") if changelog.exists() else "",
    )
    if reason:
        print(f"spec-diff: FAIL: a breaking change is not announced: {reason}")
        return 1
    print("spec-diff: breaking changes, announced by the version and CHANGELOG.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
