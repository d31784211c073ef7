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


def test_slowest_rate_is_the_softmax_jacobians_nonzero_eigenvalue():
    """At x*, dx_j/du = −(softmax(x_j) − y_j) = −N ∇_{x_j}C has Jacobian −(diag(y_j) − y_j y_jᵀ), whose
    eigenvalues are 0 and −2y_j1y_j2 (Q = 2): the rate returned is the smallest of the nonzero
    ones, here by central differences of N ∇C and mpmath's eigenvalues."""
    with mpmath.workdps(DPS):
        pb = ce.problem(3)
        rows = ce.labels(pb.y)
        star, rate = ce.limit_point(pb.model.outputs(pb.theta0_mp()), rows)
        grad = CrossEntropyCost(rows).grad
        h = mpmath.mpf(10) ** -10
        rates = []
        for j in range(len(rows)):
            J = mpmath.matrix(2, 2)
            for b in range(2):
                up, down = list(star), list(star)
                up[2 * j + b] += h
                down[2 * j + b] -= h
                for a in range(2):
                    J[a, b] = len(rows) * (grad(up)[2 * j + a] - grad(down)[2 * j + a]) / (2 * h)
            rates.append(max(abs(e) for e in mpmath.eig(J)[0]))
        assert abs(rate - min(rates)) < mpmath.mpf(10) ** -15
        assert rate < max(rates)  # the two points' rates differ: the minimum is taken


def test_labels_sum_to_one_exactly():
    """Beta(6, 6) first entries in (0, 1) and rows summing to exactly 1 at 30 digits; one-hot rows are
    (1, 0) or (0, 1); the one-hot problem has the same start as the soft one."""
    with mpmath.workdps(DPS):
        for seed in range(6):
            pb = ce.problem(seed)
            assert all(0.01 < p < 0.99 for p in pb.y)
            assert all(sum(row) == 1 for row in ce.labels(pb.y))
        assert ce.labels((1.0, 0.0)) == [[1, 0], [0, 1]]
    assert ce.problem(4).theta0 == ce.problem(4, one_hot=True).theta0 != ce.problem(5).theta0


def test_sums_and_margins_of_three_classes_and_a_falling_margin():
    x = [mpmath.mpf(v) for v in (1, 2, 3, 4, 5, 6)]
    assert ce.row_sums(x, 3) == [6, 15] and ce.row_sums(x) == [3, 7, 11]
    assert ce.margins(x, 3) == [-1, -1]
    assert abs(ce.log_slopes([3], [1], 1, mpmath.e)[0] - 2) < tolerance(15)
