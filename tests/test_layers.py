"""The sandbox's layers, read from its imports (every one: at the top, in a function, under
TYPE_CHECKING): no module imports one of a layer above its own, and no import circle.

The order: the foundations (top-level modules any layer may use), storage, the phone
system, the web layer, the test kit; the entry points (the commands, the plugin's entry,
the public re-exports) above them all, imported by none of them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "vbc_sandbox"
#: Each subpackage's rank: a module may import its own rank or a lower one.
LAYERS = {"storage": 1, "phone": 2, "web": 3, "testkit": 4}
#: Top-level modules: the foundations (rank 0), and the entry points (above every layer).
FOUNDATIONS = {"errors", "settings", "routes", "media_types", "json_reading", "redaction"}
ENTRY_POINTS = {"__init__", "__main__", "cli", "outcomes", "launch", "pytest_plugin"}
ENTRY = max(LAYERS.values()) + 1
#: Libraries that speak HTTP: the phone system and storage know nothing of them.
HTTP_LIBRARIES = {"starlette", "connexion", "uvicorn", "httpx", "anyio"}
#: connexion's public API; everything else of it is used in web/connexion_glue.py only.
CONNEXION_PUBLIC = {
    "connexion",
    "connexion.exceptions",
    "connexion.lifecycle",
    "connexion.options",
    "connexion.resolver",
}
GLUE = f"{PACKAGE}.web.connexion_glue"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / PACKAGE).rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, list[str]]]:
    """Each import of module `name` as (the module it names, the names it takes), relative
    ones resolved; `from package import module` names that module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names = [alias.name for alias in node.names]
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            found += [(sub, []) for sub in submodules] or [(base, names)]
    return found


def rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:  # the package itself
        return ENTRY
    if parts[1] in LAYERS:
        return LAYERS[parts[1]]
    if parts[1] in FOUNDATIONS:
        return 0
    if parts[1] in ENTRY_POINTS:
        return ENTRY
    raise AssertionError(f"{module}: say which layer it belongs to (tests/test_layers.py)")


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of the sandbox -> the modules of the sandbox it imports."""
    found = modules(root)
    return {
        name: {
            target
            for target, _ in imports(name, path, set(found))
            if target in found and target != PACKAGE
        }
        for name, path in found.items()
    }


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: each strongly connected group of more than one module, or a
    module importing itself (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges[node]:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    return [
        f"{source} imports {target}"
        for source, targets in sorted(edges.items())
        for target in sorted(targets)
        if rank(target) > rank(source)
    ]


def test_every_module_has_a_layer() -> None:
    for name in modules():
        rank(name)


def test_no_import_circle_in_the_sandbox() -> None:
    assert circles(graph()) == []


def test_imports_run_down_the_layers() -> None:
    assert upward(graph()) == []


def test_the_phone_system_and_storage_know_nothing_of_http() -> None:
    found = modules()
    speaking = [
        f"{name} imports {target}"
        for name, path in found.items()
        if rank(name) in (LAYERS["storage"], LAYERS["phone"])
        for target, _ in imports(name, path, set(found))
        if target.split(".")[0] in HTTP_LIBRARIES
    ]
    assert speaking == []


def test_connexion_internals_are_used_in_one_module() -> None:
    """Outside web/connexion_glue.py, only connexion's public modules and names."""
    found = modules()
    private = [
        f"{name}: {target} {names}"
        for name, path in found.items()
        if name != GLUE
        for target, names in imports(name, path, set(found))
        if target.split(".")[0] == "connexion"
        and (target not in CONNEXION_PUBLIC or any(n.startswith("_") for n in names))
    ]
    assert private == []


def test_the_checks_find_a_circle_and_an_upward_import(tmp_path: Path) -> None:
    """The checks themselves: a copy of the package with a circle and an upward import."""
    for path in (ROOT / PACKAGE).rglob("*.py"):
        copied = tmp_path / path.relative_to(ROOT)
        copied.parent.mkdir(parents=True, exist_ok=True)
        copied.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    engines = tmp_path / PACKAGE / "storage" / "engines.py"
    engines.write_text(
        engines.read_text(encoding="utf-8")
        + "\n\ndef later() -> None:\n    from vbc_sandbox.storage import store\n"
        + "    from ..web.handlers import ok\n",
        encoding="utf-8",
    )
    edges = graph(tmp_path)
    pair = {f"{PACKAGE}.storage.engines", f"{PACKAGE}.storage.store"}
    assert any(pair <= set(group) for group in circles(edges))
    assert f"{PACKAGE}.storage.engines imports {PACKAGE}.web.handlers" in upward(edges)
