"""The single-index least-squares loss of [A] (docs/theory.md A9) in finite dimension ``d``, to
high precision, for a non-polynomial target: ``x ~ N(0, I_d)``, the target ``f*(w*ᵀx)``, the
model ``Σ_{k≤K} c_k h_k(wᵀx)`` fitted by least squares.

Method. Only the plane of ``w*`` and ``w`` matters: ``X = w*ᵀx`` and ``Y = e₂ᵀx``,
``e₂ = (w − m w*)/σ``, ``m = w*ᵀw``, ``σ = √(1 − m²)``, are independent standard normals and
``wᵀx = mX + σY``. The Gram matrix ``E[h_j(wᵀx) h_k(wᵀx)]`` and the right-hand side
``E[f*(X) h_k(mX + σY)]`` are computed on that plane: polynomial directions by Gauss–Hermite
rules exact for their degree, the target's direction by the trapezoidal rule with a step set by
the strip where ``f*`` is analytic; the normal equations are solved in mpmath. Nothing here uses
the averaging operator or Mehler's formula."""

from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import sympy

from gfverify.errors import InputError


def _mp(x) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 5)) if isinstance(x, sympy.Basic) else mpmath.mpf(x)


def gauss_hermite(n: int) -> tuple[list, list]:
    """Nodes and weights of the ``n``-point Gauss–Hermite rule for the standard normal weight
    ``φ`` (exact for polynomials of degree ``≤ 2n − 1``), at the current precision."""
    if n < 1:
        raise InputError(f"need n ≥ 1 nodes, got {n}")
    if n == 1:
        return [mpmath.mpf(0)], [mpmath.mpf(1)]
    xs, ws = mpmath.mp.gauss_quadrature(n, "hermite")
    root2, root_pi = mpmath.sqrt(2), mpmath.sqrt(mpmath.pi)
    return [root2 * x for x in xs], [w / root_pi for w in ws]


def hermite_values(u: mpmath.mpf, kmax: int) -> list:
    """``[h_0(u), …, h_kmax(u)]``, the normalized probabilists' Hermite polynomials, by
    ``√(k+1) h_{k+1} = u h_k − √k h_{k−1}``."""
    out = [mpmath.mpf(1)]
    prev = mpmath.mpf(0)
    for k in range(kmax):
        out.append((u * out[-1] - mpmath.sqrt(k) * prev) / mpmath.sqrt(k + 1))
        prev = out[-2]
    return out


def _plane(w_star: Sequence, w: Sequence, digits: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(m, σ)`` for unit vectors ``w*``, ``w`` of ``R^d`` (exact sympy entries or mpmath
    numbers; unit to ``digits`` digits)."""
    if len(w_star) != len(w):
        raise InputError(f"w* has {len(w_star)} entries but w has {len(w)}")
    a = [_mp(x) for x in w_star]
    b = [_mp(x) for x in w]
    tol = mpmath.mpf(10) ** (-(digits - 5))
    if abs(mpmath.fdot(a, a) - 1) > tol or abs(mpmath.fdot(b, b) - 1) > tol:
        raise InputError("w* and w must be unit vectors")
    m = mpmath.fdot(a, b)
    return m, mpmath.sqrt(max(1 - m * m, 0))


def least_squares_loss(target: Callable, w_star: Sequence, w: Sequence, kmax: int,
                       strip: mpmath.mpf) -> mpmath.mpf:
    """``min_c ½E[(f*(w*ᵀx) − Σ_{k≤kmax} c_k h_k(wᵀx))²]`` at the current precision, for
    ``f* = target`` analytic in ``|Im| < strip`` and bounded on the real line (the method is
    in the module docstring)."""
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + 15):
        m, sigma = _plane(w_star, w, dps)
        # the Gram matrix: degree 2·kmax in (X, Y), exact with kmax + 1 nodes on each axis
        gx, gw = gauss_hermite(kmax + 1)
        gram = mpmath.zeros(kmax + 1, kmax + 1)
        for x, wx in zip(gx, gw):
            for y, wy in zip(gx, gw):
                hv = hermite_values(m * x + sigma * y, kmax)
                for j in range(kmax + 1):
                    for k in range(j + 1):
                        gram[j, k] += wx * wy * hv[j] * hv[k]
        for j in range(kmax + 1):
            for k in range(j):
                gram[k, j] = gram[j, k]
        # the right-hand side: degree kmax in Y (exact rule), trapezoid in X
        yx, yw = gauss_hermite(kmax // 2 + 1)
        target_digits = (dps + 10) * mpmath.log(10)
        step = 2 * mpmath.pi * strip / target_digits
        half_width = 2 * mpmath.sqrt(target_digits) + 1  # integrands decay like e^{-X²/4}
        n = int(mpmath.ceil(half_width / step))
        rhs = [mpmath.mpf(0)] * (kmax + 1)
        norm2 = mpmath.mpf(0)
        for i in range(-n, n + 1):
            x = step * i
            weight = step * mpmath.npdf(x)
            fx = mpmath.mpmathify(target(x))
            norm2 += weight * fx * fx
            for y, wy in zip(yx, yw):
                hv = hermite_values(m * x + sigma * y, kmax)
                c = weight * wy * fx
                for k in range(kmax + 1):
                    rhs[k] += c * hv[k]
        coef = mpmath.lu_solve(gram, mpmath.matrix(rhs))
        loss = (norm2 - mpmath.fsum(r * c for r, c in zip(rhs, coef))) / 2
    return +loss
