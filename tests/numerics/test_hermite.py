"""The high-precision Hermite layer against the exact layer and against independent
quadrature of Stein's formula alpha_k = E[f^(k)] / sqrt(k!)."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import hermite as N
from gfverify.theory import hermite as H

z = H.Z


@pytest.mark.parametrize("f", [sympy.Max(z, 0), sympy.erf(z), z * sympy.sign(z - 1), sympy.cos(z)])
def test_numeric_matches_exact(f):
    res = N.hermite_coefficients(f, 20, 30)
    assert res.digits >= 30
    exact = H.hermite_coefficients(f, 20)
    with mpmath.workdps(40):
        for got, want in zip(res.alphas, exact):
            assert abs(got - mpmath.mpf(sympy.N(want, 40))) < mpmath.mpf(10) ** -30


def test_tanh_against_stein_quadrature():
    # Stein: alpha_1 = E[tanh'(z)], alpha_3 = E[tanh'''(z)] / sqrt(6), by mpmath.quad
    res = N.hermite_coefficients(sympy.tanh(z), 5, 30)
    with mpmath.workdps(40):
        d1 = mpmath.quad(lambda x: mpmath.sech(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        d3 = mpmath.quad(lambda x: mpmath.diff(mpmath.tanh, x, 3) * mpmath.npdf(x),
                         [-mpmath.inf, 0, mpmath.inf])
        assert abs(res.alphas[1] - d1) < mpmath.mpf(10) ** -30
        assert abs(res.alphas[3] - d3 / mpmath.sqrt(6)) < mpmath.mpf(10) ** -25
    assert res.exact_zero[0] and res.exact_zero[2] and res.alphas[4] == 0


def test_confirmed_digits_and_hidden_zeros():
    gelu = z * (1 + sympy.erf(z / sympy.sqrt(2))) / 2
    res = N.hermite_coefficients(gelu, 40, 40)
    assert res.digits >= 40 and res.dps[0] < res.dps[1]
    assert all(res.exact_zero[k] for k in range(3, 41, 2))
    assert not res.exact_zero[1] and abs(res.alphas[1] - mpmath.mpf(1) / 2) < mpmath.mpf(10) ** -40


def test_not_in_l2_is_rejected():
    with pytest.raises(InputError, match="not in L"):
        N.hermite_coefficients(sympy.exp(z**2), 3, 20)
    with pytest.raises(InputError, match="not in L"):
        N.check_l2(sympy.exp(z**2 / 4))
    N.check_l2(sympy.exp(z**2 / 5))  # in L^2(gamma): no error


def test_pole_on_the_line_is_rejected():
    with pytest.raises(InputError):
        N.hermite_coefficients(1 / z, 3, 20)


def test_kmax_zero_gives_the_mean():
    # alpha_0 = E[f(z)]: E[e^z] = E[cosh z] = e^(1/2)
    with mpmath.workdps(30):
        for f in (sympy.exp(H.Z), sympy.cosh(H.Z)):
            c = N.hermite_coefficients(f, 0, 20)
            want = mpmath.exp(mpmath.mpf(1) / 2)
            assert len(c.alphas) == 1 and abs(c.alphas[0] / want - 1) < mpmath.mpf(10) ** -20


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match="free symbols"):
        N.hermite_coefficients(z * sympy.Symbol("w"), 3, 20)
    with pytest.raises(InputError, match="kmax"):
        N.hermite_coefficients(z, -1, 20)
    with pytest.raises(InputError, match="digits"):
        N.hermite_coefficients(z, 3, 0)


def test_a_gaussian_tail_too_slow_to_truncate_is_refused():
    """e^{z²/4}/(1 + z²) is in L²(γ) (f² z² e^{−z²/2} ~ z^{-2} → 0), but φ^{1/2}|f| ~ z^{-2} falls below
    10^{-20} only beyond |z| ~ 10^{10}: refused instead of integrated."""
    f = sympy.exp(z**2 / 4) / (1 + z**2)
    N.check_l2(f)
    with pytest.raises(InputError, match="grows too fast"):
        N.hermite_coefficients(f, 3, 20)


def test_a_complex_value_on_the_line_is_refused():
    """sqrt(z) is complex for z < 0."""
    with pytest.raises(InputError, match="finite and real"):
        N.hermite_coefficients(sympy.sqrt(z + 1), 2, 15)


def test_heaviside_is_one_half_at_its_jump():
    """mp_function follows sympy's convention Heaviside(0) = 1/2 (its docstring), and is 0 and 1
    on either side however close to the jump."""
    step = N.mp_function(sympy.Heaviside(H.Z), H.Z)
    assert sympy.Heaviside(0) == sympy.Rational(1, 2)
    assert step(mpmath.mpf(0)) == mpmath.mpf(1) / 2
    assert step(mpmath.mpf("1e-40")) == 1 and step(mpmath.mpf("-1e-40")) == 0
    assert step(mpmath.mpf("0.75")) == 1 and step(mpmath.mpf("-0.75")) == 0
