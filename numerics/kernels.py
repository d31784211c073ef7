"""Gaussian kernels ``E[f(x) f(y)]`` for a standard Gaussian pair of correlation ``ρ``, by a
2-D product Gauss–Legendre rule on the joint density, split at the link's kinks on both axes."""

from __future__ import annotations

import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics import engines
from gfverify.numerics.hermite import mp_function
from gfverify.numerics.quadrature import piecewise_legendre
from gfverify.theory.hermite import Z, breakpoints


def _kernel_once(fun, cuts: list, rho: mpmath.mpf, n: int) -> mpmath.mpf:
    """``Σ_ij w_i w_j f(x_i) f(x_j) p_ρ(x_i, x_j)`` with the density factored as
    ``a_i a_j exp(ρ x_i x_j / (1-ρ²))``, ``a_i = exp(-x_i²/(2(1-ρ²)))``."""
    s2 = 1 - rho * rho
    pts = [(x, w * fun(x) * mpmath.exp(-x * x / (2 * s2))) for x, w in piecewise_legendre(cuts, n)]
    pts = [(x, a) for x, a in pts if a != 0]
    c = rho / s2
    flint = engines.module("flint")
    if flint is None:
        total = mpmath.fsum(a * b * mpmath.exp(c * x * y) for x, a in pts for y, b in pts)
    else:  # the same double sum in arb ball arithmetic, several times faster than mpmath
        old = flint.ctx.prec
        flint.ctx.prec = mpmath.mp.prec + 10
        try:
            width = mpmath.mp.dps + 5
            fx = [(flint.arb(mpmath.nstr(c * x, width)), flint.arb(mpmath.nstr(a, width))) for x, a in pts]
            ys = [flint.arb(mpmath.nstr(y, mpmath.mp.dps + 5)) for y, _ in pts]
            acc = flint.arb(0)
            for cx, a in fx:
                row = flint.arb(0)
                for y, (_, b) in zip(ys, fx):
                    row += b * (cx * y).exp()
                acc += a * row
            total = mpmath.mpf(acc.mid().str(mpmath.mp.dps + 5, radius=False))
        finally:
            flint.ctx.prec = old
    return total / (2 * mpmath.pi * mpmath.sqrt(s2))


def gaussian_kernel(f: sympy.Expr, rho: sympy.Expr, digits: int,
                    z: sympy.Symbol = Z) -> tuple[mpmath.mpf, float]:
    """``E[f(x) f(y)]``, ``(x, y)`` standard Gaussian with correlation ``ρ`` (``|ρ| < 1``), on
    ``[-L, L]²`` cut every 7 units and at the kinks (both marginals are N(0,1), so the truncation
    error is below ``e^{-L²/2}`` for links of polynomial growth), refined (nodes × 3/2 per level)
    until two levels at two precisions agree to ``digits``;
    returns the finer value and the agreed digits."""
    rho_mp = mpmath.mpf(sympy.N(rho, digits + 20))
    if not abs(rho_mp) < 1:
        raise InputError(f"correlation must satisfy |rho| < 1, got {rho}")
    fun = mp_function(sympy.sympify(f), z)
    kinks = breakpoints(f, z)
    previous, n = None, 12
    for level in range(12):
        dps = digits + 6 + 2 * level
        with mpmath.workdps(dps):
            half = mpmath.ceil(mpmath.sqrt(2 * (dps + 4) * mpmath.log(10)) + 2)
            inner = {mpmath.mpf(sympy.N(c, dps + 5)) for c in kinks}
            inner |= {mpmath.mpf(c) for c in range(-int(half) + 7, int(half) - 6, 7)}
            cuts = [-half, *sorted(c for c in inner if -half < c < half), half]
            value = _kernel_once(fun, cuts, mpmath.mpf(sympy.N(rho, dps + 5)), n)
        if previous is not None:
            diff, scale = abs(value - previous), max(abs(value), abs(previous))
            agreed = float(dps) if diff == 0 else float(-mpmath.log10(diff / scale))
            if agreed >= digits:
                return value, agreed
        previous, n = value, int(n * 3 / 2)
    raise InputError(f"kernel quadrature did not reach {digits} digits")
