"""The population link at finite ridge (docs/theory.md A19), exactly.

Kernel ``K = Σ_β λ_β h_β ⊗ h_β`` with **``λ_β = r^{|β|}``, ``0 < r < 1``** (the choice made here),
so that ``‖f‖²_K = Σ_β c_β² / λ_β`` for ``f = Σ_β c_β h_β``. For fixed ``W`` (overlap
``M = W*ᵀW``) the ridge objective is
``J(f) = ½E[(f*(u) − f(v))²] + (μ/2)‖f‖²_K``, ``(u, v) = (W*ᵀx, Wᵀx)``.
Written in the coefficients ``c`` over the basis ``h_β``, ``|β| ≤ deg f* + 1``:
``J(c) = ½E[f*²] − bᵀc + ½cᵀGc + (μ/2)cᵀΛ⁻¹c`` with ``b_β = E[f*(u) h_β(v)]`` and
``G_ββ' = E[h_β(v) h_β'(v)]``, every moment by the Isserlis recursion of the joint Gaussian
(identity marginals, cross-covariance ``M``). The minimizer solves ``(G + μΛ⁻¹) c = b``.

Two numbers are kept apart: the **loss at the ridge link**
``L_μ = ½E[(f*(u) − f_μ(v))²]`` (without the penalty) and the **objective value**
``J_μ = L_μ + (μ/2)‖f_μ‖²_K = min_f J``. The two-timescale dynamics with the link at its ridge
optimum is the Stiefel flow of ``W ↦ J(W, f)`` at fixed ``f = f_μ``; by the envelope theorem
(``∂_c J = 0`` at ``f_μ``, and the penalty does not depend on ``W``) this is the gradient flow
of ``J_μ``, *not* of ``L_μ``. In ``q = 1`` (``m = M``):
``ṁ = −(1 − m²) ∂_m J(m, c)|_{c = c_μ(m)} = (1 − m²) b'(m)ᵀ c_μ(m)``."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Mapping, Sequence

import sympy

from gfverify.errors import InputError
from gfverify.theory.hermite import h, h_multi
from gfverify.theory.wick import MomentTable, gaussian_expectation

MU = sympy.Symbol("mu", positive=True)
R_K = sympy.Symbol("r", positive=True)
M = sympy.Symbol("m", real=True)


def kernel_eigenvalue(beta: Sequence[int], r: sympy.Expr = R_K) -> sympy.Expr:
    """``λ_β = r^{|β|}``, the eigenvalue of ``K`` on ``h_β``."""
    return r ** sum(beta)


@dataclass(frozen=True)
class RidgeProblem:
    """The ridge objective in the coefficients ``c`` of ``Σ_β c_β h_β``:
    ``J(c) = ½ norm2 − bᵀc + ½cᵀ gram c + (μ/2) Σ c_β²/λ_β``."""

    betas: tuple[tuple[int, ...], ...]
    norm2: sympy.Expr
    b: sympy.Matrix
    gram: sympy.Matrix
    lam: tuple[sympy.Expr, ...]

    def coefficients(self, mu: sympy.Expr = MU) -> sympy.Matrix:
        """``c_μ``: the solution of ``(G + μΛ⁻¹) c = b`` (stationarity of ``J``)."""
        system = self.gram + mu * sympy.diag(*[1 / lam for lam in self.lam])
        return system.LUsolve(self.b).applyfunc(sympy.cancel)

    def loss(self, c: sympy.Matrix) -> sympy.Expr:
        """``½E[(f*(u) − Σ c_β h_β(v))²] = ½ norm2 − bᵀc + ½cᵀGc`` (no penalty)."""
        return sympy.cancel(self.norm2 / 2 - (self.b.T * c)[0, 0] + (c.T * self.gram * c)[0, 0] / 2)

    def objective(self, c: sympy.Matrix, mu: sympy.Expr = MU) -> sympy.Expr:
        """``J(c)``: the loss plus ``(μ/2) Σ c_β²/λ_β``."""
        penalty = sum((cb**2 / lam for cb, lam in zip(c, self.lam)), sympy.Integer(0))
        return sympy.cancel(self.loss(c) + mu * penalty / 2)


def ridge_problem(link: sympy.Expr, zs: Sequence[sympy.Symbol], Mmat: sympy.Matrix,
                  r: sympy.Expr = R_K) -> RidgeProblem:
    """The objective's pieces for a polynomial link ``f*(zs)`` at the overlap ``Mmat`` (exact or
    symbolic), over ``h_β``, ``|β| ≤ deg f* + 1``, every moment by Isserlis."""
    zs = list(zs)
    q = len(zs)
    Mmat = sympy.Matrix(Mmat)
    if Mmat.shape != (q, q):
        raise InputError(f"the overlap must be {q}x{q}, got {Mmat.rows}x{Mmat.cols}")
    link = sympy.expand(sympy.sympify(link))
    if not link.is_polynomial(*zs):
        raise InputError(f"the exact ridge link needs a polynomial f*, got {link}")
    degree = sympy.Poly(link, *zs).total_degree() + 1
    us = sympy.symbols(f"_u1:{q + 1}", real=True)
    vs = sympy.symbols(f"_v1:{q + 1}", real=True)
    cov = sympy.Matrix(sympy.BlockMatrix([[sympy.eye(q), Mmat], [Mmat.T, sympy.eye(q)]]))
    table = MomentTable(cov)
    vars2 = list(us) + list(vs)

    def expect(p: sympy.Expr) -> sympy.Expr:
        return sympy.expand(gaussian_expectation(sympy.expand(p), vars2, cov, table=table))
    target = link.subs(dict(zip(zs, us)), simultaneous=True)
    betas = tuple(b for b in product(range(degree + 1), repeat=q) if sum(b) <= degree)
    basis = [h_multi(b, vs) for b in betas]
    return RidgeProblem(betas=betas, norm2=expect(target**2),
                        b=sympy.Matrix([expect(target * e) for e in basis]),
                        gram=sympy.Matrix(len(basis), len(basis), lambda i, j: expect(basis[i] * basis[j])),
                        lam=tuple(kernel_eigenvalue(b, r) for b in betas))


def single_index_link(alphas: Mapping[int, sympy.Expr], z: sympy.Symbol) -> sympy.Expr:
    """``f* = Σ_k α_k h_k(z)`` (symbolic or exact ``α_k``)."""
    return sympy.Add(*[a * h(k, z) for k, a in alphas.items()])


def single_index_problem(alphas: Mapping[int, sympy.Expr], m: sympy.Symbol = M,
                         r: sympy.Expr = R_K) -> RidgeProblem:
    """The q = 1 ridge problem of ``f* = Σ α_k h_k`` at overlap ``m`` (symbols allowed)."""
    z = sympy.Symbol("z", real=True)
    return ridge_problem(single_index_link(alphas, z), [z], sympy.Matrix([[m]]), r)


def ridge_rhs(problem: RidgeProblem, m: sympy.Symbol = M, mu: sympy.Expr = MU) -> sympy.Expr:
    """``ṁ = −(1 − m²) ∂_m J(m, c)`` at fixed ``c``, then ``c = c_μ(m)``: the q = 1 two-timescale
    flow with the link at its ridge optimum (``∂_m J = −b'(m)ᵀc`` at fixed ``c``)."""
    c = problem.coefficients(mu)
    return sympy.cancel((1 - m**2) * (problem.b.diff(m).T * c)[0, 0])


def limit_at_zero(expr: sympy.Expr, mu: sympy.Symbol = MU) -> sympy.Expr:
    """``lim_{μ→0⁺} expr``: the value at 0 of the reduced rational function when its
    denominator does not vanish there, else sympy's limit."""
    num, den = sympy.fraction(sympy.cancel(sympy.together(expr)))
    at_zero = den.subs(mu, 0)
    if at_zero != 0:
        return sympy.factor(num.subs(mu, 0) / at_zero)
    return sympy.factor(sympy.limit(expr, mu, 0, "+"))


def leading_rate(expr: sympy.Expr, power: int, mu: sympy.Symbol = MU) -> sympy.Expr:
    """``lim_{μ→0⁺} (expr(μ) − expr(0)) / μ^power``: the coefficient of ``μ^power`` when the lower
    orders vanish."""
    return limit_at_zero(sympy.cancel((expr - limit_at_zero(expr, mu)) / mu**power), mu)


def escape_time_slope(rhs: sympy.Expr, m: sympy.Symbol, m0: sympy.Expr, m1: sympy.Expr,
                      mu: sympy.Symbol = MU) -> sympy.Expr:
    """``dT/dμ`` at ``μ = 0`` for ``T(μ) = ∫_{m0}^{m1} dm / R_μ(m)``: ``∫ −∂_μR_μ / R_0² dm``
    (differentiation under the integral; ``R_0 > 0`` on ``[m0, m1]``), integrated exactly."""
    r0 = sympy.factor(rhs.subs(mu, 0))
    integrand = sympy.cancel(-sympy.diff(rhs, mu).subs(mu, 0) / r0**2)
    return sympy.simplify(sympy.integrate(integrand, (m, m0, m1)))


def ridge_reduced_rhs(link: sympy.Expr, zs: Sequence[sympy.Symbol], r: sympy.Expr, mu: sympy.Expr,
                      of: str = "objective") -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(Ṁ, M)`` for any ``q``: the Stiefel gradient flow of the objective value ``J_μ(M)``
    (``of="loss"``: of the loss at the ridge link ``L_μ(M)``) pushed to ``M = W*ᵀW``
    (``∇_W J_μ = W* ∇_M J_μ``), ``Ṁ = −(Γ − M sym(MᵀΓ))``, ``Γ = ∇_M J_μ`` in the independent
    entries of ``M``."""
    if of not in ("objective", "loss"):
        raise InputError(f"the flow is of the objective or of the loss, got {of!r}")
    q = len(zs)
    Msym = sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"m{i + 1}{j + 1}", real=True))
    problem = ridge_problem(link, zs, Msym, r)
    c = problem.coefficients(mu)
    value = sympy.expand(problem.objective(c, mu) if of == "objective" else problem.loss(c))
    gamma = Msym.applyfunc(lambda e: sympy.diff(value, e))
    S = Msym.T * gamma
    return (-(gamma - Msym * (S + S.T) / 2)).applyfunc(sympy.expand), Msym
