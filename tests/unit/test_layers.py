"""The arrows run one way: interfaces -> services -> domain; storage is wired in by bootstrap alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "lotledger"
INTERFACES = [
    *sorted((SRC / "api").glob("*.py")),
    *sorted((SRC / "cli").glob("*.py")),
    *sorted((SRC / "web").glob("*.py")),
    SRC / "render.py",
]
SERVICES = sorted((SRC / "services").glob("*.py"))
DOMAIN = sorted((SRC / "domain").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", INTERFACES + SERVICES, ids=lambda p: str(p.relative_to(SRC)))
def test_interfaces_and_services_never_import_storage(path: Path) -> None:
    assert not {m for m in imported_modules(path) if m.startswith("lotledger.storage")}


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(SRC)))
def test_the_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    allowed_third_party = {"pint"}  # unit conversion factors, asked once per unit pair
    for module in imported_modules(path):
        top = module.split(".")[0]
        if module.startswith("lotledger."):
            assert module.startswith("lotledger.domain"), module
        else:
            assert top in allowed_third_party or top in __import__("sys").stdlib_module_names, module


def test_bootstrap_is_the_one_module_outside_storage_that_imports_it() -> None:
    importers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "storage" not in path.relative_to(SRC).parts
        and any(m.startswith("lotledger.storage") for m in imported_modules(path))
    }
    assert importers == {"bootstrap.py"}
