"""Claims on the averaging operator ``A_N`` of [A] (docs/theory.md A1–A3): the conditional
expectation, the adjoint, the semigroup law and its endpoints.

``(A_N g)(z) = E_ξ[g(Nᵀz + (I − NᵀN)^{1/2} ξ)]``. Exact claims use symbolic matrices on the
polynomial links of :mod:`gfverify.theory.witnesses` with the Wick engine; numeric claims use
non-polynomial links at two precisions (:mod:`gfverify.numerics.averaging`) against a route that
does not use the identity checked."""

from __future__ import annotations

import mpmath
import sympy

from gfverify.claims.derivation import Derivation, Display
from gfverify.claims.judge import confirmed, enclosure, exact_identity, numeric_pair, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics.averaging import (
    average_at,
    average_function_here,
    average_here,
    inner_average_here,
    mehler_sum,
    smoothing_series,
)
from gfverify.numerics.certified import gaussian_moments
from gfverify.numerics.certified_kernels import conditional_mean
from gfverify.numerics.hermite import hermite_coefficients
from gfverify.numerics.precision import tolerance
from gfverify.theory.averaging import average, inner
from gfverify.theory.wick import MomentTable, gaussian_expectation, standard_expectation
from gfverify.theory.witnesses import LINKS, TESTS, Z1, ZS, describe, monomials, symbolic

R = sympy.Rational
W = sympy.Symbol("w", real=True)


def _mp(x: sympy.Expr) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10))


def certified_average(g: sympy.Expr, m: sympy.Expr, z0: sympy.Expr, dps: int):
    """An arb ball containing ``(A_m g)(z0) = E_w[g(m z0 + √(1 − m²) w)]`` (q = 1), one certified
    1-D Gaussian integral in ``w`` (:func:`gfverify.numerics.certified.gaussian_moments`)."""
    balls, _, _ = gaussian_moments(g.subs(Z1, m * z0 + sympy.sqrt(1 - m**2) * W), 0, dps, W)
    return balls[0]


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
    1 − m²). Route 2: (A_m relu)(z) as a certified 1-D integral in w (CERTIFIED when the closed
    form lies in the ball); the averaging engine's two-precision quadrature must agree too."""
    m, z0 = R(3, 5), R(-7, 10)
    closed, relu = _relu_conditional_closed(m, z0), sympy.Max(Z1, 0)
    ev = enclosure(closed, certified_average(relu, m, z0, dps), tolerance(dps),
                   "closed form E[relu(z*) | z] (Gaussian with mean m z, variance 1 − m²) inside the "
                   "certified enclosure of (A_m relu)(z) = E_w[relu(m z + √(1 − m²) w)] (arb "
                   "Gauss–Legendre split at the kink w = 21/40, proven tail), m = 3/5, z = −7/10")
    quad = versus_numeric(closed, lambda p: average_here(relu, [[m]], [Z1], [z0]), dps,
                          "the averaging engine's quadrature at two precisions")
    return ev.also(quad.holds, engine_residual=mpmath.nstr(quad.residual, 3), engine_digits=quad.digits)


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
        return mpmath.quad(lambda x: mpmath.tanh(m1 + sd * x) * (m2 + sl * sd * x) * mpmath.npdf(x),
                           [-mpmath.inf, -m1 / sd, mpmath.inf])

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


def ridge_erf_pairing(a: sympy.Matrix, c: sympy.Matrix, K: sympy.Matrix) -> mpmath.mpf:
    """``⟨tanh(aᵀ·), A_K g⟩`` for ``g(u) = erf(cᵀu)`` at the current precision, from the
    definition of ``A_K``: given z, ``cᵀu ~ N(bᵀz, τ²)`` with ``b = Kc``, ``τ² = cᵀ(I − KᵀK)c``,
    and ``E[erf(μ + τξ)] = erf(μ/√(1 + 2τ²))``; then ``(aᵀz, bᵀz)`` is a correlated Gaussian
    pair and conditioning on ``X = aᵀz/|a|`` leaves the 1-D integral
    ``E[tanh(|a|X) erf(κX)]`` (mpmath.quad), ``κ = βr/√(1 + 2β²(1 − r²))``, ``β = |b|/√(1 + 2τ²)``,
    ``r`` the correlation of ``aᵀz`` and ``bᵀz``."""
    b = K * c
    tau2 = (c.T * (sympy.eye(K.rows) - K.T * K) * c)[0, 0]
    na, nb = sympy.sqrt((a.T * a)[0, 0]), sympy.sqrt((b.T * b)[0, 0])
    r = (a.T * b)[0, 0] / (na * nb)
    beta = nb / sympy.sqrt(1 + 2 * tau2)
    kappa = beta * r / sympy.sqrt(1 + 2 * beta**2 * (1 - r**2))
    ka, kk = _mp(na), _mp(kappa)
    return mpmath.quad(lambda x: mpmath.tanh(ka * x) * mpmath.erf(kk * x) * mpmath.npdf(x),
                       [-mpmath.inf, 0, mpmath.inf])


#: The numeric adjoint witness: a non-symmetric contraction and two ridge links in q = 2.
ADJOINT_N = sympy.Matrix([[R(1, 2), R(1, 3)], [R(-1, 4), R(2, 5)]])
ADJOINT_A = sympy.Matrix([R(3, 5), R(-4, 5)])  # ‖a‖ = 1: strip π/2
ADJOINT_C = sympy.Matrix([R(1, 2), 1])


@claim("A.adjoint_numeric", kind="identity", source="A2", tier="full",
       statement="⟨A_N f, g⟩ = ⟨f, A_{Nᵀ} g⟩ for f = tanh((3z₁ − 4z₂)/5), g = erf(z₁/2 + z₂), "
                 "non-symmetric N, q = 2 (numeric)",
       latex=r"\langle A_N f, g\rangle = \langle f, A_{N^\top} g\rangle")
def adjoint_numeric(dps: int) -> Evidence:
    """Route 1: ⟨A_N f, g⟩ = E[f(u) g(z)] on the 2-D grid of the averaging engine (SVD frame of
    N). Route 2: ⟨f, A_{Nᵀ} g⟩ with A_{Nᵀ} g in closed form from its definition (g is an erf
    ridge) and the remaining pairing as a 1-D mpmath.quad (:func:`ridge_erf_pairing`)."""
    zs = ZS[2]
    f = sympy.tanh((ADJOINT_A.T * sympy.Matrix(zs))[0, 0])
    g = sympy.erf((ADJOINT_C.T * sympy.Matrix(zs))[0, 0])
    return numeric_pair(lambda p: inner_average_here(f, g, ADJOINT_N, zs),
                        lambda p: ridge_erf_pairing(ADJOINT_A, ADJOINT_C, ADJOINT_N.T), dps,
                        "⟨A_N f, g⟩ by the 2-D averaging engine vs ⟨f, A_{Nᵀ} g⟩ with A_{Nᵀ} erf "
                        "in closed form and a 1-D quadrature, N = [[1/2, 1/3], [−1/4, 2/5]]")


# --- A3. semigroup and endpoints ------------------------------------------------------------

def semigroup_derivation() -> Derivation:
    """The covariance computation behind A_N A_M = A_{NM}, with a worked example."""
    N, M = symbolic("n", 2), symbolic("m", 2)
    cov = M.T * (sympy.eye(2) - N.T * N) * M + (sympy.eye(2) - M.T * M)
    target = sympy.eye(2) - (N * M).T * (N * M)
    zs = ZS[2]
    f = zs[0] * zs[1]
    return Derivation.of(
        "(A_N A_M g)(z) = E_ξ (A_M g)(Nᵀz + (I − NᵀN)^{1/2} ξ)",
        "             = E_{ξ,ξ'} g(Mᵀ Nᵀ z + Mᵀ(I − NᵀN)^{1/2} ξ + (I − MᵀM)^{1/2} ξ')",
        "The argument is Gaussian with mean (NM)ᵀ z and covariance",
        "  Mᵀ (I − NᵀN) M + (I − MᵀM) = I − (NM)ᵀ(NM),",
        "which is the law of the argument of A_{NM}; so A_N A_M = A_{NM} (order matters).",
        Display((cov - target).applyfunc(sympy.expand),
                "Covariance, expanded minus I − (NM)ᵀ(NM), for symbolic 2×2 N, M:"),
        ("Example, g = ", f, ":"),
        Display(sympy.collect(average(f, M, zs), zs), "A_M g ="),
        Display(sympy.expand(average(average(f, M, zs), N, zs) - average(f, N * M, zs)),
                "A_N A_M g − A_{NM} g ="))


def semigroup_differences(qs: tuple[int, ...], product=lambda N, M: N * M) -> list[sympy.Expr]:
    """``A_N(A_M f) − A_{product(N, M)} f`` by Wick for symbolic ``N``, ``M`` (the true law has
    ``product = NM``)."""
    diffs = []
    for q in qs:
        zs, N, M = ZS[q], symbolic("n", q), symbolic("m", q)
        diffs.append(average(average(LINKS[q], M, zs), N, zs) - average(LINKS[q], product(N, M), zs))
    return diffs


@claim("A.semigroup", kind="identity", source="A3", derivation=semigroup_derivation,
       statement="A_N A_M = A_{NM} (exact, symbolic N and M)", latex=r"A_N A_M = A_{NM}",
       variants={"": dict(qs=(1, 2)),
                 "_q3": dict(qs=(3,), tier="full",
                             statement="A_N A_M = A_{NM}, q = 3 (exact, symbolic N and M)")})
def semigroup(dps: int, qs: tuple[int, ...]) -> Evidence:
    """Route 1: A_N applied by Wick to the polynomial A_M f. Route 2: A_{NM} f by Wick, the
    product formed first; symbolic N and M."""
    return exact_identity(semigroup_differences(qs),
                          "A_N(A_M f) − A_{NM} f by Wick, symbolic N and M, " + describe(qs))


def nested_sign_average(a: sympy.Expr, b: sympy.Expr, z0: sympy.Expr) -> mpmath.mpf:
    """``(A_a (A_b sign))(z0)`` at the current precision: ``A_b sign`` computed from ``sign`` by
    the averaging engine at every node of the outer rule for ``A_a`` (q = 1)."""
    sign = sympy.sign(Z1)
    return average_function_here(lambda xs: average_at(sign, [[b]], [Z1], [[x] for x in xs]),
                                 a, z0)


SEMIGROUP_POINT = dict(a=R(4, 5), b=R(-1, 2), z0=R(9, 10))


@claim("A.semigroup_numeric", kind="identity", source="A3",
       statement="A_a A_b sign = A_{ab} sign at a point (numeric)",
       latex=r"A_a A_b\,\mathrm{sign} = A_{ab}\,\mathrm{sign}")
def semigroup_numeric(dps: int) -> Evidence:
    """Route 1: the closed form erf(ab z/√(2(1 − a²b²))) of A_{ab} sign. Route 2: A_a applied to
    the closed form of A_b sign as a certified 1-D integral (CERTIFIED when route 1 lies in the
    ball). Also, at two precisions: A_b sign from sign by quadrature at every node of the outer
    rule that applies A_a, against A_{ab} sign by one quadrature and its closed form."""
    a, b, z0 = SEMIGROUP_POINT.values()

    def direct(p: int) -> mpmath.mpf:
        return average_here(sympy.sign(Z1), [[a * b]], [Z1], [z0])

    closed_ab = sympy.erf(a * b * z0 / sympy.sqrt(2 * (1 - (a * b) ** 2)))
    ev = enclosure(closed_ab, certified_average(conditional_mean(sympy.sign(Z1), b, Z1, Z1), a, z0, dps),
                   tolerance(dps), "closed form erf(ab z/√(2(1 − a²b²))) of A_{ab} sign inside the "
                   "certified enclosure of A_a applied to the closed form erf(b y/√(2(1 − b²))) of "
                   "A_b sign (one arb 1-D integral), a = 4/5, b = −1/2, z = 9/10")
    pair = numeric_pair(lambda p: nested_sign_average(a, b, z0), direct, dps,
                        "A_a (A_b sign) with A_b sign from sign by quadrature at every outer node vs "
                        "A_{ab} sign by one quadrature")
    closed = versus_numeric(closed_ab, direct, dps, "closed form of A_{ab} sign")
    return ev.also(pair.holds and closed.holds, nested_vs_direct_digits=pair.digits,
                   nested_vs_direct_residual=mpmath.nstr(pair.residual, 3),
                   closed_form_residual=mpmath.nstr(closed.residual, 3))


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


def endpoint_differences(qs: tuple[int, ...] = (1, 2, 3)) -> list[sympy.Expr]:
    """``A_N f`` for symbolic ``N`` by Wick, then ``N → I`` minus ``f`` and ``N → 0`` minus
    ``E[f]`` (product of double factorials, :func:`standard_expectation`)."""
    diffs = []
    for q in qs:
        zs, N, f = ZS[q], symbolic("n", q), LINKS[q]
        general = average(f, N, zs)
        at_identity = general.xreplace(dict(zip(N, sympy.eye(q))))
        at_zero = general.xreplace({n: 0 for n in N})
        diffs += [at_identity - f, at_zero - standard_expectation(f, zs)]
    return diffs


@claim("A.endpoints", kind="identity", source="A3",
       statement="A_I = id and A_0 g = E[g] (exact)",
       latex=r"A_I = \mathrm{id},\ A_0 g = \mathbb{E}[g]")
def endpoints(dps: int) -> Evidence:
    """Route 1: A_N f by Wick for a symbolic N (covariance I − NᵀN), then N → I and N → 0.
    Route 2: f itself, and E[f] as a sum of products of double factorials; q = 1, 2, 3."""
    return exact_identity(endpoint_differences(),
                          "symbolic A_N f by Wick at N = I minus f and at N = 0 minus E[f] "
                          "(double factorials), q = 1, 2, 3")


#: Near the identity: s = 1 − 10⁻⁸; near zero: δ = 10⁻⁸. The relu point z = (7/10) σ/s
#: (≈ 9.9·10⁻⁵, σ = √(1 − s²)) puts the kink of relu(s z + σ w) at w = −7/10, inside the
#: smoothing width and rational, as the certified quadrature requires.
EPS = R(1, 10**8)
NEAR_I_RELU = R(7, 10) * sympy.sqrt(1 - (1 - EPS) ** 2) / (1 - EPS)
NEAR_I_TANH, NEAR_0 = R(-1, 3), R(7, 4)


def near_identity(p: int) -> list[mpmath.mpf]:
    """``(A_s relu)(NEAR_I_RELU)`` and ``(A_s tanh)(−1/3)`` for ``s = 1 − 10⁻⁸`` without the engine:
    the closed form ``μΦ(μ/σ) + σφ(μ/σ)`` of ``E[relu(sz + σξ)]`` (the kink lies inside the
    smoothing width σ ≈ 1.4·10⁻⁴) and the heat expansion of ``E[tanh(sz + σξ)]``."""
    s = 1 - EPS
    x = sympy.Symbol("x", real=True)
    return [_mp(_relu_conditional_closed(s, NEAR_I_RELU)),
            smoothing_series(sympy.tanh(x), x, s * NEAR_I_TANH, 1 - s**2, tolerance(p) / 10**6)]


def near_zero(p: int) -> mpmath.mpf:
    """``(A_δ tanh²)(7/4)`` for ``δ = 10⁻⁸`` by Mehler's series ``Σ_{k≤K} α_k δ^k h_k(z)`` with the
    Hermite coefficients of tanh² by 1-D quadrature; ``K`` makes ``δ^{K+1}`` negligible."""
    kmax = (p + 10) // 8 + 1
    alphas = hermite_coefficients(sympy.tanh(Z1) ** 2, kmax, p + 10, z=Z1).alphas
    return mehler_sum(alphas, EPS, NEAR_0)


def near_endpoints_engine(p: int) -> list[mpmath.mpf]:
    """The same three values by the averaging engine."""
    s = 1 - EPS
    return [average_here(sympy.Max(Z1, 0), [[s]], [Z1], [NEAR_I_RELU]),
            average_here(sympy.tanh(Z1), [[s]], [Z1], [NEAR_I_TANH]),
            average_here(sympy.tanh(Z1) ** 2, [[EPS]], [Z1], [NEAR_0])]


@claim("A.endpoints_numeric", kind="identity", source="A3",
       statement="A_N → id as ‖N‖ → 1 and A_N g → E[g] as N → 0: A_s at s = 1 − 10⁻⁸ and "
                 "s = 10⁻⁸ for non-polynomial g (numeric)",
       latex=r"A_s \to \mathrm{id}\ (s\to 1),\ A_s g \to \mathbb{E}[g]\ (s \to 0)")
def endpoints_numeric(dps: int) -> Evidence:
    """Route 1: the averaging engine at s = 1 − 10⁻⁸ on relu at 10⁻⁴ (the kink inside the
    smoothing width) and on tanh at −1/3, and at s = 10⁻⁸ on tanh² at 7/4. Route 2: the
    closed-form relu smoothing and the heat expansion of tanh (:func:`near_identity`), and
    Mehler's series with quadrature Hermite coefficients (:func:`near_zero`), each inside a
    certified enclosure of the same average (a 1-D arb integral in w: CERTIFIED), and against the
    engine at two precisions. The distances to g(z) and to E[g] show the limits being approached."""
    s = 1 - EPS
    balls = [certified_average(sympy.Max(Z1, 0), s, NEAR_I_RELU, dps),
             certified_average(sympy.tanh(Z1), s, NEAR_I_TANH, dps),
             certified_average(sympy.tanh(Z1) ** 2, EPS, NEAR_0, dps)]
    with mpmath.workdps(dps + 10):
        routes = [_relu_conditional_closed(s, NEAR_I_RELU), near_identity(dps + 10)[1],
                  near_zero(dps + 10)]
    cert = enclosure(routes, balls, tolerance(dps),
                     "closed-form relu smoothing, heat expansion of tanh and Mehler's series inside "
                     "certified 1-D enclosures of E_w[g(s z + √(1 − s²) w)] at s = 1 − 10⁻⁸ and 10⁻⁸")
    runs = confirmed(near_endpoints_engine, dps, "A_s near the endpoints by the engine")
    ev = versus_numeric(runs.high, lambda p: near_identity(p) + [near_zero(p)], dps,
                        "the averaging engine at two precisions")
    cert = cert.also(ev.holds, engine_digits=ev.digits, engine_residual=mpmath.nstr(ev.residual, 3))
    with mpmath.workdps(dps + 10):
        relu, tanh, tanh2 = runs.high
        mean = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        return cert.also(distance_to_g=[mpmath.nstr(relu - _mp(NEAR_I_RELU), 3),
                                      mpmath.nstr(tanh - mpmath.tanh(_mp(NEAR_I_TANH)), 3)],
                       distance_to_mean=mpmath.nstr(tanh2 - mean, 3))
