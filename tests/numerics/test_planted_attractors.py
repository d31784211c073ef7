"""The planted-flow census (numerics.planted_attractors) and the binomial tests (numerics.statistics)."""

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


def test_rhs_matches_the_stiefel_formula():
    # Mdot = Gamma - M sym(M^T Gamma), Gamma = 3 M∘M, written out for one 2x2 matrix
    M = np.array([[0.3, -0.2], [0.1, 0.5]])
    gamma = 3 * M**2
    S = M.T @ gamma
    want = gamma - M @ (S + S.T) / 2
    assert np.allclose(pa.planted_rhs(M[None])[0], want, rtol=0, atol=1e-15)


@pytest.mark.parametrize("P", [(), ((0, 0),), ((1, 0),), ((0, 1), (1, 0)), ((0, 0), (1, 1))])
def test_jacobian_against_finite_differences(P):
    q, h = 2, 1e-6
    P0 = np.zeros((q, q))
    for i, j in P:
        P0[i, j] = 1
    with mpmath.workdps(30):
        J = pa.jacobian(P, q)
    for a in range(q * q):
        E = np.zeros(q * q)
        E[a] = h
        col = (pa.planted_rhs((P0 + E.reshape(q, q))[None]) - pa.planted_rhs((P0 - E.reshape(q, q))[None]))[0]
        col = col.ravel() / (2 * h)
        assert np.allclose([float(J[r, a]) for r in range(q * q)], col, atol=1e-6)


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
