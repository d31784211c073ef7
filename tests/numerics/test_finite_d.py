"""Tests of the high-precision single-index least squares in finite dimension."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics.finite_d import gauss_hermite, hermite_values, least_squares_loss
from gfverify.theory.finite_d import least_squares_loss as exact_loss
from gfverify.theory.finite_d import stiefel_pair
from gfverify.theory.hermite import He

R = sympy.Rational


def test_gauss_hermite_is_exact_for_polynomials():
    with mpmath.workdps(30):
        xs, ws = gauss_hermite(5)
        for k, want in ((0, 1), (2, 1), (4, 3), (6, 15), (8, 105)):
            assert abs(mpmath.fsum(w * x**k for x, w in zip(xs, ws)) - want) < mpmath.mpf(10) ** -25
        assert gauss_hermite(1) == ([0], [1])
        # and not beyond: E z^10 = 9!! = 945, which no 5-node rule gets (its degree is 2n - 1 = 9)
        assert abs(mpmath.fsum(w * x**10 for x, w in zip(xs, ws)) - 945) > 1
    with pytest.raises(InputError):
        gauss_hermite(0)


def test_hermite_values_are_orthonormal_under_the_rule():
    with mpmath.workdps(30):
        xs, ws = gauss_hermite(6)
        H = [hermite_values(x, 5) for x in xs]
        for j in range(6):
            for k in range(6):
                got = mpmath.fsum(w * h[j] * h[k] for w, h in zip(ws, H))
                assert abs(got - (j == k)) < mpmath.mpf(10) ** -25


def test_polynomial_target_matches_the_exact_finite_d_loss():
    """f* = He_3 + z: the numeric least squares (degree 2 basis: the cubic is not explained)
    equals the exact loss by Isserlis in d = 5."""
    z = sympy.Symbol("z", real=True)
    W_star, W = stiefel_pair(5, 1)
    fstar = He(3, z) + z
    want = exact_loss(fstar, [z], W_star, W, 2)
    fun = sympy.lambdify(z, fstar, "mpmath")
    with mpmath.workdps(20):
        got = least_squares_loss(fun, list(W_star), list(W), 2, mpmath.pi / 2)
        assert abs(got - mpmath.mpf(sympy.N(want, 30))) < mpmath.mpf(10) ** -17


def test_unit_vectors_required():
    with mpmath.workdps(15), pytest.raises(InputError):
        least_squares_loss(mpmath.tanh, [1, 1], [1, 0], 2, 1)


@pytest.mark.parametrize("w_star, w", [([1, 0], [1, 0, 0]), ([1, 0, 0], [1, 0])])
def test_vectors_of_different_dimensions_are_refused(w_star, w):
    """w* and w must live in the same R^d, whichever is the shorter (no silent truncation)."""
    with mpmath.workdps(15), pytest.raises(InputError, match="entries"):
        least_squares_loss(mpmath.tanh, w_star, w, 2, 1)


@pytest.mark.parametrize("f, strip", [
    (sympy.tanh(sympy.Symbol("z", real=True) + R(1, 2)), mpmath.pi / 2),
    (1 / (1 + 4 * sympy.Symbol("z", real=True) ** 2), mpmath.mpf(1) / 2),  # poles at ±i/2
])
def test_least_squares_loss_by_mehler(f, strip):
    """w*ᵀw = m = 3/5: h_k(wᵀx) is orthonormal and E[f*(w*ᵀx) h_k(wᵀx)] = m^k α_k (Mehler), so
    the loss is ½(‖f*‖² − Σ_{k≤K} m^{2k} α_k²), with α_k from the Hermite quadrature of
    numerics.hermite (a second method). Targets with a mean (the rule in the second direction
    must be exact to degree K = 4) and one analytic only in |Im| < 1/2 (the step follows the strip)."""
    from gfverify.numerics.hermite import hermite_coefficients

    z = sympy.Symbol("z", real=True)
    kmax, m = 4, mpmath.mpf(3) / 5
    with mpmath.workdps(20):
        alphas = hermite_coefficients(f, kmax, 20).alphas
        fun = sympy.lambdify(z, f, "mpmath")
        norm2 = mpmath.quad(lambda x: fun(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        want = (norm2 - mpmath.fsum(m ** (2 * k) * a**2 for k, a in enumerate(alphas))) / 2
        got = least_squares_loss(fun, [1, 0], [m, mpmath.mpf(4) / 5], kmax, strip)
        assert abs(got - want) < mpmath.mpf(10) ** -15


@pytest.mark.parametrize("dps", [20, 40])
@pytest.mark.parametrize("f, strip", [
    (sympy.tanh(sympy.Symbol("z", real=True) + R(1, 2)), mpmath.pi / 2),
    (1 / (1 + 4 * sympy.Symbol("z", real=True) ** 2), mpmath.mpf(1) / 2),
])
def test_least_squares_loss_is_correct_to_the_working_precision(f, strip, dps):
    """The loss at the current precision (dps digits) is correct to dps digits relative, against
    the Mehler route ½(‖f*‖² − Σ_{k≤K} m^{2k} α_k²) at dps + 20 digits (m = 3/5, K = 4)."""
    from gfverify.numerics.hermite import hermite_coefficients

    z = sympy.Symbol("z", real=True)
    kmax, fun = 4, sympy.lambdify(z, f, "mpmath")
    with mpmath.workdps(dps + 20):
        m = mpmath.mpf(3) / 5
        alphas = hermite_coefficients(f, kmax, dps + 20).alphas
        norm2 = mpmath.quad(lambda x: fun(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        want = (norm2 - mpmath.fsum(m ** (2 * k) * a**2 for k, a in enumerate(alphas))) / 2
    with mpmath.workdps(dps):
        got = least_squares_loss(fun, [1, 0], [mpmath.mpf(3) / 5, mpmath.mpf(4) / 5], kmax, strip)
    with mpmath.workdps(dps + 20):
        assert abs(got - want) <= mpmath.mpf(10) ** -dps * want
