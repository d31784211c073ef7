"""Exact escape times and their asymptotics (theory.timescales, evaluated by numerics.timescales)."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import timescales as nts
from gfverify.theory import timescales as ts
from gfverify.theory.reduced_ode import M, single_index_rhs

R = sympy.Rational


def _quad(rhs, m0, m1, dps=40):
    """Independent route: tanh-sinh quadrature of 1/R split geometrically towards m0."""
    f = sympy.lambdify(M, 1 / rhs, "mpmath")
    with mpmath.workdps(dps):
        a, b = mpmath.mpf(sympy.N(m0, dps + 5)), mpmath.mpf(sympy.N(m1, dps + 5))
        pts = [a]
        while pts[-1] * 4 < b:
            pts.append(pts[-1] * 4)
        return mpmath.quad(f, pts + [b])


@pytest.mark.parametrize("rhs", [
    (1 - M**2) * 3 * M**5,
    (1 - M**2) * (2 * R(1, 3) * M**3 + 3 * R(2, 5) * M**5),
    (1 - M**2) * (M + 3 * R(1, 4) * M**5),
    (1 - M**2) * 3 * M**2,
    (1 - M**2) * (2 * M + 3 * M**2 + 4 * R(1, 9) * M**3),
])
def test_closed_form_against_quadrature(rhs):
    m0, m1 = 1 / sympy.sqrt(10**4), R(7, 10)
    with mpmath.workdps(40):
        closed = nts.escape_time(rhs, M, m0, m1)
        numeric = _quad(rhs, m0, m1)
        assert abs(closed - numeric) <= mpmath.mpf(10) ** -32 * abs(closed)


def test_linear_link_by_hand():
    # 1/(m(1-m^2)) = 1/m + m/(1-m^2): T = ln(m1/m0) - (ln(1-m1^2) - ln(1-m0^2))/2
    m0, m1 = R(1, 1000), R(1, 2)
    want = sympy.log(m1 / m0) - (sympy.log(1 - m1**2) - sympy.log(1 - m0**2)) / 2
    with mpmath.workdps(50):
        got = nts.escape_time(M * (1 - M**2), M, m0, m1)
        assert abs(got - mpmath.mpf(sympy.N(want, 60))) < mpmath.mpf(10) ** -45


def test_planted_h3_by_hand():
    # 1/(3 m^2 (1 - m^2)) = (1/m^2 + 1/(1-m^2))/3: T = (1/m0 - 1/m1 + atanh m1 - atanh m0)/3
    m0, m1 = R(1, 100), R(1, 2)
    want = (1 / m0 - 1 / m1 + sympy.atanh(m1) - sympy.atanh(m0)) / 3
    with mpmath.workdps(50):
        got = nts.escape_time(single_index_rhs({3: 1}, planted=True), M, m0, m1)
        assert abs(got - mpmath.mpf(sympy.N(want, 60))) < mpmath.mpf(10) ** -45


def test_laurent_against_sympy_series():
    rhs = (1 - M**2) * (2 * M**3 + 3 * R(1, 2) * M**5)
    ser = sympy.series(1 / rhs, M, 0, 4).removeO()
    mine = ts.laurent_at_zero(rhs, M, 3)
    assert sympy.expand(ser - sum(c * M**j for j, c in mine.items())) == 0


@pytest.mark.parametrize("s", [2, 3, 4])
def test_leading_term_formula(s):
    a, g = sympy.symbols("a g", positive=True)
    lead = ts.in_d(ts.singular_terms(single_index_rhs({s: a}), M)[0], g)
    want = ts.D ** (s - 1) / (2 * s * (s - 1) * a**2 * g ** (2 * s - 2))
    assert sympy.simplify(lead - want) == 0


def test_expansion_sums_to_exact_time():
    rhs = single_index_rhs({3: 1, 4: R(1, 2)}, planted=True)
    asym = ts.asymptotics(rhs, M, R(1, 2), regular=3)
    m0 = R(1, 10**4)
    with mpmath.workdps(40):
        T = nts.escape_time(rhs, M, m0, R(1, 2))
        terms = nts.asymptotic_terms(asym, m0)
        # remainder after every computed term: O(m0^4)
        assert abs(T - mpmath.fsum(terms)) < 10 * mpmath.mpf(m0) ** 4


def test_stage_helpers():
    g1, g2 = sympy.symbols("g1 g2")
    gdot = [2 * g1 * (1 - g1), 6 * g2**3 * (1 - g2) * (1 + g1)]
    stage = ts.frozen_stage_rhs(gdot, [g1, g2], [0, 1], 1)
    assert sympy.expand(stage - 12 * g2**3 * (1 - g2)) == 0
    assert ts.relative_exponent(stage, g2) == 3
    with mpmath.workdps(30):
        # int dg/(2g(1-g)) from 1/d to 1/2 = (ln(d-1))/2
        assert abs(nts.stage_plateau(gdot[0], g1, R(1, 10**6), R(1, 2)) - mpmath.log(10**6 - 1) / 2) < 1e-25


@pytest.mark.parametrize("rhs, m0, m1", [
    (sympy.exp(M), R(1, 10), R(1, 2)),                 # not a polynomial
    (sympy.Integer(0), R(1, 10), R(1, 2)),             # nothing moves
    ((1 - M**2) * 3 * M**5, R(1, 2), R(1, 10)),        # m1 <= m0
    ((1 - M**2) * 3 * M**2, -R(1, 10), R(1, 2)),       # planted h3 from m0 < 0: R(0) = 0 on the way
    ((1 - M**2) * sympy.sqrt(2) * M, R(1, 10), R(1, 2)),  # irrational coefficient
])
def test_bad_input(rhs, m0, m1):
    with pytest.raises(InputError):
        nts.escape_time(rhs, M, m0, m1)


def test_interval_check_is_relative_at_tiny_starts():
    # m0 = 10^-26 (d = 10^52): R(m) = 3 m^5 (1 - m^2) has its root at 0, below m0; an absolute
    # margin of 10^-25 around m0 used to swallow it
    rhs = single_index_rhs({3: 1})
    ts.check_escape_interval(rhs, M, R(1, 10**26), R(1, 2))
    with mpmath.workdps(30):
        T = nts.escape_time(rhs, M, R(1, 10**26), R(1, 2))
        assert abs(T / (mpmath.mpf(10) ** 104 / 12) - 1) < 1e-20
    with pytest.raises(InputError, match="vanishes"):
        ts.check_escape_interval(rhs, M, 0, R(1, 2))


def test_in_d_defaults_to_the_start_d_to_the_minus_half():
    # m0 = d^(-1/2) (g = 1): m0^-2 = d and log(1/m0) = log(d)/2
    assert ts.in_d(ts.M0 ** -2) == ts.D
    assert sympy.simplify(ts.in_d(-sympy.log(ts.M0)) - sympy.log(ts.D) / 2) == 0


def test_antiderivative_differentiates_to_one_over_the_rhs():
    # F' = 1/R for R = m^2 (m + 1/4)(1 - m): rational part and log part (roots 0, -1/4, 1)
    m = sympy.Symbol("m")
    rhs = m**2 * (m + R(1, 4)) * (1 - m)
    F = ts.escape_integral(rhs, m).antiderivative()
    assert sympy.simplify(sympy.diff(F, m).doit() - 1 / rhs) == 0


def test_antiderivative_without_a_log_part():
    """R = 3m⁴: 1/R = m⁻⁴/3 has the rational antiderivative −1/(9m³) and no logarithm."""
    m = sympy.Symbol("m")
    F = ts.escape_integral(3 * m**4, m).antiderivative()
    assert not F.has(sympy.log, sympy.RootSum)
    assert sympy.simplify(F - (-1 / (9 * m**3))) == 0


def test_a_flow_moving_away_from_the_target_is_refused():
    """R = −(1 + m) < 0 on [1/10, 1/2]: no root, but m decreases and never reaches 1/2."""
    with pytest.raises(InputError, match="moves away"):
        ts.check_escape_interval(-(1 + M), M, R(1, 10), R(1, 2))
    assert ts.check_escape_interval(1 + M, M, R(1, 10), R(1, 2)) == sympy.Poly(1 + M, M, domain="QQ")


def test_laurent_series_of_zero_is_refused():
    with pytest.raises(InputError, match="identically zero"):
        ts.laurent_at_zero(sympy.Integer(0), M, 2)
