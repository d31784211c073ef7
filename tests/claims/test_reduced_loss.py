"""Claims on the finite-d losses (A9, A16): the least-squares routes tell G = MMᵀ from MᵀM and
catch a missing or spurious ½, through the same judge, while the true formulas PASS."""

import mpmath
import sympy

from gfverify.claims.judge import exact_identity, numeric_pair
from gfverify.claims.statements import reduced_loss as L
from gfverify.numerics import finite_d
from gfverify.theory.averaging import planted_loss, reduced_loss
from gfverify.theory.finite_d import least_squares_loss, planted_loss_d, stiefel_pair


def test_reduced_loss_route_discriminates_G_from_MtM():
    """The finite-d least-squares loss matches ψ(MMᵀ), not ψ(MᵀM) (a wrong formula fails)."""
    W_star, W = stiefel_pair(6, 2)
    M = W_star.T * W
    ls = least_squares_loss(L.FSTAR_2, L.Z, W_star, W, 3)
    assert ls == reduced_loss(L.FSTAR_2, M, L.Z)
    assert ls != reduced_loss(L.FSTAR_2, M.T, L.Z)


# --- a wrong statement FAILS through the same judge (issue 10, Build 7) ---------------------

def test_exact_reduced_and_planted_losses_with_wrong_formulas_fail(verdict):
    W_star, W = stiefel_pair(6, 2)
    M = W_star.T * W
    ls = least_squares_loss(L.FSTAR_2, L.Z, W_star, W, 3)
    planted = planted_loss_d(L.FSTAR_2, L.Z, W_star, W)

    def equal(a, b):
        return lambda dps: exact_identity(a - b, "finite d vs formula")
    assert verdict(equal(ls, reduced_loss(L.FSTAR_2, M, L.Z)), "A9") == "PASS"
    assert verdict(equal(ls, reduced_loss(L.FSTAR_2, M.T, L.Z)), "A9") == "FAIL"  # ψ(MᵀM)
    assert verdict(equal(planted, planted_loss(L.FSTAR_2, M, L.Z)), "A16") == "PASS"
    assert verdict(equal(planted, planted_loss(L.FSTAR_2, M, L.Z) / 2), "A16") == "FAIL"  # spurious ½


def test_tanh_reduced_loss_with_a_missing_half_or_psi_of_m_fails(verdict):
    """The d = 6 least squares of tanh against ½‖f*‖² − ½ψ(m²) (PASS), ‖f*‖² − ψ(m²) (the ½
    missing) and ½‖f*‖² − ½ψ(m) (G = M for MMᵀ): FAIL."""
    W_star, W = stiefel_pair(6, 1)
    m = (W_star.T * W)[0, 0]

    def against(G, half=sympy.Rational(1, 2)):
        return lambda dps: numeric_pair(
            lambda p: finite_d.least_squares_loss(mpmath.tanh, list(W_star), list(W), 14, mpmath.pi / 2),
            lambda p: L.tanh_reduced_loss(p, G, half), dps, "loss")
    assert verdict(against(m**2), "A9", dps=12) == "PASS"
    assert verdict(against(m**2, half=1), "A9", dps=12) == "FAIL"
    assert verdict(against(m), "A9", dps=12) == "FAIL"
