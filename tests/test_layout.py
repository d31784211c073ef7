"""The layers' import rules, read statically (every import statement, also inside functions):
theory (exact, sympy only) imports neither numerics nor claims; numerics does not import
claims; claim modules (claims/statements) and commands (claims/commands) do not import each
other; no claim module is over 400 lines."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"theory": "gfverify.theory", "numerics": "gfverify.numerics", "claims": "gfverify.claims"}
MAX_STATEMENT_LINES = 400


def module_name(path: Path) -> str:
    """The import name of a file under one of PACKAGES (``theory/x.py`` → ``gfverify.theory.x``)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    name = ".".join((PACKAGES[parts[0]],) + parts[1:])
    return name.removesuffix(".__init__")


def sources(top: str) -> list[Path]:
    return sorted((ROOT / top).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement of ``path`` names, relative imports resolved; for
    ``from a import b`` both ``a`` and ``a.b`` (``b`` may be a submodule)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def offending(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in imported_modules(path) if any(within(m, f) for f in forbidden))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", sources("theory"), ids=rel)
def test_theory_is_exact_and_self_contained(path):
    """theory/ imports the standard library, sympy, gfverify.theory and gfverify.errors only."""
    allowed_gfverify = ("gfverify.theory", "gfverify.errors")
    bad = []
    for m in sorted(imported_modules(path)):
        top = m.split(".")[0]
        if top == "gfverify":
            if m != "gfverify" and not any(within(m, a) for a in allowed_gfverify):
                bad.append(m)
        elif top not in sys.stdlib_module_names and top not in ("sympy", "__future__"):
            bad.append(m)
    assert not bad, f"{rel(path)} imports {bad} (theory/ is sympy only and below numerics and claims)"


@pytest.mark.parametrize("path", sources("numerics"), ids=rel)
def test_numerics_does_not_import_claims(path):
    bad = offending(path, ("gfverify.claims",))
    assert not bad, f"{rel(path)} imports {bad} (numerics/ is below claims/)"


@pytest.mark.parametrize("path", sources("claims/statements"), ids=rel)
def test_statements_do_not_import_commands(path):
    bad = offending(path, ("gfverify.claims.commands",))
    assert not bad, f"{rel(path)} imports {bad} (move shared code to numerics/ or theory/)"


@pytest.mark.parametrize("path", sources("claims/commands"), ids=rel)
def test_commands_do_not_import_statements(path):
    bad = offending(path, ("gfverify.claims.statements",))
    assert not bad, f"{rel(path)} imports {bad} (move shared code to numerics/ or theory/)"


@pytest.mark.parametrize("path", sources("claims/statements"), ids=rel)
def test_claim_modules_are_short(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_STATEMENT_LINES, f"{rel(path)} has {lines} lines (at most {MAX_STATEMENT_LINES})"


def test_the_rules_see_imports_inside_functions_and_relative_imports(tmp_path, monkeypatch):
    """The reader of the rules itself: a function-local import and a relative import count."""
    fake = tmp_path / "claims" / "statements" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from ..commands import escape\n    import gfverify.theory.hermite\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imported_modules(fake)
    assert {"gfverify.claims.commands", "gfverify.claims.commands.escape", "gfverify.theory.hermite"} <= found
    assert offending(fake, ("gfverify.claims.commands",))
