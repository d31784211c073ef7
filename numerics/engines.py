"""The optional engines the numerics may use, decided in one place.

``flint`` (python-flint: arb Gauss–Legendre roots, arb kernel sums, certified polynomial roots,
the arb homotopy field) and ``heyoka`` (heyoka.py's Taylor integrator) each replace a
pure-Python route (mpmath Newton nodes, mpmath sums, ``mpmath.polyroots``, the Taylor engine of
:mod:`gfverify.numerics.taylor`). The environment variable ``GFVERIFY_ENGINES`` selects them:
unset, ``all`` or ``auto`` uses every installed one; ``pure`` (or ``none``) uses none, so each
pure-Python route runs; a comma list such as ``flint`` keeps only those named. gmpy2 is not an
engine here: it speeds up mpmath's own arithmetic (mpmath's ``MPMATH_NOGMPY=1`` switches it off).
"""

from __future__ import annotations

import os
from importlib import import_module
from types import ModuleType

from gfverify.errors import InputError

VARIABLE = "GFVERIFY_ENGINES"
OPTIONAL = ("flint", "heyoka")


def enabled() -> frozenset[str]:
    """The optional engines ``GFVERIFY_ENGINES`` allows (read at each call, so a test or a
    process may change it)."""
    text = os.environ.get(VARIABLE, "").strip().lower()
    if text in ("", "all", "auto"):
        return frozenset(OPTIONAL)
    if text in ("pure", "none"):
        return frozenset()
    names = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(names - set(OPTIONAL))
    if unknown:
        raise InputError(f"{VARIABLE}={text!r}: unknown engine {', '.join(unknown)} "
                         f"(use all, pure, or a comma list of {', '.join(OPTIONAL)})")
    return names


def module(name: str) -> ModuleType | None:
    """The engine's module (``flint`` or ``heyoka``) when it is installed and enabled, else ``None``."""
    if name not in OPTIONAL:
        raise ValueError(f"unknown optional engine {name!r}")
    if name not in enabled():
        return None
    try:
        return import_module(name)
    except ImportError:
        return None


def available(name: str) -> bool:
    """Whether the optional engine ``name`` is installed and enabled."""
    return module(name) is not None
