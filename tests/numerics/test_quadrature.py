import mpmath

from gfverify.numerics import quadrature as Q


def test_flint_and_newton_rules_agree():
    with mpmath.workdps(40):
        fast = Q.gauss_legendre(17)
        slow = Q._newton_legendre(17)
        for (x1, w1), (x2, w2) in zip(sorted(fast), sorted(slow)):
            assert abs(x1 - x2) < mpmath.mpf(10) ** -38 and abs(w1 - w2) < mpmath.mpf(10) ** -38


def test_rule_is_exact_for_polynomials_and_pieces():
    with mpmath.workdps(40):
        rule = Q.piecewise_legendre([mpmath.mpf(-1), mpmath.mpf(0), mpmath.mpf(2)], 6)
        # 6-point Gauss-Legendre integrates degree 11 exactly: int_{-1}^2 x^11 dx = (2^12 - 1)/12
        total = mpmath.fsum(w * x**11 for x, w in rule)
        assert abs(total - mpmath.mpf(4095) / 12) < mpmath.mpf(10) ** -35
