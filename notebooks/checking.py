"""What every derivation notebook shares: its run mode (the small parameter set of the test run),
the perturbation hook of the perturbation test, the judged assertion and the gallery figure.

- ``GFVERIFY_NOTEBOOK_SMALL=1`` (set by the tests): a notebook uses its smaller parameter set.
- ``GFVERIFY_NOTEBOOK_PERTURB=<name>``: the value checked by the check ``<name>`` is perturbed
  (``x → x(1 + 10⁻⁶) + 10⁻⁶``), so that check must fail; ``tests/notebooks`` shows it does.
- ``GFVERIFY_GALLERY=<dir>``: where the main figure goes (default: the repository's
  ``docs/gallery``, beside ``notebooks/``; running a notebook on the full parameter set refreshes
  the gallery)."""

from __future__ import annotations

import os
from pathlib import Path

import mpmath
import sympy

from gfverify.claims.model import Evidence

SMALL = os.environ.get("GFVERIFY_NOTEBOOK_SMALL") == "1"
#: the relative (and absolute) size of a perturbation
EPSILON = sympy.Rational(1, 10**6)


def _perturb(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_perturb(v) for v in x)
    if isinstance(x, sympy.MatrixBase):
        return x.applyfunc(_perturb)
    if isinstance(x, (sympy.Basic, int)):
        return x * (1 + EPSILON) + EPSILON
    if isinstance(x, float):
        return x * (1 + 1e-6) + 1e-6
    eps = mpmath.mpf(EPSILON.p) / EPSILON.q
    return x * (1 + eps) + eps


def value(name: str, x):
    """``x``, or ``x`` perturbed by 10⁻⁶ (relative and absolute) when the perturbation test
    names the check ``name``."""
    return _perturb(x) if os.environ.get("GFVERIFY_NOTEBOOK_PERTURB", "") == name else x


def _show(v) -> str:
    return mpmath.nstr(v, 3) if isinstance(v, mpmath.mpf) else str(v)


def judged(name: str, evidence: Evidence) -> Evidence:
    """Print the judge's verdict on the check ``name`` and assert that the statement holds."""
    res, tol = _show(evidence.residual), _show(evidence.tolerance)
    digits = "" if evidence.digits is None else f", {evidence.digits:.1f} digits"
    print(f"[{name}] {'holds' if evidence.holds else 'FAILS'}: residual {res}, "
          f"tolerance {tol}{digits} -- {evidence.method}")
    assert evidence.holds, f"check {name} fails: residual {res} > tolerance {tol}"
    return evidence


def refuted(name: str, evidence: Evidence, twin: Evidence) -> Evidence:
    """A negative control: the false statement ``evidence`` must not hold while its true twin,
    judged the same way, does."""
    print(f"[{name}] false statement {'HOLDS' if evidence.holds else 'refuted'} "
          f"(residual {evidence.residual}); true twin {'holds' if twin.holds else 'FAILS'}")
    assert twin.holds and not evidence.holds, f"check {name} fails: the judge does not separate them"
    return evidence


def save_figure(fig, name: str) -> Path:
    """Save the notebook's main figure as ``<gallery>/<name>.png``."""
    default = Path(__file__).resolve().parents[1] / "docs" / "gallery"
    directory = Path(os.environ.get("GFVERIFY_GALLERY", default))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def tested(name: str, passes: bool, text: str) -> bool:
    """A statistical statement decided by a test of :mod:`gfverify.numerics.statistics` at a
    stated level: print the outcome and assert that it is the one the statement predicts."""
    print(f"[{name}] {'holds' if passes else 'FAILS'}: {text}")
    assert passes, f"check {name} fails: {text}"
    return passes
