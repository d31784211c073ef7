"""The finite-ridge link of docs/theory.md A19 by quadrature, at the current mpmath precision: a
second route to :mod:`gfverify.theory.finite_ridge` that shares none of its formulas.

The pair ``(u, v) = (W*ᵀx, Wᵀx)`` is ``Lξ`` with ``ξ ~ N(0, I_{2q})`` and ``L`` the Cholesky
factor of the joint covariance ``[[I, M], [Mᵀ, I]]``. Every expectation is a tensor
Gauss–Hermite rule in ``ξ`` with ``n`` nodes per axis, exact for the polynomial integrands here
(degree ``≤ 2n − 1`` per axis). The Gram matrix ``E[h_β(v) h_β'(v)]``, the right-hand side
``E[f*(u) h_β(v)]`` and ``E[f*²]`` come from the rule; the ridge normal equations
``(G + μΛ⁻¹)c = b`` (``λ_β = r^{|β|}``) are solved by LU in mpmath, and the loss
``½E[(f*(u) − f_μ(v))²]`` is integrated by the same rule from the fitted link (not from a formula
in ``b`` and ``c``)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Sequence

import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics.finite_d import gauss_hermite, hermite_values


@dataclass(frozen=True)
class RidgeFit:
    """``coefficients[i]`` of ``h_{betas[i]}``, the loss ``½E[(f* − f_μ)²]`` at the fitted link
    and the objective value (loss plus ``(μ/2)Σ c_β²/λ_β``)."""

    betas: tuple[tuple[int, ...], ...]
    coefficients: list
    loss: mpmath.mpf
    objective: mpmath.mpf


def _mp(x) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10)) if isinstance(x, sympy.Basic) else mpmath.mpf(x)


def ridge_fit(link: sympy.Expr, zs: Sequence[sympy.Symbol], M: Sequence[Sequence], r, mu) -> RidgeFit:
    """The ridge fit over ``h_β(v)``, ``|β| ≤ deg f* + 1``, of a polynomial link ``f*(u)`` at the
    overlap ``M`` (``‖M‖_op < 1``), kernel ``λ_β = r^{|β|}``, ridge ``μ > 0``."""
    zs = list(zs)
    q = len(zs)
    link = sympy.expand(sympy.sympify(link))
    if not link.is_polynomial(*zs):
        raise InputError(f"the quadrature route is exact for polynomial links only, got {link}")
    degree = sympy.Poly(link, *zs).total_degree() + 1
    with mpmath.workdps(mpmath.mp.dps + 15):
        Mm = mpmath.matrix([[_mp(x) for x in row] for row in M])
        r, mu = _mp(r), _mp(mu)
        cov = mpmath.eye(2 * q)
        for i in range(q):
            for j in range(q):
                cov[i, q + j] = cov[q + j, i] = Mm[i, j]
        try:
            L = mpmath.cholesky(cov)
        except ValueError:
            raise InputError("the overlap must have ‖M‖_op < 1") from None
        target = sympy.lambdify(zs, link, "mpmath")
        betas = tuple(b for b in product(range(degree + 1), repeat=q) if sum(b) <= degree)
        nodes, weights = gauss_hermite(degree + 1)
        points = []  # (weight, f*(u), [h_β(v)])
        for idx in product(range(len(nodes)), repeat=2 * q):
            xi = [nodes[k] for k in idx]
            w = mpmath.fprod(weights[k] for k in idx)
            uv = [mpmath.fsum(L[a, b] * xi[b] for b in range(a + 1)) for a in range(2 * q)]
            hv = [hermite_values(v, degree) for v in uv[q:]]
            basis = [mpmath.fprod(hv[i][b[i]] for i in range(q)) for b in betas]
            points.append((w, target(*uv[:q]), basis))
        n = len(betas)
        system = mpmath.matrix(n, n)
        rhs = mpmath.matrix(n, 1)
        for w, y, basis in points:
            for i in range(n):
                rhs[i] += w * y * basis[i]
                for j in range(n):
                    system[i, j] += w * basis[i] * basis[j]
        lam = [r ** sum(b) for b in betas]
        for i in range(n):
            system[i, i] += mu / lam[i]
        c = mpmath.lu_solve(system, rhs)
        loss = mpmath.fsum(w * (y - mpmath.fdot(c, basis)) ** 2 for w, y, basis in points) / 2
        objective = loss + mu / 2 * mpmath.fsum(c[i] ** 2 / lam[i] for i in range(n))
        coefficients = [+c[i] for i in range(n)]
    return RidgeFit(betas=betas, coefficients=[+x for x in coefficients], loss=+loss, objective=+objective)


def extrapolate_to_zero(xs: Sequence, ys: Sequence) -> mpmath.mpf:
    """``p(0)`` for the polynomial ``p`` through the points ``(x_i, y_i)`` (Neville): the limit
    ``x → 0`` of a function analytic at 0 sampled at ``x_i → 0`` (error ``~ Π x_i``)."""
    if len(xs) != len(ys) or not xs:
        raise InputError("need as many values as abscissae, at least one")
    xs = [mpmath.mpf(x) for x in xs]
    table = [mpmath.mpf(y) for y in ys]
    for k in range(1, len(xs)):
        table = [(xs[i + k] * table[i] - xs[i] * table[i + 1]) / (xs[i + k] - xs[i])
                 for i in range(len(table) - 1)]
    return table[0]


def ridge_ladder(rho: sympy.Expr, digits: int, start: sympy.Expr = sympy.Rational(1, 100)) -> list:
    """Exact ridges ``μ_j = ρ · start · 2^{−j}``, as many as make ``Π_j μ_j/ρ < 10^{−digits}``:
    for a function analytic in ``|μ| < ρ`` (a rational function of ``μ`` with poles at the
    ``−λ_β``) this bounds the error of :func:`extrapolate_to_zero` up to a modest factor."""
    rho, start = sympy.Rational(rho), sympy.Rational(start)
    if not (rho > 0 and 0 < start < 1):
        raise InputError("need rho > 0 and 0 < start < 1")
    mus, product_ = [], sympy.Integer(1)
    while product_ >= sympy.Rational(1, 10**digits):
        mus.append(rho * start / 2 ** len(mus))
        product_ *= mus[-1] / rho
    return mus
