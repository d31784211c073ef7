"""Exact skew-symmetric and rational orthogonal matrices (Cayley transform)."""

import numpy as np
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics.random_matrices import haar_stiefel, rational_orthogonal, skew

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
