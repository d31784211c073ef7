"""Escape-time numerics against closed forms (named in each test)."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
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
    # sinh(z): alpha_k^2 = e/k! for odd k: the derivative of e sinh(x) is e cosh(x)
    (sympy.sinh(z), lambda x: mpmath.e * mpmath.cosh(x), 1),
])
@pytest.mark.parametrize("planted", [False, True])
def test_truncated_hermite_series_of_a_non_polynomial_link(link, closed_form, parity, planted):
    # the truncation promises the neglected tail moves the right-hand side at g = m1^2 (the
    # planted flow: at g = m1, where the tail is larger) by less than 10^-(digits+3) relative;
    # exact zeros (odd k of an even link) are left out
    m1 = sympy.Rational(1, 2)
    alphas = timescales.link_alphas(link, z, DIGITS, m1, planted=planted)
    assert all(a != 0 for a in alphas.values())
    if parity is not None:
        assert all(k % 2 == parity for k in alphas)
    with mpmath.workdps(DIGITS + 15):
        g = mpmath.mpf(1) / 2 if planted else mpmath.mpf(1) / 4
        exact = closed_form(g)
        assert abs(_rhs_series(alphas, g) / exact - 1) < mpmath.mpf(10) ** -(DIGITS + 3)


def test_asymptotic_expansion_with_a_root_inside_the_unit_disc():
    # R(m) = m^3 (m + 1/4)(1 - m): the log part has a root at -1/4 (|r| < 1, not at 0), so
    # K = lim (T - singular) carries c (log(m1 + 1/4) - log(1/4)); the terms must sum to T
    # (by quadrature) up to the remainder after two regular terms, dominated by the third
    from gfverify.theory import timescales as ts

    m = sympy.Symbol("m")
    rhs = m**3 * (m + sympy.Rational(1, 4)) * (1 - m)
    m1, m0 = sympy.Rational(1, 2), sympy.Rational(1, 10**4)
    asym = ts.asymptotics(rhs, m, m1, regular=2)
    with mpmath.workdps(40):
        f = sympy.lambdify(m, 1 / rhs, "mpmath")
        T = mpmath.quad(f, mpmath.linspace(mpmath.mpf(m0), mpmath.mpf(m1), 12))
        terms = timescales.asymptotic_terms(asym, m0)
        third = timescales.asymptotic_terms(ts.asymptotics(rhs, m, m1, regular=3), m0)[-1]
        assert abs(T - mpmath.fsum(terms)) < 2 * abs(third)


@pytest.mark.parametrize("engine", ["auto", "pure"])
def test_escape_time_with_complex_roots_in_the_log_part(monkeypatch, engine):
    """R = m(1 + m²): 1/R = 1/m − m/(1 + m²), so T = log(m1/m0) − ½ log((1 + m1²)/(1 + m0²))
    (roots ±i of the log part; python-flint's certified roots and mpmath's polyroots; the roots
    are cached per precision, so the two engines run at different precisions)."""
    dps = 30
    if engine == "pure":
        monkeypatch.setenv("GFVERIFY_ENGINES", "pure")
        dps = 33
    m = sympy.Symbol("m")
    m0, m1 = sympy.Rational(1, 10), sympy.Rational(3, 2)
    with mpmath.workdps(dps):
        got = timescales.escape_time(m * (1 + m**2), m, m0, m1)
        a, b = mpmath.mpf(1) / 10, mpmath.mpf(3) / 2
        want = mpmath.log(b / a) - mpmath.log((1 + b * b) / (1 + a * a)) / 2
        assert abs(got - want) < mpmath.mpf(10) ** -28


def test_escape_time_without_a_log_part():
    """R = m²: T = 1/m0 − 1/m1 (a float m0 is read as the number it is)."""
    m = sympy.Symbol("m")
    with mpmath.workdps(30):
        assert abs(timescales.escape_time(m**2, m, 0.25, sympy.Rational(1, 2)) - 2) < mpmath.mpf(10) ** -28


def test_confirmed_escape_time_agrees_at_two_precisions():
    """R = 3m⁵: T = (m0⁻⁴ − m1⁻⁴)/12 = (10⁴ − 16)/12 exactly; R < 0 is refused before any run."""
    m = sympy.Symbol("m")
    runs = timescales.confirmed_escape_time(3 * m**5, m, sympy.Rational(1, 10), sympy.Rational(1, 2), 25)
    assert runs.digits >= 25 and runs.dps == 25 and runs.dps_high > 25
    with mpmath.workdps(40):
        assert abs(runs.high - mpmath.mpf(10**4 - 16) / 12) < mpmath.mpf(10) ** -30
    with pytest.raises(InputError, match="moves away"):
        timescales.confirmed_escape_time(-3 * m**5, m, sympy.Rational(1, 10), sympy.Rational(1, 2), 25)


def test_polynomial_links_get_their_exact_coefficients():
    """z³: z³ = He₃ + 3He₁, so α₁ = 3 and α₃ = √6 exactly (α_0 = α_2 = 0 are dropped)."""
    alphas = timescales.link_alphas(z**3, z, DIGITS, sympy.Rational(1, 2), planted=False)
    assert alphas == {1: 3, 3: sympy.sqrt(6)}


@pytest.mark.parametrize("engine, dps", [("auto", 30), ("auto", 60), ("pure", 31)])
def test_escape_time_is_correct_to_the_working_precision(monkeypatch, engine, dps):
    """R = m(m + 2)(m + 3): 1/R = 1/(6m) − 1/(2(m + 2)) + 1/(3(m + 3)) (partial fractions), so
    T(1/10 → 3/2) = ⅙ log(b/a) − ½ log((b + 2)/(a + 2)) + ⅓ log((b + 3)/(a + 3)), to 10^-dps relative
    (the residues p(r)/q'(r) must carry the working precision)."""
    if engine == "pure":
        monkeypatch.setenv("GFVERIFY_ENGINES", "pure")
    m = sympy.Symbol("m")
    with mpmath.workdps(dps):
        got = timescales.escape_time(m * (m + 2) * (m + 3), m, sympy.Rational(1, 10), sympy.Rational(3, 2))
    with mpmath.workdps(dps + 20):
        a, b = mpmath.mpf(1) / 10, mpmath.mpf(3) / 2
        want = mpmath.log(b / a) / 6 - mpmath.log((b + 2) / (a + 2)) / 2 + mpmath.log((b + 3) / (a + 3)) / 3
        assert abs(got - want) <= mpmath.mpf(10) ** -dps * want
