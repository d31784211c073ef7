"""Exact binomial tests, intervals and distribution-free statistics (numerics/statistics.py),
against scipy's implementations of the same definitions and against closed forms."""

import math

import numpy as np
import pytest
from scipy import stats

from gfverify.numerics.statistics import (
    _pmf,
    binomial_power,
    binomial_rejects,
    bootstrap_slope,
    clopper_pearson,
    dkw_critical,
    dkw_tail,
    one_sample_ks,
    quantile_ranks,
    two_proportion_p_value,
)


def test_zero_successes_is_an_outcome():
    # 0 of 20 under p0 = 1/2 has probability 2^-20: a valid outcome, and rejected at 1%
    assert binomial_rejects(0, 20, 0.5, 0.01)


def test_power_against_a_certain_alternative():
    # p1 = 1: every run gives n successes, so the power is 1 exactly when n is rejected
    # (P(n | 1/2) = 2^-20 < 1%); p1 = 0 likewise with 0 successes
    assert binomial_rejects(20, 20, 0.5, 0.01)
    assert binomial_power(20, 0.5, 1.0, 0.01) == 1.0
    assert binomial_power(20, 0.5, 0.0, 0.01) == 1.0


def test_two_proportion_p_value_is_symmetric_in_the_two_groups():
    # the pooled z test compares s1/n1 with s2/n2: swapping the groups (n1 != n2) changes nothing
    assert abs(two_proportion_p_value(30, 100, 90, 200) - two_proportion_p_value(90, 200, 30, 100)) < 1e-15
    # 30/100 against 50/100: pooled p = 0.4, se = sqrt(0.24 * 0.02), z = 0.2 / se ≈ 2.887,
    # two-sided p = 2(1 - Φ(z)) ≈ 0.0039
    assert abs(two_proportion_p_value(30, 100, 50, 100) - 0.0038924) < 1e-6


@pytest.mark.parametrize("n, p", [(1, 0.5), (17, 0.3), (200, 0.02), (500, 0.77)])
def test_pmf_is_the_binomial_law(n, p):
    np.testing.assert_allclose(_pmf(n, p), stats.binom.pmf(np.arange(n + 1), n, p), rtol=1e-10, atol=1e-300)


def test_pmf_of_a_certain_outcome():
    assert _pmf(3, 0.0) == [1.0, 0.0, 0.0, 0.0] and _pmf(3, 1.0) == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("n, p0, level", [(20, 0.3, 0.05), (40, 0.5, 0.01), (33, 0.1, 0.2)])
def test_binomial_test_is_scipys_minlike_test(n, p0, level):
    """The exact two-sided test of scipy (p-value = P(pmf ≤ pmf(observed))) rejects the same
    outcomes at these levels, and the rejected set is the largest one of probability ≤ level."""
    for k in range(n + 1):
        assert binomial_rejects(k, n, p0, level) == (stats.binomtest(k, n, p0).pvalue <= level), k
    size = binomial_power(n, p0, p0, level)
    assert size <= level
    pmf = stats.binom.pmf(np.arange(n + 1), n, p0)
    kept = [k for k in range(n + 1) if not binomial_rejects(k, n, p0, level)]
    assert size + min(pmf[kept]) > level  # adding the least likely kept outcome exceeds the level


def test_binomial_power_is_the_alternatives_mass_on_the_rejections():
    n, p0, p1, level = 30, 0.5, 0.7, 0.05
    want = sum(stats.binom.pmf(k, n, p1) for k in range(n + 1) if binomial_rejects(k, n, p0, level))
    assert binomial_power(n, p0, p1, level) == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize("s", [-1, 11])
def test_impossible_success_counts_are_refused(s):
    with pytest.raises(ValueError, match="successes in 10 trials"):
        binomial_rejects(s, 10, 0.5, 0.05)


def test_binomial_test_accepts_the_extreme_counts():
    assert not binomial_rejects(10, 10, 0.99, 0.05) and not binomial_rejects(0, 10, 0.01, 0.05)


@pytest.mark.parametrize("s, n, level", [(0, 10, 0.05), (3, 10, 0.05), (7, 25, 0.01), (25, 25, 0.1),
                                         (1, 1, 0.05), (120, 400, 1e-3)])
def test_clopper_pearson_is_scipys_exact_interval(s, n, level):
    ci = stats.binomtest(s, n).proportion_ci(confidence_level=1 - level, method="exact")
    lo, hi = clopper_pearson(s, n, level)
    assert lo == pytest.approx(ci.low, abs=1e-10) and hi == pytest.approx(ci.high, abs=1e-10)


def test_clopper_pearson_all_successes_closed_form():
    # s = n: lo solves p^n = level/2
    lo, hi = clopper_pearson(8, 8, 0.05)
    assert hi == 1.0 and lo == pytest.approx(0.025 ** (1 / 8), rel=1e-10)


@pytest.mark.parametrize("s1, n1, s2, n2", [(30, 100, 50, 100), (3, 40, 11, 60), (700, 2000, 460, 2000)])
def test_pooled_z_test_is_pearsons_chi_square(s1, n1, s2, n2):
    """z² of the pooled two-proportion test is Pearson's χ² of the 2×2 table (no continuity
    correction): the two p-values agree."""
    table = [[s1, n1 - s1], [s2, n2 - s2]]
    want = stats.chi2_contingency(table, correction=False).pvalue
    assert two_proportion_p_value(s1, n1, s2, n2) == pytest.approx(want, rel=1e-9)


def test_pooled_z_test_without_variance_is_one():
    assert two_proportion_p_value(0, 10, 0, 30) == 1.0 and two_proportion_p_value(10, 10, 30, 30) == 1.0


def test_one_sample_ks_is_scipys_statistic():
    rng = np.random.default_rng(4)
    for x in (rng.standard_normal(7), rng.standard_normal(300) + 0.1):
        assert one_sample_ks(stats.norm.cdf(x)) == pytest.approx(stats.kstest(x, "norm").statistic, abs=1e-14)
    # F_n jumps to 1 at the single point u: the distance is max(1 − u, u)
    assert one_sample_ks([0.2]) == pytest.approx(0.8) and one_sample_ks([0.9, 0.1]) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="empty sample"):
        one_sample_ks([])


def test_dkw_critical_and_tail():
    assert dkw_critical(50, 0.01) == pytest.approx(math.sqrt(math.log(200) / 100), rel=1e-15)
    assert dkw_tail(50, dkw_critical(50, 0.01)) == pytest.approx(0.01, rel=1e-12)
    assert dkw_tail(50, 0.0) == 1.0 and dkw_tail(50, -0.1) == 1.0 and dkw_tail(1, 0.01) == 1.0
    for n, level in ((0, 0.1), (10, 0.0), (10, 1.0)):
        with pytest.raises(ValueError, match="need n"):
            dkw_critical(n, level)
    dkw_critical(1, 0.5)


@pytest.mark.parametrize("n, p, level", [(100, 0.5, 0.05), (60, 0.1, 0.05), (200, 0.9, 0.01), (30, 0.5, 0.2)])
def test_quantile_ranks_cover_and_are_the_tightest(n, p, level):
    """P(X_(l) ≤ ξ_p ≤ X_(u)) = P(l ≤ B ≤ u − 1), B ~ Bin(n, p): at least 1 − level, and moving
    either rank inward breaks its half of the level."""
    lo, hi = quantile_ranks(n, p, level)
    cdf = stats.binom(n, p).cdf
    assert cdf(lo - 1) <= level / 2 + 1e-12 and cdf(lo) > level / 2
    assert 1 - cdf(hi - 1) <= level / 2 + 1e-12 and 1 - cdf(hi - 2) > level / 2
    assert cdf(hi - 1) - cdf(lo - 1) >= 1 - level - 1e-12


def test_quantile_ranks_refuse_too_few_samples_and_bad_p():
    with pytest.raises(ValueError, match=r"5 samples are too few for a 0\.95 interval of the 0\.5-quantile"):
        quantile_ranks(5, 0.5, 0.05)  # P(B = 0) = 1/32 > 0.025: no lower rank
    with pytest.raises(ValueError, match="too few"):
        quantile_ranks(50, 0.99, 0.05)  # no upper rank
    for p in (0.0, 1.0):
        with pytest.raises(ValueError, match="0 < p < 1"):
            quantile_ranks(50, p, 0.05)
    assert quantile_ranks(6, 0.5, 0.05) == (1, 6)  # P(B = 0) = 1/64 ≤ 0.025: the extremes


def test_bootstrap_slope_interval_is_a_percentile_interval():
    """Noisy power law x^{-1}: the point estimate is the least-squares slope of the log means, and
    the interval is the (tail, 100 − tail) percentile of slopes from resampled runs (same seed)."""
    rng = np.random.default_rng(5)
    x = np.log([1.0, 2.0, 4.0, 8.0])
    samples = [np.exp(-v) * rng.exponential(1.0, 40) for v in x]
    slope, (lo, hi) = bootstrap_slope(x, samples, np.mean, 0.9, 200, seed=9)
    assert slope == pytest.approx(np.polyfit(x, np.log([s.mean() for s in samples]), 1)[0], rel=1e-12)
    boot_rng = np.random.default_rng(9)
    boot = [np.polyfit(x, np.log([s[boot_rng.integers(0, len(s), len(s))].mean() for s in samples]), 1)[0]
            for _ in range(200)]
    assert (lo, hi) == pytest.approx(tuple(np.percentile(boot, [5, 95])), rel=1e-12)
    assert lo < slope < hi and -1.5 < lo and hi < -0.5


@pytest.mark.parametrize("level", [-0.1, -1.0, 1.5])
def test_dkw_critical_refuses_a_level_outside_zero_one(level):
    # a false-alarm rate is a probability in (0, 1): a negative one is refused by the stated
    # message, not by a domain error of the logarithm
    with pytest.raises(ValueError, match="need n ≥ 1 and 0 < level < 1"):
        dkw_critical(10, level)
