"""Claims on the finite-d losses (A9, A16): the least-squares route tells G = MMᵀ from MᵀM."""

from gfverify.claims.statements import reduced_loss as L
from gfverify.theory.averaging import reduced_loss
from gfverify.theory.finite_d import least_squares_loss, stiefel_pair


def test_reduced_loss_route_discriminates_G_from_MtM():
    """The finite-d least-squares loss matches ψ(MMᵀ), not ψ(MᵀM) (a wrong formula fails)."""
    W_star, W = stiefel_pair(6, 2)
    M = W_star.T * W
    ls = least_squares_loss(L.FSTAR_2, L.Z, W_star, W, 3)
    assert ls == reduced_loss(L.FSTAR_2, M, L.Z)
    assert ls != reduced_loss(L.FSTAR_2, M.T, L.Z)
