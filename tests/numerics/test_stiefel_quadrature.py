"""The two-timescale relu-sum Stein coefficients of numerics/stiefel_quadrature.py against routes
that share none of their code: the derivative of the loss along a curve on St(d, q) (arc-cosine
kernel of Cho and Saul, 2009, as the closed form of E[f_W(v)²]), a float64 Gauss–Hermite
expectation of the Stein integrands over v, and the d-independence of the projected flow."""

import mpmath
import numpy as np
import pytest
import sympy
from scipy.special import ndtr

from gfverify.errors import InputError
from gfverify.numerics import stiefel_flow as sf
from gfverify.numerics import stiefel_quadrature as sq
from gfverify.numerics.reduced_numeric import relu_kernel

R = sympy.Rational
M0_2 = sympy.Matrix([[R(2, 5), R(-1, 5)], [R(1, 10), R(3, 10)]])
M0_3 = sympy.Matrix([[R(3, 10), R(-1, 10), R(1, 5)], [R(1, 5), R(1, 4), R(-1, 10)],
                     [R(-1, 10), R(1, 10), R(3, 10)]])


def _loss_minus_constant(W_star: mpmath.matrix, W: mpmath.matrix) -> mpmath.mpf:
    """−½E[f_W(v)²] = −½Σ_ij κ((MMᵀ)_ij), κ the arc-cosine kernel (closed form), M = W*ᵀW."""
    M = W_star.T * W
    G = M * M.T
    return -mpmath.fsum(relu_kernel(G[i, j]) for i in range(G.rows) for j in range(G.cols)) / 2


def _directional_derivatives(M0: sympy.Matrix, gram: str) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(⟨∇_W L, Δ⟩, d/dε L(W(ε)))`` at dps 30 for a tangent ``Δ = (I − WWᵀ)Z + WΩ`` (Ω skew)
    and ``W(ε) = (W + εΔ)(I + ε²ΔᵀΔ)^{−1/2}`` (the polar retraction: ``WᵀΔ`` is skew)."""
    d, q = 7, M0.rows
    W_star, W = sf.start_pair(d, M0, seed=5)
    rng = np.random.default_rng(3)
    Z = mpmath.matrix([[mpmath.mpf(int(x)) / 7 for x in row] for row in rng.integers(-5, 6, (d, q))])
    Omega = mpmath.matrix(q, q)
    for i in range(q):
        for j in range(i + 1, q):
            Omega[i, j] = mpmath.mpf(i + 2 * j + 1) / 5
            Omega[j, i] = -Omega[i, j]
    Delta = (mpmath.eye(d) - W * W.T) * Z + W * Omega
    A, B = sq.relu_sum_two_timescale_coefficients(W_star.T * W, gram)
    grad = W_star * A + W * B
    inner = mpmath.fsum(grad[i, j] * Delta[i, j] for i in range(d) for j in range(q))

    def along(eps):
        P = W + eps * Delta
        return _loss_minus_constant(W_star, P * mpmath.inverse(mpmath.sqrtm(P.T * P)))

    return inner, mpmath.diff(along, 0)


@pytest.mark.parametrize("M0", [M0_2, M0_3], ids=["q2", "q3"])
def test_gradient_is_the_derivative_of_the_loss_on_the_stiefel_manifold(M0):
    """⟨∇_W L, Δ⟩ for a tangent Δ equals the derivative of L = ½E[f*²] − ½Σκ(G_ij) along a curve
    on St(7, q) with velocity Δ (the normal part W·MᵀKM of ∇ drops out); 25 digits at dps 30.
    With K evaluated at MᵀM instead the two differ by far more."""
    with mpmath.workdps(30):
        inner, derivative = _directional_derivatives(M0, "MMT")
        assert abs(inner - derivative) < mpmath.mpf(10) ** -25
        wrong, derivative = _directional_derivatives(M0, "MTM")
        assert abs(wrong - derivative) > mpmath.mpf(10) ** -3


def test_stein_coefficients_are_gauss_hermite_expectations_and_tangent():
    """A_ij = −E[P(u_i > 0 | v) ∂_j f_W(v)] and B_ij = E[∂_i f_W ∂_j f_W] by a 2-D Gauss–Hermite
    rule over v ~ N(0, I₂) in float64 (∂_j f_W(v) = Σ_k M_kj Φ((Mv)_k/σ_k), σ_k² = 1 − G_kk; the
    integrands are smooth), against the orthant-probability coefficients to 1e-12; and
    Wᵀ∇_W L = MᵀA + B = 0 holds for the Gauss–Hermite numbers as well."""
    M = np.array(M0_2.tolist(), dtype=float)
    sigma = np.sqrt(1 - np.diag(M @ M.T))
    x, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / np.sqrt(2 * np.pi)
    V = np.stack(np.meshgrid(x, x, indexing="ij"), axis=-1).reshape(-1, 2)
    weights = np.outer(w, w).reshape(-1)
    cond = ndtr((V @ M.T) / sigma)              # P(u_k > 0 | v), one column per k
    grad_f = cond @ M                           # ∂_j f_W(v), one column per j
    A_gh = -np.einsum("n,ni,nj->ij", weights, cond, grad_f)
    B_gh = np.einsum("n,ni,nj->ij", weights, grad_f, grad_f)
    with mpmath.workdps(30):
        A, B = sq.relu_sum_two_timescale_coefficients(mpmath.matrix(M0_2.tolist()))
    assert np.abs(np.array(A.tolist(), dtype=float) - A_gh).max() < 1e-12
    assert np.abs(np.array(B.tolist(), dtype=float) - B_gh).max() < 1e-12
    assert np.abs(M.T @ A_gh + B_gh).max() < 1e-12


def test_projected_flow_does_not_depend_on_d():
    """W*ᵀW(t) from the same M(0) in St(6, 2) and St(11, 2) (different dense frames) agree to the
    working precision (dps 20, t = 1/8, 1/4)."""
    times = [R(1, 8), R(1, 4)]
    with mpmath.workdps(20):
        runs = []
        for d in (6, 11):
            W_star, W0 = sf.start_pair(d, M0_2, seed=d)
            runs.append(sf.flow_overlaps(sq.relu_sum_two_timescale_coefficients, W_star, W0, times))
        for a, b in zip(*runs):
            assert mpmath.mnorm(a - b, 1) < mpmath.mpf(10) ** -18
        assert mpmath.mnorm(runs[0][-1] - mpmath.matrix(M0_2.tolist()), 1) > mpmath.mpf(10) ** -2


def test_bad_inputs():
    with pytest.raises(InputError):
        sq.relu_sum_two_timescale_coefficients(mpmath.matrix(2, 3))
    with pytest.raises(InputError):
        sq.relu_sum_two_timescale_coefficients(mpmath.matrix(2, 2), gram="MM")


@pytest.mark.parametrize("dps", [20, 40])
def test_half_range_rule_is_exact_on_polynomials(dps):
    """The n-point Gauss rule of φ on [0, ∞) (n = dps + 5) integrates s^k, k ≤ 2n − 1, as
    mpmath's tanh-sinh quadrature of s^k φ(s) does (an independent route), to dps − 2 digits."""
    with mpmath.workdps(dps):
        n = dps + 5
        for k in (0, 1, 7, n, 2 * n - 1):
            got = sq.gaussian_integral(lambda s, k=k: s**k)
            with mpmath.workdps(dps + 20):
                want = mpmath.quad(lambda s: s**k * mpmath.npdf(s), [0, 10, mpmath.inf])
            assert abs(got - want) < mpmath.mpf(10) ** (2 - dps) * want
