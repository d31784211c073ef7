"""Exact skew-symmetric and rational orthogonal matrices (Cayley transform)."""

import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics.random_matrices import rational_orthogonal, skew

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
