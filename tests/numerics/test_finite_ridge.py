"""The quadrature ridge fit (numerics/finite_ridge.py) against the exact q = 1 coefficients
λ_k α_k m^k/(λ_k + μ), the Neville extrapolation and the ladder of ridges."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import finite_ridge as nfr

R = sympy.Rational


def test_single_index_ridge_fit_matches_the_shrunk_mehler_coefficients():
    z = sympy.Symbol("z", real=True)
    link = z + (z**2 - 1) / sympy.sqrt(2)  # h1 + h2
    with mpmath.workdps(30):
        fit = nfr.ridge_fit(link, [z], [[R(1, 2)]], R(1, 2), R(1, 4))
        lam = [mpmath.mpf(2) ** -k for k in range(4)]
        want = [0, lam[1] / (lam[1] + 0.25) / 2, lam[2] / (lam[2] + 0.25) / 4, 0]
        assert max(abs(a - b) for a, b in zip(fit.coefficients, want)) < mpmath.mpf(10) ** -25
        assert fit.objective > fit.loss


def test_extrapolate_to_zero_recovers_a_polynomial_exactly():
    with mpmath.workdps(30):
        xs = [mpmath.mpf(1) / k for k in range(1, 5)]
        assert abs(nfr.extrapolate_to_zero(xs, [3 + x - 2 * x**3 for x in xs]) - 3) < mpmath.mpf(10) ** -25


def test_ridge_ladder_reaches_the_digits():
    mus = nfr.ridge_ladder(R(1, 16), 30)
    assert sympy.prod([x * 16 for x in mus]) < R(1, 10**30)
    assert sympy.prod([x * 16 for x in mus[:-1]]) >= R(1, 10**30)
    with pytest.raises(InputError):
        nfr.ridge_ladder(0, 10)
