"""Claims on the losses of [A] in finite dimension (docs/theory.md A9, A16): with ``x ~ N(0, I_d)``,
``M = W*ᵀW`` and ``G = MMᵀ``, the optimal link gives the reduced loss ``½‖f*‖² − ½ψ(G)``, which
is invariant under ``W → WO``; the planted model (link fixed to ``f*``) has the loss
``‖f*‖² − ⟨A_M f*, f*⟩``, which sees the signs of ``M``. The finite-d side is computed in
``d`` dimensions (:mod:`gfverify.theory.finite_d`), the formulas with the Wick engine of the
averaging operator."""

from __future__ import annotations

import mpmath
import sympy

from gfverify.claims.judge import exact_identity, numeric_pair
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import finite_d
from gfverify.numerics.averaging import inner_average_here
from gfverify.numerics.precision import GUARD_DIGITS
from gfverify.numerics.random_matrices import rational_orthogonal
from gfverify.theory.averaging import planted_loss, reduced_loss
from gfverify.theory.finite_d import least_squares_loss, planted_loss_d, stiefel_pair
from gfverify.theory.hermite import He
from gfverify.theory.witnesses import Z1, ZS

R = sympy.Rational
Z = ZS[2]
#: Staircase-like target of degree 3 in q = 2 (information exponent 1, an odd cubic part).
FSTAR_2 = Z[0] + Z[0] * Z[1] + He(3, Z[1])


# --- A9. optimal link and reduced loss ------------------------------------------------------

@claim("A.reduced_loss", kind="identity", source="A9",
       statement="min over links of L(W, f) = ½‖f*‖² − ½⟨A_G f*, f*⟩ (finite d = 6, exact)",
       latex=r"\min_f L(W,f) = \tfrac12\|f^*\|^2 - \tfrac12\langle A_G f^*, f^*\rangle",
       variants={"": dict(d=6),
                 "_d12": dict(d=12, tier="full",
                              statement="min over links of L(W, f) = ½‖f*‖² − ½ψ(G) at d = 12 (exact)",
                              latex=r"\min_f L(W,f) = \tfrac12\|f^*\|^2 - \tfrac12\psi(G)")})
def reduced_loss_exact(dps: int, d: int) -> Evidence:
    """Route 1: the exact least squares over the Hermite basis |β| ≤ 3 of Wᵀx, every moment by
    Wick in d dimensions. Route 2: ½‖f*‖² − ½ψ(MMᵀ) by the Wick engine in q = 2."""
    W_star, W = stiefel_pair(d, 2)
    M = W_star.T * W
    formula = reduced_loss(FSTAR_2, M, Z)
    return exact_identity([least_squares_loss(FSTAR_2, Z, W_star, W, 3) - formula],
                          f"least-squares loss over the Hermite basis (|β| ≤ 3) of Wᵀx, all "
                          f"moments by Wick in d = {d}, vs ½‖f*‖² − ½⟨A_G f*, f*⟩, G = MMᵀ, "
                          f"f* = z1 + z1 z2 + He3(z2), rational W*, W ∈ St({d}, 2)",
                          details={"loss": sympy.sstr(formula), "M": sympy.sstr(M)})


def tanh_reduced_loss(p: int, G: sympy.Expr, half: sympy.Expr = R(1, 2)) -> mpmath.mpf:
    """The reduced-loss formula ``½‖tanh‖² − ½ψ(G)`` (``half`` = ½) at the current precision:
    ``‖tanh‖²`` by 1-D mpmath.quad, ``ψ(G) = ⟨A_G tanh, tanh⟩`` by the averaging engine."""
    norm2 = mpmath.quad(lambda x: mpmath.tanh(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
    tanh = sympy.tanh(Z1)
    c = sympy.Rational(half)
    return mpmath.mpf(c.p) / c.q * (norm2 - inner_average_here(tanh, tanh, [[G]], [Z1]))


@claim("A.reduced_loss_tanh", kind="identity", source="A9", tier="full",
       statement="min over links of L(W, f) = ½‖f*‖² − ½ψ(G) for f* = tanh, d = 6 (numeric)",
       latex=r"\min_f L(W,f) = \tfrac12\|f^*\|^2 - \tfrac12\psi(m^2)")
def reduced_loss_tanh(dps: int) -> Evidence:
    """q = 1, f* = tanh, rational w*, w ∈ S⁵ (m = w*ᵀw ≈ −0.187). Route 1: the least squares of
    tanh(w*ᵀx) on h_0..h_K(wᵀx), x ~ N(0, I_6), Gram matrix and right-hand side by quadrature on
    the plane of w*, w (Gauss–Hermite in the polynomial directions, trapezoid along w*),
    normal equations solved (:func:`gfverify.numerics.finite_d.least_squares_loss`); K makes
    the omitted tail Σ_{k>K} α_k² m^{2k} ≤ m^{2K+2}‖tanh‖² negligible. Route 2: ½‖tanh‖² −
    ½ψ(m²) with ψ from the averaging engine (:func:`tanh_reduced_loss`)."""
    W_star, W = stiefel_pair(6, 1)
    m = (W_star.T * W)[0, 0]
    K = int((dps + GUARD_DIGITS + 5) / (-2 * mpmath.log10(abs(float(m))))) + 1

    def least_squares(p: int) -> mpmath.mpf:
        return finite_d.least_squares_loss(mpmath.tanh, list(W_star), list(W), K, mpmath.pi / 2)
    return numeric_pair(least_squares, lambda p: tanh_reduced_loss(p, m**2), dps,
                        f"least squares of tanh(w*ᵀx) on h_0..h_{K}(wᵀx) in d = 6 (Gauss–Hermite "
                        f"and trapezoid on the plane of w*, w; m = {sympy.sstr(m)}) vs "
                        "½‖tanh‖² − ½⟨A_{m²} tanh, tanh⟩ by the averaging engine")


@claim("A.reduced_invariance", kind="property", source="A9",
       statement="the reduced loss is invariant under W → WO (signs included)",
       latex=r"L(WO) = L(W)")
def reduced_invariance(dps: int) -> Evidence:
    """The exact finite-d optimal loss (least squares, Wick in d = 6) at W and at WO, O a
    rational orthogonal matrix with a reflection: equal."""
    W_star, W = stiefel_pair(6, 2)
    O = rational_orthogonal([R(2, 3)], [1, -1])
    losses = [least_squares_loss(FSTAR_2, Z, W_star, V, 3) for V in (W, W * O)]
    return exact_identity([losses[0] - losses[1]],
                          "finite-d optimal loss (least squares, Wick in d = 6) at W and at W·O, "
                          "O a rational orthogonal matrix with a reflection: equal",
                          details={"loss": sympy.sstr(losses[0])})


# --- A16. planted loss ----------------------------------------------------------------------

@claim("A.planted_loss", kind="identity", source="A16",
       statement="½E[(f*(W*ᵀx) − f*(Wᵀx))²] = ‖f*‖² − ⟨A_M f*, f*⟩ (exact, d = 6, 8)",
       latex=r"L_{\mathrm{planted}}(M) = \|f^*\|^2 - \langle A_M f^*, f^*\rangle")
def planted_loss_exact(dps: int) -> Evidence:
    """Route 1: ½E[(f*(W*ᵀx) − f*(Wᵀx))²] by Wick in d = 6, 8. Route 2: ‖f*‖² − ⟨A_M f*, f*⟩,
    M = W*ᵀW, by the Wick engine in q = 2."""
    diffs, shown = [], {}
    for d in (6, 8):
        W_star, W = stiefel_pair(d, 2)
        formula = planted_loss(FSTAR_2, W_star.T * W, Z)
        diffs.append(planted_loss_d(FSTAR_2, Z, W_star, W) - formula)
        shown[f"d={d}"] = sympy.sstr(formula)
    return exact_identity(diffs, "½E[(f*(W*ᵀx) − f*(Wᵀx))²] by Wick in d = 6, 8 vs "
                                 "‖f*‖² − ⟨A_M f*, f*⟩, M = W*ᵀW", details=shown)


@claim("A.planted_sign", kind="property", source="A16",
       statement="the planted loss depends on the signs of M; the reduced loss does not",
       latex=r"L_{\mathrm{planted}}(MD) \ne L_{\mathrm{planted}}(M),\ L(MD) = L(M)")
def planted_sign(dps: int) -> Evidence:
    """The planted loss by Wick in d = 6 at W and at W with its first column negated
    (M → M diag(−1, 1)): different; the reduced loss at both: equal."""
    W_star, W = stiefel_pair(6, 2)
    _, W_flip = stiefel_pair(6, 2, flip=True)
    planted = [planted_loss_d(FSTAR_2, Z, W_star, V) for V in (W, W_flip)]
    reduced = [reduced_loss(FSTAR_2, W_star.T * V, Z) for V in (W, W_flip)]
    gap = planted[0] - planted[1]
    return Evidence(holds=gap != 0 and reduced[0] == reduced[1], residual=abs(gap),
                    tolerance=sympy.Integer(0),
                    method="planted loss by Wick in d = 6 at W and at W with its first column "
                           "negated (M → M diag(−1, 1)): different; the reduced loss: equal",
                    details={"planted": f"{sympy.sstr(planted[0])} vs {sympy.sstr(planted[1])}",
                             "reduced": f"{sympy.sstr(reduced[0])} vs {sympy.sstr(reduced[1])}"})
