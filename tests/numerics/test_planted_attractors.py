"""Float64 planted-flow simulation (numerics.planted_attractors)."""

import numpy as np
import pytest

from gfverify.numerics.planted_attractors import planted_rhs, stiefel_starts, success_fraction
from gfverify.errors import InputError


def test_q1_succeeds_iff_positive_start():
    # q = 1: mdot = 3 m^2 (1 - m^2); m(0) > 0 reaches 1, m(0) < 0 stalls at 0^- (THEORY.md)
    rng = np.random.default_rng(3)
    starts = stiefel_starts(100, 1, 60, rng)
    frac = success_fraction(100, 1, 60, seed=3, t_end=2000.0)
    assert frac.successes == int((starts[:, 0, 0] > 0).sum())
    assert frac.successes == frac.successes_with_positive_permutation


def test_rhs_matches_the_stiefel_formula():
    # Mdot = Gamma - M sym(M^T Gamma), Gamma = 3 M∘M, written out for one 2x2 matrix
    M = np.array([[0.3, -0.2], [0.1, 0.5]])
    gamma = 3 * M**2
    S = M.T @ gamma
    want = gamma - M @ (S + S.T) / 2
    assert np.allclose(planted_rhs(M[None])[0], want, rtol=0, atol=1e-15)


def test_haar_starts_have_symmetric_signs():
    # with the sign fix M_11(0) is symmetric about 0 (numpy's raw QR is not)
    rng = np.random.default_rng(0)
    m11 = stiefel_starts(50, 2, 2000, rng)[:, 0, 0]
    assert abs((m11 > 0).mean() - 0.5) < 4 * 0.5 / np.sqrt(2000)


def test_d_below_q():
    with pytest.raises(InputError):
        stiefel_starts(2, 3, 1, np.random.default_rng(0))
