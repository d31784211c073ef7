from fractions import Fraction

import mpmath
import pytest

from gfverify.numerics import precision as P
from gfverify.numerics.series import accelerated_limit


def test_agreed_digits():
    assert P.agreed_digits(mpmath.mpf("1.2345"), mpmath.mpf("1.2346"), 30) == pytest_approx(4.09, 0.05)
    assert P.agreed_digits(mpmath.mpf(0), mpmath.mpf(0), 30) == 30


def pytest_approx(x, tol):
    class _A:
        def __eq__(self, other):
            return abs(other - x) <= tol
    return _A()


def test_two_precisions_reports_agreement_and_precisions():
    runs = P.two_precisions(lambda p: mpmath.pi, 20)
    assert runs.dps == 20 and runs.dps_high == 30 and runs.digits >= 20
    bad = P.two_precisions(lambda p: mpmath.mpf(p), 20)  # depends on precision: disagreement
    assert bad.digits < 2


def test_levin_accelerates_basel():
    with mpmath.workdps(50):
        partial, s = [], mpmath.mpf(0)
        for k in range(1, 40):
            s += mpmath.mpf(1) / k**2
            partial.append(s)
        value, _ = accelerated_limit(partial)
        assert abs(value - mpmath.pi**2 / 6) < mpmath.mpf(10) ** -25
        assert abs(partial[-1] - mpmath.pi**2 / 6) > mpmath.mpf(10) ** -2


def test_agreed_digits_of_sequences_is_the_worst_component():
    """The documented definition: the minimum over components (an empty pair agrees fully)."""
    a = [mpmath.mpf(1), mpmath.mpf(2)]
    b = [mpmath.mpf(1), mpmath.mpf(2) * (1 + mpmath.mpf(10) ** -12)]
    assert P.agreed_digits_seq(a, b, 30) == pytest_approx(12, 0.01)
    assert P.agreed_digits_seq(a, a, 30) == 30
    assert P.agreed_digits_seq([], [], 30) == 30


def test_agreed_digits_are_never_negative():
    """Digits of agreement count from 0: 1 and −1 (relative difference 2) agree on none, not on
    −log10 2 (mutation triage, fresh11: a floor of −1 let −0.30 through)."""
    assert P.agreed_digits(mpmath.mpf(1), mpmath.mpf(-1), 30) == 0
    assert P.agreed_digits(mpmath.mpf(1), mpmath.mpf(-3), 30) == 0  # relative difference 4/3


def test_a_nan_agrees_on_no_digit():
    """A NaN run confirms nothing, on either side and against 0 (|0 − NaN| has no size)."""
    nan = mpmath.mpf("nan")
    assert P.agreed_digits(mpmath.mpf(0), nan, 30) == 0
    assert P.agreed_digits(nan, mpmath.mpf(0), 30) == 0
    assert P.agreed_digits(nan, nan, 30) == 0


def test_sequences_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different length"):
        P.agreed_digits_seq([mpmath.mpf(1)], [mpmath.mpf(1), mpmath.mpf(2)], 30)


def test_second_precision_adds_half_or_at_least_ten_digits():
    """The documented pair: dps + max(10, dps // 2)."""
    assert [P.second_precision(d) for d in (10, 20, 21, 30, 100)] == [20, 30, 31, 45, 150]


def test_tolerance_is_relative_above_one_and_absolute_below():
    assert P.tolerance(30) == mpmath.mpf(10) ** -25
    assert P.tolerance(30, -1000) == 1000 * mpmath.mpf(10) ** -25
    assert P.tolerance(30, mpmath.mpf(10) ** -9) == mpmath.mpf(10) ** -25


def test_two_precisions_runs_each_under_its_own_working_precision():
    """compute(p) runs under mpmath.workdps(p): p = dps, then the given (or the second) precision."""
    runs = P.two_precisions(lambda p: (mpmath.mpf(p), mpmath.mpf(mpmath.mp.dps)), 20, 35)
    assert runs.low == (20, 20) and runs.high == (35, 35) and runs.dps_high == 35
    assert runs.digits == pytest.approx(-mpmath.log10(mpmath.mpf(15) / 35))  # |20 − 35| / 35


@pytest.mark.parametrize("x, expected", [(-0.375, Fraction(-3, 8)), (0.375, Fraction(3, 8)),
                                         (-6.0, Fraction(-6)), (2.0**70, Fraction(2**70)),
                                         (0.0, Fraction(0)), (-(2.0**-60), Fraction(-1, 2**60))])
def test_exact_fraction_keeps_the_sign_and_every_bit(x, expected):
    """The float's own value (Python's Fraction(float) is the independent reading), sign included:
    ``mpf.man_exp`` alone would give 3/8 for −0.375."""
    assert P.exact_fraction(mpmath.mpf(x)) == expected == Fraction(x)
