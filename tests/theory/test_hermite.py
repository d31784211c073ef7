"""The exact Hermite layer against independent sources: sympy's own hermite_prob, textbook
closed forms (Mehler for exp, Stein for ReLU and sign), quadrature, and hypothesis."""

import mpmath
import pytest
import sympy
from hypothesis import given, settings

from gfverify.numerics.strategies import polynomial_links
from gfverify.theory import hermite as H

z = H.Z


def test_he_matches_sympy_hermite_prob():
    for k in range(21):
        assert sympy.expand(H.He(k) - sympy.hermite_prob(k, z)) == 0


def test_exp_coefficients_closed_form():
    # E[e^{az} h_k] = e^{a^2/2} a^k / sqrt(k!)  (generating function of He_k)
    a = sympy.Rational(1, 3)
    got = H.hermite_coefficients(sympy.exp(a * z), 12)
    for k, g in enumerate(got):
        assert sympy.simplify(g - sympy.exp(a**2 / 2) * a**k / sympy.sqrt(sympy.factorial(k))) == 0


def test_cos_coefficients_closed_form():
    # cos(az) = Re e^{iaz}:  alpha_k = Re[(ia)^k] e^{-a^2/2} / sqrt(k!)
    a = sympy.Integer(2)
    got = H.hermite_coefficients(sympy.cos(a * z), 10)
    for k, g in enumerate(got):
        want = sympy.re((sympy.I * a) ** k) * sympy.exp(-a**2 / 2) / sympy.sqrt(sympy.factorial(k))
        assert sympy.simplify(g - want) == 0


def test_relu_and_sign_match_stein_closed_forms():
    # ReLU'' = delta_0 and sign' = 2 delta_0, E[delta_0^{(m)}] = He_m(0) phi(0)
    relu = H.hermite_coefficients(sympy.Max(z, 0), 16)
    sign = H.hermite_coefficients(sympy.sign(z), 16)
    phi0 = 1 / sympy.sqrt(2 * sympy.pi)
    assert relu[0] == phi0 and relu[1] == sympy.Rational(1, 2)
    for k in range(2, 17):
        want = H.He(k - 2).subs(z, 0) * phi0 / sympy.sqrt(sympy.factorial(k))
        assert sympy.simplify(relu[k] - want) == 0
    for k in range(1, 17):
        want = 2 * H.He(k - 1).subs(z, 0) * phi0 / sympy.sqrt(sympy.factorial(k))
        assert sympy.simplify(sign[k] - want) == 0


@pytest.mark.parametrize("f", [sympy.Max(z, 0), sympy.erf(2 * z), z**2 * sympy.sign(z),
                               sympy.Piecewise((z - 1, z > 1), (0, True))])
def test_stein_route_equals_moment_route(f):
    a = H.hermite_coefficients(f, 5)
    for k in range(6):
        assert sympy.simplify(a[k] - H.stein_coefficient(f, k)) == 0


def test_truncated_moments_against_quadrature():
    lo, hi = sympy.Rational(-1, 3), sympy.Rational(5, 2)
    got = H.truncated_moments(6, lo, hi)
    mpmath.mp.dps = 30
    for j, g in enumerate(got):
        ends = [mpmath.mpf(sympy.N(lo, 40)), mpmath.mpf(sympy.N(hi, 40))]
        want = mpmath.quad(lambda x: x**j * mpmath.npdf(x), ends)
        assert abs(mpmath.mpf(sympy.N(g, 30)) - want) < mpmath.mpf(10) ** -25


@settings(max_examples=40, deadline=None)
@given(polynomial_links(max_degree=8))
def test_polynomial_round_trip_and_parseval(p):
    degree = max(sympy.Poly(p, z).degree(), 0)
    alphas = H.hermite_coefficients(p, degree + 2)
    assert alphas[degree + 1] == 0 and alphas[degree + 2] == 0
    assert sympy.expand(H.polynomial_from_coefficients(alphas) - p) == 0
    assert sympy.simplify(sum(a**2 for a in alphas) - H.norm_squared(p)) == 0


@settings(max_examples=30, deadline=None)
@given(polynomial_links(max_degree=6))
def test_three_term_recurrence(p):
    # z h_k = sqrt(k+1) h_{k+1} + sqrt(k) h_{k-1} for every k, tested through a random polynomial
    k = sympy.Poly(p, z).degree() if p.has(z) else 0
    k = max(k, 1)
    lhs = z * H.h(k)
    rhs = sympy.sqrt(k + 1) * H.h(k + 1) + sympy.sqrt(k) * H.h(k - 1)
    assert sympy.expand(lhs - rhs) == 0


def test_information_exponent():
    assert H.information_exponent(H.hermite_coefficients(H.He(3) + 2 * H.He(5), 6)) == 3
    assert H.information_exponent(H.hermite_coefficients(sympy.Abs(z), 6)) == 2
    assert H.information_exponent(H.hermite_coefficients(sympy.Integer(4), 3)) is None


def test_norm_squared_closed_forms():
    assert H.norm_squared(sympy.Max(z, 0)) == sympy.Rational(1, 2)
    assert sympy.simplify(H.norm_squared(sympy.erf(z)) - 2 / sympy.pi * sympy.asin(sympy.Rational(2, 3))) == 0
    assert sympy.simplify(H.norm_squared(sympy.exp(z)) - sympy.exp(2)) == 0


def test_breakpoints_and_symmetry_zeros():
    assert H.breakpoints(sympy.Max(z - 1, 0) + sympy.sign(z)) == [0, 1]
    assert H.breakpoints(sympy.tanh(z)) == []
    softplus = sympy.log(1 + sympy.exp(z))  # odd part z/2: alpha_k = 0 for odd k >= 3
    assert H.symmetry_zeros(softplus, 6) == [False, False, False, True, False, True, False]
    sigmoid = 1 / (1 + sympy.exp(-z))  # even part 1/2
    assert H.symmetry_zeros(sigmoid, 4) == [False, False, True, False, True]


def test_outside_family_is_reported():
    with pytest.raises(H.NotClosedForm):
        H.hermite_coefficients(sympy.tanh(z), 3)


def test_exp_with_a_constant_in_its_argument():
    # exp(a z + b) = e^b exp(a z): alpha_k = e^(b + a^2/2) a^k / sqrt(k!) (Mehler), b = 1 and -2
    a = sympy.Rational(1, 2)
    for b in (1, -2):
        got = H.hermite_coefficients(sympy.exp(a * z + b), 5)
        for k, g in enumerate(got):
            assert sympy.simplify(g - sympy.exp(b + a**2 / 2) * a**k / sympy.sqrt(sympy.factorial(k))) == 0


def test_a_quadratic_exponent_is_outside_the_closed_form_family():
    """exp(a z + b) only: exp(z²/8) is in L²(γ) with α_0 = E[e^{z²/8}] = (1 − 1/4)^{-1/2} = 2/√3,
    not the closed form of a linear exponent (mutation triage, seed 11: read as exp(0) it gave
    α_0 = 1)."""
    with pytest.raises(H.NotClosedForm, match="not linear"):
        H.hermite_coefficients(sympy.exp(z**2 / 8), 2)
    with pytest.raises(H.NotClosedForm, match="not linear"):
        H.hermite_coefficients(sympy.erf(z**2), 2)


def test_exponential_on_a_half_line():
    """f = e^z 1{z > 0}: completing the square, E[z^j e^z 1{z>0}] = e^{1/2} E[(w+1)^j 1{w > −1}],
    so α_0 = e^{1/2} Φ(1) and α_1 = e^{1/2} (φ(1) + Φ(1)) (mutation triage, fresh11: a lower
    limit shifted by +a instead of −a gave e^{1/2}(1 − Φ(1)); no test had a finite lower limit)."""
    f = sympy.Piecewise((sympy.exp(z), z > 0), (0, True))
    Phi1 = (1 + sympy.erf(1 / sympy.sqrt(2))) / 2
    phi1 = sympy.exp(-sympy.Rational(1, 2)) / sympy.sqrt(2 * sympy.pi)
    a0, a1 = H.hermite_coefficients(f, 1)
    assert abs(sympy.N(a0 - sympy.exp(sympy.Rational(1, 2)) * Phi1, 50)) < 1e-45
    assert abs(sympy.N(a1 - sympy.exp(sympy.Rational(1, 2)) * (phi1 + Phi1), 50)) < 1e-45


def test_negative_degree_and_negative_kmax_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        H.He(-1)
    with pytest.raises(ValueError, match="non-negative"):
        H.hermite_coefficients(z, -1)


def test_he_coefficients_against_the_table():
    """He_4 = x⁴ − 6x² + 3 and He_5 = x⁵ − 10x³ + 15x (Abramowitz–Stegun table 22.12, He_n)."""
    assert H.he_coefficients(4) == (3, 0, -6, 0, 1)
    assert H.he_coefficients(5) == (0, 15, 0, -10, 0, 1)


def test_multivariate_hermite_polynomials_are_orthonormal():
    """E[h_β(x) h_γ(x)] = δ_βγ for independent standard Gaussians (monomials replaced by
    E x^i E y^j = (i−1)!!(j−1)!!), β, γ ∈ {0..2}²; a multi-index of the wrong length is refused."""
    y = sympy.Symbol("y", real=True)
    moment = H._full_moments(8)
    betas = [(i, j) for i in range(3) for j in range(3)]
    for b in betas:
        for c in betas:
            poly = sympy.Poly(sympy.expand(H.h_multi(b, [z, y]) * H.h_multi(c, [z, y])), z, y)
            value = sum(coef * moment[i] * moment[j] for (i, j), coef in poly.terms())
            assert sympy.simplify(value - (1 if b == c else 0)) == 0
    with pytest.raises(ValueError, match="differ in length"):
        H.h_multi((1, 2), [z])


def test_erf_coefficients_are_the_taylor_series_of_the_arcsine_kernel():
    """Σ α_k² ρ^k = E[erf(x) erf(y)] = (2/π) arcsin(2ρ/3) (docs/theory.md A8): α_1² = 4/(3π),
    α_3² = (2/π)(1/6)(2/3)³ = 8/(81π), α_5² = (2/π)(3/40)(2/3)⁵; even ones 0 (erf is odd)."""
    erf = H.hermite_coefficients(sympy.erf(z), 5)
    rho = sympy.Symbol("rho")
    series = sympy.series(2 / sympy.pi * sympy.asin(2 * rho / 3), rho, 0, 6).removeO()
    for k in range(6):
        assert sympy.simplify(erf[k] ** 2 - series.coeff(rho, k)) == 0


def test_sine_is_the_imaginary_part_of_the_characteristic_function():
    """E[e^{itz} He_k(z)] = (it)^k e^{−t²/2}: α_k(sin(tz)) = Im[(it)^k] e^{−t²/2}/√(k!), t = 3/2."""
    t, HALF = sympy.Rational(3, 2), sympy.Rational(1, 2)
    got = H.hermite_coefficients(sympy.sin(t * z) + sympy.cos(z) * sympy.sin(z / 2), 5)
    for k, g in enumerate(got):
        # sin(tz) + cos z sin(z/2) = sin(tz) + (sin(3z/2) − sin(z/2))/2
        want = sum(w * sympy.im((sympy.I * s) ** k) * sympy.exp(-s**2 / 2)
                   for w, s in ((1, t), (HALF, t), (-HALF, HALF)))
        assert sympy.simplify(g - want / sympy.sqrt(sympy.factorial(k))) == 0


@pytest.mark.parametrize("f, reason", [
    (sympy.Piecewise((sympy.sin(z), z > 0), (0, True)), "complex exponential on a half-line"),
    (sympy.erf(z + 1), "b != 0"),
    (sympy.erf(z) * sympy.Heaviside(z), "erf on a half-line"),
])
def test_links_outside_the_closed_form_family_say_why(f, reason):
    with pytest.raises(H.NotClosedForm, match=reason):
        H.hermite_coefficients(f, 2)


def test_the_square_of_a_shifted_erf_is_refused():
    with pytest.raises(H.NotClosedForm, match=r"erf\(a z \+ b\)²"):
        H.norm_squared(sympy.erf(z + 1) + z)


@pytest.mark.parametrize("f, degrees", [
    (sympy.Max(H.Z, 0), (None, 1)),              # relu = |z|/2 + z/2
    (sympy.Abs(H.Z), (None, -1)),                # even: no odd part
    (sympy.Max(H.Z, 0) + H.Z**3, (None, 3)),     # |z|/2 + (z/2 + z³)
    (sympy.Heaviside(H.Z), (0, None)),           # 1/2 + sign(z)/2
])
def test_parity_degrees_of_kinked_links(f, degrees):
    """Even and odd parts of links with kinks, from the splittings written beside each case:
    a polynomial part is found only once the kink is written piecewise."""
    assert H.parity_degrees(f, H.Z) == degrees
