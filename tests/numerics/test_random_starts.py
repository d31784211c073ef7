"""The exact single-index start law, its quantiles and the two float64 escape-time routes."""

import mpmath
import numpy as np
import sympy

from gfverify.numerics import random_starts as rs
from gfverify.numerics.statistics import dkw_critical, dkw_tail, one_sample_ks, quantile_ranks
from gfverify.theory import reduced_ode as ro


def test_sphere_coordinate_law_is_the_beta_law():
    with mpmath.workdps(25):
        d = 7
        # d = 3: m is uniform on [-1, 1] (Archimedes), so P(√3 m ≤ x) = (1 + x/√3)/2
        assert abs(rs.sphere_coordinate_cdf(1, 3) - (1 + 1 / mpmath.sqrt(3)) / 2) < mpmath.mpf(10) ** -20
        total = mpmath.quad(lambda x: rs.sphere_coordinate_pdf(x, d), [-mpmath.sqrt(d), 0, mpmath.sqrt(d)])
        assert abs(total - 1) < mpmath.mpf(10) ** -18
        u = rs.abs_start_quantile(d, mpmath.mpf("0.3"))
        p = rs.sphere_coordinate_cdf(u * mpmath.sqrt(d), d) - rs.sphere_coordinate_cdf(-u * mpmath.sqrt(d), d)
        assert abs(p - mpmath.mpf("0.3")) < mpmath.mpf(10) ** -18


def test_finite_d_distance_is_order_one_over_d():
    with mpmath.workdps(20):
        a, b = rs.finite_d_distance(100), rs.finite_d_distance(1000)
    assert 9 < a / b < 11 and 1e-3 < a < 2e-3


def test_quadrature_and_closed_form_agree():
    rhs = ro.single_index_rhs({1: 1, 3: sympy.Rational(1, 2)})
    m0 = rs.single_index_starts(50, 200, np.random.default_rng(0))
    quad = rs.escape_times_quadrature(rhs, ro.M, m0, 0.5, 96)
    closed = rs.escape_time_function(rhs, ro.M, sympy.Rational(1, 2))(m0)
    assert np.max(np.abs(quad / closed - 1)) < 1e-12


def test_ks_dkw_and_quantile_ranks():
    assert one_sample_ks([0.5]) == 0.5
    assert abs(dkw_tail(100, dkw_critical(100, 1e-3)) - 1e-3) < 1e-15
    lo, hi = quantile_ranks(100, 0.5, 0.05)
    assert (lo, hi) == (40, 61)  # the textbook 95% interval of the median at n = 100
    u = np.random.default_rng(1).random(1000)
    assert one_sample_ks(u) < dkw_critical(1000, 1e-3)
