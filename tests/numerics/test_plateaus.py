"""The ROS2 integrator against the logistic stage of h1 in closed form, its order, and the
plateau detector on a profile with known transitions."""

import functools
import math

import numpy as np
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import plateaus as pl

z1 = sympy.Symbol("z1", real=True)


def _logistic_error(rtol: float) -> float:
    """f* = h1: ġ = 2g(1 − g) for g = m², so g = g0 e^{2t}/(1 − g0 + g0 e^{2t}); L = ½(1 − g)."""
    flow = pl.ReducedFlow.of(z1, [z1])
    m0 = 1e-2
    run = pl.integrate(flow, np.array([[[m0]]]), 12.0, rtol)[0]
    g0 = m0 * m0
    exact = [0.5 * (1 - g0 * math.exp(2 * t) / (1 - g0 + g0 * math.exp(2 * t))) for t in run.ts]
    return float(np.max(np.abs(run.losses - np.array(exact))))


def test_ros2_follows_the_logistic_stage_and_converges():
    coarse, fine = _logistic_error(1e-6), _logistic_error(1e-8)
    assert fine < 1e-6
    assert fine < coarse / 10   # order 2: the error falls like rtol (100x) up to step-control noise


def _profile(ts: np.ndarray) -> pl.Run:
    # two logistic drops, 1 -> 1/2 around t = 5 and 1/2 -> 0 around t = 50
    s1, s2 = 1 / (1 + np.exp(-2 * (ts - 5))), 1 / (1 + np.exp(-2 * (ts - 50)))
    loss = 1 - 0.5 * s1 - 0.5 * s2
    rate = -0.5 * 2 * s1 * (1 - s1) - 0.5 * 2 * s2 * (1 - s2)
    return pl.Run(ts, loss, rate, np.zeros((1, 1)))


def test_detector_finds_the_transitions_and_the_plateau_levels():
    profile = pl.detect(_profile(np.linspace(0, 80, 80001)))
    assert [round(t, 2) for t in profile.transitions] == [5.0, 50.0]
    assert [round(p.loss, 4) for p in profile.plateaus] == [1.0, 0.5, 0.0]   # e^{-10} from the ends
    assert [round(x, 2) for x in profile.stage_lengths()] == [5.0, 45.0]


def test_detector_refuses_a_run_that_starts_inside_a_transition():
    with pytest.raises(InputError):
        pl.detect(_profile(np.linspace(4, 80, 1001)))


@functools.lru_cache(maxsize=1)
def _two_index_problem():
    """f* = z1 z2 + h2(z1) + h3(z2)/2 (Φ(G) not diagonal) and its reduced ODE, loss and loss rate
    from theory.reduced_ode, lambdified: L(M) = ½(ψ(I) − ψ(MMᵀ)) and L̇ = Σ ∂L/∂M_ij · Ṁ_ij by sympy."""
    from gfverify.theory import reduced_ode as ro
    from gfverify.theory.hermite import h
    from gfverify.theory.links import link_variables

    zs = link_variables(2)
    f = zs[0] * zs[1] + h(2, zs[0]) + h(3, zs[1]) / 2
    rhs, M = ro.reduced_rhs(f, zs)
    G = ro.symmetric_matrix(2)
    psi = ro.psi_of(f, zs, G)
    MMt = M * M.T
    loss = (psi.subs({G[0, 0]: 1, G[1, 1]: 1, G[0, 1]: 0})
            - psi.subs({G[i, j]: MMt[i, j] for i in range(2) for j in range(i, 2)}, simultaneous=True)) / 2
    rate = sum(sympy.diff(loss, M[i, j]) * rhs[i, j] for i in range(2) for j in range(2))
    entries = list(M)
    return (pl.ReducedFlow.of(f, zs), sympy.lambdify(entries, list(rhs)), sympy.lambdify(entries, loss),
            sympy.lambdify(entries, rate))


def test_ros2_q2_matches_a_dop853_solution_and_records_the_loss_and_its_rate():
    """q = 2, non-symmetric start: the ROS2 state at t = 2 against scipy's DOP853 at rtol 1e-13 on
    the sympy right-hand side (global error ≈ 2e-9 at rtol 1e-9, and larger at rtol 1e-7), and
    the recorded L and L̇ against the sympy loss and its chain-rule derivative at recorded states."""
    from scipy.integrate import solve_ivp

    flow, rhs, loss, rate = _two_index_problem()
    M0 = np.array([[0.3, 0.1], [-0.2, 0.25]])
    exact = solve_ivp(lambda t, y: rhs(*y), (0, 2.0), M0.ravel(), method="DOP853", rtol=1e-13,
                      atol=1e-14).y[:, -1]
    fine = pl.integrate(flow, M0[None], 2.0, 1e-9)[0]
    coarse = pl.integrate(flow, M0[None], 2.0, 1e-7)[0]
    assert fine.ts[0] == 0.0 and fine.ts[-1] == 2.0 and np.all(np.diff(fine.ts) > 0)
    err_fine = np.abs(fine.final.ravel() - exact).max()
    assert err_fine < 2e-8
    assert np.abs(coarse.final.ravel() - exact).max() > 5 * err_fine
    assert fine.losses[0] == pytest.approx(loss(*M0.ravel()), rel=1e-14)
    assert fine.rates[0] == pytest.approx(rate(*M0.ravel()), rel=1e-12)
    assert fine.losses[-1] == pytest.approx(loss(*fine.final.ravel()), rel=1e-14)
    assert fine.rates[-1] == pytest.approx(rate(*fine.final.ravel()), rel=1e-12)


def test_reduced_flow_tabulates_psi_at_the_identity():
    """ψ(I) = ‖f*‖² (Parseval): for f* = z1 z2 + h2(z1) + h3(z2)/2 it is 1 + 1 + 1/4."""
    flow = _two_index_problem()[0]
    assert flow.q == 2 and flow.psi_identity == 2.25
    assert flow.exponents.shape == (len(flow.coefficients), 3) and flow.slots.max() == 4


def test_a_run_stops_at_the_loss_floor():
    """f* = h1 from m0 = 0.3: the run stops at the first accepted step with L < floor, before t_max."""
    flow = pl.ReducedFlow.of(z1, [z1])
    run = pl.integrate(flow, np.array([[[0.3]]]), 100.0, 1e-8, loss_floor=1e-4)[0]
    assert run.losses[-1] < 1e-4 <= run.losses[-2] and run.ts[-1] < 100
    assert run.losses[-1] == pytest.approx(0.5 * (1 - run.final[0, 0] ** 2), rel=1e-12)


def test_too_many_steps_is_refused():
    flow = pl.ReducedFlow.of(z1, [z1])
    with pytest.raises(InputError, match="more than 5 steps"):
        pl.integrate(flow, np.array([[[0.01]]]), 12.0, 1e-8, max_steps=5)


def test_gaussian_elimination_pivots():
    """The compiled solver against numpy on a matrix whose first pivot is 0 and on a random one."""
    for A in (np.array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]]),
              np.random.default_rng(3).standard_normal((5, 5))):
        b = np.arange(1.0, len(A) + 1)
        x = b.copy()
        pl._solve(A.copy(), x, len(A))
        np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-12)


def test_detector_refuses_a_run_that_ends_inside_a_transition():
    with pytest.raises(InputError, match="ends inside a transition"):
        pl.detect(_profile(np.linspace(0, 50, 1001)))


def test_detector_plateau_spans_and_threshold():
    """Plateau spans run from one recorded time to the last before the next transition; a threshold
    above the peak rate ½ finds no transition (one plateau over the whole run)."""
    ts = np.linspace(0, 80, 8001)
    profile = pl.detect(_profile(ts))
    first, middle, last = profile.plateaus
    assert first.start == 0.0 and last.end == 80.0
    assert first.end < 5 < middle.start < middle.end < 50 < last.start
    assert abs(middle.rate) == pytest.approx(0.0, abs=1e-6) and 5 < middle.t_min < 50
    assert pl.detect(_profile(ts), theta=0.6).transitions == ()
    assert len(pl.detect(_profile(ts), theta=0.6).plateaus) == 1


@pytest.mark.parametrize("scale, t_max", [(1, 200.0), (10, 50.0)])
def test_l_stable_steps_land_on_the_stable_fixed_point(scale, t_max):
    """f* = k·h1: ṁ = k²(1 − m²)m, so m → 1 and L = k²(1 − m²)/2 ~ e^{−4k²t}. ROS2 with γ = 1 + 1/√2
    (stability function R(∞) = 0) and a true Jacobian damps the stiff relaxation: at t = 200 (50)
    the loss is below 1e-12 although rtol is 1e-6. A method with R(∞) ≠ 0 (another γ) or without
    the Jacobian (explicit) stalls at a loss of 1e-10 to 1e-5 there (measured)."""
    flow = pl.ReducedFlow.of(scale * z1, [z1])
    run = pl.integrate(flow, np.array([[[0.01]]]), t_max, 1e-6, loss_floor=-1.0)[0]
    assert run.losses[-1] < 1e-12 and abs(run.final[0, 0] - 1) < 1e-12


def test_a_run_may_use_every_step_slot():
    """f* = h1 from 0.5 to t = 0.2 at rtol 1e-3 takes 6 accepted steps and no rejection: it fits in
    max_steps = 7 loop passes (6 steps and the final check), records all 7 points with their rates,
    and is refused with 6."""
    flow = pl.ReducedFlow.of(z1, [z1])
    run = pl.integrate(flow, np.array([[[0.5]]]), 0.2, 1e-3, max_steps=7)[0]
    assert len(run.ts) == len(run.losses) == len(run.rates) == 7 and run.ts[-1] == 0.2
    assert np.all(run.rates < 0)
    with pytest.raises(InputError, match="more than 6 steps"):
        pl.integrate(flow, np.array([[[0.5]]]), 0.2, 1e-3, max_steps=6)


def test_a_run_that_uses_every_step_stays_inside_its_arrays(bounds_checked):
    """Five accepted steps at max_steps = 5 fill the time, loss and rate arrays to their last
    entry (index 5), every index checked; the run is then refused for needing more steps."""
    out = bounds_checked("""
        import numpy as np
        import sympy
        from gfverify.errors import InputError
        from gfverify.numerics import plateaus as pl
        z1 = sympy.Symbol("z1", real=True)
        try:
            pl.integrate(pl.ReducedFlow.of(z1, [z1]), np.array([[[1e-2]]]), 12.0, 1e-2, max_steps=5)
        except InputError as exc:
            print(exc)
    """)
    assert out.strip() == "a run needed more than 5 steps"
