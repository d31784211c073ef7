"""The Stein coefficients of the planted (docs/theory.md A16) and two-timescale (A10)
``d``-dimensional Stiefel flows for the non-polynomial link ``f*(z) = Σ_i relu(z_i)``, by
one-dimensional quadrature at the working precision (no arc-sine or arc-cosine closed form).

**Planted.**

With ``g_j(u, v) = (f*(u) − f*(v)) H(v_j)`` (``H = relu'``) for the pair ``(u, v) = (W*ᵀx, Wᵀx)``
(identity marginals, cross-covariance ``M = W*ᵀW``), Stein's lemma (with the distributional
derivative of the jump of ``g_j`` at ``v_j = 0``) gives ``∇_W L = W* A + W B`` with

- ``A_ij = −E[H(u_i) H(v_j)] = −P(x > 0, y > 0)`` for a standard pair of correlation ``M_ij``;
- ``B_ij = E[H(v_i) H(v_j)] = ¼`` (i ≠ j) and
  ``B_jj = E[H(v_j)] − φ(0) E[f*(u) − f*(v) | v_j = 0]
  = ½ − φ(0) J (Σ_k √(1 − M_kj²) − (q − 1))``, ``J = E[relu(s)]``, since given ``v_j = 0`` the
  ``u_k`` are centred normal with variance ``1 − M_kj²``.

``B`` is symmetric, so it drops out of ``Ṁ = −(A + MB) + M sym(MᵀA + B)``; it is computed anyway
(the flow uses the full Euclidean gradient). Each expectation is a ``[0, S]`` Gauss–Legendre rule
against ``φ``, ``S`` chosen so that the Gaussian tail ``½ erfc(S/√2)`` is below the working
precision. For the orthant probability the pair is rotated, ``x, y = (√(1+ρ) a ± √(1−ρ) b)/√2``
with ``a, b`` independent, and one of them is integrated out by ``erf``:
``P = ∫_0^∞ φ(s) erfc(s/(k√2)) ds`` (ρ ≥ 0) or ``∫_0^∞ φ(s) erf(ks/√2) ds`` (ρ < 0),
``k = √((1+ρ)/(1−ρ))``; both integrands vary on a scale ≥ 1, so the rule converges like that of
``φ`` alone for every ``|ρ| < 1``.

**Two-timescale.** The link is the conditional expectation ``f_W(v) = E[f*(u) | v]``; given
``v``, ``u ~ N(Mv, I − G)``, ``G = MMᵀ``, so ``f_W(v) = Σ_k E[relu(m_k + σ_k ξ)]`` with
``m_k = (Mv)_k``, ``σ_k² = 1 − G_kk`` and ``∂_j f_W(v) = Σ_k M_kj P(m_k + σ_k ξ_k > 0 | v)``.
Stein's lemma as above, with the link held fixed at ``f_W`` (envelope theorem), gives

- ``A_ij = −E[H(u_i) ∂_j f_W(v)] = −Σ_k M_kj P(u_i > 0, m_k + σ_k ξ_k > 0) = −(K M)_ij``:
  the pair ``(u_i, m_k + σ_k ξ_k)`` has unit variances and correlation ``(MMᵀ)_ik``, so
  ``K_ik = P(a > 0, b > 0)`` at correlation ``G_ik`` (:func:`orthant`);
- ``B_ij = E[∂_i f_W ∂_j f_W] − E[(f*(u) − f_W(v)) ∂_ij f_W(v)] = (MᵀKM)_ij`` (the second
  term vanishes because ``f_W`` is the conditional mean; the first by the same orthant
  probabilities, the two ``ξ`` independent).

So ``Wᵀ∇_W L = MᵀA + B = 0`` and ``Ṁ = −(A + MB) + M sym(MᵀA + B) = (I − G) K M``. A second
derivation, not used by the code: ``E[f_W(v)²] = E[f*(u) f*(u')]`` with ``u, u'`` independent
given ``v``, ``Cov(u, u') = MMᵀ``, so ``L = ½E[f*²] − ½Σ_ij κ(G_ij)``, ``κ(ρ) = E[relu(a) relu(b)]``,
and the chain rule through ``G = W*ᵀWWᵀW*`` with Price's ``κ'(ρ) = P(a > 0, b > 0)`` gives
``∇_W L = −W* K M``: the same ``A`` and ``B = 0``, a gradient of an extension of ``L`` off
St(d, q) that differs from the Stein one by ``W MᵀKM``, normal to St(d, q), so the flow is the
same."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import flint
import mpmath

from gfverify.errors import InputError
from gfverify.numerics.flint_field import arb_precision
from gfverify.numerics.quadrature import gauss_legendre


@lru_cache(maxsize=8)
def _weighted_rule(prec: int) -> tuple[tuple, tuple]:
    """Nodes ``s`` and weights ``w φ(s)`` of ``∫_0^S φ(s) · ds`` at ``prec`` bits, as ``arb``
    midpoints: ``S = √(2 ln 10 (dps + 5))``, ``⌊1.5 dps⌋ + 20`` Gauss–Legendre points (at 40
    digits the rule integrates ``φ`` times the ``erf`` factors above to the last digit)."""
    dps = mpmath.mp.dps
    S = mpmath.sqrt(2 * mpmath.log(10) * (dps + 5))
    half = S / 2
    pairs = [(half * (1 + x), half * w) for x, w in gauss_legendre(int(1.5 * dps) + 20)]
    return (tuple(flint.arb(s) for s, _ in pairs),
            tuple(flint.arb(w * mpmath.npdf(s)) for s, w in pairs))


def gaussian_integral(h: Callable[[flint.arb], flint.arb], threshold=0) -> mpmath.mpf:
    """``∫_t^∞ φ(s) h(s) ds`` (``t = threshold``) by the ``[0, S]`` rule shifted to ``[t, t + S]``,
    ``h`` bounded by a polynomial, evaluated in ``arb`` at the current mpmath precision."""
    with arb_precision():
        nodes, weights = _weighted_rule(mpmath.mp.prec)
        if threshold == 0:
            total = sum((w * h(s) for s, w in zip(nodes, weights)), flint.arb(0))
        else:
            t = flint.arb(mpmath.mpf(threshold))
            shift = [(-(t * s) - t * t / 2).exp() for s in nodes]  # φ(t + s) = φ(s) e^{−ts − t²/2}
            total = sum((w * e * h(t + s) for s, w, e in zip(nodes, weights, shift)), flint.arb(0))
        man, exp = total.mid().man_exp()
        return mpmath.mpf((int(man), int(exp)))


def orthant(rho, threshold=0) -> mpmath.mpf:
    """``P(x > t, y > 0)`` for a standard Gaussian pair of correlation ``ρ`` (``|ρ| < 1``):
    ``t = 0`` by the rotated forms of the module docstring; ``t ≠ 0`` (used by the tests as a
    wrong coefficient) by conditioning on ``x``, ``∫_t^∞ φ(s) ½ erfc(−ρs/√(2(1−ρ²))) ds``."""
    rho = mpmath.mpf(rho)
    if not -1 < rho < 1:
        raise ArithmeticError(f"correlation {mpmath.nstr(rho, 8)} outside (-1, 1)")
    if threshold != 0:
        c = flint.arb(-rho / mpmath.sqrt(2 * (1 - rho * rho)))
        return gaussian_integral(lambda s: (c * s).erfc() / 2, threshold)
    k = mpmath.sqrt((1 + rho) / (1 - rho))
    if rho >= 0:
        c = flint.arb(1 / (k * mpmath.sqrt(2)))
        return gaussian_integral(lambda s: (c * s).erfc())
    c = flint.arb(k / mpmath.sqrt(2))
    return gaussian_integral(lambda s: (c * s).erf())


@lru_cache(maxsize=8)
def _planted_constants(prec: int) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """``(P(x > 0, y > 0) at ρ = 0, ∫_0^∞ φ, J = E[relu(s)])`` by the rule at ``prec`` bits."""
    return orthant(0), gaussian_integral(lambda s: flint.arb(1)), gaussian_integral(lambda s: s)


def relu_sum_coefficients(M: mpmath.matrix, threshold=0) -> tuple[mpmath.matrix, mpmath.matrix]:
    """``(A, B)`` of the module docstring at the overlap ``M`` (``q×q``) for the planted link
    ``Σ_i relu(z_i)``; ``threshold = t`` puts ``H(u_i − t)`` in place of ``relu'(u_i)`` in ``A``
    (a wrong gradient, for the tests)."""
    q = M.rows
    if M.cols != q:
        raise InputError(f"the overlap must be square, got {M.rows}x{M.cols}")
    A = mpmath.matrix(q, q)
    for i in range(q):
        for j in range(q):
            A[i, j] = -orthant(M[i, j], threshold)
    quarter, half, J = _planted_constants(mpmath.mp.prec)
    B = mpmath.matrix(q, q)
    for i in range(q):
        for j in range(q):
            B[i, j] = quarter
        sigmas = mpmath.fsum(mpmath.sqrt(1 - M[k, i] ** 2) for k in range(q))
        B[i, i] = half - mpmath.npdf(0) * J * (sigmas - (q - 1))
    return A, B


def relu_sum_two_timescale_coefficients(M: mpmath.matrix,
                                        gram: str = "MMT") -> tuple[mpmath.matrix, mpmath.matrix]:
    """``(A, B) = (−KM, MᵀKM)`` of the module docstring at the overlap ``M`` (``q×q``) for the
    two-timescale link ``E[Σ_i relu(u_i) | v]``, ``K_ij = P(a > 0, b > 0)`` at correlation
    ``G_ij``, ``G = MMᵀ``; ``gram = "MTM"`` puts ``MᵀM`` in place of ``G`` (a wrong gradient, for
    the tests)."""
    q = M.rows
    if M.cols != q:
        raise InputError(f"the overlap must be square, got {M.rows}x{M.cols}")
    if gram not in ("MMT", "MTM"):
        raise InputError(f"unknown gram {gram!r} (MMT or MTM)")
    G = M * M.T if gram == "MMT" else M.T * M
    K = mpmath.matrix(q, q)
    for i in range(q):
        for j in range(i, q):
            K[i, j] = K[j, i] = orthant(G[i, j])
    A = -(K * M)
    return A, -(M.T * A)
