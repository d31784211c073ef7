"""Packaging: the distribution holds exactly the package sources (every directory with
``__init__.py`` under src/gfverify, theory, numerics, claims, and each of their modules), and
the core modules import without the optional extras."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = {"gfverify": "src/gfverify", "gfverify.theory": "theory",
               "gfverify.numerics": "numerics", "gfverify.claims": "claims"}
# what the optional extras ([test], [plot], [fast]) bring and the core must not need at import
EXTRAS_ONLY = ("hypothesis", "scipy", "matplotlib", "heyoka", "pytest", "jupytext", "nbclient")


def source_files() -> dict[str, Path]:
    """Each package module by its path inside the distribution (``gfverify/theory/x.py``)."""
    out = {}
    for name, where in PACKAGE_DIR.items():
        base = ROOT / where
        for path in base.rglob("*.py"):
            if (path.parent / "__init__.py").exists() and all(
                    (base / p / "__init__.py").exists() for p in path.relative_to(base).parents):
                out["/".join(name.split(".") + list(path.relative_to(base).parts))] = path
    return out


def package_directories() -> set[str]:
    return {p.rpartition("/")[0] for p in source_files() if p.endswith("/__init__.py")}


def check_distribution(files: set[str]) -> None:
    python = {f for f in files if f.endswith(".py")}
    missing_packages = sorted(p for p in package_directories() if f"{p}/__init__.py" not in python)
    assert not missing_packages, f"package directories missing from the distribution: {missing_packages}"
    expected = set(source_files())
    assert not expected - python, f"modules missing: {sorted(expected - python)}"
    stale = sorted(python - expected)
    assert not stale, f"modules not in the source tree (a stale build/?): {stale}"


def test_every_package_directory_is_found():
    """The layout the checks below rely on: the four roots and their subpackages."""
    packages = package_directories()
    assert {"gfverify", "gfverify/theory", "gfverify/numerics", "gfverify/claims",
            "gfverify/claims/statements", "gfverify/claims/commands"} <= packages


def test_installed_distribution_holds_every_package():
    """A regular install (CI's first pytest run) lists exactly the package sources."""
    import gfverify

    site = Path(gfverify.__file__).parents[1]
    infos = sorted(site.glob("gfverify-*.dist-info"))
    if not infos:
        pytest.skip("not a regular install (editable, or run from the sources): see the wheel test")
    check_distribution({str(f) for f in metadata.Distribution.at(infos[0]).files})


@pytest.mark.slow
def test_wheel_holds_every_package(tmp_path):
    """The wheel built from a clean copy of the sources (about 5 s: pip's isolated build)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for where in PACKAGE_DIR.values():
        shutil.copytree(ROOT / where, src / where, ignore=ignore)
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(src)],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("gfverify-*.whl")
    check_distribution(set(zipfile.ZipFile(wheel).namelist()))


def test_core_modules_import_without_the_extras(tmp_path):
    """Every module but numerics.strategies (and __main__, which runs the CLI) imports with
    the extras' packages blocked; that one raises an ImportError naming the [test] extra."""
    modules = [p.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for p in source_files()
               if not p.endswith("/__main__.py")]
    script = f"""
import importlib, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS_ONLY!r}:
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
for name in {sorted(modules)!r}:
    try:
        importlib.import_module(name)
    except ImportError as exc:
        if name != "gfverify.numerics.strategies" or "gfverify[test]" not in str(exc):
            raise
    else:
        assert name != "gfverify.numerics.strategies", "strategies imported without hypothesis"
print("ok")
"""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
