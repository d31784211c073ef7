"""The quadrature ridge fit (numerics/finite_ridge.py) against the exact q = 1 coefficients
λ_k α_k m^k/(λ_k + μ), the Neville extrapolation and the ladder of ridges."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import finite_ridge as nfr
from gfverify.theory import finite_ridge as tfr

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


def test_single_index_loss_and_objective_in_closed_form():
    """q = 1, f* = h1 + h2 at m = 1/2: with E[h_j(u) h_k(v)] = δ_jk m^k the fitted link's loss is
    ½(Σα_k² − 2Σα_k c_k m^k + Σc_k²) and the objective adds (μ/2)Σ c_k²/λ_k."""
    z = sympy.Symbol("z", real=True)
    with mpmath.workdps(30):
        fit = nfr.ridge_fit(z + (z**2 - 1) / sympy.sqrt(2), [z], [[R(1, 2)]], R(1, 2), R(1, 4))
        c = fit.coefficients
        loss = (2 - 2 * (c[1] / 2 + c[2] / 4) + sum(x**2 for x in c)) / 2
        assert abs(fit.loss - loss) < mpmath.mpf(10) ** -25
        penalty = sum(x**2 * 2**k for k, x in enumerate(c))
        assert abs(fit.objective - loss - penalty / 8) < mpmath.mpf(10) ** -25
        assert fit.betas == ((0,), (1,), (2,), (3,))


def test_two_index_fit_matches_the_exact_isserlis_route():
    """q = 2, non-symmetric M: the quadrature coefficients, loss and objective against
    theory.finite_ridge (every moment by Isserlis, exact rationals), to 25 digits."""
    z1, z2 = sympy.symbols("z1 z2", real=True)
    link, M, r, mu = z1 * z2 + z1**2 - 1, [[R(1, 3), R(-1, 4)], [R(1, 5), R(1, 2)]], R(1, 2), R(1, 8)
    exact = tfr.ridge_problem(link, [z1, z2], sympy.Matrix(M), r)
    c = exact.coefficients(mu)
    with mpmath.workdps(30):
        fit = nfr.ridge_fit(link, [z1, z2], M, r, mu)
        assert fit.betas == exact.betas
        assert max(abs(a - mpmath.mpf(sympy.N(b, 40))) for a, b in zip(fit.coefficients, c)) < 1e-25
        assert abs(fit.loss - mpmath.mpf(sympy.N(exact.loss(c), 40))) < 1e-25
        assert abs(fit.objective - mpmath.mpf(sympy.N(exact.objective(c, mu), 40))) < 1e-25


def test_bad_fits_and_extrapolations():
    z = sympy.Symbol("z", real=True)
    with pytest.raises(InputError, match="polynomial links only"):
        nfr.ridge_fit(sympy.tanh(z), [z], [[R(1, 2)]], R(1, 2), R(1, 4))
    with pytest.raises(InputError, match="‖M‖_op < 1"):
        nfr.ridge_fit(z, [z], [[1]], R(1, 2), R(1, 4))
    for xs, ys in (([1, 2], [1]), ([], [])):
        with pytest.raises(InputError, match="as many values"):
            nfr.extrapolate_to_zero(xs, ys)
    assert nfr.extrapolate_to_zero([R(1, 2)], [7]) == 7
    for rho, start in ((1, 0), (1, 1), (-1, R(1, 2))):
        with pytest.raises(InputError, match="rho > 0"):
            nfr.ridge_ladder(rho, 10, start)


def test_ridge_ladder_halves_from_its_start():
    mus = nfr.ridge_ladder(R(1, 2), 5, R(1, 10))
    assert mus[:3] == [R(1, 20), R(1, 40), R(1, 80)]
    assert all(b == a / 2 for a, b in zip(mus, mus[1:]))
