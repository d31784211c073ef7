"""The ODE front end: confirmed digits, event location, dense output, both engines.

Reference values come from routes independent of the integrators: closed-form solutions named
in each test, and the escape time T = int dm / RHS(m) by mpmath.quad."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import heyoka_engine, ode
from gfverify.numerics.precision import agreed_digits

m, y = sympy.symbols("m y")
ENGINES = ode.available_engines()


def plateau(s: int) -> ode.OdeSystem:
    """Single-index reduced flow for f* = h_s: m' = (1 - m^2) s m^(2s-1)."""
    return ode.OdeSystem.from_sympy([(1 - m**2) * s * m ** (2 * s - 1)], [m])


def quad_time(s: int, d: int, m1: str, dps: int) -> mpmath.mpf:
    """T = int_{m0}^{m1} dm / ((1 - m^2) s m^(2s-1)), m0 = d^-1/2, by mpmath.quad on dyadic pieces."""
    with mpmath.workdps(dps):
        m0, m1 = 1 / mpmath.sqrt(d), mpmath.mpf(m1)
        cuts = [m0]
        while cuts[-1] * 2 < m1:
            cuts.append(cuts[-1] * 2)
        return mpmath.quad(lambda u: 1 / ((1 - u**2) * s * u ** (2 * s - 1)), cuts + [m1])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("s, d", [(1, 10**6), (3, 10**4)])
def test_escape_time_matches_quadrature(engine, s, d):
    r = ode.event_time(plateau(s), [1 / sympy.sqrt(d)], 0, sympy.Rational(1, 2), 30, engine=engine)
    ref = quad_time(s, d, "0.5", 60)
    assert r.digits >= 30 and r.engine == engine
    assert agreed_digits(r.t, ref, 60) >= 30
    assert agreed_digits(r.state[0], mpmath.mpf(1) / 2, 60) >= 30


@pytest.mark.skipif(len(ENGINES) < 2, reason="heyoka not installed")
def test_engines_agree():
    a = ode.event_time(plateau(3), ["0.001"], 0, "0.5", 30, engine="heyoka")
    b = ode.event_time(plateau(3), ["0.001"], 0, "0.5", 30, engine="taylor")
    assert agreed_digits(a.t, b.t, 60) >= 30
    # "auto" takes the preferred engine, heyoka, whenever it is installed (docs/numerics.md)
    assert ode.event_time(plateau(3), ["0.001"], 0, "0.5", 30).engine == "heyoka"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("d", [10**6, 10**8])
def test_long_plateaus(engine, d):
    r = ode.event_time(plateau(3), [1 / sympy.sqrt(d)], 0, sympy.Rational(1, 2), 40, engine=engine)
    assert agreed_digits(r.t, quad_time(3, d, "0.5", 70), 70) >= 40


def test_precision_is_raised_until_two_runs_agree():
    # a computation that is only accurate to dps - 20 digits: 35 vs 52 agree to ~15 digits,
    # 52 vs 78 to ~32, so the 30 digits asked for need the third precision
    calls = []

    def run(dps):
        calls.append(dps)
        return mpmath.mpf(1) + mpmath.mpf(10) ** (20 - dps) * (1 + dps % 7)

    value, digits, dps_high = ode._confirmed(run, lambda a, b, cap: agreed_digits(a, b, cap), 30)
    assert calls == [35, 52, 78] and dps_high == 78 and digits >= 30


def test_unconfirmable_result_reports_its_digits():
    # results that never settle: the loop stops at its precision cap with the digits it has
    _, digits, _ = ode._confirmed(lambda dps: mpmath.mpf(dps), lambda a, b, cap: agreed_digits(a, b, cap), 30)
    assert digits < 30


@pytest.mark.parametrize("engine", ENGINES)
def test_dense_output_logistic(engine):
    # y' = y(1 - y), y(0) = 1/10: y(t) = 1/(1 + 9 e^-t)
    sol = ode.solve(ode.OdeSystem.from_sympy([y * (1 - y)], [y]), ["0.1"], 6, 25, engine=engine, n_dense=7)
    exact = lambda t: 1 / (1 + 9 * mpmath.exp(-t))  # noqa: E731
    assert sol.digits >= 25 and len(sol.ts) == 7
    with mpmath.workdps(40):
        for t, yt in zip(sol.ts, sol.ys):
            assert agreed_digits(yt[0], exact(t), 40) >= 25
        for t in ("0.3", "2.71828", "5.9"):
            assert agreed_digits(sol(t)[0], exact(mpmath.mpf(t)), 40) >= 25
    with pytest.raises(InputError, match="outside"):
        sol(7)


@pytest.mark.parametrize("engine", ENGINES)
def test_dense_grid_is_equispaced_on_the_whole_interval(engine):
    # the samples sit at t_j = j t_end/(n - 1), j = 0..n-1, and are y(t_j) there: checked against
    # the nominal grid, not against the returned times (a shifted grid with consistent values
    # would pass a check of ys against ts)
    t_end, n = 3, 4
    sol = ode.solve(ode.OdeSystem.from_sympy([y], [y]), [1], t_end, 20, engine=engine, n_dense=n)
    with mpmath.workdps(40):
        nominal = [mpmath.mpf(t_end) * j / (n - 1) for j in range(n)]
        assert len(sol.ts) == n and sol.ts[-1] == t_end and sol.ts[0] == 0
        for t, want, yt in zip(sol.ts, nominal, sol.ys):
            assert abs(t - want) <= mpmath.mpf(10) ** -20 * t_end
            assert agreed_digits(yt[0], mpmath.exp(want), 40) >= 20


@pytest.mark.parametrize("engine", ENGINES)
def test_negative_start_creeps_to_zero(engine):
    # planted-type flow m' = (1 - m^2) m^2 from m(0) = -1/10 never escapes: m -> 0- with
    # t = [atanh(m) - 1/m] from m(0) to m(t) (closed form of int dm / RHS)
    system = ode.OdeSystem.from_sympy([(1 - m**2) * m**2], [m])
    with pytest.raises(InputError, match="does not reach"):
        ode.event_time(system, ["-0.1"], 0, "0.5", 20, engine=engine, t_max=10**12)
    sol = ode.solve(system, ["-0.1"], 10**12, 20, engine=engine, t_eval=[10**3, 10**6, 10**12])
    with mpmath.workdps(40):
        g = lambda u: mpmath.atanh(u) - 1 / u  # noqa: E731
        for t, yt in zip(sol.ts, sol.ys):
            assert -1 < yt[0] < 0
            assert agreed_digits(g(yt[0]) - g(mpmath.mpf("-0.1")), t, 40) >= 18


def test_event_at_equilibrium():
    with pytest.raises(InputError, match="never reaches|does not reach"):
        ode.event_time(ode.OdeSystem.from_sympy([y * (1 - y)], [y]), [1], 0, 2, 20, engine="taylor")


def test_exact_initial_values():
    with mpmath.workdps(50):
        assert ode.exact_value("0.001", 50) == mpmath.mpf(1) / 1000
        assert ode.exact_value("1/sqrt(10**6)", 50) == mpmath.mpf(1) / 1000
        assert ode.exact_value(1 / sympy.sqrt(3), 50) == 1 / mpmath.sqrt(3)
        assert ode.exact_value(sympy.Rational(2, 7), 50) == mpmath.mpf(2) / 7
    with pytest.raises(InputError):
        ode.exact_value("zero point one", 30)
    with pytest.raises(InputError):
        ode.exact_value("x + 1", 30)


def test_bad_systems_and_arguments():
    with pytest.raises(InputError, match="outside the state"):
        ode.OdeSystem.from_sympy([m * y], [m])
    with pytest.raises(InputError, match="right-hand sides"):
        ode.OdeSystem.from_sympy([m, m], [m])
    system = plateau(1)
    with pytest.raises(InputError, match="initial values"):
        ode.event_time(system, [1, 2], 0, 1, 20)
    with pytest.raises(InputError, match="event index"):
        ode.event_time(system, ["0.1"], 3, "0.5", 20)
    with pytest.raises(InputError, match="unknown ODE engine"):
        ode.event_time(system, ["0.1"], 0, "0.5", 20, engine="rk4")
    with pytest.raises(InputError, match="digits"):
        ode.event_time(system, ["0.1"], 0, "0.5", 0)


def test_without_heyoka(monkeypatch):
    monkeypatch.setattr(heyoka_engine, "hy", None)
    assert ode.available_engines() == ["taylor"]
    with pytest.raises(InputError, match="heyoka"):
        ode.event_time(plateau(1), ["0.1"], 0, "0.5", 20, engine="heyoka")
    assert ode.event_time(plateau(1), ["0.1"], 0, "0.5", 20).engine == "taylor"


@pytest.mark.parametrize("engine", ENGINES)
def test_solve_from_an_equilibrium(engine):
    # y = 1 is an equilibrium of y' = y(1 - y): the dense output is the constant 1
    sol = ode.solve(ode.OdeSystem.from_sympy([y * (1 - y)], [y]), [1], 5, 20, engine=engine, n_dense=3)
    assert all(yt == [1] for yt in sol.ys) and sol("2.5") == [1] and sol.digits >= 20


def test_stalled_flow_hits_the_step_cap():
    # m' = 3(1 - m^2) m^5 from m(0) = -1/10 settles at m = -1 and never reaches 1/2
    with pytest.raises(InputError, match="did not finish within 300 steps"):
        ode.event_time(plateau(3), ["-0.1"], 0, "0.5", 20, engine="taylor", max_steps=300)


def test_state_must_be_distinct_symbols():
    # a state entry that is an expression, not a symbol, is refused even when the entries differ
    with pytest.raises(InputError, match="distinct sympy symbols"):
        ode.OdeSystem.from_sympy([m, y], [m, y + 1])
    with pytest.raises(InputError, match="distinct sympy symbols"):
        ode.OdeSystem.from_sympy([m, m], [m, m])


def test_too_few_initial_values():
    # two state variables need two initial values (one is refused, not padded)
    system = ode.OdeSystem.from_sympy([y, -m], [m, y])
    with pytest.raises(InputError, match="initial values"):
        ode.event_time(system, ["0.1"], 0, "0.5", 20)


def test_dense_output_before_the_start_is_refused():
    # y' = y(1 - y) on [0, 2]: the dense output is defined on [0, 2] only (t = -1/2 is outside)
    sol = ode.solve(ode.OdeSystem.from_sympy([y * (1 - y)], [y]), ["0.1"], 2, 15, n_dense=3)
    with pytest.raises(InputError, match="outside"):
        sol("-0.5")


def test_sample_agreement_is_relative_to_the_largest_component_and_never_negative():
    """Digits of two runs' samples: relative to the largest component at that time, floored at 0
    when the runs disagree by more than that size (the digits count, defined as >= 0)."""
    def traj(*rows):
        return ode.Trajectory(ts=[0] * len(rows), ys=[[mpmath.mpf(v) for v in r] for r in rows],
                              digits=0.0, engine="test")
    tiny = mpmath.mpf(10) ** -10
    assert ode._sample_agreement(traj([1, 2]), traj([1, 2 + tiny]), 30) == pytest.approx(10.301, abs=1e-3)
    assert ode._sample_agreement(traj([1, 2]), traj([1, 2]), 30) == 30
    assert ode._sample_agreement(traj([1]), traj([-1]), 30) == 0


def test_event_on_the_second_component():
    """x' = −x, y' = x from (1, 0): y = 1 − e^{−t} reaches 1/2 at t = ln 2 (mutation triage,
    seed 11: an index check 0 == index refused every component but the first)."""
    system = ode.OdeSystem.from_sympy([-m, m], [m, y])
    r = ode.event_time(system, [1, 0], 1, sympy.Rational(1, 2), 20)
    with mpmath.workdps(30):
        assert agreed_digits(r.t, mpmath.log(2), 30) >= 20


def test_a_float_is_read_as_its_exact_binary_value():
    # 0.1 as a float is 3602879701896397 / 2^55, not 1/10 (documented: floats are read exactly)
    with mpmath.workdps(40):
        assert ode.exact_value(0.1, 40) == mpmath.mpf(3602879701896397) / 2**55
        assert ode.exact_value(0.1, 40) != ode.exact_value("0.1", 40)


def test_solve_refuses_a_single_sample_and_a_non_positive_end():
    system = ode.OdeSystem.from_sympy([-y], [y])
    with pytest.raises(InputError, match="n_dense must be at least 2"):
        ode.solve(system, [1], 1, 15, n_dense=1)
    for t_end in (0, "-1/2"):
        with pytest.raises(InputError, match="t_end must be positive"):
            ode.solve(system, [1], t_end, 15)
    # two samples are enough: y' = -y from 1 gives e^-1 at t = 1
    sol = ode.solve(system, [1], 1, 15, n_dense=2)
    with mpmath.workdps(30):
        assert sol.ts == [0, 1] and agreed_digits(sol.ys[1][0], mpmath.exp(-1), 30) >= 15


def test_event_not_reached_before_t_max():
    # y' = -y from 1 reaches 1/2 at ln 2 > 1/2: with t_max = 1/2 the event is not reached
    system = ode.OdeSystem.from_sympy([-y], [y])
    for engine in ENGINES:
        with pytest.raises(InputError, match="does not reach 1/2 before t = 0.5"):
            ode.event_time(system, [1], 0, sympy.Rational(1, 2), 15, engine=engine, t_max="1/2")
        r = ode.event_time(system, [1], 0, sympy.Rational(1, 2), 15, engine=engine, t_max=1)
        with mpmath.workdps(30):
            assert r.engine == engine and agreed_digits(r.t, mpmath.log(2), 30) >= 15
