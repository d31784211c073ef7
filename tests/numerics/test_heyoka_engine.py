"""The heyoka engine: translation of sympy right-hand sides, precision of constants, events and
dense pieces (closed forms named in each test)."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import heyoka_engine, ode
from gfverify.numerics.precision import tolerance

pytestmark = pytest.mark.skipif(not heyoka_engine.available(), reason="heyoka not installed")
y = sympy.Symbol("y")
DPS = 40


def run(rhs, y0, **kw):
    with mpmath.workdps(DPS):
        return heyoka_engine.integrate(ode.OdeSystem.from_sympy([rhs], [y]), [mpmath.mpf(y0)], DPS, **kw)


def test_rational_and_irrational_constants_keep_the_working_precision():
    # y' = 1/3 + sqrt(2) y^0: y(3) = 1 + 3 sqrt(2) (a double-precision constant would give 16 digits)
    with mpmath.workdps(DPS):
        r = run(sympy.Rational(1, 3) + sympy.sqrt(2), 0, t_end=mpmath.mpf(3))
        assert abs(r.state[0] - (1 + 3 * mpmath.sqrt(2))) <= tolerance(DPS, 5)


def test_negative_powers_and_event():
    # y' = 1/y^2, y(0) = 1: y^3 = 1 + 3t, so y = 2 at t = 7/3
    with mpmath.workdps(DPS):
        r = run(1 / y**2, 1, event=(0, mpmath.mpf(2)))
        assert r.reached and abs(r.t - mpmath.mpf(7) / 3) <= tolerance(DPS, 3)


def test_dense_pieces_cover_the_interval():
    # y' = -y, y(0) = 1: exp(-t) at the middle of every step
    with mpmath.workdps(DPS):
        r = run(-y, 1, t_end=mpmath.mpf(4), record=True)
        assert abs(r.pieces[0].start) == 0
        for p in r.pieces:
            t = p.start + p.h / 2
            assert abs(p(t)[0] - mpmath.exp(-t)) <= tolerance(DPS)


def test_unsupported_term():
    with pytest.raises(InputError, match="not rational"):
        run(sympy.exp(y), 1, t_end=mpmath.mpf(1))


def test_event_with_dense_pieces_stops_at_the_event():
    # y' = -y, y(0) = 1 reaches 1/2 at t = ln 2; recording the pieces must not step past it
    with mpmath.workdps(DPS):
        r = run(-y, 1, event=(0, mpmath.mpf(1) / 2), record=True)
        assert r.reached and abs(r.t - mpmath.log(2)) <= tolerance(DPS)
        assert abs(r.pieces[-1].start + r.pieces[-1].h - mpmath.log(2)) <= tolerance(DPS)


def test_event_at_the_start_is_reached_at_time_zero():
    # the event value is the initial value: reached at t = 0 with the initial state
    with mpmath.workdps(DPS):
        r = run(-y, 1, event=(0, mpmath.mpf(1)))
        assert r.reached and r.t == 0 and r.state == [1]


def test_recorded_pieces_end_exactly_at_t_end():
    """y' = −y, y(0) = 1 to t_end = 20 (several steps) with the dense pieces recorded: the run
    stops at t = 20 with y = e^{−20}, and the pieces tile [0, 20] (mutation triage, fresh11: steps
    allowed up to t_end + t instead of t_end − t overshot the end)."""
    with mpmath.workdps(DPS):
        r = run(-y, 1, t_end=20, record=True)
        assert len(r.pieces) >= 2
        assert r.t == 20 and abs(r.state[0] / mpmath.exp(-20) - 1) <= tolerance(DPS, 5)
        assert r.pieces[0].start == 0 and abs(r.pieces[-1].start + r.pieces[-1].h - 20) <= tolerance(DPS, 20)
        assert all(abs(p.start + p.h - q.start) <= tolerance(DPS, 20) for p, q in zip(r.pieces, r.pieces[1:]))


@pytest.mark.parametrize("record", [False, True])
def test_step_cap_is_input_error(record):
    # y' = -y from 1 to t = 100 needs more than 3 steps at 40 digits
    with pytest.raises(InputError, match="did not finish within 3 steps"):
        run(-y, 1, t_end=mpmath.mpf(100), max_steps=3, record=record)


def test_event_not_reached_before_t_end():
    # y' = -y from 1 reaches 1/2 at ln 2 > 1/2: a run to t_end = 1/2 ends there, not reached
    with mpmath.workdps(DPS):
        r = run(-y, 1, t_end=mpmath.mpf(1) / 2, event=(0, mpmath.mpf(1) / 2))
        assert not r.reached and r.t == mpmath.mpf(1) / 2
        assert abs(r.state[0] - mpmath.exp(-mpmath.mpf(1) / 2)) <= tolerance(DPS)


def test_event_touched_and_left_within_one_step():
    # x = sin t (x' = v, v' = -x from (0, 1)) first reaches 1 - 10^-6 at asin(1 - 10^-6) and falls
    # below it 0.0028 later: heyoka's event search finds the first root inside the step
    x, v = sympy.symbols("x v")
    with mpmath.workdps(DPS):
        target = 1 - mpmath.mpf(10) ** -6
        system = ode.OdeSystem.from_sympy([v, -x], [x, v])
        r = heyoka_engine.integrate(system, [mpmath.mpf(0), mpmath.mpf(1)], DPS, t_end=mpmath.mpf(3),
                                    event=(0, target))
        assert r.reached and abs(r.t - mpmath.asin(target)) <= tolerance(DPS, 10**3)


def test_integrator_cache_keeps_the_most_recent_ones(monkeypatch):
    """At most CACHE_SIZE compiled integrators, the least recently built dropped first."""
    monkeypatch.setattr(heyoka_engine, "CACHE_SIZE", 2)
    monkeypatch.setattr(heyoka_engine, "_CACHE", {})
    system = ode.OdeSystem.from_sympy([-y], [y])
    prec = heyoka_engine.bits_for(20)
    events = [(0, mpmath.mpf(1) / k) for k in (2, 3, 4)]
    built = [heyoka_engine._integrator(system, prec, 20, e) for e in events]
    assert [key[3] for key in heyoka_engine._CACHE] == [(0, str(e[1])) for e in events[1:]]
    assert heyoka_engine._integrator(system, prec, 20, events[2]) is built[2]  # reused, not rebuilt
