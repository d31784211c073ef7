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


def test_time_dependent_right_hand_side():
    """y' = cos t, y(0) = 0: y = sin t at 30 digits (the substep times t + i h enter f)."""
    with mpmath.workdps(40):
        bs = BulirschStoer(lambda t, y: [mpmath.cos(t)], mpmath.mpf(10) ** -30, default_kmax(30))
        out = bs.integrate(0, [0], [1, 3])
        assert abs(out[0][0] - mpmath.sin(1)) < mpmath.mpf(10) ** -28
        assert abs(out[1][0] - mpmath.sin(3)) < mpmath.mpf(10) ** -28


def test_tolerance_is_relative_for_large_states():
    """y' = y from 1 and from 10^30: e·y0 to 10^-19 relative, in the same (few) steps."""
    with mpmath.workdps(40):
        for y0 in (1, mpmath.mpf(10) ** 30):
            bs = BulirschStoer(lambda t, y: [y[0]], mpmath.mpf(10) ** -20, default_kmax(20))
            out = bs.integrate(0, [y0], [1])
            assert abs(out[0][0] / (mpmath.e * y0) - 1) < mpmath.mpf(10) ** -19
            assert bs.steps <= 6 and bs.rejected == 0


def test_exact_steps_grow_fourfold_and_cost_the_work_of_column_two():
    """y' = 1 is integrated exactly (error estimate 0): every step is accepted at column 2 (the first
    that may accept) at the cost work[2] = 1 + n_0 + n_1 + n_2 = 1 + 2 + 4 + 6 evaluations, and the
    next step is 4 times longer (the largest growth), until the output time is hit exactly."""
    with mpmath.workdps(40):
        bs = BulirschStoer(lambda t, y: [mpmath.mpf(1)], mpmath.mpf(10) ** -30, 8)
        seen = []
        out = bs.integrate(0, [0], [100], h0=1, on_step=lambda t, y: seen.append((t, y)))
        assert all(abs(y[0] - t) < mpmath.mpf(10) ** -35 and isinstance(y[0], mpmath.mpf) for t, y in seen)
        assert abs(out[0][0] - 100) < mpmath.mpf(10) ** -35
    assert bs.n == [2, 4, 6, 8, 10, 12, 14, 16] and bs.work[:3] == [3, 7, 13]
    assert [t for t, _ in seen] == [1, 5, 21, 85, 100]
    assert bs.steps == 5 and bs.evaluations == 5 * 13


def test_a_failing_right_hand_side_rejects_the_step_with_a_quarter_length():
    """f raises ZeroDivisionError (then returns NaN) once: the step is rejected and retried with
    H/4 (H = (8 − 0)/8 = 1 by default, so the first accepted step ends at 1/4); the solution of
    y' = −y is still e^{−8}."""
    for bad in (ZeroDivisionError, float("nan")):
        calls = []

        def f(t, y, bad=bad):
            calls.append(t)
            if len(calls) == 3:
                if isinstance(bad, float):
                    return [mpmath.mpf(bad)]
                raise bad
            return [-y[0]]

        with mpmath.workdps(30):
            bs = BulirschStoer(f, mpmath.mpf(10) ** -20, default_kmax(20))
            seen = []
            out = bs.integrate(0, [1], [8], on_step=lambda t, y: seen.append(t))
            assert bs.rejected == 1 and seen[0] == mpmath.mpf(1) / 4
            assert abs(out[0][0] / mpmath.exp(-8) - 1) < mpmath.mpf(10) ** -18


def test_minimum_step_sets_where_a_singularity_stops_the_run():
    """y' = y², y(0) = 1 blows up at t = 1: with the default floor √tol = 10^-10 the run stops
    within 10^-8 of 1; with a floor 10^-4 it stops earlier, within 10^-2."""
    with mpmath.workdps(30):
        for floor, gap in ((None, mpmath.mpf(10) ** -8), (mpmath.mpf(10) ** -4, mpmath.mpf(10) ** -2)):
            bs = BulirschStoer(lambda t, y: [y[0] ** 2], mpmath.mpf(10) ** -20, default_kmax(20),
                               min_step=floor)
            with pytest.raises(StepSizeUnderflow) as info:
                bs.integrate(0, [1], [2])
            assert 1 - gap < info.value.t < 1
        assert bs.min_step == mpmath.mpf(10) ** -4


def test_state_in_arb_arithmetic():
    """The state held as python-flint arb (lift/to_mp): y' = −y to e^{−2} at 30 digits, states
    returned as mpf."""
    flint = pytest.importorskip("flint")
    flint.ctx.prec = 140
    with mpmath.workdps(40):
        bs = BulirschStoer(lambda t, y: [-y[0]], mpmath.mpf(10) ** -30, default_kmax(30),
                           lift=lambda x: flint.arb(mpmath.nstr(x, 45)),
                           to_mp=lambda a: mpmath.mpf(a.mid().str(45, radius=False)))
        out = bs.integrate(0, [1], [2])
        assert isinstance(out[0][0], mpmath.mpf)
        assert abs(out[0][0] - mpmath.exp(-2)) < mpmath.mpf(10) ** -28


def test_default_columns_grow_with_the_precision_within_8_to_30():
    assert [default_kmax(d) for d in (5, 8, 30, 52, 53, 200)] == [8, 8, 19, 30, 30, 30]
