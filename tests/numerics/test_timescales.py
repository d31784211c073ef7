"""Escape-time numerics against closed forms (named in each test)."""

import mpmath
import pytest
import sympy

from gfverify.numerics import timescales

z = sympy.Symbol("z", real=True)
DIGITS = 20


def _rhs_series(alphas: dict, x: mpmath.mpf) -> mpmath.mpf:
    """sum_k k alpha_k^2 x^(k-1), the part of the reduced right-hand side the alphas enter."""
    return sum(k * mpmath.mpf(sympy.N(a**2, DIGITS + 15)) * x ** (k - 1) for k, a in alphas.items())


@pytest.mark.parametrize("link, closed_form, parity", [
    # exp(z): alpha_k^2 = e/k!, so sum_k alpha_k^2 x^k = e^(1+x) and its derivative is e^(1+x)
    (sympy.exp(z), lambda x: mpmath.exp(1 + x), None),
    # cosh(z): alpha_k^2 = e/k! for even k, 0 for odd k: the derivative of e cosh(x) is e sinh(x)
    (sympy.cosh(z), lambda x: mpmath.e * mpmath.sinh(x), 0),
])
def test_truncated_hermite_series_of_a_non_polynomial_link(link, closed_form, parity):
    # the truncation promises the neglected tail moves the right-hand side at g = m1^2 by less
    # than 10^-(digits+3) relative; exact zeros (odd k of an even link) are left out
    m1 = sympy.Rational(1, 2)
    alphas = timescales.link_alphas(link, z, DIGITS, m1, planted=False)
    assert all(a != 0 for a in alphas.values())
    if parity is not None:
        assert all(k % 2 == parity for k in alphas)
    with mpmath.workdps(DIGITS + 15):
        g = mpmath.mpf(1) / 4
        exact = closed_form(g)
        assert abs(_rhs_series(alphas, g) / exact - 1) < mpmath.mpf(10) ** -(DIGITS + 2)
