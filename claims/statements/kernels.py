"""Claims on the Gaussian kernels of [A] (docs/theory.md A8): for ``(x, y)`` standard normal
with correlation ``ρ``, ``E[f(x) f(y)] = ⟨A_ρ f, f⟩ = Σ_k α_k² ρ^k``. The closed-form kernels
of ReLU and erf (against their Hermite series) are the Hermite-layer claims ``A.kernel.*`` in
:mod:`gfverify.claims.statements.hermite`."""

from __future__ import annotations

import sympy

from gfverify.claims.judge import enclosure, exact_identity
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics.certified_kernels import certified_correlation, certified_kernel, mehler_series
from gfverify.numerics.precision import tolerance
from gfverify.theory.averaging import inner, psi
from gfverify.theory.hermite import h
from gfverify.theory.witnesses import LINKS, RHO, TESTS, Z1

R = sympy.Rational


def mehler_kernel_differences(f_list: list[sympy.Expr], degree: int) -> list[sympy.Expr]:
    """``⟨A_ρ f, f⟩ − Σ_{k ≤ degree} α_k² ρ^k`` for polynomial links of degree ≤ ``degree``,
    symbolic ``ρ``; the ``α_k = ⟨f, h_k⟩`` by Wick."""
    diffs = []
    for f in f_list:
        alphas = [inner(f, h(k, Z1), [Z1]) for k in range(degree + 1)]
        diffs.append(psi(f, [[RHO]], [Z1]) - sum(a**2 * RHO**k for k, a in enumerate(alphas)))
    return diffs


@claim("A.kernel_polynomial", kind="identity", source="A8",
       statement="E[f(x) f(y)] = Σ_k α_k² ρ^k for polynomial f (exact, symbolic ρ)",
       latex=r"\mathbb{E}[f(x)f(y)] = \sum_k \alpha_k^2 \rho^k")
def kernel_polynomial(dps: int) -> Evidence:
    """Route 1: E[f(x) f(y)] = ⟨A_ρ f, f⟩ by Wick with symbolic ρ. Route 2: Σ α_k² ρ^k with the
    Hermite coefficients α_k = ⟨f, h_k⟩."""
    links = [LINKS[1], TESTS[1], h(3, Z1) + 2 * h(1, Z1) - h(0, Z1)]
    return exact_identity(mehler_kernel_differences(links, 4),
                          "E[f(x)f(y)] = ⟨A_ρ f, f⟩ − Σ α_k² ρ^k by Wick, symbolic ρ")


def _sign_variant(rho: sympy.Rational) -> dict:
    return dict(rho=rho, statement=f"E[sign x sign y] = (2/π) arcsin ρ at ρ = {rho}",
                latex=rf"\mathbb{{E}}[\mathrm{{sign}}\,x\,\mathrm{{sign}}\,y] = \tfrac{{2}}{{\pi}}"
                      rf"\arcsin\rho,\ \rho = {sympy.latex(rho)}")


@claim("A.kernel_sign", kind="identity", source="A8",
       statement="E[sign x sign y] = (2/π) arcsin ρ",
       latex=r"\mathbb{E}[\mathrm{sign}\,x\,\mathrm{sign}\,y] = \tfrac{2}{\pi}\arcsin\rho",
       variants={"": _sign_variant(R(-3, 5)), "_rho_small": _sign_variant(R(1, 10)),
                 "_rho_near_minus_one": _sign_variant(R(-9, 10)),
                 "_rho_near_one": _sign_variant(R(99, 100))})
def kernel_sign(dps: int, rho: sympy.Rational) -> Evidence:
    """Route 1: the closed form (2/π) arcsin ρ (the arcsine law). Route 2: a certified enclosure
    of E_y[sign(y) erf(ρy/√(2(1−ρ²)))], the 2-D integral conditioned on y (one 1-D integral in
    arb with proven quadrature and tail bounds), split at the kink."""
    sign = sympy.sign(Z1)
    return enclosure(2 / sympy.pi * sympy.asin(rho), certified_kernel(sign, rho, dps, z=Z1),
                     tolerance(dps), f"E[sign x sign y] = (2/π) arcsin ρ (closed form) inside the "
                                     f"certified enclosure of E_y[sign(y) (A_ρ sign)(y)], ρ = {rho}")


@claim("A.kernel_tanh", kind="identity", source="A8",
       statement="E[tanh x tanh y] = Σ_k α_k² ρ^k (ρ = 1/4; certified Hermite series vs certified "
                 "2-D integral)",
       latex=r"\mathbb{E}[\tanh x \tanh y] = \sum_k \alpha_k^2\rho^k")
def kernel_tanh(dps: int) -> Evidence:
    """Route 1: the Mehler series Σ α_k² ρ^k from certified Hermite coefficients of tanh with
    the proven tail ‖tanh‖²|ρ|^{K+1}/(1−|ρ|). Route 2: E[tanh x tanh y] as the nested integral
    E_y[tanh y E_w tanh(ρy + √(1−ρ²) w)] by Gauss–Legendre panels with Trefethen's bound (tanh
    has no closed-form A_ρ tanh; it is bounded by 1 on the strip |Im z| ≤ π/4). Both are balls:
    their overlap proves the two sides equal within the sum of the radii."""
    rho, tanh = R(1, 4), sympy.tanh(Z1)
    return enclosure(mehler_series(tanh, tanh, rho, dps, z=Z1),
                     certified_correlation(tanh, tanh, rho, dps, z=Z1), tolerance(dps),
                     "certified Mehler series vs certified nested 2-D integral (strip bound), ρ = 1/4")


def _cross_variant(f: sympy.Expr, g: sympy.Expr, rho: sympy.Rational) -> dict:
    return dict(f=f, g=g, rho=rho, statement=f"E[f(x) g(y)] = Σ_k α_k(f) α_k(g) ρ^k for f = {f}, "
                                             f"g = {g}, ρ = {rho}")


@claim("A.kernel_cross", kind="identity", source="A8",
       statement="E[f(x) g(y)] = ⟨A_ρ f, g⟩ = Σ_k α_k(f) α_k(g) ρ^k (q = 1, two certified routes)",
       latex=r"\mathbb{E}[f(x)g(y)] = \sum_k \alpha_k(f)\alpha_k(g)\rho^k",
       variants={".relu_sign": _cross_variant(sympy.Max(Z1, 0), sympy.sign(Z1), R(1, 3)),
                 ".erf_abs": _cross_variant(sympy.erf(Z1), sympy.Abs(Z1) + Z1, R(-1, 2)),
                 ".tanh_sign": _cross_variant(sympy.tanh(Z1), sympy.sign(Z1), R(1, 2))})
def kernel_cross(dps: int, f: sympy.Expr, g: sympy.Expr, rho: sympy.Rational) -> Evidence:
    """Route 1: the Mehler series Σ α_k(f) α_k(g) ρ^k from certified Hermite coefficients
    (1-D integrals of f h_k and g h_k) with the proven tail ‖f‖‖g‖|ρ|^{K+1}/(1−|ρ|). Route 2:
    E_y[g(y) (A_ρ f)(y)] (or with f and g swapped), the 2-D integral conditioned on one variable,
    A_ρ in closed form, one certified 1-D integral. Both are balls: their overlap proves the two
    sides equal within the sum of the radii."""
    series = mehler_series(f, g, rho, dps, z=Z1)
    return enclosure(series, certified_correlation(f, g, rho, dps, z=Z1), tolerance(dps),
                     f"certified Mehler series vs certified conditioned integral, ρ = {rho}")
