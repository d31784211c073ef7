"""Where the gfverify packages live: ``src/gfverify`` and the top-level ``theory/``,
``numerics/``, ``claims/`` (imported as ``gfverify.theory`` etc.). Every subpackage (a
directory with ``__init__.py``) below them is found, so adding one needs no edit here.
Everything else is declared in pyproject.toml."""

from setuptools import find_packages, setup

PACKAGE_DIR = {
    "gfverify": "src/gfverify",
    "gfverify.theory": "theory",
    "gfverify.numerics": "numerics",
    "gfverify.claims": "claims",
}

setup(
    package_dir=PACKAGE_DIR,
    packages=[*PACKAGE_DIR, *(f"{name}.{sub}" for name, where in PACKAGE_DIR.items()
                              for sub in find_packages(where))],
)
