"""Exact skew-symmetric and rational orthogonal matrices (Cayley transform)."""

import numpy as np
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics.random_matrices import (
    cayley,
    haar_stiefel,
    psd_leq_identity,
    psd_pair,
    rational_contraction,
    rational_orthogonal,
    rational_stiefel,
    skew,
)

R = sympy.Rational


@pytest.mark.parametrize("n", [3, 4, 5])
def test_skew_needs_the_strictly_upper_count(n):
    # an n x n skew matrix has n(n-1)/2 free entries: the message names that count
    count = n * (n - 1) // 2
    assert skew(range(1, count + 1), n) == -skew(range(1, count + 1), n).T
    with pytest.raises(InputError, match=rf"need {count} entries for a {n}x{n} skew matrix"):
        skew(range(count + 1), n)


def test_rational_orthogonal_is_orthogonal():
    # Cayley of a skew matrix is orthogonal with determinant 1; the signs flip columns
    Q = rational_orthogonal([R(1, 2), R(-1, 3), R(2, 5)], [1, -1, 1])
    assert Q.T * Q == sympy.eye(3) and Q.det() == -1


@pytest.mark.parametrize("d, q", [(3, 3), (5, 2)])
def test_haar_stiefel_has_orthonormal_columns(d, q):
    # a point of St(d, q): Q^T Q = I_q (q = d included: a Haar orthogonal matrix)
    Q = haar_stiefel(d, q, np.random.default_rng(0))
    assert Q.shape == (d, q) and np.allclose(Q.T @ Q, np.eye(q), atol=1e-12)


@pytest.mark.parametrize("d, q", [(2, 3), (3, 0)])
def test_haar_stiefel_needs_d_at_least_q_at_least_one(d, q):
    # q orthonormal columns exist in R^d only for q <= d
    with pytest.raises(InputError, match="d ≥ q ≥ 1"):
        haar_stiefel(d, q, np.random.default_rng(0))


def test_haar_columns_have_symmetric_signs():
    """Haar W and −W have the same law: the sign of W_11 is a fair coin (4σ band over 2000 draws);
    numpy's QR without the sign fix gives W_11 < 0 always."""
    rng = np.random.default_rng(5)
    first = np.array([haar_stiefel(6, 2, rng)[0, 0] for _ in range(2000)])
    assert abs((first > 0).mean() - 0.5) < 4 * 0.5 / np.sqrt(2000)


def test_skew_fills_the_upper_triangle_row_by_row():
    assert skew([1, 2, 3], 3) == sympy.Matrix([[0, 1, 2], [-1, 0, 3], [-2, -3, 0]])
    assert skew([], 1) == sympy.zeros(1, 1)


def test_cayley_of_a_plane_rotation_generator():
    """S = [[0, a], [−a, 0]]: (I − S)(I + S)⁻¹ = [[1 − a², −2a], [2a, 1 − a²]]/(1 + a²)."""
    a = R(1, 3)
    want = sympy.Matrix([[1 - a**2, -2 * a], [2 * a, 1 - a**2]]) / (1 + a**2)
    assert cayley(skew([a], 2)) == want
    with pytest.raises(InputError, match="skew-symmetric"):
        cayley(sympy.Matrix([[0, 1], [1, 0]]))


def test_rational_stiefel_is_the_first_columns():
    entries, signs = [R(1, 2), R(-1, 3), R(2, 5)], [1, 1, -1]
    W = rational_stiefel(entries, signs, 2)
    assert W == rational_orthogonal(entries, signs)[:, :2] and W.T * W == sympy.eye(2)
    assert rational_orthogonal(entries, [1, 1, 1])[:, 2] == -rational_orthogonal(entries, signs)[:, 2]


def test_rational_contraction_has_the_given_singular_values():
    """N = Q₁ diag(d) Q₂: NᵀN = Q₂ᵀ diag(d²) Q₂, so its eigenvalues are the d_i²; |d_i| > 1 is refused."""
    Q1 = rational_orthogonal([R(1, 2)], [1, 1])
    Q2 = rational_orthogonal([R(-2, 7)], [1, -1])
    N = rational_contraction(Q1, [R(1, 3), R(-1, 1)], Q2)
    assert sorted((N.T * N).eigenvals()) == [R(1, 9), 1]
    with pytest.raises(InputError, match=r"\|d_i\| ≤ 1"):
        rational_contraction(Q1, [R(1, 3), R(-11, 10)], Q2)


@pytest.mark.parametrize("M, want", [
    ([[R(1, 2), 0], [0, 1]], True),
    ([[R(1, 2), R(1, 2)], [R(1, 2), R(1, 2)]], True),   # a projector
    ([[R(3, 2), 0], [0, 0]], False),                    # above I
    ([[0, 1], [1, 0]], False),                          # det −1
    ([[-1, 0], [0, -1]], False),                        # det 1 but negative diagonal minors
    ([[R(1, 2), 0, 0], [0, R(1, 2), R(1, 2)], [0, R(1, 2), R(1, 4)]], False),  # a 2×2 minor < 0
])
def test_psd_below_identity_by_principal_minors(M, want):
    assert psd_leq_identity(sympy.Matrix(M)) is want


def test_psd_pair_takes_the_largest_dyadic_step():
    """G = diag(½, ½), B = e₁: G + t e₁e₁ᵀ ⪯ I iff t ≤ ½, so t = ½; from G = I no step fits (t = 0)."""
    G, Gp = psd_pair(sympy.diag(R(1, 2), R(1, 2)), sympy.Matrix([1, 0]))
    assert Gp == sympy.diag(1, R(1, 2)) and G == sympy.diag(R(1, 2), R(1, 2))
    G, Gp = psd_pair(sympy.eye(2), sympy.Matrix([1, 1]))
    assert Gp == G == sympy.eye(2)
    G, Gp = psd_pair(sympy.diag(R(1, 4), 0), sympy.Matrix([R(1, 2), 0]))
    assert Gp == sympy.diag(R(1, 2), 0)  # t = 1
    with pytest.raises(InputError, match="base must satisfy"):
        psd_pair(sympy.diag(2, 0), sympy.Matrix([1, 0]))
