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
(the flow uses the full Euclidean gradient). Each expectation is one integral against ``φ`` on
``[0, ∞)`` by the Gauss rule of that weight (half-range Hermite, ``dps + 5`` nodes, built from the
moments of ``φ``: :func:`_weighted_rule`). For the orthant probability the pair is rotated,
``x, y = (√(1+ρ) a ± √(1−ρ) b)/√2`` with ``a, b`` independent, and one of them is integrated out by ``erf``:
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
import numpy as np

from gfverify.errors import InputError
from gfverify.numerics.flint_field import arb_precision


def _recurrence(n: int) -> tuple[list, list]:
    """``(a_k, b_k)``, ``k < n``: the recurrence ``π_{k+1} = (x − a_k) π_k − b_k π_{k−1}`` of the
    monic orthogonal polynomials of the weight ``φ`` on ``[0, ∞)`` (``b_0 = ∫φ = ½``), by
    Chebyshev's algorithm (Gautschi, *Orthogonal Polynomials*, 2004, §2.1.7) from the moments
    ``μ_k = 2^{(k−1)/2} Γ((k+1)/2)/√(2π)`` at the current precision (which must exceed the
    digits wanted by the conditioning loss of the moment map)."""
    mu = [2 ** (mpmath.mpf(k - 1) / 2) * mpmath.gamma(mpmath.mpf(k + 1) / 2) / mpmath.sqrt(2 * mpmath.pi)
          for k in range(2 * n)]
    a, b = [mu[1] / mu[0]], [mu[0]]
    previous, sigma = [mpmath.mpf(0)] * (2 * n), mu
    for k in range(1, n):
        new = [mpmath.mpf(0)] * (2 * n)
        for m in range(k, 2 * n - k):
            new[m] = sigma[m + 1] - a[k - 1] * sigma[m] - b[k - 1] * previous[m]
        a.append(new[k + 1] / new[k] - sigma[k] / sigma[k - 1])
        b.append(new[k] / sigma[k - 1])
        previous, sigma = sigma, new
    return a, b


def _orthonormal(x: mpmath.mpf, a: list, rb: list) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """``(p_n(x), p_n'(x), Σ_{k<n} p_k(x)²)`` for the orthonormal polynomials of the recurrence
    (``rb_k = √b_k``, ``n = len(a)``, ``p_n`` scaled as if ``√b_n = 1``)."""
    n = len(a)
    p_prev, p, dp_prev, dp = mpmath.mpf(0), 1 / rb[0], mpmath.mpf(0), mpmath.mpf(0)
    squares = mpmath.mpf(0)
    for k in range(n):
        squares += p * p
        scale = rb[k + 1] if k + 1 < n else 1
        back = rb[k] if k else 0
        p_prev, p, dp_prev, dp = (p, ((x - a[k]) * p - back * p_prev) / scale,
                                  dp, (p + (x - a[k]) * dp - back * dp_prev) / scale)
    return p, dp, squares


@lru_cache(maxsize=8)
def _weighted_rule(prec: int) -> tuple[tuple, tuple]:
    """Nodes ``s`` and weights ``w`` of the ``n``-point Gauss rule of the weight ``φ`` on
    ``[0, ∞)`` (half-range Hermite), ``n = dps + 5``, at ``prec`` bits, as ``arb`` midpoints: the
    recurrence at ``3 dps + 60`` digits (:func:`_recurrence`), the nodes (zeros of ``p_n``) from
    float64 eigenvalues of the Jacobi matrix refined by Newton, the weights ``1/Σ_{k<n} p_k²``
    (Christoffel). The worst of the orthant integrands, ``erfc(s/√2)`` at ``ρ = 0``, is
    integrated to ``≈ 10^{2−n}``."""
    dps = mpmath.mp.dps
    n = dps + 5
    with mpmath.workdps(3 * dps + 60):
        a, b = _recurrence(n)
        rb = [mpmath.sqrt(x) for x in b]
    off = [float(x) for x in rb[1:]]
    guesses = np.linalg.eigvalsh(np.diag([float(x) for x in a]) + np.diag(off, 1) + np.diag(off, -1))
    nodes, weights = [], []
    with mpmath.workdps(dps + 10):
        a, rb = [+x for x in a], [+x for x in rb]
        for guess in guesses:
            x = mpmath.mpf(float(guess))
            for _ in range(10):
                p, dp, _ = _orthonormal(x, a, rb)
                x -= p / dp
                if abs(p / dp) < mpmath.mpf(10) ** -(dps + 8) * max(1, abs(x)):
                    break
            else:
                raise ArithmeticError(f"Newton did not converge at the Gauss node near {guess}")
            nodes.append(x)
            weights.append(1 / _orthonormal(x, a, rb)[2])
    return tuple(flint.arb(s) for s in nodes), tuple(flint.arb(w) for w in weights)


def gaussian_integral(h: Callable[[flint.arb], flint.arb], threshold=0) -> mpmath.mpf:
    """``∫_t^∞ φ(s) h(s) ds`` (``t = threshold``) by the half-range rule of :func:`_weighted_rule`
    shifted to ``[t, ∞)``, ``h`` entire and bounded by a polynomial on the half-line, evaluated in
    ``arb`` at the current mpmath precision."""
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
