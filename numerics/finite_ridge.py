"""The finite-ridge link of docs/theory.md A19 by quadrature, at the current mpmath precision: a
second route to :mod:`gfverify.theory.finite_ridge` that shares none of its formulas.

The pair ``(u, v) = (W*ᵀx, Wᵀx)`` is ``Lξ`` with ``ξ ~ N(0, I_{2q})`` and ``L`` the Cholesky
factor of the joint covariance ``[[I, M], [Mᵀ, I]]``. Every expectation is a tensor
Gauss–Hermite rule in ``ξ`` with ``n`` nodes per axis, exact for the polynomial integrands here
(degree ``≤ 2n − 1`` per axis). The Gram matrix ``E[h_β(v) h_β'(v)]``, the right-hand side
``E[f*(u) h_β(v)]`` and ``E[f*²]`` come from the rule; the ridge normal equations
``(G + μΛ⁻¹)c = b`` (``λ_β = r^{|β|}``) are solved by LU, and the loss
``½E[(f*(u) − f_μ(v))²]`` is integrated by the same rule from the fitted link (not from a formula
in ``b`` and ``c``). One routine, two arithmetics: mpmath at the working precision
(:func:`ridge_fit`), or python-flint arb balls with certified nodes and weights
(:func:`certified_ridge_fit`), whose balls contain the exact values since the rule is exact."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Callable, Sequence

import flint
import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics.certified import arb_function
from gfverify.numerics.finite_d import gauss_hermite

_T = sympy.Symbol("t", real=True)


@dataclass(frozen=True)
class RidgeFit:
    """``coefficients[i]`` of ``h_{betas[i]}``, the loss ``½E[(f* − f_μ)²]`` at the fitted link
    and the objective value (loss plus ``(μ/2)Σ c_β²/λ_β``): mpmath numbers, or arb balls that
    contain the exact values (:func:`certified_ridge_fit`)."""

    betas: tuple[tuple[int, ...], ...]
    coefficients: list
    loss: object
    objective: object


def _mp(x) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10)) if isinstance(x, sympy.Basic) else mpmath.mpf(x)


@dataclass(frozen=True)
class _Field:
    """The arithmetic of one route: ``number`` (an exact sympy number or int into the field),
    ``sqrt``, the Gauss–Hermite ``rule(n)`` for ``φ``, and ``solve(A, b)`` (lists)."""

    number: Callable[[object], object]
    sqrt: Callable[[object], object]
    rule: Callable[[int], tuple[list, list]]
    solve: Callable[[list, list], list]


def _mp_solve(A: list, b: list) -> list:
    x = mpmath.lu_solve(mpmath.matrix(A), mpmath.matrix(b))
    return [x[i] for i in range(len(b))]


_MPMATH = _Field(number=_mp, sqrt=mpmath.sqrt, rule=gauss_hermite, solve=_mp_solve)


def _arb_number(x) -> flint.arb:
    """An exact sympy number (or int) as an arb ball at the working precision."""
    x = sympy.sympify(x)
    if x.is_Rational:
        return flint.arb(int(x.p)) / int(x.q)
    return arb_function(x, _T)(flint.arb(0), False).real


def hermite_rule_balls(n: int) -> tuple[list, list]:
    """Certified nodes and weights of the ``n``-point Gauss–Hermite rule for ``φ``: the roots of
    the integer polynomial ``He_n`` isolated by flint, and ``w_i = n!/(n He_{n−1}(x_i))²``."""
    if n < 1:
        raise InputError(f"need n ≥ 1 nodes, got {n}")
    he = [flint.fmpz_poly([1]), flint.fmpz_poly([0, 1])]
    for k in range(1, n):
        he.append(flint.fmpz_poly([0, 1]) * he[k] - k * he[k - 1])
    roots = [r.real if isinstance(r, flint.acb) else r for r, _ in he[n].complex_roots()]
    nodes = sorted(roots, key=lambda r: float(r.mid()))
    previous = flint.arb_poly([int(c) for c in he[n - 1].coeffs()])
    return nodes, [flint.arb.fac_ui(n) / (n * previous(x)) ** 2 for x in nodes]


def _arb_solve(A: list, b: list) -> list:
    x = flint.arb_mat(A).solve(flint.arb_mat([[v] for v in b]))
    return [x[i, 0] for i in range(len(b))]


_ARB = _Field(number=_arb_number, sqrt=lambda x: x.sqrt(), rule=hermite_rule_balls, solve=_arb_solve)


def _cholesky(cov: list, field: _Field) -> list:
    """The lower Cholesky factor of ``cov``; a pivot not proven positive: ``‖M‖_op < 1`` fails."""
    n = len(cov)
    L = [[field.number(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            rest = cov[i][j] - sum((L[i][k] * L[j][k] for k in range(j)), field.number(0))
            if i == j:
                if not rest > 0:
                    raise InputError("the overlap must have ‖M‖_op < 1")
                L[i][i] = field.sqrt(rest)
            else:
                L[i][j] = rest / L[j][j]
    return L


def _h_values(u, kmax: int, field: _Field) -> list:
    """``[h_0(u), …, h_kmax(u)]`` by ``√(k+1) h_{k+1} = u h_k − √k h_{k−1}``."""
    out, prev = [field.number(1)], field.number(0)
    for k in range(kmax):
        out.append((u * out[-1] - field.sqrt(field.number(k)) * prev) / field.sqrt(field.number(k + 1)))
        prev = out[-2]
    return out


def _fit(link: sympy.Expr, zs: Sequence[sympy.Symbol], M: Sequence[Sequence], r, mu,
         field: _Field) -> RidgeFit:
    """The ridge fit of :func:`ridge_fit` in the arithmetic ``field``."""
    zs = list(zs)
    q = len(zs)
    link = sympy.expand(sympy.sympify(link))
    if not link.is_polynomial(*zs):
        raise InputError(f"the quadrature route is exact for polynomial links only, got {link}")
    poly = sympy.Poly(link, *zs)
    terms = [(e, field.number(c)) for e, c in poly.terms()]
    degree = poly.total_degree() + 1
    Mm = [[field.number(x) for x in row] for row in M]
    r, mu = field.number(r), field.number(mu)
    cov = [[field.number(int(i == j)) for j in range(2 * q)] for i in range(2 * q)]
    for i in range(q):
        for j in range(q):
            cov[i][q + j] = cov[q + j][i] = Mm[i][j]
    L = _cholesky(cov, field)
    zero = field.number(0)

    def target(u: list):
        total = zero
        for exps, c in terms:
            for ui, e in zip(u, exps):
                c = c * ui ** e
            total += c
        return total
    betas = tuple(b for b in product(range(degree + 1), repeat=q) if sum(b) <= degree)
    nodes, weights = field.rule(degree + 1)
    points = []  # (weight, f*(u), [h_β(v)])
    for idx in product(range(len(nodes)), repeat=2 * q):
        xi = [nodes[k] for k in idx]
        w = field.number(1)
        for k in idx:
            w = w * weights[k]
        uv = [sum((L[a][b] * xi[b] for b in range(a + 1)), zero) for a in range(2 * q)]
        hv = [_h_values(v, degree, field) for v in uv[q:]]
        basis = []
        for b in betas:
            value = field.number(1)
            for i in range(q):
                value = value * hv[i][b[i]]
            basis.append(value)
        points.append((w, target(uv[:q]), basis))
    n = len(betas)
    system = [[zero] * n for _ in range(n)]
    rhs = [zero] * n
    for w, y, basis in points:
        for i in range(n):
            rhs[i] += w * y * basis[i]
            for j in range(n):
                system[i][j] += w * basis[i] * basis[j]
    lam = [r ** sum(b) for b in betas]
    for i in range(n):
        system[i][i] += mu / lam[i]
    c = field.solve(system, rhs)
    loss = sum((w * (y - sum((ci * bi for ci, bi in zip(c, basis)), zero)) ** 2 for w, y, basis in points),
               zero) / 2
    objective = loss + mu / 2 * sum((c[i] ** 2 / lam[i] for i in range(n)), zero)
    return RidgeFit(betas=betas, coefficients=list(c), loss=loss, objective=objective)


def ridge_fit(link: sympy.Expr, zs: Sequence[sympy.Symbol], M: Sequence[Sequence], r, mu) -> RidgeFit:
    """The ridge fit over ``h_β(v)``, ``|β| ≤ deg f* + 1``, of a polynomial link ``f*(u)`` at the
    overlap ``M`` (``‖M‖_op < 1``), kernel ``λ_β = r^{|β|}``, ridge ``μ > 0``, in mpmath at the
    current precision (15 guard digits)."""
    with mpmath.workdps(mpmath.mp.dps + 15):
        fit = _fit(link, zs, M, r, mu, _MPMATH)
    return RidgeFit(betas=fit.betas, coefficients=[+x for x in fit.coefficients], loss=+fit.loss,
                    objective=+fit.objective)


def certified_ridge_fit(link: sympy.Expr, zs: Sequence[sympy.Symbol], M: Sequence[Sequence], r, mu,
                        dps: int) -> RidgeFit:
    """:func:`ridge_fit` in arb ball arithmetic (``dps`` digits and 20 guard digits): certified
    Gauss–Hermite nodes and weights, Cholesky and ``arb_mat.solve``; as the rule is exact for
    these polynomial integrands, each ball contains the exact coefficient, loss and objective."""
    saved = flint.ctx.prec
    flint.ctx.prec = int((dps + 20) * 3.33) + 16
    try:
        return _fit(link, zs, M, r, mu, _ARB)
    finally:
        flint.ctx.prec = saved


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
