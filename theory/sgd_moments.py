"""The first two moments of one online-SGD step of the overlap (docs/theory.md A20), exactly:
planted single index ``f* = h_s``, batch 1, at leading order in the step size."""

from __future__ import annotations

import sympy

from gfverify.theory.averaging import expectation
from gfverify.theory.hermite import h
from gfverify.theory.reduced_ode import M


def step_moments(s: int) -> tuple[sympy.Expr, sympy.Expr]:
    """Drift ``b(m) = E[Δm]/η`` and noise ``σ²(m) = Var[Δm]/η²`` of one step at leading order in
    ``η``: ``Δm ≈ η r √(1 − m²) u`` with ``r = (f*(z*) − f*(z)) f*'(z)``, ``z* = m z + √(1 − m²) u``
    and ``z, u`` independent standard Gaussians (exact Gaussian moments); ``m`` is
    :data:`gfverify.theory.reduced_ode.M`."""
    z, u = sympy.symbols("z u", real=True)
    c = sympy.sqrt(1 - M**2)
    f = h(s, z)
    r = (f.subs(z, M * z + c * u) - f) * sympy.diff(f, z)
    b = sympy.factor(expectation(sympy.expand(r * c * u), [z, u]))
    second = expectation(sympy.expand(r**2 * u**2), [z, u])
    return b, sympy.factor(sympy.expand((1 - M**2) * second - b**2))
