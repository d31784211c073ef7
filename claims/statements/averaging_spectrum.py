"""Claims on the spectrum and the quadratic form of the averaging operator ``A_N`` of [A]
(docs/theory.md A4–A7): the action on Hermite tensors and Mehler's formula, the eigenfunctions
of ``A_G`` for symmetric ``G``, the norm identity and contraction, and the monotonicity of
``ψ(G) = ⟨A_G f, f⟩``."""

from __future__ import annotations

from itertools import product

import mpmath
import sympy

from gfverify.claims.judge import confirmed, enclosure, exact_identity, numeric_pair
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics.averaging import inner_average_here
from gfverify.numerics.certified import gaussian_moments
from gfverify.numerics.certified_kernels import certified_kernel, conditional_mean
from gfverify.numerics.precision import tolerance
from gfverify.numerics.random_matrices import psd_pair, rational_contraction, rational_orthogonal
from gfverify.theory.averaging import average, average_hermite_tensor, hermite_tensor_polynomial, inner, psi
from gfverify.theory.hermite import h, h_multi
from gfverify.theory.witnesses import LINKS, RHO, TESTS, Z1, ZS, describe, symbolic, symmetric_tensor

R = sympy.Rational


def _orth(entries: list[str], signs: list[int]) -> sympy.Matrix:
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


# --- A4. tensor action and Mehler -----------------------------------------------------------

@claim("A.tensor_action", kind="identity", source="A4",
       statement="A_N ⟨T, H_k⟩ = ⟨N^{⊗k} T, H_k⟩ (exact, symbolic N and T)",
       latex=r"A_N \langle T, \mathbf{H}_k\rangle = \langle N^{\otimes k} T, \mathbf{H}_k\rangle")
def tensor_action(dps: int) -> Evidence:
    """Route 1: A_N of the polynomial ⟨T, H_k⟩ by Wick. Route 2: the tensor N^{⊗k} T contracted
    with the Hermite tensor; symbolic N and symmetric T, q = 2 (k ≤ 4), q = 3 (k ≤ 3)."""
    diffs = []
    for q, kmax in ((2, 4), (3, 3)):
        zs, N = ZS[q], symbolic("n", q)
        for k in range(1, kmax + 1):
            T = symmetric_tensor("t", q, k)
            diffs.append(average(hermite_tensor_polynomial(T, zs), N, zs)
                         - average_hermite_tensor(T, N, zs))
    return exact_identity(diffs, "A_N ⟨T, H_k⟩ − ⟨N^{⊗k} T, H_k⟩ by Wick, symbolic N and "
                                 "symbolic symmetric T, q = 2 (k ≤ 4), q = 3 (k ≤ 3)")


@claim("A.mehler", kind="identity", source="A4",
       statement="A_ρ h_k = ρ^k h_k (Mehler / Ornstein–Uhlenbeck, exact)",
       latex=r"A_\rho h_k = \rho^k h_k")
def mehler(dps: int) -> Evidence:
    """Route 1: A_ρ h_k by Wick with symbolic ρ. Route 2: ρ^k h_k; k = 0..8."""
    diffs = [average(h(k, Z1), [[RHO]], [Z1]) - RHO**k * h(k, Z1) for k in range(0, 9)]
    return exact_identity(diffs, "A_ρ h_k − ρ^k h_k by Wick, symbolic ρ, k = 0..8 "
                                 "(ρ = e^{-t}: the Ornstein–Uhlenbeck semigroup)")


# --- A5. eigenfunctions ---------------------------------------------------------------------

@claim("A.eigenfunctions", kind="identity", source="A5",
       statement="A_G h_β(Vᵀ·) = Π λ_i^{2β_i} h_β(Vᵀ·) for G = V diag(λ²) Vᵀ (exact)",
       latex=r"A_G h_\beta(V^\top\cdot) = \prod_i \lambda_i^{2\beta_i} h_\beta(V^\top\cdot)")
def eigenfunctions(dps: int) -> Evidence:
    """Route 1: A_G h_β(Vᵀ·) by Wick for G = V diag(λ²) Vᵀ, symbolic λ, exact rational rotations
    V. Route 2: the eigenvalue Π λ_i^{2β_i} times h_β(Vᵀ·)."""
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


# --- A6. norm identity and contraction ------------------------------------------------------

@claim("A.norm_identity", kind="identity", source="A6",
       statement="‖A_{Mᵀ} f‖² = ⟨A_G f, f⟩, G = MMᵀ (exact)",
       latex=r"\|A_{M^\top} f\|^2 = \langle A_{MM^\top} f, f\rangle",
       variants={"": dict(qs=(1, 2)),
                 "_q3": dict(qs=(3,), tier="full",
                             statement="‖A_{Mᵀ} f‖² = ⟨A_G f, f⟩, q = 3 (exact, symbolic M)")})
def norm_identity(dps: int, qs: tuple[int, ...]) -> Evidence:
    """Route 1: the squared norm of the polynomial A_{Mᵀ} f by Wick. Route 2: ψ(MMᵀ) = ⟨A_{MMᵀ} f, f⟩
    by Wick; symbolic M."""
    diffs = []
    for q in qs:
        zs, M, f = ZS[q], symbolic("m", q), LINKS[q]
        cond = average(f, M.T, zs)
        diffs.append(inner(cond, cond, zs) - psi(f, M * M.T, zs))
    return exact_identity(diffs, "‖A_{Mᵀ} f‖² − ⟨A_{MMᵀ} f, f⟩ by Wick, symbolic M, " + describe(qs))


@claim("A.norm_identity_relu", kind="identity", source="A6",
       statement="‖A_m relu‖² = ⟨A_{m²} relu, relu⟩ (numeric)",
       latex=r"\|A_m\,\mathrm{relu}\|^2 = \langle A_{m^2}\mathrm{relu}, \mathrm{relu}\rangle")
def norm_identity_relu(dps: int) -> Evidence:
    """Route 1: E[(A_m relu)²], the closed form of A_m relu squared, as a certified 1-D integral.
    Route 2: ⟨A_{m²} relu, relu⟩ conditioned on y, a second certified 1-D integral (CERTIFIED when
    the balls overlap). Also at two precisions: route 1 by mpmath.quad, route 2 on the 2-D grid
    of the averaging engine."""
    m = R(5, 7)

    def squared(p: int) -> mpmath.mpf:
        mm = mpmath.mpf(m.p) / m.q
        sd = mpmath.sqrt(1 - mm**2)

        def cond(z):
            mu = mm * z
            return mu * mpmath.ncdf(mu / sd) + sd * mpmath.npdf(mu / sd)
        return mpmath.quad(lambda z: cond(z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])

    relu = sympy.Max(Z1, 0)
    norm_sq = gaussian_moments(sympy.expand(conditional_mean(relu, m, Z1, Z1) ** 2), 0, dps, Z1)[0][0]
    ev = enclosure(norm_sq, certified_kernel(relu, m**2, dps, z=Z1), tolerance(dps),
                   "‖A_m relu‖² = E[(A_m relu)²] with A_m relu = m z Φ(m z/s) + s φ(m z/s) in closed "
                   "form, certified 1-D integral, vs ⟨A_{m²} relu, relu⟩ = E_y[relu(y) (A_{m²} relu)(y)], "
                   "certified 1-D integral; two balls, overlap proves equality, m = 5/7")
    pair = numeric_pair(squared, lambda p: inner_average_here(relu, relu, [[m**2]], [Z1]), dps,
                        "‖A_m relu‖² by 1-D mpmath.quad vs ⟨A_{m²} relu, relu⟩ by 2-D quadrature")
    return ev.also(pair.holds, quadrature_digits=pair.digits,
                   quadrature_residual=mpmath.nstr(pair.residual, 3))


@claim("A.contraction", kind="property", source="A6",
       statement="‖A_N f‖ ≤ ‖f‖ for ‖N‖_op ≤ 1", latex=r"\|A_N f\| \le \|f\|")
def contraction(dps: int) -> Evidence:
    """Route 1: the margin ‖f‖² − ‖A_N f‖² exactly for rational contractions (boundary and
    rank-deficient included), q = 2, 3. Route 2: in q = 1, the margin as Σ α_k² (1 − ρ^{2k})
    with symbolic ρ."""
    margins = []
    for q in (2, 3):
        zs = ZS[q]
        for N in CONTRACTIONS[q]:
            for f in (LINKS[q], TESTS[q]):
                Af = average(f, N, zs)
                margins.append(inner(f, f, zs) - inner(Af, Af, zs))
    f1 = LINKS[1]
    alphas = [inner(f1, h(k, Z1), [Z1]) for k in range(5)]
    series = sum(a**2 * (1 - RHO ** (2 * k)) for k, a in enumerate(alphas))
    q1_diff = sympy.expand(inner(f1, f1, [Z1]) - psi(f1, [[RHO**2]], [Z1]) - series)
    worst = min(margins)
    return Evidence(holds=worst >= 0 and q1_diff == 0, residual=-min(worst, 0) + abs(q1_diff),
                    tolerance=sympy.Integer(0),
                    method="‖f‖² − ‖A_N f‖² ≥ 0 exactly for rational contractions (boundary "
                           "‖N‖ = 1 and rank-deficient included), q = 2, 3; and in q = 1 "
                           "‖f‖² − ‖A_ρ f‖² = Σ α_k² (1 − ρ^{2k}) with symbolic ρ",
                    details={"smallest margin": sympy.sstr(worst), "cases": len(margins)})


# --- A7. monotonicity -----------------------------------------------------------------------

@claim("A.monotonicity", kind="property", source="A7",
       statement="G ⪯ G' implies ⟨A_G f, f⟩ ≤ ⟨A_{G'} f, f⟩ (exact)",
       latex=r"G \preceq G' \Rightarrow \psi(G) \le \psi(G')")
def monotonicity(dps: int) -> Evidence:
    """ψ(G') − ψ(G) ≥ 0 exactly by Wick for rational PSD pairs G ⪯ G' ⪯ I (equality and
    G' = I included), q = 2, 3."""
    margins = []
    for q in (2, 3):
        zs = ZS[q]
        for G, Gp in PSD_PAIRS[q]:
            for f in (LINKS[q], TESTS[q]):
                margins.append(psi(f, Gp, zs) - psi(f, G, zs))
    worst = min(margins)
    return Evidence(holds=worst >= 0, residual=-min(worst, 0), tolerance=sympy.Integer(0),
                    method="ψ(G') − ψ(G) = ⟨A_{G'}f, f⟩ − ⟨A_G f, f⟩ ≥ 0 exactly for rational "
                           "PSD pairs G ⪯ G' ⪯ I (equality and G' = I included), q = 2, 3",
                    details={"smallest margin": sympy.sstr(worst), "cases": len(margins)})


@claim("A.monotonicity_numeric", kind="property", source="A7", tier="full",
       statement="ψ(g) = ⟨A_g f, f⟩ increases on [0, 1] for f = tanh + relu/2",
       latex=r"\psi(g) \uparrow")
def monotonicity_numeric(dps: int) -> Evidence:
    """ψ(g) by 2-D quadrature at g = 0, 1/4, 1/2, 3/4, 1 (two precisions, confirmed digits):
    every increment exceeds the tolerance."""
    grid = [R(0), R(1, 4), R(1, 2), R(3, 4), R(1)]
    f = sympy.tanh(Z1) + sympy.Max(Z1, 0) / 2
    runs = confirmed(lambda p: [inner_average_here(f, f, [[g]], [Z1]) for g in grid], dps,
                     "ψ(g) on the grid", digits=dps - 5)
    gaps = [b - a for a, b in zip(runs.high, runs.high[1:])]
    tol = tolerance(dps)
    return Evidence(holds=min(gaps) > tol, residual=min(gaps), tolerance=tol, digits=runs.digits,
                    method="ψ(g) = ⟨A_g f, f⟩ for f = tanh + relu/2 at g = 0, 1/4, 1/2, 3/4, 1 "
                           "by quadrature (two precisions): every increment exceeds the tolerance",
                    details={"psi": [mpmath.nstr(v, 12) for v in runs.high]})
