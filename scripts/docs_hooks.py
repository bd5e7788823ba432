"""MkDocs hooks for `make docs`: the pages generated from the code at build time (the
reference of every public name, the CLI reference from the argument parsers), the check
that every public name has a docstring, and the HTTP API reference from the specs."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from pathlib import Path
from typing import Any

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]

#: Reference page -> (title, the modules whose `__all__` it documents).
REFERENCE = {
    "reference/sdk.md": ("The SDK: vbc_telephony", ["vbc_telephony", "vbc_telephony.webhooks"]),
    "reference/sandbox.md": ("The sandbox: vbc_sandbox", ["vbc_sandbox"]),
    "reference/test-kit.md": (
        "The test kit: pytest plugin and outcomes",
        ["vbc_sandbox.testkit.plugin", "vbc_sandbox.outcomes"],
    ),
    "reference/conformance.md": ("The conformance suite: vbc_conformance", ["vbc_conformance"]),
}
#: Command -> the module whose `parser()` builds its argument parser.
COMMANDS = {
    "vbc": "vbc_telephony.cli",
    "vbc-sandbox": "vbc_sandbox.cli",
    "vbc-conformance": "vbc_conformance.cli",
}
PATHS = [str(ROOT / "src"), str(ROOT / "generated")]


def public_names(module: str) -> list[tuple[str, str]]:
    """(name, the dotted path of its definition) for each name in the module's `__all__`;
    a name the package imports lazily (vbc_sandbox's LAZY) is found where it lives."""
    loaded = importlib.import_module(module)
    lazy: dict[str, str] = getattr(loaded, "LAZY", {})
    return [(name, f"{lazy.get(name, module)}.{name}") for name in loaded.__all__]


def missing_docstrings() -> list[str]:
    """Every public name whose definition has no docstring, as its dotted path."""
    wanted = [
        path for _, modules in REFERENCE.values() for m in modules for _, path in public_names(m)
    ]
    loader = griffe.GriffeLoader(search_paths=PATHS)
    # Each package once, then its aliases (re-exports) within what is loaded: fast, and
    # a public name re-exported from another of this project's packages still resolves.
    for package in sorted({path.split(".")[0] for path in wanted} | {"vbc_spec"}):
        loader.load(package)
    loader.resolve_aliases(implicit=True, external=False)
    missing = []
    for path in wanted:
        try:
            docstring = loader.modules_collection.get_member(path).docstring
        except (KeyError, griffe.AliasResolutionError):
            docstring = None
        if docstring is None or not docstring.value.strip():
            missing.append(path)
    return missing


def reference_page(title: str, modules: list[str]) -> str:
    lines = [f"# {title}", ""]
    for module in modules:
        docstring = (importlib.import_module(module).__doc__ or "").strip()
        lines += [f"## `{module}`", "", docstring.split("\n\n")[0], ""]
        for _, path in public_names(module):
            lines += [f"::: {path}", "    options:", "      heading_level: 3", ""]
    return "\n".join(lines)


def parsers(
    name: str, parser: argparse.ArgumentParser
) -> list[tuple[str, argparse.ArgumentParser]]:
    """The command's parser and each of its subcommands', depth first."""
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, subparser in action.choices.items():
                found += parsers(f"{name} {sub}", subparser)
    return found


def cli_page() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from the commands' own argument parsers when the site is built: the same",
        "text as `--help`.",
        "",
    ]
    for command, module in COMMANDS.items():
        parser = importlib.import_module(module).parser()
        for name, each in parsers(command, parser):
            each.prog = name
            level = "##" if name == command else "###"
            lines += [f"{level} `{name}`", "", "```text", each.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    missing = missing_docstrings()
    if missing:
        raise PluginError("public names without a docstring: " + ", ".join(missing))
    pages = {path: reference_page(*spec) for path, spec in REFERENCE.items()}
    pages["reference/cli.md"] = cli_page()
    for path, text in pages.items():
        files.append(File.generated(config, path, content=text))
    return files


def on_post_build(config: MkDocsConfig, **_: Any) -> None:
    # scripts/docs.py: the Swagger UI page, offline (loaded by path: scripts/ is no package).
    spec = importlib.util.spec_from_file_location("api_page", ROOT / "scripts" / "docs.py")
    assert spec is not None and spec.loader is not None
    api_page = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(api_page)
    api_page.main(str(Path(config.site_dir) / "api"))
