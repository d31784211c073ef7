"""Claims of THEORY.md [A]: the averaging operator ``A_N`` (identities 1–8), the reduced loss of
the two-timescale problem and the planted loss.

Exact claims use symbolic matrices (entries sympy symbols) on polynomial links of degree 4 in
q = 1, 2 and degree 3 in q = 3, with the Wick engine; numeric claims use non-polynomial links at
two precisions (``gfverify.numerics.averaging``) against a route that does not use the identity
checked (closed forms, one-dimensional mpmath quadrature, or the other side of the identity)."""

from __future__ import annotations

from itertools import product

import mpmath
import sympy
from sympy.polys.domains import QQ
from sympy.polys.rings import PolyRing

from gfverify.claims.judge import exact_identity, numeric_pair, versus_numeric
from gfverify.claims.model import Claim, Evidence
from gfverify.numerics.averaging import average_here, inner_average_here, inner_average_many
from gfverify.numerics.precision import tolerance, two_precisions
from gfverify.numerics.random_matrices import psd_pair, rational_contraction, rational_orthogonal
from gfverify.theory.averaging import average, average_hermite_tensor, expectation, \
    hermite_tensor_polynomial, inner, psi
from gfverify.theory.hermite import He, h, h_multi
from gfverify.theory.wick import MomentTable, gaussian_expectation

R = sympy.Rational
Z1, Z2, Z3 = sympy.symbols("z1 z2 z3", real=True)
ZS = {1: [Z1], 2: [Z1, Z2], 3: [Z1, Z2, Z3]}
RHO = sympy.Symbol("rho", real=True)
SOURCE = "Bietti, Bruna, Pillaud-Vivien (arXiv:2310.19793); THEORY.md [A]"

#: Polynomial links of the exact claims: degree 4 in q = 1, 2 and degree 3 in q = 3, every
#: degree present, no symmetry that would hide a wrong formula.
LINKS = {
    1: Z1**4 - 2 * Z1**3 + R(1, 3) * Z1 - 1,
    2: Z1**2 * Z2**2 - 2 * Z1**3 * Z2 + R(1, 3) * Z2**4 + Z1 * Z2 - Z2**3 + Z1 - 1,
    3: Z1 * Z2 * Z3 + Z1**3 - 2 * Z2**2 * Z3 + Z3**2 - Z1 + 2,
}
#: Second polynomial links (test functions for adjoints and conditional expectations).
TESTS = {
    1: 3 * Z1**3 - Z1**2 + 2,
    2: Z1**3 * Z2 - Z2**2 + Z1 * Z2**2 + Z1 - R(1, 2),
    3: Z1**2 * Z3 - Z2 * Z3 + Z2**3 + 1,
}


def symbolic(name: str, q: int) -> sympy.Matrix:
    """The ``q×q`` matrix of real symbols ``name11, name12, …``."""
    return sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def _mp(x) -> mpmath.mpf:
    return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10)) if isinstance(x, sympy.Basic) else x


# --- exact witnesses (rational) --------------------------------------------------------------

def _orth(entries, signs):
    return rational_orthogonal([R(e) for e in entries], signs)


#: Rational contractions, interior and on the boundary ‖N‖_op = 1, rank-deficient included.
CONTRACTIONS = {
    2: [rational_contraction(_orth(["1/2"], [1, 1]), [R(3, 4), R(-1, 3)], _orth(["-2/3"], [1, -1])),
        rational_contraction(_orth(["1/3"], [1, 1]), [1, R(1, 2)], _orth(["2"], [1, 1])),
        rational_contraction(_orth(["3/4"], [-1, 1]), [-1, 0], _orth(["1/5"], [1, 1])),
        _orth(["1/2"], [1, -1])],
    3: [rational_contraction(_orth(["1/2", "-1/3", "1/4"], [1, 1, 1]), [R(2, 3), 1, R(-1, 2)],
                             _orth(["1", "0", "1/2"], [1, -1, 1]))],
}
#: PSD pairs G ⪯ G' ⪯ I (boundary and equality included).
PSD_PAIRS = {
    2: [psd_pair(_orth(["1/2"], [1, 1]) * sympy.diag(R(1, 4), R(2, 3)) * _orth(["1/2"], [1, 1]).T,
                 sympy.Matrix([1, R(-1, 2)])),
        psd_pair(sympy.diag(R(1, 2), 0), sympy.Matrix([R(1, 3), 1])),
        (sympy.diag(R(1, 3), R(1, 3)), sympy.eye(2)),
        (sympy.diag(1, R(1, 2)), sympy.diag(1, R(1, 2)))],
    3: [psd_pair(sympy.diag(R(1, 5), R(1, 2), 0), sympy.Matrix([1, R(1, 2), R(-1, 3)]))],
}


# --- 1. conditional expectation --------------------------------------------------------------

def _monomials(zs, degree):
    return [sympy.Mul(*[z**e for z, e in zip(zs, exps)])
            for exps in product(range(degree + 1), repeat=len(zs)) if sum(exps) <= degree]


def _conditional_differences(q: int) -> list[sympy.Expr]:
    """``E[f*(z*) φ(z)] − E[(A_{Mᵀ} f*)(z) φ(z)]`` for every monomial ``φ`` of degree ≤ deg f*,
    the left side by Wick on the joint law of ``(z*, z)`` (cross-covariance ``M``): both sides
    are polynomials of degree ≤ deg f*, so equal projections mean equal functions."""
    zs, M = ZS[q], symbolic("m", q)
    fstar = LINKS[q] if q < 3 else TESTS[3]
    ys = list(sympy.symbols(f"y1:{q + 1}", real=True))
    joint = sympy.Matrix(sympy.BlockMatrix([[sympy.eye(q), M], [M.T, sympy.eye(q)]]))
    table = MomentTable(joint)
    cond = average(fstar, M.T, zs)
    degree = sympy.Poly(fstar, *zs).total_degree()
    diffs = []
    for phi in _monomials(zs, degree):
        lhs = gaussian_expectation(sympy.expand(fstar.subs(dict(zip(zs, ys)), simultaneous=True) * phi),
                                   ys + zs, joint, table=table)
        diffs.append(lhs - inner(cond, phi, zs))
    return diffs


def _qs(qs) -> str:
    return ", ".join(f"q = {q} (deg {4 if q < 3 else 3})" for q in qs)


def _check_conditional(qs):
    def check(dps: int) -> Evidence:
        diffs = [d for q in qs for d in _conditional_differences(q)]
        return exact_identity(diffs, "E[f*(z*)φ(z)] by Wick on the joint law of (z*, z) vs "
                                     "<A_{Mᵀ}f*, φ>, symbolic M, all monomials φ up to deg f*, "
                                     + _qs(qs))
    return check


def _relu_conditional_closed(m, z0):
    """``E[max(X, 0)]`` for ``X ~ N(μ, σ²)``, ``μ = m z0``, ``σ² = 1 − m²``: ``μΦ(μ/σ) + σφ(μ/σ)``."""
    mu, sd = m * z0, sympy.sqrt(1 - m**2)
    t = mu / sd
    return mu * (1 + sympy.erf(t / sympy.sqrt(2))) / 2 + sd * sympy.exp(-t**2 / 2) / sympy.sqrt(2 * sympy.pi)


def _check_conditional_numeric(dps: int) -> Evidence:
    m, z0 = R(3, 5), R(-7, 10)
    exact = _relu_conditional_closed(m, z0)
    return versus_numeric(exact, lambda p: average_here(sympy.Max(Z1, 0), [[m]], [Z1], [z0]), dps,
                          "closed form E[relu(z*) | z] (Gaussian with mean m z, variance 1 − m²) "
                          "vs (A_m relu)(z) by quadrature split at the kink, m = 3/5, z = −7/10")


def _check_conditional_numeric_q2(dps: int) -> Evidence:
    """``f*(z*) = tanh(z*_1) z*_2``: given ``z``, ``z* ~ N(Mz, C)``, ``C = I − MMᵀ``, and
    ``E[z*_2 | z*_1, z] = μ_2 + (C_21/C_11)(z*_1 − μ_1)``, so the conditional expectation is a
    one-dimensional mpmath quadrature; against ``(A_{Mᵀ} f*)(z)`` on the 2-D grid."""
    M = sympy.Matrix([[R(1, 2), R(-1, 3)], [R(1, 4), R(2, 5)]])
    z0 = sympy.Matrix([R(1, 3), R(-6, 5)])
    mu, C = M * z0, sympy.eye(2) - M * M.T
    slope = C[1, 0] / C[0, 0]

    def one_dim(p: int) -> mpmath.mpf:
        m1, m2, c11, sl = (_mp(x) for x in (mu[0], mu[1], C[0, 0], slope))
        sd = mpmath.sqrt(c11)
        body = lambda x: mpmath.tanh(m1 + sd * x) * (m2 + sl * sd * x) * mpmath.npdf(x)
        return mpmath.quad(body, [-mpmath.inf, -m1 / sd, mpmath.inf])

    fstar = sympy.tanh(Z1) * Z2
    return numeric_pair(one_dim, lambda p: average_here(fstar, M.T, ZS[2], list(z0)), dps,
                        "E[tanh(z*_1) z*_2 | z] by 1-D mpmath.quad (Gaussian regression of z*_2 on "
                        "z*_1) vs (A_{Mᵀ} f*)(z) by 2-D tensor quadrature in the SVD frame")


# --- 2. adjoint ---------------------------------------------------------------------------

def _check_adjoint(qs):
    def check(dps: int) -> Evidence:
        diffs = []
        for q in qs:
            zs, N = ZS[q], symbolic("n", q)
            f, g = LINKS[q], TESTS[q]
            diffs.append(inner(average(f, N, zs), g, zs) - inner(f, average(g, N.T, zs), zs))
        return exact_identity(diffs, "<A_N f, g> − <f, A_{Nᵀ} g> by Wick, symbolic N, " + _qs(qs))
    return check


def _check_adjoint_numeric(dps: int) -> Evidence:
    rho = R(-2, 3)
    relu, tanh = sympy.Max(Z1, 0), sympy.tanh(2 * Z1)  # strip π/4: a finer grid
    return numeric_pair(lambda p: inner_average_here(tanh, relu, [[rho]], [Z1]),
                        lambda p: inner_average_here(relu, tanh, [[rho]], [Z1]), dps,
                        "<A_ρ tanh(2z), relu> vs <A_ρ relu, tanh(2z)> (= <tanh, A_{ρᵀ} relu>), "
                        "two quadratures with the kink on different axes, ρ = −2/3")


# --- 3. semigroup, order, endpoints ---------------------------------------------------------

def _check_semigroup(qs):
    def check(dps: int) -> Evidence:
        diffs = []
        for q in qs:
            zs, N, M = ZS[q], symbolic("n", q), symbolic("m", q)
            f = LINKS[q]
            diffs.append(average(average(f, M, zs), N, zs) - average(f, N * M, zs))
        return exact_identity(diffs, "A_N(A_M f) − A_{NM} f by Wick, symbolic N and M, " + _qs(qs))
    return check


def _semigroup_derivation() -> str:
    N, M = symbolic("n", 2), symbolic("m", 2)
    cov = M.T * (sympy.eye(2) - N.T * N) * M + (sympy.eye(2) - M.T * M)
    target = sympy.eye(2) - (N * M).T * (N * M)
    f = Z1 * Z2
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
        sympy.pretty(sympy.collect(average(f, M, ZS[2]), ZS[2]), wrap_line=False),
        "A_N A_M g − A_{NM} g =",
        sympy.pretty(sympy.expand(average(average(f, M, ZS[2]), N, ZS[2]) - average(f, N * M, ZS[2]))),
    ]
    return "\n".join(lines)


def _check_semigroup_numeric(dps: int) -> Evidence:
    """``A_a A_b sign`` at a point: ``A_b sign(x) = erf(b x / sqrt(2(1 − b²)))`` (closed form),
    then ``A_a`` of that smooth link by quadrature, against the closed form of ``A_{ab} sign``."""
    a, b, z0 = R(4, 5), R(-1, 2), R(9, 10)
    inner_link = sympy.erf(b * Z1 / sympy.sqrt(2 * (1 - b**2)))
    exact = sympy.erf(a * b * z0 / sympy.sqrt(2 * (1 - (a * b) ** 2)))
    return versus_numeric(exact, lambda p: average_here(inner_link, [[a]], [Z1], [z0]), dps,
                          "A_a applied by quadrature to A_b sign = erf(bz/√(2(1−b²))) vs the closed "
                          "form of A_{ab} sign at z, a = 4/5, b = −1/2, z = 9/10")


def _check_semigroup_order(dps: int) -> Evidence:
    N = sympy.Matrix([[R(1, 2), R(1, 2)], [0, R(1, 2)]])
    M = sympy.Matrix([[R(1, 2), 0], [R(1, 2), R(1, 3)]])
    f = Z1**2 + Z1 * Z2
    diff = sympy.expand(average(average(f, M, ZS[2]), N, ZS[2]) - average(f, M * N, ZS[2]))
    gap = inner(diff, diff, ZS[2])
    return Evidence(holds=diff == 0, residual=gap, tolerance=sympy.Integer(0),
                    method="‖A_N(A_M f) − A_{MN} f‖² by Wick for the witness N = [[1/2,1/2],[0,1/2]], "
                           "M = [[1/2,0],[1/2,1/3]], f = z1² + z1 z2 (zero iff the statement held)",
                    details={"difference": sympy.sstr(diff), "squared norm": sympy.sstr(gap)})


def _check_endpoints(dps: int) -> Evidence:
    diffs = []
    for q in (1, 2, 3):
        zs = ZS[q]
        f = LINKS[q]
        diffs.append(average(f, sympy.eye(q), zs) - f)
        diffs.append(average(f, sympy.zeros(q, q), zs) - expectation(f, zs))
    return exact_identity(diffs, "A_I f − f and A_0 f − E[f] by Wick, q = 1, 2, 3")


def _check_endpoints_numeric(dps: int) -> Evidence:
    z0 = R(7, 4)
    relu2, tanh2 = sympy.Max(Z1, 0) * sympy.tanh(Z2), sympy.tanh(Z1) ** 2

    def quad(p: int) -> list:
        e_tanh2 = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        return [e_tanh2, mpmath.mpf(7) / 4 * mpmath.tanh(mpmath.mpf(-1) / 3)]

    def ours(p: int) -> list:
        return [average_here(tanh2, [[0]], [Z1], [z0]),
                average_here(relu2, sympy.eye(2), ZS[2], [z0, R(-1, 3)])]
    return numeric_pair(quad, ours, dps, "A_0 tanh² = E[tanh²] (1-D mpmath.quad) and "
                                         "A_I [relu(z1) tanh(z2)] = itself at (7/4, −1/3)")


# --- 4. tensor action and Mehler ------------------------------------------------------------

def _symmetric_tensor(name: str, q: int, k: int) -> sympy.Array:
    """A symmetric ``k``-tensor on ``R^q`` with one symbol per multiset of indices."""
    entries = {}
    for idx in product(range(q), repeat=k):
        key = tuple(sorted(idx))
        entries[idx] = sympy.Symbol(f"{name}_{''.join(str(i + 1) for i in key)}", real=True)
    return sympy.Array([entries[idx] for idx in product(range(q), repeat=k)], (q,) * k) if k else \
        sympy.Array(sympy.Symbol(f"{name}_"))


def _check_tensor_action(dps: int) -> Evidence:
    diffs = []
    for q, kmax in ((2, 4), (3, 3)):
        zs, N = ZS[q], symbolic("n", q)
        for k in range(1, kmax + 1):
            T = _symmetric_tensor("t", q, k)
            lhs = average(hermite_tensor_polynomial(T, zs), N, zs)
            diffs.append(lhs - average_hermite_tensor(T, N, zs))
    return exact_identity(diffs, "A_N <T, H_k> − <N^{⊗k} T, H_k> by Wick, symbolic N and "
                                 "symbolic symmetric T, q = 2 (k ≤ 4), q = 3 (k ≤ 3)")


def _check_mehler(dps: int) -> Evidence:
    diffs = [average(h(k, Z1), [[RHO]], [Z1]) - RHO**k * h(k, Z1) for k in range(0, 9)]
    return exact_identity(diffs, "A_ρ h_k − ρ^k h_k by Wick, symbolic ρ, k = 0..8 "
                                 "(ρ = e^{-t}: the Ornstein–Uhlenbeck semigroup)")


def _check_eigenfunctions(dps: int) -> Evidence:
    """``G = V diag(λ²) Vᵀ`` with symbolic ``λ`` and exact rational rotations ``V``."""
    diffs = []
    for q, V, top in ((2, _orth(["1/2"], [1, 1]), 4), (2, _orth(["-3"], [1, -1]), 4),
                      (3, _orth(["1/2", "-1/3", "1"], [1, 1, -1]), 3)):
        lam = sympy.symbols(f"lambda1:{q + 1}", real=True)
        G = V * sympy.diag(*[x**2 for x in lam]) * V.T
        rotated = list(V.T * sympy.Matrix(ZS[q]))
        for beta in product(range(top + 1), repeat=q):
            if sum(beta) > top:
                continue
            hb = sympy.expand(h_multi(beta, rotated))
            factor = sympy.Mul(*[x ** (2 * b) for x, b in zip(lam, beta)])
            diffs.append(average(hb, G, ZS[q]) - factor * hb)
    return exact_identity(diffs, "A_G h_β(Vᵀ·) − Π λ_i^{2β_i} h_β(Vᵀ·), symbolic λ, rational "
                                 "rotations V: q = 2 (|β| ≤ 4, two V), q = 3 (|β| ≤ 3)")


# --- 6. norm identity, contraction; 7. monotonicity ----------------------------------------

def _check_norm_identity(qs):
    def check(dps: int) -> Evidence:
        diffs = []
        for q in qs:
            zs, M, f = ZS[q], symbolic("m", q), LINKS[q]
            cond = average(f, M.T, zs)
            diffs.append(inner(cond, cond, zs) - psi(f, M * M.T, zs))
        return exact_identity(diffs, "‖A_{Mᵀ} f‖² − <A_{MMᵀ} f, f> by Wick, symbolic M, " + _qs(qs))
    return check


def _check_norm_identity_numeric(dps: int) -> Evidence:
    """``‖A_m relu‖²`` as the 1-D integral of the square of the closed form of ``A_m relu``,
    against ``<A_{m²} relu, relu>`` on the 2-D grid."""
    m = R(5, 7)

    def squared(p: int) -> mpmath.mpf:
        mm, sd = _mp(m), mpmath.sqrt(1 - _mp(m) ** 2)

        def cond(z):
            mu = mm * z
            return mu * mpmath.ncdf(mu / sd) + sd * mpmath.npdf(mu / sd)
        return mpmath.quad(lambda z: cond(z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])

    return numeric_pair(squared, lambda p: inner_average_here(sympy.Max(Z1, 0), sympy.Max(Z1, 0),
                                                              [[m**2]], [Z1]), dps,
                        "‖A_m relu‖² by 1-D mpmath.quad of the closed-form A_m relu squared vs "
                        "<A_{m²} relu, relu> by 2-D quadrature, m = 5/7")


def _check_contraction(dps: int) -> Evidence:
    margins = []
    for q in (2, 3):
        zs = ZS[q]
        for N in CONTRACTIONS[q]:
            for f in (LINKS[q], TESTS[q]):
                Af = average(f, N, zs)
                margins.append(inner(f, f, zs) - inner(Af, Af, zs))
    series = sum(sympy.Symbol(f"a{k}") ** 2 * (1 - RHO ** (2 * k)) for k in range(5))
    f1 = LINKS[1]
    exact_q1 = inner(f1, f1, [Z1]) - psi(f1, [[RHO**2]], [Z1])
    alphas = [inner(f1, h(k, Z1), [Z1]) for k in range(5)]
    q1_diff = sympy.expand(exact_q1 - series.subs({sympy.Symbol(f"a{k}"): alphas[k] for k in range(5)}))
    worst = min(margins)
    return Evidence(holds=worst >= 0 and q1_diff == 0, residual=-min(worst, 0) + abs(q1_diff),
                    tolerance=sympy.Integer(0),
                    method="‖f‖² − ‖A_N f‖² ≥ 0 exactly for rational contractions (boundary "
                           "‖N‖ = 1 and rank-deficient included), q = 2, 3; and in q = 1 "
                           "‖f‖² − ‖A_ρ f‖² = Σ α_k² (1 − ρ^{2k}) with symbolic ρ",
                    details={"smallest margin": sympy.sstr(worst), "cases": len(margins)})


def _check_monotonicity(dps: int) -> Evidence:
    margins = []
    for q in (2, 3):
        zs = ZS[q]
        for G, Gp in PSD_PAIRS[q]:
            for f in (LINKS[q], TESTS[q]):
                margins.append(psi(f, Gp, zs) - psi(f, G, zs))
    worst = min(margins)
    return Evidence(holds=worst >= 0, residual=-min(worst, 0), tolerance=sympy.Integer(0),
                    method="ψ(G') − ψ(G) = <A_{G'}f, f> − <A_G f, f> ≥ 0 exactly for rational "
                           "PSD pairs G ⪯ G' ⪯ I (equality and G' = I included), q = 2, 3",
                    details={"smallest margin": sympy.sstr(worst), "cases": len(margins)})


def _check_monotonicity_numeric(dps: int) -> Evidence:
    grid = [R(0), R(1, 4), R(1, 2), R(3, 4), R(1)]
    f = sympy.tanh(Z1) + sympy.Max(Z1, 0) / 2

    def values(p: int) -> list:
        return [inner_average_here(f, f, [[g]], [Z1]) for g in grid]
    runs = two_precisions(values, dps)
    gaps = [b - a for a, b in zip(runs.high, runs.high[1:])]
    tol = tolerance(dps)
    return Evidence(holds=min(gaps) > tol and runs.digits >= dps - 5, residual=min(gaps),
                    tolerance=tol, digits=runs.digits,
                    method="ψ(g) = <A_g f, f> for f = tanh + relu/2 at g = 0, 1/4, 1/2, 3/4, 1 "
                           "by quadrature (two precisions): every increment exceeds the tolerance",
                    details={"psi": [mpmath.nstr(v, 12) for v in runs.high]})


# --- 8. Gaussian kernels ---------------------------------------------------------------------

def _check_kernel_polynomial(dps: int) -> Evidence:
    diffs = []
    for f in (LINKS[1], TESTS[1], h(3, Z1) + 2 * h(1, Z1) - h(0, Z1)):
        alphas = [inner(f, h(k, Z1), [Z1]) for k in range(5)]
        diffs.append(psi(f, [[RHO]], [Z1]) - sum(a**2 * RHO**k for k, a in enumerate(alphas)))
    return exact_identity(diffs, "E[f(x)f(y)] = <A_ρ f, f> − Σ α_k² ρ^k by Wick, symbolic ρ")


def _check_kernel_sign(dps: int) -> Evidence:
    rho = R(-3, 5)
    return versus_numeric(2 / sympy.pi * sympy.asin(rho),
                          lambda p: inner_average_here(sympy.sign(Z1), sympy.sign(Z1), [[rho]], [Z1]),
                          dps, "E[sign x sign y] = (2/π) arcsin ρ (closed form) vs quadrature "
                               "split at the kinks, ρ = −3/5")


def _check_kernel_tanh(dps: int) -> Evidence:
    """``Σ α_k² ρ^k`` with the high-precision Hermite coefficients of tanh (one-dimensional,
    the lead's layer), truncated where ``ρ^k`` is below the tolerance, against the 2-D grid."""
    from gfverify.numerics.hermite import hermite_coefficients

    rho = R(1, 4)
    kmax = int((dps + 8) / mpmath.log10(4)) + 1

    def series(p: int) -> mpmath.mpf:
        coeffs = hermite_coefficients(sympy.tanh(sympy.Symbol("z", real=True)), kmax, p + 5)
        r = _mp(rho)
        return mpmath.fsum(a**2 * r**k for k, a in enumerate(coeffs.alphas))

    return numeric_pair(series, lambda p: inner_average_here(sympy.tanh(Z1), sympy.tanh(Z1), [[rho]], [Z1]),
                        dps, f"Σ_{{k≤{kmax}}} α_k² ρ^k (tanh Hermite coefficients; tail ≤ ρ^{kmax}) "
                             "vs E[tanh x tanh y] by 2-D quadrature, ρ = 1/4")


# --- two-timescale problem: reduced and planted losses -------------------------------------

_PYTHAGOREAN = [(R(3, 5), R(4, 5)), (R(5, 13), R(12, 13)), (R(8, 17), R(15, 17)),
                (R(7, 25), R(24, 25)), (R(20, 29), R(21, 29))]


def _givens(d: int, i: int, j: int, cs: tuple) -> sympy.Matrix:
    G = sympy.eye(d)
    c, s = cs
    G[i, i], G[i, j], G[j, i], G[j, j] = c, -s, s, c
    return G


def _stiefel_pair(d: int, q: int, flip: bool = False) -> tuple[sympy.Matrix, sympy.Matrix]:
    """Exact rational ``W*, W ∈ St(d, q)``: ``W*`` = the first q basis vectors, ``W`` their image
    under a product of Givens rotations with Pythagorean cosines and sines, coupling every
    coordinate (so every moment in d dimensions enters); ``flip`` negates W's first column."""
    O = sympy.eye(d)
    for k in range(d - 1):
        O = _givens(d, k, k + 1, _PYTHAGOREAN[k % len(_PYTHAGOREAN)]) * O
    O = _givens(d, 0, d - 1, _PYTHAGOREAN[1]) * O
    W_star = sympy.eye(d)[:, :q]
    W = O[:, :q]
    if flip:
        W = W * sympy.diag(*([-1] + [1] * (q - 1)))
    return W_star, W


def _d_dim_setup(d: int):
    """``QQ[x_1..x_d]`` and the standard Gaussian moment table of ``N(0, I_d)``."""
    xs = sympy.symbols(f"x1:{d + 1}", real=True)
    ring = PolyRing(xs, QQ)
    return ring, MomentTable(sympy.eye(d))


def _expect(element, table: MomentTable) -> sympy.Rational:
    """``E[p(x)]``, ``x ~ N(0, I_d)``, for ``p`` in ``QQ[x]``: Σ_α c_α E[x^α] (Isserlis moments)."""
    return sympy.Rational(sum((c * table(a) for a, c in element.terms()), sympy.Integer(0)))


def _compose(f: sympy.Expr, zs, forms) -> object:
    """``f(forms)`` for a polynomial ``f`` in ``zs`` and ring elements ``forms``."""
    ring = forms[0].ring
    out = ring.zero
    for exps, c in sympy.Poly(f, *zs).terms():
        term = ring(c)
        for form, e in zip(forms, exps):
            term *= form**e
        out += term
    return out


def _linear_forms(ring, V: sympy.Matrix) -> list:
    return [sum((ring(V[i, j]) * ring.gens[i] for i in range(V.rows)), ring.zero) for j in range(V.cols)]


def _finite_d_optimal_loss(fstar: sympy.Expr, q: int, W_star: sympy.Matrix, W: sympy.Matrix,
                           degree: int) -> sympy.Expr:
    """``min_c ½ E[(f*(W*ᵀx) − Σ_β c_β He_β(Wᵀx))²]`` over ``|β| ≤ degree``, ``x ~ N(0, I_d)``:
    every moment computed by Wick in d dimensions; exact least squares. (The monic ``He_β``
    span the same space as the ``h_β`` and keep every coefficient rational.)"""
    ring, table = _d_dim_setup(W.rows)
    zstar, z = _linear_forms(ring, W_star), _linear_forms(ring, W)
    F = _compose(fstar, ZS[q], zstar)
    betas = [b for b in product(range(degree + 1), repeat=q) if sum(b) <= degree]
    basis = [_compose(sympy.Mul(*[He(k, zi) for k, zi in zip(b, ZS[q])]), ZS[q], z) for b in betas]
    gram = sympy.Matrix(len(basis), len(basis), lambda i, j: _expect(basis[i] * basis[j], table))
    rhs = sympy.Matrix([_expect(F * bi, table) for bi in basis])
    coef = gram.LUsolve(rhs)
    return (_expect(F * F, table) - (rhs.T * coef)[0, 0]) / 2


#: Staircase-like target of degree 3 in q = 2 (information exponent 1, an odd cubic part).
FSTAR_2 = Z1 + Z1 * Z2 + He(3, Z2)


def _reduced_loss(fstar: sympy.Expr, q: int, M: sympy.Matrix) -> sympy.Expr:
    zs = ZS[q]
    return inner(fstar, fstar, zs) / 2 - psi(fstar, M * M.T, zs) / 2


def _check_reduced_loss(d: int):
    def check(dps: int) -> Evidence:
        W_star, W = _stiefel_pair(d, 2)
        M = W_star.T * W
        ls = _finite_d_optimal_loss(FSTAR_2, 2, W_star, W, 3)
        formula = _reduced_loss(FSTAR_2, 2, M)
        return exact_identity([ls - formula],
                              f"least-squares loss over the Hermite basis (|β| ≤ 3) of Wᵀx, all "
                              f"moments by Wick in d = {d}, vs ½‖f*‖² − ½<A_G f*, f*>, G = MMᵀ, "
                              f"f* = z1 + z1 z2 + He3(z2), rational W*, W ∈ St({d}, 2)",
                              details={"loss": sympy.sstr(formula), "M": sympy.sstr(M)})
    return check


def _check_reduced_loss_numeric(dps: int) -> Evidence:
    """q = 1, f* = tanh: the best link on ``h_0..h_K(Wᵀx)`` (orthonormal, Gram = I by Wick in
    d = 6) has coefficients ``b_k = E[tanh(z*) h_k(z)]`` (2-D quadrature, all k in one pass) and
    loss ``½(‖f*‖² − Σ b_k²)``; the tail ``Σ_{k>K} b_k² ≤ m^{2K+2}‖f*‖²`` is below the tolerance."""
    W_star, W = _stiefel_pair(6, 1)
    m = (W_star.T * W)[0, 0]
    K = int((dps + 10) / (-2 * mpmath.log10(abs(_mp(m))))) + 1
    xs = list(sympy.symbols("x1:7", real=True))
    z = (W.T * sympy.Matrix(xs))[0, 0]
    gram_ok = all(gaussian_expectation(sympy.expand(h(j, z) * h(k, z)), xs, sympy.eye(6)) == (j == k)
                  for j in range(4) for k in range(4))
    tanh = sympy.tanh(Z1)
    norm2 = lambda: mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])

    def least_squares(p: int) -> mpmath.mpf:
        b = inner_average_many(tanh, [h(k, Z1) for k in range(K + 1)], [[m]], [Z1])
        return (norm2() - mpmath.fsum(x**2 for x in b)) / 2

    def reduced(p: int) -> mpmath.mpf:
        return (norm2() - inner_average_here(tanh, tanh, [[m**2]], [Z1])) / 2

    ev = numeric_pair(least_squares, reduced, dps,
                      f"finite-d least squares on h_0..h_{K}(Wᵀx) (W*, W ∈ St(6, 1), m = "
                      f"{sympy.sstr(m)}) vs ½‖tanh‖² − ½<A_{{m²}} tanh, tanh>")
    ev.holds = ev.holds and gram_ok
    ev.details["gram = I by Wick in d = 6"] = gram_ok
    return ev


def _check_reduced_invariance(dps: int) -> Evidence:
    W_star, W = _stiefel_pair(6, 2)
    O = _orth(["2/3"], [1, -1])
    losses = [_finite_d_optimal_loss(FSTAR_2, 2, W_star, V, 3) for V in (W, W * O)]
    return exact_identity([losses[0] - losses[1]],
                          "finite-d optimal loss (least squares, Wick in d = 6) at W and at W·O, "
                          "O a rational orthogonal matrix with a reflection: equal",
                          details={"loss": sympy.sstr(losses[0])})


def _planted_loss_d(fstar: sympy.Expr, q: int, W_star: sympy.Matrix, W: sympy.Matrix) -> sympy.Expr:
    """``½ E[(f*(W*ᵀx) − f*(Wᵀx))²]`` by Wick in d dimensions."""
    ring, table = _d_dim_setup(W.rows)
    diff = _compose(fstar, ZS[q], _linear_forms(ring, W_star)) - _compose(fstar, ZS[q], _linear_forms(ring, W))
    return _expect(diff * diff, table) / 2


def _check_planted_loss(dps: int) -> Evidence:
    diffs, shown = [], {}
    for d in (6, 8):
        W_star, W = _stiefel_pair(d, 2)
        M = W_star.T * W
        formula = inner(FSTAR_2, FSTAR_2, ZS[2]) - inner(average(FSTAR_2, M, ZS[2]), FSTAR_2, ZS[2])
        diffs.append(_planted_loss_d(FSTAR_2, 2, W_star, W) - formula)
        shown[f"d={d}"] = sympy.sstr(formula)
    return exact_identity(diffs, "½E[(f*(W*ᵀx) − f*(Wᵀx))²] by Wick in d = 6, 8 vs "
                                 "‖f*‖² − <A_M f*, f*>, M = W*ᵀW", details=shown)


def _check_planted_sign(dps: int) -> Evidence:
    W_star, W = _stiefel_pair(6, 2)
    _s, W_flip = _stiefel_pair(6, 2, flip=True)
    planted = [_planted_loss_d(FSTAR_2, 2, W_star, V) for V in (W, W_flip)]
    reduced = [_reduced_loss(FSTAR_2, 2, W_star.T * V) for V in (W, W_flip)]
    gap = planted[0] - planted[1]
    return Evidence(holds=gap != 0 and reduced[0] == reduced[1], residual=abs(gap),
                    tolerance=sympy.Integer(0),
                    method="planted loss by Wick in d = 6 at W and at W with its first column "
                           "negated (M → M diag(−1, 1)): different; the reduced loss: equal",
                    details={"planted": f"{sympy.sstr(planted[0])} vs {sympy.sstr(planted[1])}",
                             "reduced": f"{sympy.sstr(reduced[0])} vs {sympy.sstr(reduced[1])}"})


def _claim(id_, statement, latex, kind, check, tier="quick", derivation=None) -> Claim:
    return Claim(id=id_, statement=statement, latex=latex, source=SOURCE, kind=kind, check=check,
                 tier=tier, derivation=derivation)


CLAIMS: list[Claim] = [
    _claim("A.conditional_expectation", "E[f*(z*) | z] = (A_{Mᵀ} f*)(z) for polynomial f* (exact, symbolic M)",
           r"\mathbb{E}[f^*(z^*)\mid z] = (A_{M^\top} f^*)(z)", "identity", _check_conditional((1, 2))),
    _claim("A.conditional_expectation_q3", "E[f*(z*) | z] = (A_{Mᵀ} f*)(z), q = 3 (exact, symbolic M)",
           r"\mathbb{E}[f^*(z^*)\mid z] = (A_{M^\top} f^*)(z)", "identity", _check_conditional((3,)),
           tier="full"),
    _claim("A.conditional_expectation_relu", "E[relu(z*) | z] = (A_m relu)(z), q = 1, 30 digits",
           r"\mathbb{E}[\mathrm{relu}(z^*)\mid z] = (A_m\,\mathrm{relu})(z)", "identity",
           _check_conditional_numeric),
    _claim("A.conditional_expectation_tanh", "E[tanh(z*_1) z*_2 | z] = (A_{Mᵀ} f*)(z), q = 2, 30 digits",
           r"\mathbb{E}[f^*(z^*)\mid z] = (A_{M^\top} f^*)(z)", "identity",
           _check_conditional_numeric_q2, tier="full"),
    _claim("A.adjoint", "<A_N g, h> = <g, A_{Nᵀ} h> (exact, symbolic N)",
           r"\langle A_N g, h\rangle = \langle g, A_{N^\top} h\rangle", "identity", _check_adjoint((1, 2))),
    _claim("A.adjoint_q3", "<A_N g, h> = <g, A_{Nᵀ} h>, q = 3 (exact, symbolic N)",
           r"\langle A_N g, h\rangle = \langle g, A_{N^\top} h\rangle", "identity", _check_adjoint((3,)),
           tier="full"),
    _claim("A.adjoint_numeric", "<A_ρ tanh(2z), relu> = <tanh(2z), A_ρ relu>, 30 digits",
           r"\langle A_\rho g, h\rangle = \langle g, A_{\rho} h\rangle", "identity", _check_adjoint_numeric,
           tier="full"),
    _claim("A.semigroup", "A_N A_M = A_{NM} (exact, symbolic N and M)", r"A_N A_M = A_{NM}", "identity",
           _check_semigroup((1, 2)), derivation=_semigroup_derivation),
    _claim("A.semigroup_q3", "A_N A_M = A_{NM}, q = 3 (exact, symbolic N and M)", r"A_N A_M = A_{NM}",
           "identity", _check_semigroup((3,)), tier="full", derivation=_semigroup_derivation),
    _claim("A.semigroup_numeric", "A_a A_b sign = A_{ab} sign at a point, 30 digits",
           r"A_a A_b\,\mathrm{sign} = A_{ab}\,\mathrm{sign}", "identity", _check_semigroup_numeric),
    _claim("A.semigroup_order", "A_N A_M = A_{MN} (false in general: order matters)",
           r"A_N A_M = A_{MN}", "negative-control", _check_semigroup_order),
    _claim("A.endpoints", "A_I = id and A_0 g = E[g] (exact)", r"A_I = \mathrm{id},\ A_0 g = \mathbb{E}[g]",
           "identity", _check_endpoints),
    _claim("A.endpoints_numeric", "A_0 tanh² = E[tanh²], A_I g = g for non-polynomial g, 30 digits",
           r"A_0 g = \mathbb{E}[g],\ A_I g = g", "identity", _check_endpoints_numeric),
    _claim("A.tensor_action", "A_N <T, H_k> = <N^{⊗k} T, H_k> (exact, symbolic N and T)",
           r"A_N \langle T, \mathbf{H}_k\rangle = \langle N^{\otimes k} T, \mathbf{H}_k\rangle", "identity",
           _check_tensor_action),
    _claim("A.mehler", "A_ρ h_k = ρ^k h_k (Mehler / Ornstein–Uhlenbeck), exact",
           r"A_\rho h_k = \rho^k h_k", "identity", _check_mehler),
    _claim("A.eigenfunctions", "A_G h_β(Vᵀ·) = Π λ_i^{2β_i} h_β(Vᵀ·) for G = V diag(λ²) Vᵀ, exact",
           r"A_G h_\beta(V^\top\cdot) = \prod_i \lambda_i^{2\beta_i} h_\beta(V^\top\cdot)", "identity",
           _check_eigenfunctions),
    _claim("A.norm_identity", "‖A_{Mᵀ} f‖² = <A_G f, f>, G = MMᵀ (exact)",
           r"\|A_{M^\top} f\|^2 = \langle A_{MM^\top} f, f\rangle", "identity", _check_norm_identity((1, 2))),
    _claim("A.norm_identity_q3", "‖A_{Mᵀ} f‖² = <A_G f, f>, q = 3 (exact, symbolic M)",
           r"\|A_{M^\top} f\|^2 = \langle A_{MM^\top} f, f\rangle", "identity", _check_norm_identity((3,)),
           tier="full"),
    _claim("A.norm_identity_relu", "‖A_m relu‖² = <A_{m²} relu, relu>, 30 digits",
           r"\|A_m\,\mathrm{relu}\|^2 = \langle A_{m^2}\mathrm{relu}, \mathrm{relu}\rangle", "identity",
           _check_norm_identity_numeric),
    _claim("A.contraction", "‖A_N f‖ ≤ ‖f‖ for ‖N‖_op ≤ 1", r"\|A_N f\| \le \|f\|", "property",
           _check_contraction),
    _claim("A.monotonicity", "G ⪯ G' implies <A_G f, f> ≤ <A_{G'} f, f> (exact)",
           r"G \preceq G' \Rightarrow \psi(G) \le \psi(G')", "property", _check_monotonicity),
    _claim("A.monotonicity_numeric", "ψ(g) = <A_g f, f> increases on [0, 1] for f = tanh + relu/2",
           r"\psi(g) \uparrow", "property", _check_monotonicity_numeric, tier="full"),
    _claim("A.kernel_polynomial", "E[f(x) f(y)] = Σ α_k² ρ^k for polynomial f (exact, symbolic ρ)",
           r"\mathbb{E}[f(x)f(y)] = \sum_k \alpha_k^2 \rho^k", "identity", _check_kernel_polynomial),
    _claim("A.kernel_sign", "E[sign x sign y] = (2/π) arcsin ρ, 30 digits",
           r"\mathbb{E}[\mathrm{sign}\,x\,\mathrm{sign}\,y] = \tfrac{2}{\pi}\arcsin\rho", "identity",
           _check_kernel_sign),
    _claim("A.kernel_tanh", "E[tanh x tanh y] = Σ α_k² ρ^k (Hermite series vs quadrature), 30 digits",
           r"\mathbb{E}[\tanh x \tanh y] = \sum_k \alpha_k^2\rho^k", "identity", _check_kernel_tanh),
    _claim("A.reduced_loss", "min over links of L(W, f) = ½‖f*‖² − ½<A_G f*, f*> (finite d = 6, exact)",
           r"\min_f L(W,f) = \tfrac12\|f^*\|^2 - \tfrac12\langle A_G f^*, f^*\rangle", "identity",
           _check_reduced_loss(6)),
    _claim("A.reduced_loss_d12", "min over links of L(W, f) = ½‖f*‖² − ½ψ(G) at d = 12 (exact)",
           r"\min_f L(W,f) = \tfrac12\|f^*\|^2 - \tfrac12\psi(G)", "identity", _check_reduced_loss(12),
           tier="full"),
    _claim("A.reduced_loss_tanh", "min over links of L(W, f) = ½‖f*‖² − ½ψ(G) for f* = tanh, 30 digits",
           r"\min_f L(W,f) = \tfrac12\|f^*\|^2 - \tfrac12\psi(m^2)", "identity", _check_reduced_loss_numeric, tier="full"),
    _claim("A.reduced_invariance", "the reduced loss is invariant under W → W O (signs included)",
           r"L(WO) = L(W)", "property", _check_reduced_invariance),
    _claim("A.planted_loss", "½E[(f*(W*ᵀx) − f*(Wᵀx))²] = ‖f*‖² − <A_M f*, f*> (exact, d = 6, 8)",
           r"L_{\mathrm{planted}}(M) = \|f^*\|^2 - \langle A_M f^*, f^*\rangle", "identity",
           _check_planted_loss),
    _claim("A.planted_sign", "the planted loss depends on the signs of M; the reduced loss does not",
           r"L_{\mathrm{planted}}(MD) \ne L_{\mathrm{planted}}(M),\ L(MD) = L(M)", "property",
           _check_planted_sign),
]
