"""Claims on the spectrum and quadratic form of A_N (A4–A7): wrong formulas (Mehler with ρ^{k+1},
the norm identity with MᵀM for MMᵀ, monotonicity on a reversed pair) FAIL through the same judge
while the true ones PASS."""

import sympy

from gfverify.claims.judge import enclosure, exact_identity
from gfverify.claims.statements import averaging_spectrum as S
from gfverify.numerics.certified import gaussian_moments
from gfverify.numerics.certified_kernels import certified_kernel, conditional_mean
from gfverify.numerics.precision import tolerance
from gfverify.theory.averaging import average, inner, psi
from gfverify.theory.hermite import h
from gfverify.theory.witnesses import LINKS, RHO, Z1, ZS, symbolic


def test_mehler_with_a_shifted_power_fails(verdict):
    def mehler(shift):
        diffs = [average(h(k, Z1), [[RHO]], [Z1]) - RHO ** (k + shift) * h(k, Z1) for k in range(5)]
        return lambda dps: exact_identity(diffs, "Mehler")
    assert verdict(mehler(0), "A4") == "PASS"
    assert verdict(mehler(1), "A4") == "FAIL"


def test_norm_identity_with_MtM_fails(verdict):
    zs, M, f = ZS[2], symbolic("m", 2), LINKS[2]
    cond = average(f, M.T, zs)

    def norm(G):
        return lambda dps: exact_identity(inner(cond, cond, zs) - psi(f, G, zs), "norm identity")
    assert verdict(norm(M * M.T), "A6") == "PASS"
    assert verdict(norm(M.T * M), "A6") == "FAIL"


def test_the_witnesses_of_the_properties_are_not_vacuous():
    """The contraction margins and monotonicity margins are positive somewhere (a reversed pair
    G' ⪯ G would give a negative margin, so the property check can fail)."""
    zs = ZS[2]
    G, Gp = S.PSD_PAIRS[2][0]
    assert psi(LINKS[2], G, zs) - psi(LINKS[2], Gp, zs) < 0
    N = S.CONTRACTIONS[2][0]
    Af = average(LINKS[2], N, zs)
    assert inner(LINKS[2], LINKS[2], zs) - inner(Af, Af, zs) > 0
    assert S.monotonicity(30).holds and S.contraction(30).holds


def test_certified_norm_identity_relu_and_the_wrong_power_fails(verdict):
    """‖A_m relu‖² in a certified ball against ⟨A_{m²} relu, relu⟩ (CERTIFIED) and against
    ⟨A_m relu, relu⟩ (the power of m lost: FAIL) through the same judge."""
    m, relu = sympy.Rational(5, 7), sympy.Max(Z1, 0)
    norm_sq = gaussian_moments(sympy.expand(conditional_mean(relu, m, Z1, Z1) ** 2), 0, 30, Z1)[0][0]
    for rho, status in ((m**2, "CERTIFIED"), (m, "FAIL")):
        other = certified_kernel(relu, rho, 30, z=Z1)
        assert verdict(lambda dps: enclosure(norm_sq, other, tolerance(dps), "norm"), "A6") == status
