"""docs/architecture.md stays true to the code, and the import contracts stay in `make test`.

The import rules themselves are checked by `lint-imports` (contracts in pyproject.toml); these
tests catch a map that drifts: a path that no longer exists, a new top-level module nobody put
on the map, or a function a table row claims a module owns that is not there.
"""

import importlib
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PATH = re.compile(r"`((?:ambassadors|portal|bench|templates|static|docs|locale|container|\.ci)"
                  r"/[^`*<>…]*)`")  # fmt: skip
IDENTIFIER = re.compile(r"`([A-Za-z_]\w*)(?:\([^`]*\))?`")


def named_paths() -> list[str]:
    return sorted(set(PATH.findall(DOC)))


def table_rows() -> list[tuple[str, str]]:
    """(module path, owns) for every table row whose first cell names one Python module."""
    rows = []
    for line in DOC.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and re.fullmatch(r"`ambassadors/[\w/]+\.py`", cells[0]):
            rows.append((cells[0].strip("`"), cells[1]))
    return rows


def test_the_map_names_paths():
    assert len(named_paths()) > 50
    assert len(table_rows()) > 20


@pytest.mark.parametrize("path", named_paths())
def test_every_path_on_the_map_exists(path):
    assert (ROOT / path.rstrip("/")).exists(), f"docs/architecture.md names {path}"


def top_level_modules() -> list[str]:
    found = []
    for entry in sorted((ROOT / "ambassadors").iterdir()):
        if entry.name.startswith(("_", ".")):
            continue
        if entry.suffix == ".py" or (entry.is_dir() and (entry / "__init__.py").exists()):
            found.append(f"ambassadors/{entry.name}" + ("/" if entry.is_dir() else ""))
        elif entry.name == "migrations":
            found.append("ambassadors/migrations/")
    return found


@pytest.mark.parametrize("module", top_level_modules())
def test_every_top_level_module_is_on_the_map(module):
    assert f"`{module}`" in DOC, f"add {module} to docs/architecture.md"


@pytest.mark.parametrize(("path", "owns"), table_rows())
def test_what_a_module_owns_is_in_it(path, owns):
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    for name in IDENTIFIER.findall(owns):
        assert hasattr(module, name), f"docs/architecture.md: {path} has no {name}"


NAME = r"`\w+(?:\([^`]*\))?`"
NAMED_IN = re.compile(
    rf"((?:{NAME}\s*(?:/|,|and)?\s*)+)\s+in\s+`((?:ambassadors|portal)/[\w/]+\.py)`"
)


def named_in() -> list[tuple[str, str]]:
    """(name, module path) for every "`name` in `ambassadors/x.py`" of the text."""
    pairs = []
    for names, path in NAMED_IN.findall(" ".join(DOC.split())):
        pairs.extend((name, path) for name in re.findall(r"`(\w+)", names))
    return sorted(set(pairs))


def test_the_flows_name_functions():
    assert len(named_in()) > 10


@pytest.mark.parametrize(("name", "path"), named_in())
def test_a_function_named_in_a_module_is_there(name, path):
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert hasattr(module, name), f"docs/architecture.md: {path} has no {name}"


def test_the_import_contracts_run_in_make_test():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}
    pure = next(c for name, c in contracts.items() if name.startswith("plain_language"))
    assert set(pure["source_modules"]) == {"ambassadors.plain_language", "ambassadors.intents"}
    assert "django" in pure["forbidden_modules"]
    assert "ambassadors.*" in pure["forbidden_modules"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(VENV)/bin/lint-imports" in test_target
    assert test_target.index("ruff format --check") < test_target.index("lint-imports")
