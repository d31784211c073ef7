"""Tests of the exact finite-d losses: Stiefel pairs, the least-squares loss and the planted loss
against hand-computed single-index values."""

import pytest
import sympy

from gfverify.errors import InputError
from gfverify.theory.finite_d import givens, least_squares_loss, planted_loss_d, stiefel_pair
from gfverify.theory.hermite import He

z = sympy.Symbol("z", real=True)
R = sympy.Rational


@pytest.mark.parametrize("d, q", [(3, 1), (6, 2), (5, 3)])
def test_stiefel_pair_is_orthonormal_and_couples_every_coordinate(d, q):
    W_star, W = stiefel_pair(d, q)
    assert W_star.T * W_star == sympy.eye(q) and W.T * W == sympy.eye(q)
    assert all(W[i, 0] != 0 for i in range(d))
    _, W_flip = stiefel_pair(d, q, flip=True)
    assert W_flip[:, 0] == -W[:, 0]


def test_givens_and_pair_errors():
    assert givens(3, 0, 2, (R(3, 5), R(4, 5))).det() == 1
    with pytest.raises(InputError):
        givens(3, 1, 1, (1, 0))
    with pytest.raises(InputError):
        stiefel_pair(2, 2)


def test_single_index_losses_by_hand():
    """f* = He_3, ‖He_3‖² = 6, M = m: the best cubic in Wᵀx keeps m³ He_3 (loss 3(1 − m⁶));
    the planted loss is ½E[(He_3(z*) − He_3(z))²] = 6(1 − m³)."""
    W_star = sympy.Matrix([1, 0, 0])
    W = sympy.Matrix([R(3, 5), R(4, 5), 0])
    m = R(3, 5)
    assert least_squares_loss(He(3, z), [z], W_star, W, 3) == 3 * (1 - m**6)
    assert least_squares_loss(He(3, z), [z], W_star, W, 2) == 3  # no cubic: nothing explained
    assert planted_loss_d(He(3, z), [z], W_star, W) == 6 * (1 - m**3)


def test_a_stiefel_pair_has_at_least_one_column():
    """St(d, q) with 1 ≤ q < d (the documented range): q = 0 is no frame (mutation triage,
    fresh11: a lower bound 0 let it through); q = 1 gives unit vectors W*, W."""
    with pytest.raises(InputError, match="1 ≤ q < d"):
        stiefel_pair(3, 0)
    W_star, W = stiefel_pair(3, 1)
    assert W_star.shape == W.shape == (3, 1) and (W.T * W)[0, 0] == 1 == (W_star.T * W_star)[0, 0]


@pytest.mark.parametrize("i, j", [(0, 3), (0, 4), (4, 0), (-1, 0), (0, -1)])
def test_givens_refuses_coordinates_outside_the_dimension(i, j):
    """A rotation of R^3 acts on two of the coordinates 0, 1, 2 (an index d + 1 is as wrong as d)."""
    with pytest.raises(InputError, match="distinct coordinates below d = 3"):
        givens(3, i, j, (R(3, 5), R(4, 5)))
