"""The planted-flow census (numerics.planted_attractors) and the binomial tests (numerics.statistics);
the census runs come last, so a mutant that stalls the integrator fails on the quick tests first."""

import mpmath
import numpy as np
import pytest

from gfverify.errors import InputError
from gfverify.numerics import planted_attractors as pa
from gfverify.numerics.statistics import (
    binomial_power,
    binomial_rejects,
    clopper_pearson,
    two_proportion_p_value,
)


def test_rhs_matches_the_stiefel_formula():
    # Mdot = Gamma - M sym(M^T Gamma), Gamma = 3 M∘M, written out for one 2x2 matrix
    M = np.array([[0.3, -0.2], [0.1, 0.5]])
    gamma = 3 * M**2
    S = M.T @ gamma
    want = gamma - M @ (S + S.T) / 2
    assert np.allclose(pa.planted_rhs(M[None])[0], want, rtol=0, atol=1e-15)


@pytest.mark.parametrize("q, P", [(2, ()), (2, ((0, 0),)), (2, ((1, 0),)), (2, ((0, 1), (1, 0))),
                                  (2, ((0, 0), (1, 1))), (3, ((0, 1), (2, 0))),
                                  (3, ((0, 2), (1, 1), (2, 0)))])
def test_jacobian_against_finite_differences(q, P):
    """DF(P), a q²×q² matrix (9×9 at q = 3): each column is the central difference of F along one
    unit matrix (F is cubic, so the difference is exact up to h² and rounding)."""
    h = 1e-6
    P0 = np.zeros((q, q))
    for i, j in P:
        P0[i, j] = 1
    with mpmath.workdps(30):
        J = pa.jacobian(P, q)
    assert (J.rows, J.cols) == (q * q, q * q)
    for a in range(q * q):
        E = np.zeros(q * q)
        E[a] = h
        col = (pa.planted_rhs((P0 + E.reshape(q, q))[None]) - pa.planted_rhs((P0 - E.reshape(q, q))[None]))[0]
        np.testing.assert_allclose([float(J[r, a]) for r in range(q * q)], col.ravel() / (2 * h), atol=1e-6)


def test_spectrum_at_the_global_minimum_and_at_zero():
    with mpmath.workdps(30):
        at_identity = [mpmath.re(e) for e in pa.spectrum(((0, 0), (1, 1)), 2)]
        at_zero = pa.spectrum((), 2)
    assert max(at_identity) <= 1e-25          # G = I attracts (one zero: the rotation M -> O M)
    assert all(abs(e) <= 1e-25 for e in at_zero)  # F is quadratic at 0


def test_haar_starts_have_symmetric_signs():
    # with the sign fix M_11(0) is symmetric about 0 (numpy's raw QR is not)
    m11 = pa.stiefel_starts(50, 2, 2000, np.random.default_rng(0))[:, 0, 0]
    assert abs((m11 > 0).mean() - 0.5) < 4 * 0.5 / np.sqrt(2000)


def test_d_below_q():
    with pytest.raises(InputError):
        pa.stiefel_starts(2, 3, 1, np.random.default_rng(0))


def test_binomial_test_false_alarm_rate_and_power():
    n, level = 400, 1e-3
    # the exact false-alarm rate: the probability under p0 of a rejected outcome is <= level
    assert binomial_power(n, 0.5, 0.5, level) <= level
    assert not binomial_rejects(200, n, 0.5, level) and binomial_rejects(150, n, 0.5, level)
    assert binomial_power(4000, 0.5, 0.45, level) > 0.99


def test_clopper_pearson_known_values():
    lo, hi = clopper_pearson(0, 10, 0.05)
    assert lo == 0 and abs(hi - 0.3085) < 1e-4        # 1 - 0.025^(1/10)
    lo, hi = clopper_pearson(5, 10, 0.05)
    assert abs(lo - 0.1871) < 1e-4 and abs(hi - 0.8129) < 1e-4


def test_two_proportion_p_value():
    assert two_proportion_p_value(50, 100, 50, 100) == 1.0
    assert two_proportion_p_value(700, 2000, 460, 2000) < 1e-10


def test_dormand_prince_tableau_satisfies_the_order_conditions():
    # row sums of A are the nodes c_i; the fifth-order weights b (last row) satisfy
    # sum b c^(k-1) = 1/k for k = 1..5; the error weights sum to 0 (both solutions are consistent)
    for a, c in zip(pa._A, pa._C):
        assert abs(sum(a) - c) < 1e-15
    b = pa._A[6]
    for k in range(1, 6):
        assert abs(sum(bi * ci ** (k - 1) for bi, ci in zip(b, pa._C)) - 1 / k) < 1e-15
    assert abs(sum(pa._E)) < 1e-15


def test_embedded_fourth_order_weights_satisfy_their_order_conditions():
    """b̂ = b − e (the embedded solution): Σ b̂ c^{k−1} = 1/k for k ≤ 4 and Σ b̂ (A c) = 1/6, and the
    fifth-order weights also satisfy Σ b (A c) = 1/6, Σ b c (A c) = 1/8, Σ b (A c²) = 1/12."""
    b = pa._A[6] + (0,)
    bhat = [bi - ei for bi, ei in zip(b, pa._E)]
    Ac = [sum(a * cj for a, cj in zip(row, pa._C)) for row in pa._A] + [1.0]
    Ac2 = [sum(a * cj**2 for a, cj in zip(row, pa._C)) for row in pa._A] + [1.0]
    for k in range(1, 5):
        assert abs(sum(w * ci ** (k - 1) for w, ci in zip(bhat, pa._C)) - 1 / k) < 1e-15
    assert abs(sum(w * x for w, x in zip(bhat, Ac)) - 1 / 6) < 1e-15
    assert abs(sum(w * x for w, x in zip(b, Ac)) - 1 / 6) < 1e-15
    assert abs(sum(w * ci * x for w, ci, x in zip(b, pa._C, Ac)) - 1 / 8) < 1e-15
    assert abs(sum(w * x for w, x in zip(b, Ac2)) - 1 / 12) < 1e-15
    assert abs(sum(w * ci**4 for w, ci in zip(bhat, pa._C)) - 1 / 5) > 1e-4  # b̂ is order 4 only


def _exact_q1(m0: float, t: float) -> float:
    """q = 1: ṁ = 3m²(1 − m²), so −1/m + atanh(m) − 3t is constant (closed form, solved by mpmath)."""
    with mpmath.workdps(40):
        c = -1 / mpmath.mpf(m0) + mpmath.atanh(m0) + 3 * t
        return float(mpmath.findroot(lambda m: -1 / m + mpmath.atanh(m) - c, m0))


def test_dopri_step_is_fifth_order_with_a_fourth_order_error_estimate():
    """One step from m = 0.5 against the closed form: the local error falls like h⁶ (ratio ≈ 64 when
    h halves; 77 measured at h = .04 → .02) and the error estimate like h⁵ (ratio ≈ 32); k7 is F
    at the new point (FSAL)."""
    M = np.array([[[0.5]]])
    errors, estimates = [], []
    for h in (0.04, 0.02):
        y, k7, err = pa._dopri_step(M, pa.planted_rhs(M), h)
        errors.append(abs(y[0, 0, 0] - _exact_q1(0.5, h)))
        estimates.append(abs(err[0, 0, 0]))
        np.testing.assert_array_equal(k7, pa.planted_rhs(y))
    assert 50 < errors[0] / errors[1] < 110
    assert 26 < estimates[0] / estimates[1] < 40
    assert estimates[1] > errors[1]  # the estimate is of the lower-order solution's error


def test_unfixed_signs_bias_the_start():
    """Without the sign fix numpy's QR gives M11(0) of one sign far more often than half the time."""
    m11 = pa.stiefel_starts(50, 2, 400, np.random.default_rng(0), sign_fix=False)[:, 0, 0]
    assert abs((m11 > 0).mean() - 0.5) > 0.3


@pytest.mark.parametrize("M, want", [
    ([[0.995, 0.0], [0.0, 1.004]], ((0, 0), (1, 1))),
    ([[0.0, 0.999], [-0.004, -0.001]], ((0, 1),)),
    ([[-0.005, -0.002], [-0.001, -0.009]], ()),
    ([[-0.005, -0.002], [-0.001, -0.011]], None),  # not within NEAR of 0
    ([[0.99, 0.0], [0.0, 0.005]], None),       # a free entry above 0
    ([[1.0, 0.0], [0.0, -1.0]], None),         # an entry near −1
    ([[1.0, 1.0], [0.0, -0.005]], None),       # two units in one row
    ([[1.0, 0.0], [1.0, -0.005]], None),       # two units in one column
    ([[0.0, 1.0], [0.0, 1.0]], None),          # two units in one column, one row free
    ([[0.98, 0.0], [0.0, -0.002]], None),      # not within NEAR
    ([[0.5, 0.0], [0.0, -0.2]], None),
])


def test_partial_permutation_detection(M, want):
    assert pa._partial_permutation(np.array(M)) == want


def test_residual_is_zero_only_at_partial_permutations():
    """F(P) = 0 at a partial permutation; at M = [[1, 1], [0, 0]] (two units in a row), Γ = 3M,
    M sym(MᵀΓ) = 6M, so F = −3M and max |F| = 3."""
    with mpmath.workdps(30):
        assert pa.residual(((0, 1), (1, 0)), 2) == 0 and pa.residual(((2, 0),), 3) == 0
        assert pa.residual(((0, 0), (0, 1)), 2) == 3


def test_spectrum_at_a_spurious_limit():
    """At P = E₁₁ (q = 2, loss 1): the learned entry relaxes with eigenvalue −6 (ṁ = 3m²(1 − m²) has
    derivative −6 at m = 1); F is quadratic in the unlearned entries, so no eigenvalue is positive."""
    with mpmath.workdps(30):
        eig = sorted(float(mpmath.re(e)) for e in pa.spectrum(((0, 0),), 2))
    assert eig[0] == pytest.approx(-6.0, abs=1e-20)
    assert max(eig) <= 1e-20


def test_q1_succeeds_iff_positive_start():
    # q = 1: mdot = 3 m^2 (1 - m^2); m(0) > 0 reaches 1, m(0) < 0 stalls at 0^- (the theory document)
    starts = pa.stiefel_starts(100, 1, 60, np.random.default_rng(3))
    c = pa.census(100, 1, 60, seed=3)
    assert c.undecided == 0
    assert c.successes == int((starts[:, 0, 0] > 0).sum()) == c.successes_with_positive_permutation
    assert c.spurious_with_positive_permutation == 0
    assert c.by_loss() == {0: c.successes, 1: 60 - c.successes}


def test_q2_limits_are_partial_permutations():
    c = pa.census(400, 2, 40, seed=7)
    assert c.undecided == 0 and sum(c.limits.values()) == 40
    with mpmath.workdps(30):
        assert all(pa.residual(P, 2) == 0 for P in c.limits)


def test_census_q1_follows_the_closed_form_until_t_max():
    """With t_max too short to converge every run is undecided, none is decided at any time."""
    c = pa.census(50, 1, 8, seed=2, t_max=0.5)
    assert c.undecided == 8 and c.limits == {} and c.last_decision == 0.0 and c.t_max == 0.5
    assert c.successes == 0 and c.by_loss() == {}


def test_census_counts_positive_permutations_of_the_starts():
    """q = 2: a start has a positive permutation iff M11, M22 > 0 or M12, M21 > 0 (recomputed from the
    same seeded starts); decided runs partition into successes and spurious limits."""
    c = pa.census(60, 2, 30, seed=11)
    M0 = pa.stiefel_starts(60, 2, 30, np.random.default_rng(11))
    positive = ((M0[:, 0, 0] > 0) & (M0[:, 1, 1] > 0)) | ((M0[:, 0, 1] > 0) & (M0[:, 1, 0] > 0))
    assert c.positive_permutation == int(positive.sum())
    assert c.undecided == 0 and 0 < c.last_decision < c.t_max
    assert c.successes_with_positive_permutation <= c.successes
    decided = c.successes_with_positive_permutation + c.spurious_with_positive_permutation
    assert decided == c.positive_permutation
    assert sum(c.by_loss().values()) == 30 and c.by_loss().get(0, 0) == c.successes
    assert set(c.by_loss()) <= {0, 1, 2}
