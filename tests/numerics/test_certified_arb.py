"""The sympy → arb layer of numerics/certified.py: the branch of a kinked link on a piece agrees
with the link inside the piece (and is refused where a kink lies inside), the arb translation of
each whitelisted function agrees with mpmath at complex points, and what is not whitelisted is
refused with its reason. (tests/numerics/test_certified.py checks the enclosures themselves.)"""

import mpmath
import pytest
import sympy
from flint import acb, arb

from gfverify.numerics import certified as C
from gfverify.theory.hermite import Z

z = Z
R = sympy.Rational


@pytest.mark.parametrize("f, lo, hi", [
    (sympy.Abs(z - R(1, 3)), R(1, 2), 1), (sympy.Abs(z - R(1, 3)), -1, R(1, 3)),
    (sympy.sign(z), -1, 0), (sympy.sign(z), 0, 2), (sympy.Heaviside(z - 1), 0, 1),
    (sympy.Heaviside(z - 1), 1, 3), (sympy.Max(z, 1 - z), 0, R(1, 2)), (sympy.Max(z, 1 - z), R(1, 2), 2),
    (sympy.Min(z, 1 - z, R(1, 4)), 0, R(1, 4)), (sympy.Min(z, 1 - z, R(1, 4)), R(1, 4), R(3, 4)),
    (sympy.Piecewise((z**2, z > 1), (-z, True)), 1, 2), (sympy.Piecewise((z**2, z > 1), (-z, True)), -1, 1),
    (sympy.exp(sympy.Abs(z)) * sympy.Max(z, 0), -2, 0),
])
def test_branch_agrees_with_the_link_inside_the_piece(f, lo, hi):
    """The kink-free branch equals f at five interior points of (lo, hi) and has no kinked function."""
    lo, hi = sympy.sympify(lo), sympy.sympify(hi)
    branch = C._branch(f, z, lo, hi)
    assert not branch.has(sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, sympy.Piecewise)
    for j in range(1, 6):
        x = lo + (hi - lo) * R(j, 6)
        assert abs(sympy.N(branch.subs(z, x) - f.subs(z, x), 30)) < 1e-25


@pytest.mark.parametrize("f, lo, hi, reason", [
    (sympy.Abs(z - R(1, 3)), 0, 1, "keeps its sign"),
    (sympy.Max(z, 1 - z), 0, 1, "keeps its sign"),
    (sympy.Piecewise((z, sympy.And(z > 0, z < 2)), (0, True)), -1, 1, "cannot decide"),
    (sympy.Piecewise((z, z > 2)), 0, 1, "no branch"),
])
def test_branch_refuses_a_kink_inside_the_piece(f, lo, hi, reason):
    with pytest.raises(C.NotCertifiable, match=reason):
        C._branch(f, z, sympy.Integer(lo), sympy.Integer(hi))


POINTS = [mpmath.mpc("0.3", "0.2"), mpmath.mpc("-1.7", "0.05"), mpmath.mpc("2.5", "-0.4")]


@pytest.mark.parametrize("f", [
    sympy.exp(z), sympy.sin(z), sympy.cos(z), sympy.tan(z), sympy.sinh(z), sympy.cosh(z), sympy.tanh(z),
    sympy.erf(z), sympy.erfc(z), sympy.log(3 + z), sympy.atan(z), (2 + z**2) ** R(1, 3), z**-3,
    sympy.pi * z - sympy.E, R(3, 7) * z**2 + 1, sympy.Float(0.375) * z,
])
def test_arb_function_agrees_with_mpmath_at_complex_points(f):
    F = C.arb_function(f)
    fun = sympy.lambdify(z, f, "mpmath")
    with mpmath.workdps(30):
        for x in POINTS:
            got = F(acb(arb(str(x.real)), arb(str(x.imag))), False)
            want = fun(x)
            value = float(got.real.mid()) + 1j * float(got.imag.mid())
            assert abs(value - complex(want)) < 1e-12 * max(1, abs(want))


def test_a_negative_float_keeps_its_sign():
    """−0.5·z − 1.25 at z = 1 is −1.75."""
    F = C.arb_function(sympy.Float(-0.5) * z + sympy.Float(-1.25))
    assert F(acb(1), False).real.overlaps(arb("-1.75"))


@pytest.mark.parametrize("f, reason", [(z ** sympy.sqrt(2), "non-rational exponent"),
                                       (sympy.gamma(z), "not supported"),
                                       (sympy.besselj(0, z), "not supported")])
def test_arb_function_refuses_what_it_cannot_evaluate(f, reason):
    with pytest.raises(C.NotCertifiable, match=reason):
        C.arb_function(f)


def test_an_analytic_evaluation_on_a_branch_cut_is_not_finite():
    """log(z) on a box around 0 crosses the cut: with analytic=True the ball is not finite."""
    F = C.arb_function(sympy.log(z))
    box = acb(arb(0, "0.1"), arb(0, "0.1"))
    assert not C._finite(F(box, True))
    assert C._finite(F(acb(2), True))


def test_rational_breakpoints_and_ball_strings():
    """An irrational breakpoint is refused; a decimal ball prints its midpoint and a radius rounded
    up; an exact zero prints "0"."""
    with pytest.raises(C.NotCertifiable, match="not rational"):
        C._rational(sympy.sqrt(2))
    assert C._rational(sympy.Rational(3, 8)).contains(arb(3) / 8)
    b = arb("0.125", "1.5e-20")
    assert C.ball_mid(b, 5) == "0.1250000000" and mpmath.mpf(C.ball_rad(b)) >= mpmath.mpf("1.5e-20")
    assert mpmath.mpf(C.ball_rad(b)) < mpmath.mpf("1.6e-20")
    assert C.ball_mid(arb(0), 5) == "0" and C.ball_rad(arb(3)) == "0"


def test_hermite_polynomial_values_by_the_recurrence():
    """He_0..He_5 at x = 3/2 by the recurrence against sympy's hermite_prob."""
    x = sympy.Rational(3, 2)
    values = C._he_values(arb(3) / 2, 5)
    assert len(values) == 6 and len(C._he_values(arb(3) / 2, 0)) == 1  # He_0..He_kmax, no more
    for k, v in enumerate(values):
        assert v.overlaps(arb(str(sympy.N(sympy.hermite_prob(k, x), 30))))


def test_cauchy_estimate_bounds_the_hermite_polynomials():
    """|He_k(z)| ≤ exp(log(k!) + k/2 − (k/2) log k + √k |z|) at complex z, k ≤ 30 (mpmath)."""
    bounds = C._log_cauchy(30)
    for zc in (mpmath.mpc(2, 1), mpmath.mpc(-0.5, 3), mpmath.mpc(6, 0)):
        for k in range(1, 31):
            he = abs(sympy.N(sympy.hermite_prob(k, sympy.Symbol("x")).subs("x", complex(zc)), 30))
            bound = mpmath.exp(mpmath.mpf(bounds[k].upper().str(20, radius=False)) + mpmath.sqrt(k) * abs(zc))
            assert he <= bound


def test_even_and_odd_links_get_exact_zeros():
    """cosh(z/2) is even: the odd α_k are exactly 0 (folded integration on [0, L]); the even ones
    hold mpmath's quad of E[cosh(z/2) He_k(z)]/√(k!) at 40 digits."""
    f = sympy.cosh(z / 2)
    enc = C.hermite_enclosures(f, 6, 25)
    assert all(enc.exact_zero[k] and enc.balls[k].is_zero() for k in (1, 3, 5))
    with mpmath.workdps(40):
        for k in (0, 2, 4, 6):
            he = sympy.lambdify(z, sympy.hermite_prob(k, z), "mpmath")
            value = mpmath.quad(lambda x: mpmath.cosh(x / 2) * he(x) * mpmath.npdf(x),
                                [-mpmath.inf, 0, mpmath.inf])
            value /= mpmath.sqrt(mpmath.factorial(k))
            assert enc.balls[k].overlaps(arb(mpmath.nstr(value, 35)))
            assert enc.balls[k].rad() < arb("1e-25")


@pytest.mark.parametrize("k", [8, 16, 30])
def test_cauchy_estimate_holds_where_it_is_nearly_attained(k):
    """max_x |He_k(x)| e^{−√k |x|} over the real line (where it is largest; x ∈ [0, 60] by 1/10)
    stays below exp(log(k!) + k/2 − (k/2) log k): the estimate is sharp there to within a factor
    about √(2πk) (Stirling), so a bound low by a factor k (log((k−1)!) for log(k!)) fails."""
    bound = mpmath.exp(mpmath.mpf(C._log_cauchy(k)[k].upper().str(20, radius=False)))
    with mpmath.workdps(30):
        worst = max(abs(mpmath.hermite(k, x / mpmath.sqrt(2))) / mpmath.sqrt(2) ** k
                    * mpmath.exp(-mpmath.sqrt(k) * x) for x in (mpmath.mpf(j) / 10 for j in range(601)))
    assert worst <= bound < worst * mpmath.sqrt(2 * mpmath.pi * k)
