"""`pip install vbc-telephony` ships both packages, typed, with the spec they are built from."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


CHECK_DIST = [sys.executable, str(ROOT / "scripts" / "check_dist.py")]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel as `make dist` builds them: the wheel from the sdist, as pip would."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return out


def test_wheel_ships_generated_and_handwritten_packages_with_the_spec(dist: Path) -> None:
    (wheel,) = dist.glob("vbc_telephony-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "vbc_telephony_api/__init__.py",
        "vbc_telephony_api/py.typed",
        "vbc_telephony_api/api/call/list_calls.py",
        "vbc_vis_api/__init__.py",
        "vbc_vis_api/py.typed",
        "vbc_vis_api/api/webhook/create_webhook.py",
        "vbc_telephony/__init__.py",
        "vbc_telephony/py.typed",
        "vbc_spec/openapi.yaml",
        "vbc_spec/oauth.yaml",
        "vbc_spec/vis.yaml",
        "vbc_spec/py.typed",
        # The sandbox's pages, the conformance report's template, and the pytest plugin.
        "vbc_sandbox/web/console/index.html",
        "vbc_sandbox/web/console/console.js",
        "vbc_sandbox/web/console/watch.js",
        "vbc_sandbox/web/docs/index.html",
        "vbc_sandbox/web/docs/docs.js",
        "vbc_conformance/report.html.jinja",
        "vbc_sandbox/pytest_plugin.py",
    ]:
        assert required in names
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    points = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in points and "vbc_sandbox = vbc_sandbox.pytest_plugin" in points
    for name in ("openapi.yaml", "vis.yaml"):
        assert zipfile.ZipFile(wheel).read(f"vbc_spec/{name}") == (ROOT / name).read_bytes()


def test_check_dist_passes_what_make_dist_builds(dist: Path) -> None:
    result = subprocess.run([*CHECK_DIST, str(dist)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert "nothing missing" in result.stdout


def test_twine_accepts_the_metadata_pypi_will_render(dist: Path) -> None:
    """make dist's twine check, run on the same build: make test covers all of make dist."""
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.count("PASSED") == 2, result.stdout


def test_check_dist_names_each_file_the_wheel_lacks(dist: Path, tmp_path: Path) -> None:
    """A data file dropped from the package data (the report template, a page) stops a release."""
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    dropped = {"vbc_conformance/report.html.jinja", "vbc_sandbox/web/console/watch.js"}
    with zipfile.ZipFile(wheel) as original, zipfile.ZipFile(tmp_path / wheel.name, "w") as copy:
        for item in original.infolist():
            if item.filename not in dropped:
                copy.writestr(item, original.read(item))
    shutil.copy(sdist, tmp_path)
    result = subprocess.run(
        [*CHECK_DIST, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert all(f"misses {name}" in result.stdout for name in dropped), result.stdout


def test_check_dist_expects_every_data_file_of_the_source_tree() -> None:
    """The expected list comes from the tree, so new package data is checked without a list."""
    loaded = importlib.util.spec_from_file_location("check_dist", ROOT / "scripts/check_dist.py")
    assert loaded is not None and loaded.loader is not None
    check_dist = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(check_dist)
    expected = check_dist.expected_in_wheel()
    for name in [
        "vbc_spec/openapi.yaml",
        "vbc_spec/oauth.yaml",
        "vbc_spec/vis.yaml",
        "vbc_vis_api/py.typed",
        "vbc_sandbox/control.yaml",
        "vbc_sandbox/seed.json",
        "vbc_conformance/report.html.jinja",
        "vbc_conformance/schemathesis.toml",
        "vbc_telephony_api/py.typed",
    ]:
        assert name in expected
    pages = {p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src/vbc_sandbox").rglob("*")}
    assert {p for p in pages if p.endswith((".html", ".js", ".css"))} <= set(expected)


@pytest.mark.parametrize(("tag", "code"), [("v" + VERSION, 0), ("v9.9.9", 1), (VERSION, 1)])
def test_a_release_tag_must_be_the_version_in_pyproject(tag: str, code: int) -> None:
    result = subprocess.run(
        [*CHECK_DIST, "--tag", tag], capture_output=True, text=True, check=False
    )
    assert result.returncode == code, result.stdout


def test_one_version_everywhere() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    generated = tomllib.loads((ROOT / "generated" / "pyproject.toml").read_text())
    assert generated["project"]["version"] == version
    for name in ("openapi.yaml", "oauth.yaml", "vis.yaml"):
        assert yaml.safe_load((ROOT / name).read_text())["info"]["version"] == version
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()


def test_libraries_ask_for_ranges_and_the_lockfile_pins_each_exactly() -> None:
    """Users get ranges (their own resolver decides); CI gets constraints.txt, exact."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in ("sandbox", "conformance"):
        wanted += [d for d in project["optional-dependencies"][extra] if "vbc-telephony" not in d]
    assert not [d for d in wanted if "==" in d], "library dependencies take ranges"
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    everything = wanted + project["optional-dependencies"]["dev"]
    names = {
        re.split(r"[\[<>=~!; ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in everything
    }
    names.discard("vbc-telephony")
    assert sorted(names - pinned) == [], "make lock: constraints.txt misses these"


@pytest.mark.parametrize(
    ("module", "prog"),
    [
        ("vbc_telephony", "vbc"),
        ("vbc_sandbox", "vbc-sandbox"),
        ("vbc_conformance", "vbc-conformance"),
    ],
)
def test_every_command_runs_as_a_module_and_tells_its_version(module: str, prog: str) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.strip() == f"{prog} {version}"
    imported = __import__(module)
    assert imported.__version__ == version
