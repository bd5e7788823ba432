"""The documentation site (`make docs`): built strictly, a reference entry for every public
name, the commands' reference from their own parsers, the HTTP API page, the changelog, the
guides moved from README.md. tests/test_browser.py looks at it in a browser."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.docs_site import ROOT, build_site


def load_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "scripts" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    built = build_site(target)
    assert built.returncode == 0, built.stderr
    return target


def test_every_public_name_has_a_reference_entry(site: Path) -> None:
    hooks = load_hooks()
    for page, (_, modules) in hooks.REFERENCE.items():
        html = (site / page).with_suffix(".html").read_text(encoding="utf-8")
        for module in modules:
            for _, path in hooks.public_names(module):
                assert f'id="{path}"' in html, (page, path)


def test_the_cli_reference_is_each_commands_help(site: Path) -> None:
    html = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    for command in ("vbc calls watch", "vbc-sandbox", "vbc-conformance"):
        assert f"<code>{command}</code>" in html, command
    # An option of each, as its parser spells it.
    for option in ("--interval", "--ring-delay", "--max-examples"):
        assert option in html, option


def test_the_http_api_page_and_the_changelog_are_part_of_the_site(site: Path) -> None:
    for page in ("index.html", "openapi.json", "vis.html", "vis.json"):
        assert (site / "api" / page).is_file(), page
    changelog = (site / "changelog.html").read_text(encoding="utf-8")
    assert "Keep a Changelog" in changelog


@pytest.fixture
def undocumented_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "undocumented_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""A package."""\n__all__ = ["documented", "bare"]\n\n'
        'def documented() -> None:\n    """Has one."""\n\n\ndef bare() -> None:\n    pass\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("undocumented_pkg", None)


def test_a_public_name_without_a_docstring_fails_the_build(undocumented_package: Path) -> None:
    hooks = load_hooks()
    hooks.REFERENCE = {"reference/x.md": ("X", ["undocumented_pkg"])}
    hooks.PATHS = [str(undocumented_package), *hooks.PATHS]
    assert hooks.missing_docstrings() == ["undocumented_pkg.bare"]


def test_the_readme_links_into_the_site_and_stays_a_landing_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [target for target in targets if "://" not in target]
    assert any(target.startswith("docs/guides/") for target in local)
    for target in local:
        assert (ROOT / target).exists(), target
