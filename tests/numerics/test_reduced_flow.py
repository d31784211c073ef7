"""Reduced-flow trajectories and the random links and starts of the invariant checks."""

import mpmath
import numpy as np
import sympy

from gfverify.numerics.reduced_flow import Z1, Z2, flow_samples, random_link, random_start


def test_random_start_is_an_exact_contraction():
    M0 = random_start(np.random.default_rng(1), 2)
    assert all(isinstance(e, sympy.Rational) for e in M0)
    assert np.linalg.norm(np.array(M0, dtype=float), 2) <= 0.9 + 1e-5


def test_random_link_is_a_polynomial_in_z1_z2():
    link = random_link(np.random.default_rng(2))
    assert link.free_symbols <= {Z1, Z2} and link.is_polynomial(Z1, Z2)


def test_single_index_samples_solve_the_logistic_flow():
    # f* = z1 (alpha_1 = 1, q = 2 with an inert second direction): G11 = g solves g' = 2g(1 - g)
    M0 = sympy.Matrix([[sympy.Rational(1, 10), 0], [0, 0]])
    samples, traj = flow_samples(Z1, [Z1, Z2], M0, 2, 20, n=5)
    assert traj.digits >= 20 and len(samples) == 5 and samples[-1][0] == 2
    with mpmath.workdps(30):
        for t, Mt in samples:
            g = 1 / (1 + 99 * mpmath.exp(-2 * t))   # g(0) = 1/100
            assert abs(Mt[0, 0] ** 2 - g) < mpmath.mpf(10) ** -18
            assert Mt[1, 1] == 0 and Mt[0, 1] == 0


def test_random_links_are_polynomials_for_every_seed():
    # every one of the six monomials is a polynomial: so is any draw (ten seeds cover them all)
    for seed in range(10):
        link = random_link(np.random.default_rng(seed))
        assert link.free_symbols <= {Z1, Z2} and link.is_polynomial(Z1, Z2)


def test_first_sample_is_the_start():
    # the sample at t = 0 is M0 itself, every row of the q x q matrix (here a full 2 x 2 start)
    R = sympy.Rational
    M0 = sympy.Matrix([[R(1, 10), R(1, 5)], [R(1, 7), R(1, 3)]])
    samples, _ = flow_samples(Z1 + Z1 * Z2, [Z1, Z2], M0, sympy.Rational(1, 10), 15, n=2)
    t0, M = samples[0]
    assert t0 == 0 and M.rows == M.cols == 2
    with mpmath.workdps(30):
        assert all(abs(M[i, j] - mpmath.mpf(M0[i, j].p) / M0[i, j].q) < mpmath.mpf(10) ** -15
                   for i in range(2) for j in range(2))
