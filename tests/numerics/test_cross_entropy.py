"""numerics.cross_entropy: the one-hot margin solves its equation, the limit point is a critical
point with the row sums of x(0), and log-slopes."""

import mpmath

from gfverify.numerics import cross_entropy as ce
from gfverify.numerics.flows import CrossEntropyCost
from gfverify.numerics.precision import tolerance

DPS = 30


def test_one_hot_margin_solves_its_equation():
    with mpmath.workdps(DPS):
        for m0 in (mpmath.mpf(-2), mpmath.mpf(0), mpmath.mpf("0.7")):
            for u in (1, 100, 10**6):
                m = ce.one_hot_margin(m0, u)
                assert abs(m + mpmath.exp(m) - (m0 + mpmath.exp(m0) + 2 * u)) < tolerance(DPS, 2 * u)
        # dm/du = 2/(1 + e^m)
        m0 = mpmath.mpf("0.3")
        d = mpmath.diff(lambda u: ce.one_hot_margin(m0, u), 5)
        assert abs(d - 2 / (1 + mpmath.exp(ce.one_hot_margin(m0, 5)))) < tolerance(DPS - 5)


def test_limit_point_is_critical_and_keeps_the_row_sums():
    with mpmath.workdps(DPS):
        pb = ce.problem(0)
        rows = ce.labels(pb.y)
        x0 = pb.model.outputs(pb.theta0_mp())
        star, rate = ce.limit_point(x0, rows)
        assert max(abs(g) for g in CrossEntropyCost(rows).grad(star)) < tolerance(DPS)
        assert max(abs(a - b) for a, b in zip(ce.row_sums(star), ce.row_sums(x0))) < tolerance(DPS)
        assert 0 < rate <= mpmath.mpf(1) / 2


def test_margins_and_slopes():
    x = [mpmath.mpf(v) for v in (3, 1, -2, 2)]
    assert ce.margins(x) == [2, -4]
    slopes = ce.log_slopes([0, 1], [mpmath.log(10), 1], 1, 10)
    assert abs(slopes[0] - 1) < tolerance(15) and slopes[1] == 0
