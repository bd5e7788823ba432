"""Check what `make dist` built before it is published: one sdist and one wheel of the version in
pyproject.toml, and every file of the source tree's packages in the wheel (the specs, the
sandbox's control API, seed, console and docs pages, the report template, each py.typed).

The expected files come from pyproject.toml's wheel packages and git (what is tracked under
them), so a new data file is checked without editing this script. `--tag v1.2.3` instead
checks that a release tag names that version.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def version() -> str:
    return str(pyproject()["project"]["version"])  # type: ignore[index]


def expected_in_wheel() -> dict[str, Path]:
    """Each tracked file of each wheel package, by its path in the wheel."""
    packages = pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]  # type: ignore[index]
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--", *packages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    expected: dict[str, Path] = {}
    for package in packages:
        prefix = package.rstrip("/") + "/"
        for path in tracked:
            if path.startswith(prefix):
                expected[package.rsplit("/", 1)[-1] + "/" + path[len(prefix) :]] = ROOT / path
    if not expected:
        raise SystemExit("check_dist: git lists no file of the wheel's packages")
    return expected


def linked() -> dict[str, Path]:
    """The wheel's files that are symlinks in the source tree (the specs), to what they name."""
    return {name: path.resolve() for name, path in expected_in_wheel().items() if path.is_symlink()}


def check_wheel(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        problems = [
            f"{wheel.name} misses {name}"
            for name in sorted(expected_in_wheel())
            if name not in names
        ]
        for name, target in linked().items():
            if name in names and archive.read(name) != target.read_bytes():
                problems.append(f"{wheel.name}: {name} differs from {target.relative_to(ROOT)}")
    return problems


def check_sdist(sdist: Path) -> list[str]:
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(top + "/") for name in archive.getnames()}
    # The wheel is built from the sdist: a symlink's target outside src/ must travel in it too.
    targets = sorted(str(target.relative_to(ROOT)) for target in linked().values())
    return [f"{sdist.name} misses {target}" for target in targets if target not in names]


def check(dist: Path) -> list[str]:
    wanted = version()
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        found = [p.name for p in [*wheels, *sdists]]
        return [f"{dist} should hold one wheel and one sdist, not {found}"]
    problems = [
        f"{p.name} is not version {wanted}"
        for p in (*wheels, *sdists)
        if not p.name.startswith(f"vbc_telephony-{wanted}")
    ]
    return problems + check_wheel(wheels[0]) + check_sdist(sdists[0])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="check_dist", description=__doc__.split("\n\n")[0])
    p.add_argument("dist", type=Path, nargs="?", default=ROOT / "dist", help="default: dist/")
    p.add_argument("--tag", help="a release tag: check it is v<the version in pyproject.toml>")
    args = p.parse_args(argv)
    if args.tag is not None:
        if args.tag != f"v{version()}":
            print(f"check_dist: tag {args.tag} is not v{version()}, pyproject.toml's version")
            return 1
        print(f"check_dist: tag {args.tag} is the version")
        return 0
    problems = check(args.dist)
    for problem in problems:
        print(f"check_dist: {problem}")
    if not problems:
        print(f"check_dist: {args.dist}: the sdist and wheel of {version()}, nothing missing")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
