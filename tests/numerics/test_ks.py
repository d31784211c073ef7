"""The exact two-sample Kolmogorov–Smirnov p-value: lattice-path counts by hand and scipy."""

import numpy as np
import pytest

from gfverify.numerics.statistics import ks_p_value, ks_statistic


def test_two_by_two_by_hand():
    # separated samples of size 2: D = 1; of the C(4, 2) = 6 paths only RRUU and UURR reach
    # |i - j| = 2, so p = 2/6
    assert ks_statistic([0, 1], [2, 3]) == (4, 2, 2)
    assert ks_p_value([0, 1], [2, 3]) == pytest.approx(1 / 3, abs=1e-15)
    # interleaved: D = 1/2 is reached by every path, p = 1
    assert ks_p_value([0, 2], [1, 3]) == pytest.approx(1.0)


def test_identical_samples_and_ties():
    assert ks_p_value([1.0, 2.0, np.inf], [1.0, 2.0, np.inf]) == 1.0
    # a censored value (inf) shared by both samples counts as a tie, not as a difference
    assert ks_statistic([1.0, np.inf, np.inf], [1.0, 1.0, np.inf])[0] == 3


def test_against_scipy_exact():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    for m, n, shift in [(5, 7, 0.0), (40, 60, 0.3), (200, 200, 0.25)]:
        a, b = rng.normal(size=m), rng.normal(shift, 1, size=n)
        want = stats.ks_2samp(a, b, method="exact").pvalue
        assert ks_p_value(a, b) == pytest.approx(want, rel=1e-9, abs=1e-14)


def test_bad_samples():
    with pytest.raises(ValueError):
        ks_p_value([], [1.0])
    with pytest.raises(ValueError):
        ks_p_value([np.nan], [1.0])


def test_bootstrap_slope_of_an_exact_power():
    from gfverify.numerics.statistics import bootstrap_slope

    # samples whose means are exactly 3 x^2 (each sample constant): slope 2, interval a point
    x = np.log([1.0, 2.0, 4.0])
    samples = [np.full(5, 3.0 * v**2) for v in (1.0, 2.0, 4.0)]
    slope, (lo, hi) = bootstrap_slope(x, samples, np.mean, 0.99, 50, seed=0)
    assert slope == pytest.approx(2.0) and lo == pytest.approx(2.0) and hi == pytest.approx(2.0)
