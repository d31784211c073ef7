"""fit_slope: the least-squares slope of a line through its points, its local slopes and its
uncertainty."""

import math

import pytest

from gfverify.numerics.fitting import fit_slope


def test_two_points_give_their_secant_slope_exactly():
    """Two points are enough for a slope (the documented minimum): the line through (1, 3) and
    (3, 7) has slope 2, one local slope, nothing left to drift (mutation triage, fresh11: a
    minimum of three points refused this)."""
    fit = fit_slope([1, 3], [3, 7])
    assert fit.slope == pytest.approx(2, abs=1e-14) and fit.local == pytest.approx((2.0,), abs=1e-14)
    assert fit.uncertainty == pytest.approx(0, abs=1e-13)
    with pytest.raises(ValueError, match="two points"):
        fit_slope([1], [3])


def test_a_power_law_on_a_geometric_grid():
    """On x = ln d, d = 10²..10⁵: y = 3x + 1 has slope 3 and no uncertainty; y = 3x + 1/x bends
    the local slopes, and its limiting slope 3 lies within the stated uncertainty (the documented
    promise: the uncertainty covers the drift still to come)."""
    xs = [math.log(10.0**k) for k in range(2, 6)]
    exact = fit_slope(xs, [3 * x + 1 for x in xs])
    assert exact.slope == pytest.approx(3, abs=1e-12) and exact.uncertainty == pytest.approx(0, abs=1e-11)
    curved = fit_slope(xs, [3 * x + 1 / x for x in xs])
    assert abs(curved.slope - 3) <= curved.uncertainty


def test_uncertainty_by_hand():
    """The documented uncertainty max(standard error, drift) + last change of the local slopes,
    by hand. (0,0),(1,1),(2,3),(3,2): slope S_xy/S_xx = 4/5, local slopes 1, 2, −1, drift
    |−1 − 4/5| = 9/5, last change |−1 − 2| = 3, standard error √(1.8/2/5) < drift: 4.8.
    (0,0),(1,0),(2,1): slope 1/2, local 0, 1, drift 1/2, change 1, se √(1/12): 1.5."""
    fit = fit_slope([0, 1, 2, 3], [0, 1, 3, 2])
    assert fit.slope == pytest.approx(0.8, abs=1e-14) and fit.local == pytest.approx((1, 2, -1), abs=1e-14)
    assert fit.uncertainty == pytest.approx(4.8, abs=1e-13)
    three = fit_slope([0, 1, 2], [0, 0, 1])
    assert three.slope == pytest.approx(0.5, abs=1e-14) and three.uncertainty == pytest.approx(1.5, abs=1e-13)

