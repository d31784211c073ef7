"""Claims on the averaging operator ``A_N`` of [A] (docs/theory.md A1–A3): the conditional
expectation, the adjoint, the semigroup law and its endpoints.

``(A_N g)(z) = E_ξ[g(Nᵀz + (I − NᵀN)^{1/2} ξ)]``. Exact claims use symbolic matrices on the
polynomial links of :mod:`gfverify.theory.witnesses` with the Wick engine; numeric claims use
non-polynomial links at two precisions (:mod:`gfverify.numerics.averaging`) against a route that
does not use the identity checked."""

from __future__ import annotations

import mpmath
import sympy

from gfverify.claims.judge import exact_identity, numeric_pair, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics.averaging import average_here, inner_average_here
from gfverify.theory.averaging import average, expectation, inner
from gfverify.theory.wick import MomentTable, gaussian_expectation
from gfverify.theory.witnesses import LINKS, TESTS, Z1, ZS, describe, monomials, symbolic

R = sympy.Rational


def _mp(x: sympy.Expr) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10))


# --- A1. conditional expectation ------------------------------------------------------------

def _conditional_differences(q: int) -> list[sympy.Expr]:
    """``E[f*(z*) φ(z)] − <A_{Mᵀ} f*, φ>`` for every monomial ``φ`` of degree ≤ deg f*, the
    left side by Wick on the joint law of ``(z*, z)`` (cross-covariance ``M``): both sides are
    polynomials of degree ≤ deg f*, so equal projections mean equal functions."""
    zs, M = ZS[q], symbolic("m", q)
    fstar = LINKS[q] if q < 3 else TESTS[3]
    ys = list(sympy.symbols(f"y1:{q + 1}", real=True))
    joint = sympy.Matrix(sympy.BlockMatrix([[sympy.eye(q), M], [M.T, sympy.eye(q)]]))
    table = MomentTable(joint)
    cond = average(fstar, M.T, zs)
    degree = sympy.Poly(fstar, *zs).total_degree()
    lifted = fstar.subs(dict(zip(zs, ys)), simultaneous=True)
    return [gaussian_expectation(sympy.expand(lifted * phi), ys + zs, joint, table=table)
            - inner(cond, phi, zs) for phi in monomials(zs, degree)]


@claim("A.conditional_expectation", kind="identity", source="A1",
       statement="E[f*(z*) | z] = (A_{Mᵀ} f*)(z) for polynomial f* (exact, symbolic M)",
       latex=r"\mathbb{E}[f^*(z^*)\mid z] = (A_{M^\top} f^*)(z)",
       variants={"": dict(qs=(1, 2)),
                 "_q3": dict(qs=(3,), tier="full",
                             statement="E[f*(z*) | z] = (A_{Mᵀ} f*)(z), q = 3 (exact, symbolic M)")})
def conditional_expectation(dps: int, qs: tuple[int, ...]) -> Evidence:
    """Route 1: E[f*(z*) φ(z)] by Wick on the joint Gaussian law of (z*, z). Route 2:
    ⟨A_{Mᵀ} f*, φ⟩ by Wick, for every monomial φ up to deg f*."""
    diffs = [d for q in qs for d in _conditional_differences(q)]
    return exact_identity(diffs, "E[f*(z*)φ(z)] by Wick on the joint law of (z*, z) vs "
                                 "⟨A_{Mᵀ}f*, φ⟩, symbolic M, all monomials φ up to deg f*, "
                          + describe(qs))


def _relu_conditional_closed(m: sympy.Expr, z0: sympy.Expr) -> sympy.Expr:
    """``E[max(X, 0)]`` for ``X ~ N(μ, σ²)``, ``μ = m z0``, ``σ² = 1 − m²``: ``μΦ(μ/σ) + σφ(μ/σ)``."""
    mu, sd = m * z0, sympy.sqrt(1 - m**2)
    t = mu / sd
    return mu * (1 + sympy.erf(t / sympy.sqrt(2))) / 2 + sd * sympy.exp(-t**2 / 2) / sympy.sqrt(2 * sympy.pi)


@claim("A.conditional_expectation_relu", kind="identity", source="A1",
       statement="E[relu(z*) | z] = (A_m relu)(z), q = 1 (numeric)",
       latex=r"\mathbb{E}[\mathrm{relu}(z^*)\mid z] = (A_m\,\mathrm{relu})(z)")
def conditional_expectation_relu(dps: int) -> Evidence:
    """Route 1: the closed form of E[relu(X)] for the Gaussian X = z* | z (mean m z, variance
    1 − m²). Route 2: (A_m relu)(z) by quadrature split at the kink, two precisions."""
    m, z0 = R(3, 5), R(-7, 10)
    return versus_numeric(_relu_conditional_closed(m, z0),
                          lambda p: average_here(sympy.Max(Z1, 0), [[m]], [Z1], [z0]), dps,
                          "closed form E[relu(z*) | z] (Gaussian with mean m z, variance 1 − m²) "
                          "vs (A_m relu)(z) by quadrature split at the kink, m = 3/5, z = −7/10")


@claim("A.conditional_expectation_tanh", kind="identity", source="A1", tier="full",
       statement="E[tanh(z*₁) z*₂ | z] = (A_{Mᵀ} f*)(z), q = 2 (numeric)",
       latex=r"\mathbb{E}[f^*(z^*)\mid z] = (A_{M^\top} f^*)(z)")
def conditional_expectation_tanh(dps: int) -> Evidence:
    """Route 1: given z, z* ~ N(Mz, C), C = I − MMᵀ, and E[z*₂ | z*₁, z] = μ₂ + (C₂₁/C₁₁)(z*₁ − μ₁),
    so the conditional expectation is a one-dimensional mpmath quadrature. Route 2:
    (A_{Mᵀ} f*)(z) on the 2-D grid of the averaging engine."""
    M = sympy.Matrix([[R(1, 2), R(-1, 3)], [R(1, 4), R(2, 5)]])
    z0 = sympy.Matrix([R(1, 3), R(-6, 5)])
    mu, C = M * z0, sympy.eye(2) - M * M.T
    slope = C[1, 0] / C[0, 0]

    def one_dim(p: int) -> mpmath.mpf:
        m1, m2, c11, sl = (_mp(x) for x in (mu[0], mu[1], C[0, 0], slope))
        sd = mpmath.sqrt(c11)
        body = lambda x: mpmath.tanh(m1 + sd * x) * (m2 + sl * sd * x) * mpmath.npdf(x)
        return mpmath.quad(body, [-mpmath.inf, -m1 / sd, mpmath.inf])

    fstar = sympy.tanh(Z1) * ZS[2][1]
    return numeric_pair(one_dim, lambda p: average_here(fstar, M.T, ZS[2], list(z0)), dps,
                        "E[tanh(z*₁) z*₂ | z] by 1-D mpmath.quad (Gaussian regression of z*₂ on "
                        "z*₁) vs (A_{Mᵀ} f*)(z) by 2-D tensor quadrature in the SVD frame")


# --- A2. adjoint ----------------------------------------------------------------------------

@claim("A.adjoint", kind="identity", source="A2",
       statement="⟨A_N g, h⟩ = ⟨g, A_{Nᵀ} h⟩ (exact, symbolic N)",
       latex=r"\langle A_N g, h\rangle = \langle g, A_{N^\top} h\rangle",
       variants={"": dict(qs=(1, 2)),
                 "_q3": dict(qs=(3,), tier="full",
                             statement="⟨A_N g, h⟩ = ⟨g, A_{Nᵀ} h⟩, q = 3 (exact, symbolic N)")})
def adjoint(dps: int, qs: tuple[int, ...]) -> Evidence:
    """Route 1: ⟨A_N f, g⟩ by Wick. Route 2: ⟨f, A_{Nᵀ} g⟩ by Wick (a different polynomial
    averaged with the transposed matrix), symbolic N."""
    diffs = []
    for q in qs:
        zs, N = ZS[q], symbolic("n", q)
        f, g = LINKS[q], TESTS[q]
        diffs.append(inner(average(f, N, zs), g, zs) - inner(f, average(g, N.T, zs), zs))
    return exact_identity(diffs, "⟨A_N f, g⟩ − ⟨f, A_{Nᵀ} g⟩ by Wick, symbolic N, " + describe(qs))


@claim("A.adjoint_numeric", kind="identity", source="A2", tier="full",
       statement="⟨A_ρ tanh(2z), relu⟩ = ⟨tanh(2z), A_ρ relu⟩ (numeric)",
       latex=r"\langle A_\rho g, h\rangle = \langle g, A_{\rho} h\rangle")
def adjoint_numeric(dps: int) -> Evidence:
    """Route 1: ⟨A_ρ tanh(2z), relu⟩ by 2-D quadrature. Route 2: ⟨A_ρ relu, tanh(2z)⟩, the kink
    on the other axis."""
    rho = R(-2, 3)
    relu, tanh = sympy.Max(Z1, 0), sympy.tanh(2 * Z1)  # strip π/4: a finer grid
    return numeric_pair(lambda p: inner_average_here(tanh, relu, [[rho]], [Z1]),
                        lambda p: inner_average_here(relu, tanh, [[rho]], [Z1]), dps,
                        "⟨A_ρ tanh(2z), relu⟩ vs ⟨A_ρ relu, tanh(2z)⟩ (= ⟨tanh, A_{ρᵀ} relu⟩), "
                        "two quadratures with the kink on different axes, ρ = −2/3")


# --- A3. semigroup and endpoints ------------------------------------------------------------

def semigroup_derivation() -> str:
    """The covariance computation behind A_N A_M = A_{NM}, with a worked example."""
    N, M = symbolic("n", 2), symbolic("m", 2)
    cov = M.T * (sympy.eye(2) - N.T * N) * M + (sympy.eye(2) - M.T * M)
    target = sympy.eye(2) - (N * M).T * (N * M)
    zs = ZS[2]
    f = zs[0] * zs[1]
    lines = [
        "(A_N A_M g)(z) = E_ξ (A_M g)(Nᵀz + (I − NᵀN)^{1/2} ξ)",
        "             = E_{ξ,ξ'} g(Mᵀ Nᵀ z + Mᵀ(I − NᵀN)^{1/2} ξ + (I − MᵀM)^{1/2} ξ')",
        "The argument is Gaussian with mean (NM)ᵀ z and covariance",
        "  Mᵀ (I − NᵀN) M + (I − MᵀM) = I − (NM)ᵀ(NM),",
        "which is the law of the argument of A_{NM}; so A_N A_M = A_{NM} (order matters).",
        "",
        "Covariance, expanded minus I − (NM)ᵀ(NM), for symbolic 2×2 N, M:",
        sympy.pretty((cov - target).applyfunc(sympy.expand)),
        "",
        f"Example, g = {sympy.sstr(f)}:",
        "A_M g =",
        sympy.pretty(sympy.collect(average(f, M, zs), zs), wrap_line=False),
        "A_N A_M g − A_{NM} g =",
        sympy.pretty(sympy.expand(average(average(f, M, zs), N, zs) - average(f, N * M, zs))),
    ]
    return "\n".join(lines)


@claim("A.semigroup", kind="identity", source="A3", derivation=semigroup_derivation,
       statement="A_N A_M = A_{NM} (exact, symbolic N and M)", latex=r"A_N A_M = A_{NM}",
       variants={"": dict(qs=(1, 2)),
                 "_q3": dict(qs=(3,), tier="full",
                             statement="A_N A_M = A_{NM}, q = 3 (exact, symbolic N and M)")})
def semigroup(dps: int, qs: tuple[int, ...]) -> Evidence:
    """Route 1: A_N applied by Wick to the polynomial A_M f. Route 2: A_{NM} f by Wick, the
    product formed first; symbolic N and M."""
    diffs = []
    for q in qs:
        zs, N, M = ZS[q], symbolic("n", q), symbolic("m", q)
        f = LINKS[q]
        diffs.append(average(average(f, M, zs), N, zs) - average(f, N * M, zs))
    return exact_identity(diffs, "A_N(A_M f) − A_{NM} f by Wick, symbolic N and M, " + describe(qs))


@claim("A.semigroup_numeric", kind="identity", source="A3",
       statement="A_a A_b sign = A_{ab} sign at a point (numeric)",
       latex=r"A_a A_b\,\mathrm{sign} = A_{ab}\,\mathrm{sign}")
def semigroup_numeric(dps: int) -> Evidence:
    """Route 1: A_a by quadrature applied to A_b sign = erf(bx/√(2(1 − b²))). Route 2: the
    closed form of A_{ab} sign at z."""
    a, b, z0 = R(4, 5), R(-1, 2), R(9, 10)
    inner_link = sympy.erf(b * Z1 / sympy.sqrt(2 * (1 - b**2)))
    exact = sympy.erf(a * b * z0 / sympy.sqrt(2 * (1 - (a * b) ** 2)))
    return versus_numeric(exact, lambda p: average_here(inner_link, [[a]], [Z1], [z0]), dps,
                          "A_a applied by quadrature to A_b sign = erf(bz/√(2(1−b²))) vs the closed "
                          "form of A_{ab} sign at z, a = 4/5, b = −1/2, z = 9/10")


@claim("A.semigroup_order", kind="negative-control", source="A3",
       statement="A_N A_M = A_{MN}", latex=r"A_N A_M = A_{MN}")
def semigroup_order(dps: int) -> Evidence:
    """The false order: ‖A_N(A_M f) − A_{MN} f‖² by Wick for a non-commuting witness pair; the
    statement holds iff the difference is the zero polynomial."""
    N = sympy.Matrix([[R(1, 2), R(1, 2)], [0, R(1, 2)]])
    M = sympy.Matrix([[R(1, 2), 0], [R(1, 2), R(1, 3)]])
    zs = ZS[2]
    f = zs[0] ** 2 + zs[0] * zs[1]
    diff = sympy.expand(average(average(f, M, zs), N, zs) - average(f, M * N, zs))
    gap = inner(diff, diff, zs)
    return Evidence(holds=diff == 0, residual=gap, tolerance=sympy.Integer(0),
                    method="‖A_N(A_M f) − A_{MN} f‖² by Wick for the witness N = [[1/2,1/2],[0,1/2]], "
                           "M = [[1/2,0],[1/2,1/3]], f = z1² + z1 z2 (zero iff the statement held)",
                    details={"difference": sympy.sstr(diff), "squared norm": sympy.sstr(gap)})


@claim("A.endpoints", kind="identity", source="A3",
       statement="A_I = id and A_0 g = E[g] (exact)",
       latex=r"A_I = \mathrm{id},\ A_0 g = \mathbb{E}[g]")
def endpoints(dps: int) -> Evidence:
    """Route 1: A_I f and A_0 f by Wick. Route 2: f itself and E[f] by Wick, q = 1, 2, 3."""
    diffs = []
    for q in (1, 2, 3):
        zs, f = ZS[q], LINKS[q]
        diffs.append(average(f, sympy.eye(q), zs) - f)
        diffs.append(average(f, sympy.zeros(q, q), zs) - expectation(f, zs))
    return exact_identity(diffs, "A_I f − f and A_0 f − E[f] by Wick, q = 1, 2, 3")


@claim("A.endpoints_numeric", kind="identity", source="A3",
       statement="A_0 tanh² = E[tanh²] and A_I g = g for non-polynomial g (numeric)",
       latex=r"A_0 g = \mathbb{E}[g],\ A_I g = g")
def endpoints_numeric(dps: int) -> Evidence:
    """Route 1: E[tanh²] by 1-D mpmath.quad and g at the point. Route 2: A_0 tanh² and
    A_I [relu(z1) tanh(z2)] by the averaging engine."""
    z0 = R(7, 4)
    relu2, tanh2 = sympy.Max(Z1, 0) * sympy.tanh(ZS[2][1]), sympy.tanh(Z1) ** 2

    def quad(p: int) -> list:
        e_tanh2 = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        return [e_tanh2, mpmath.mpf(7) / 4 * mpmath.tanh(mpmath.mpf(-1) / 3)]

    def ours(p: int) -> list:
        return [average_here(tanh2, [[0]], [Z1], [z0]),
                average_here(relu2, sympy.eye(2), ZS[2], [z0, R(-1, 3)])]
    return numeric_pair(quad, ours, dps, "A_0 tanh² = E[tanh²] (1-D mpmath.quad) and "
                                         "A_I [relu(z1) tanh(z2)] = itself at (7/4, −1/3)")
