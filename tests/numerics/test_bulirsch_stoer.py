"""The Bulirsch–Stoer integrator against closed-form solutions at two precisions."""

import mpmath
import pytest

from gfverify.numerics.bulirsch_stoer import BulirschStoer, StepSizeUnderflow, default_kmax


@pytest.mark.parametrize("dps", [30, 50])
def test_harmonic_oscillator(dps):
    with mpmath.workdps(dps + 10):
        bs = BulirschStoer(lambda t, y: [y[1], -y[0]], mpmath.mpf(10) ** -dps, default_kmax(dps))
        times = [1, 5, 10]
        out = bs.integrate(0, [0, 1], times)
        err = max(abs(y[0] - mpmath.sin(t)) + abs(y[1] - mpmath.cos(t)) for t, y in zip(times, out))
        assert err < mpmath.mpf(10) ** -(dps - 3)


def test_nonautonomous_riccati():
    # y' = y² on [0, 0.99], y(0) = 1: y = 1/(1 − t), steep near the end
    with mpmath.workdps(40):
        bs = BulirschStoer(lambda t, y: [y[0] ** 2], mpmath.mpf(10) ** -30, default_kmax(30))
        out = bs.integrate(0, [1], [mpmath.mpf("0.99")])
        assert abs(out[0][0] - 100) / 100 < mpmath.mpf(10) ** -27


def test_singularity_stops_with_underflow():
    with mpmath.workdps(30):
        bs = BulirschStoer(lambda t, y: [y[0] ** 2], mpmath.mpf(10) ** -20, default_kmax(20))
        with pytest.raises(StepSizeUnderflow):
            bs.integrate(0, [1], [2])


def test_times_must_increase():
    bs = BulirschStoer(lambda t, y: y, mpmath.mpf(10) ** -10, 8)
    with pytest.raises(ValueError):
        bs.integrate(0, [1], [1, 1])
