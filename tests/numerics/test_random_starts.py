"""The exact single-index start law, its quantiles and the two float64 escape-time routes."""

import mpmath
import numpy as np
import pytest
import sympy

from gfverify.errors import InputError
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


def test_a_start_needs_two_dimensions():
    with pytest.raises(InputError, match="d ≥ 2"):
        rs.single_index_starts(1, 5, np.random.default_rng(0))


def test_d2_start_is_the_cosine_of_a_uniform_angle():
    """d = 2: m(0) = cos θ, θ uniform, so P(|m| ≤ u) = 1 − (2/π) arccos u (arcsine law); KS at
    false-alarm rate 1e-3 (DKW), and d = 3 gives |m| uniform on [0, 1] (Archimedes)."""
    rng = np.random.default_rng(2)
    two = np.abs(rs.single_index_starts(2, 4000, rng))
    assert one_sample_ks(1 - 2 / np.pi * np.arccos(two)) < dkw_critical(4000, 1e-3)
    three = np.abs(rs.single_index_starts(3, 4000, rng))
    assert one_sample_ks(three) < dkw_critical(4000, 1e-3)
    assert one_sample_ks(1 - 2 / np.pi * np.arccos(three)) > dkw_critical(4000, 1e-3)  # the test can fail


def test_density_and_distribution_closed_forms():
    """d = 3: √3 m uniform on [−√3, √3] (density 1/(2√3), cdf (1 + x/√3)/2 also for x < 0);
    d = 5: m has density ¾(1 − m²), so √5 m has density ¾(1 − x²/5)/√5; both vanish outside
    [−√d, √d], where the cdf is 0 or 1."""
    with mpmath.workdps(30):
        eps = mpmath.mpf(10) ** -25
        assert abs(rs.sphere_coordinate_pdf("0.7", 3) - 1 / (2 * mpmath.sqrt(3))) < eps
        five = mpmath.mpf(3) / 4 * (1 - mpmath.mpf(1) / 5) / mpmath.sqrt(5)
        assert abs(rs.sphere_coordinate_pdf(-1, 5) - five) < eps
        assert abs(rs.sphere_coordinate_cdf("-0.4", 3) - (1 - mpmath.mpf("0.4") / mpmath.sqrt(3)) / 2) < eps
        for d in (3, 5):
            edge = mpmath.sqrt(d)
            assert rs.sphere_coordinate_pdf(edge, d) == 0 and rs.sphere_coordinate_pdf(-edge - 1, d) == 0
            assert rs.sphere_coordinate_cdf(edge, d) == 1 and rs.sphere_coordinate_cdf(edge + 1, d) == 1
            assert rs.sphere_coordinate_cdf(-edge, d) == 0 and rs.sphere_coordinate_cdf(-edge - 1, d) == 0


def test_quantile_far_in_the_tail_and_at_d3():
    """The (1 − 10⁻¹²)-quantile of |m(0)| at d = 200 lies beyond the first bracket 40/d: the mass
    of |√d m| above it, by quadrature of the density, is 10⁻¹²; at d = 3 the quantile of the
    uniform |m| is p itself."""
    with mpmath.workdps(30):
        d, tail = 200, mpmath.mpf(10) ** -12
        u = rs.abs_start_quantile(d, 1 - tail)
        assert u * u > mpmath.mpf(40) / d
        mass = 2 * mpmath.quad(lambda x: rs.sphere_coordinate_pdf(x, d), [u * mpmath.sqrt(d), mpmath.sqrt(d)])
        assert abs(mass / tail - 1) < mpmath.mpf(10) ** -15
        assert abs(rs.abs_start_quantile(3, "0.37") - mpmath.mpf("0.37")) < mpmath.mpf(10) ** -25
        for p in (0, 1):
            with pytest.raises(InputError, match="0 < p < 1"):
                rs.abs_start_quantile(d, p)


def test_escape_time_needs_an_elementary_antiderivative():
    with pytest.raises(InputError, match="no elementary antiderivative"):
        rs.escape_time_function(ro.M * (2 + ro.M + ro.M**5), ro.M, sympy.Rational(1, 2))


def test_escape_time_of_the_logistic_flow():
    """R = m(1 − m²) (f* = h1, two-timescale): T(m0 → m1) = ½ ln(m1²(1 − m0²) / (m0²(1 − m1²))), by
    both routes, for starts of either sign."""
    rhs = ro.M * (1 - ro.M**2)
    m0 = np.array([0.01, -0.2, 0.3])
    want = 0.5 * np.log(0.25 * (1 - m0**2) / (m0**2 * 0.75))
    np.testing.assert_allclose(rs.escape_time_function(rhs, ro.M, sympy.Rational(1, 2))(m0), want, rtol=1e-13)
    np.testing.assert_allclose(rs.escape_times_quadrature(rhs, ro.M, m0, 0.5, 60), want, rtol=1e-13)


def test_ginibre_statistics_are_scipys_null_laws():
    """Each statistic of the Ginibre test at its null law, by scipy: every entry X_ij against
    N(0, 1), tr X/√q against N(0, 1) and ‖X‖_F² against χ²_{q²}; named as the docstring says."""
    stats = pytest.importorskip("scipy.stats")
    q = 3
    blocks = 1.3 * np.random.default_rng(8).standard_normal((40, q, q))
    got = rs.ginibre_statistics(blocks)
    entries = {f"X{i}{j}" for i in range(1, q + 1) for j in range(1, q + 1)}
    assert set(got) == entries | {"tr X/sqrt(q)", "|X|_F^2"}
    for i in range(q):
        for j in range(q):
            np.testing.assert_allclose(got[f"X{i + 1}{j + 1}"], stats.norm.cdf(blocks[:, i, j]), rtol=1e-14)
    trace = blocks[:, 0, 0] + blocks[:, 1, 1] + blocks[:, 2, 2]
    np.testing.assert_allclose(got["tr X/sqrt(q)"], stats.norm.cdf(trace / np.sqrt(q)), rtol=1e-14)
    np.testing.assert_allclose(got["|X|_F^2"], stats.chi2.cdf((blocks**2).sum(axis=(1, 2)), q * q),
                               rtol=1e-12)


def test_ginibre_test_is_bonferroni_dkw_and_sees_correlated_diagonals():
    """K = q² + 2 statistics, each at the DKW–Massart distance ε = (ln(2K/level)/(2n))^{1/2}: an
    exact Ginibre sample (independent N(0, 1) entries) passes; one with X22 = X11 (every entry
    still N(0, 1)) fails through tr X/√2 ~ N(0, 2), at Kolmogorov distance ≈ 0.083 from N(0, 1)
    (missed with probability ≤ dkw_tail(2000, 0.083 − ε) ≈ 0.02)."""
    n, q, level = 2000, 2, 1e-3
    blocks = np.random.default_rng(9).standard_normal((n, q, q))
    rejected, critical, distances = rs.ginibre_test(blocks, level)
    assert critical == pytest.approx(np.sqrt(np.log(2 * (q * q + 2) / level) / (2 * n)), rel=1e-14)
    assert not rejected and max(distances.values()) <= critical
    blocks[:, 1, 1] = blocks[:, 0, 0]
    rejected, critical, distances = rs.ginibre_test(blocks, level)
    assert rejected and distances["tr X/sqrt(q)"] > critical
    assert max(distances[f"X{i}{j}"] for i in (1, 2) for j in (1, 2)) < critical


def test_finite_d_distance_is_the_sup_of_scipys_beta_law():
    """sup_x |P(√d m ≤ x) − Φ(x)| with P(√d m ≤ x) = ½ + ½ I_{x²/d}(½, (d−1)/2) for x ≥ 0 (scipy's
    beta and normal laws), maximized by scipy's bounded scalar search around the best of a fine
    grid: the same number to 10 digits."""
    stats = pytest.importorskip("scipy.stats")
    optimize = pytest.importorskip("scipy.optimize")
    for d in (7, 100):
        def gap(x, d=d):
            return -abs(0.5 + 0.5 * stats.beta.cdf(x * x / d, 0.5, (d - 1) / 2) - stats.norm.cdf(x))

        grid = np.linspace(0.0, 8.0, 4001)
        x0 = grid[np.argmin([gap(x) for x in grid])]
        best = optimize.minimize_scalar(gap, bounds=(x0 - 0.01, x0 + 0.01), method="bounded",
                                        options={"xatol": 1e-10})
        with mpmath.workdps(20):
            got = rs.finite_d_distance(d)
        assert float(got) == pytest.approx(-best.fun, rel=1e-10)


def test_scaled_blocks_are_haar_by_default_and_lapack_signed_without_the_fix():
    """Haar M(0) is sign-symmetric: M_11 < 0 in Binomial(200, 1/2) of 200 draws (within 6σ ≈ 42
    of 100; false alarm below 10⁻⁸); numpy's QR factor as it comes has M_11 < 0 in all of them
    (LAPACK's diag(R) < 0, the documented reason for the fix)."""
    haar = rs.scaled_blocks(12, 2, 200, np.random.default_rng(5))
    raw = rs.scaled_blocks(12, 2, 200, np.random.default_rng(5), sign_fix=False)
    assert abs(int((haar[:, 0, 0] < 0).sum()) - 100) <= 42
    assert bool((raw[:, 0, 0] < 0).all())
