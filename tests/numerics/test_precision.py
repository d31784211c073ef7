import mpmath

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
