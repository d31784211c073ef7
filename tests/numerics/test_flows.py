"""Flows of docs/theory.md [B]: the full-rank adapted flow is a straight line in output space, the
standard flow is not, and the rank monitor stops a flow whose Jacobian loses rank."""

from dataclasses import dataclass

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gfverify.errors import InputError
from gfverify.numerics.flows import (
    CrossEntropyCost,
    SquareCost,
    adapted_on_schedule,
    deviation_from_line,
    distance_from_segment,
    field_engine,
    flow,
    from_u,
    geometric_times,
    homotopy_field,
    largest_step_distance,
    norm,
    output_plane,
    rank_threshold,
    segment_distances,
    segment_point,
    square_flow,
    to_u,
)
from gfverify.numerics.networks import random_linear, random_mlp
from gfverify.numerics.precision import tolerance

DPS = 25
SMALL = random_mlp((1, 4, 1), 2, 2)


def _run(problem, alpha, times, variable="t"):
    cost = SquareCost(problem.y_mp(), problem.model.n_points)
    return flow(problem.model, problem.theta0_mp(), cost, alpha, [mpmath.mpf(t) for t in times], variable)


def test_adapted_flow_is_linear_interpolation():
    with mpmath.workdps(DPS):
        times = ["0.3", "0.9"]
        tr = _run(SMALL, 1, times)
        x0, y = SMALL.model.outputs(SMALL.theta0_mp()), SMALL.y_mp()
        for t, x in zip(times, tr.outputs):
            assert norm([a - b for a, b in zip(x, segment_point(mpmath.mpf(t), x0, y))]) < tolerance(DPS)
        assert tr.rank == 2


def test_standard_flow_leaves_the_segment():
    with mpmath.workdps(20):
        tr = _run(SMALL, 0, ["0.5"])
        x0, y = SMALL.model.outputs(SMALL.theta0_mp()), SMALL.y_mp()
        assert max(distance_from_segment(x, x0, y) for x in tr.step_outputs) > mpmath.mpf("1e-3")


def test_time_variables_agree():
    with mpmath.workdps(20):
        N = SMALL.model.n_points
        t = mpmath.mpf("0.6")
        a = _run(SMALL, 1, [t], "t").outputs[-1]
        b = _run(SMALL, 1, [-N * mpmath.log1p(-t)], "s").outputs[-1]
        assert max(abs(p - q) for p, q in zip(a, b)) < tolerance(20)
        assert abs(from_u("t", to_u("t", t, N), N) - t) < tolerance(20)


@dataclass(frozen=True)
class Cube:
    """x = θ³ (K = QN = 1): D = 3θ² vanishes at θ = 0, which the adapted flow from x0 = 1 to
    y = −1 must cross (x(t) = 1 − 2t reaches 0 at t = 1/2)."""

    n_params: int = 1
    n_outputs: int = 1
    n_points: int = 1

    def outputs(self, theta):
        return [theta[0] ** 3]

    def outputs_and_jacobian(self, theta):
        return [theta[0] ** 3], [[3 * theta[0] ** 2]]


def test_rank_monitor_stops_the_flow():
    with mpmath.workdps(20):
        with pytest.raises(InputError, match="loses rank along the flow near t = 0.5"):
            flow(Cube(), [mpmath.mpf(1)], SquareCost([-1], 1), 1, [mpmath.mpf("0.9")])


def test_rank_deficient_start_is_rejected():
    with mpmath.workdps(20):
        with pytest.raises(InputError, match="at the start"):
            flow(Cube(), [mpmath.mpf(0)], SquareCost([-1], 1), 1, [mpmath.mpf("0.5")])


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_alpha_outside_unit_interval(alpha):
    with mpmath.workdps(20):
        with pytest.raises(InputError, match="alpha"):
            _run(SMALL, alpha, ["0.5"])


def test_underparametrized_linear_model_keeps_its_perpendicular_part():
    problem = random_linear(4, 2, 0)
    with mpmath.workdps(DPS):
        tr = _run(problem, 1, ["0.999"])
        # the outputs stay in x0 + range(A), so the distance to y cannot drop to 0
        assert tr.costs[-1] > mpmath.mpf("1e-3")


def test_cross_entropy_gradient_is_the_derivative_of_the_cost():
    with mpmath.workdps(30):
        rows = [[mpmath.mpf("0.3"), mpmath.mpf("0.7")], [mpmath.mpf("0.6"), mpmath.mpf("0.4")]]
        cost = CrossEntropyCost(rows)
        x = [mpmath.mpf(v) for v in ("0.2", "-1.1", "0.5", "2.0")]
        g = cost.grad(x)
        for i in range(4):
            d = mpmath.diff(lambda e: cost.value(x[:i] + [x[i] + e] + x[i + 1:]), 0)
            assert abs(d - g[i]) < tolerance(30)


def test_homotopy_field_interpolates_linearly_in_alpha():
    with mpmath.workdps(30):
        cost = SquareCost(SMALL.y_mp(), SMALL.model.n_points)
        th = SMALL.theta0_mp()
        v0, v1, vh = (homotopy_field(SMALL.model, cost, a, th) for a in (0, 1, mpmath.mpf(1) / 2))
        assert max(abs(c - (a + b) / 2) for a, b, c in zip(v0, v1, vh)) < tolerance(30)


def test_geometric_times():
    with mpmath.workdps(30):
        ts = geometric_times("0.999", 3)
        assert abs(ts[-1] - mpmath.mpf("0.999")) < tolerance(30)
        assert abs(ts[0] - mpmath.mpf("0.9")) < tolerance(30)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=6, max_size=6), st.floats(0, 1))
def test_distance_from_segment(values, tau):
    with mpmath.workdps(30):
        a, b = [mpmath.mpf(v) for v in values[:3]], [mpmath.mpf(v) for v in values[3:]]
        on = segment_point(mpmath.mpf(tau), a, b)
        assert distance_from_segment(on, a, b) < tolerance(30, max(1, norm(a), norm(b)))
        assert abs(distance_from_segment(b, a, b)) < tolerance(30, max(1, norm(b)))


@pytest.mark.parametrize("alpha", [0, mpmath.mpf(1) / 3, 1])
def test_arb_engine_agrees_with_mpmath(alpha):
    from gfverify.numerics.flint_field import homotopy_field_arb
    problem = random_mlp((2, 3, 2), 2, 4, activation="softplus")
    with mpmath.workdps(40):
        cost = SquareCost(problem.y_mp(), problem.model.n_points)
        th = problem.theta0_mp()
        a = homotopy_field(problem.model, cost, alpha, th, 2)
        b = homotopy_field_arb(problem.model, cost, alpha, th, 2)
        assert max(abs(p - q) for p, q in zip(a, b)) < tolerance(40)


def test_engines_give_the_same_trajectory():
    with mpmath.workdps(20):
        cost = SquareCost(SMALL.y_mp(), SMALL.model.n_points)
        a, b = (flow(SMALL.model, SMALL.theta0_mp(), cost, mpmath.mpf(1) / 2, [mpmath.mpf("0.5")], "t", e)
                for e in ("mpmath", "arb"))
        assert max(abs(p - q) for p, q in zip(a.outputs[-1], b.outputs[-1])) < tolerance(20)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=6, max_size=6), st.floats(0.01, 3))
def test_distance_beyond_the_ends_is_to_the_nearest_end(values, s):
    # the projection onto the line clamps to [x0, y]: beyond y the nearest point is y itself
    with mpmath.workdps(30):
        a, b = [mpmath.mpf(v) for v in values[:3]], [mpmath.mpf(v) for v in values[3:]]
        d = [q - p for p, q in zip(a, b)]
        length = norm(d)
        if length < mpmath.mpf("1e-3"):
            return
        beyond = [q + s * v for q, v in zip(b, d)]
        before = [p - s * v for p, v in zip(a, d)]
        tol = tolerance(30, max(1, norm(a), norm(b)) * 10)
        assert abs(distance_from_segment(beyond, a, b) - s * length) < tol
        assert abs(distance_from_segment(before, a, b) - s * length) < tol


def test_distance_from_segment_example():
    with mpmath.workdps(30):
        x0, y = [mpmath.mpf(0), mpmath.mpf(0)], [mpmath.mpf(1), mpmath.mpf(0)]
        assert distance_from_segment([mpmath.mpf(3), mpmath.mpf(0)], x0, y) == 2
        assert distance_from_segment([mpmath.mpf(-1), mpmath.mpf(1)], x0, y) == mpmath.sqrt(2)
        assert distance_from_segment([mpmath.mpf("0.5"), mpmath.mpf(1)], x0, y) == 1


def test_deviation_from_line_and_segment_distances():
    with mpmath.workdps(DPS):
        x0, y = SMALL.model.outputs(SMALL.theta0_mp()), SMALL.y_mp()
        t = mpmath.mpf("0.3")
        assert norm(deviation_from_line(segment_point(t, x0, y), t, x0, y)) < tolerance(DPS)
        adapted = segment_distances(SMALL, "1", ("0.3", "0.6"), DPS)
        standard = segment_distances(SMALL, "0", ("0.3", "0.6"), DPS)
        assert max(adapted) < tolerance(DPS) and min(standard) > mpmath.mpf("1e-3")
        # relative to |x0 − y|: the standard flow's output at t = 0.3, measured from the segment
        far = square_flow(SMALL, "0", ("0.3",), "t", DPS).outputs[0]
        absolute = distance_from_segment(far, x0, y)
        assert abs(standard[0] * norm([a - b for a, b in zip(x0, y)]) - absolute) < tolerance(DPS, absolute)
        assert largest_step_distance(SMALL, "1", "0.6", DPS) < tolerance(DPS)
        ts, tr = adapted_on_schedule(SMALL, ("0.5",), DPS)
        assert norm([a - b for a, b in zip(tr.outputs[0], segment_point(ts[0], x0, y))]) < tolerance(DPS)


def test_output_plane_of_the_adapted_flow_lies_on_the_axis():
    plane = output_plane(SMALL, ("0", "1"), "0.9", 20)
    assert max(abs(p[1]) for p in plane["points"]["1"]) < 1e-12
    assert max(abs(p[1]) for p in plane["points"]["0"]) > 1e-3
    assert plane["c0"] > 0 and plane["length"] > 0


@pytest.mark.parametrize("t", ["0", "1"])
def test_times_in_t_must_lie_strictly_inside_the_unit_interval(t):
    # t = 1 - e^-u: t = 0 is the start (u = 0) and t = 1 is u = infinity, neither is a flow time
    with mpmath.workdps(20):
        with pytest.raises(InputError, match=r"\(0, 1\)"):
            _run(SMALL, 1, [t])


def test_rank_threshold_is_a_third_of_the_digits():
    # sigma_min/sigma_max below 10^(-dps/3): D+ would lose more than dps/3 digits
    with mpmath.workdps(30):
        for dps in (15, 30, 60):
            want = mpmath.mpf(10) ** (-mpmath.mpf(dps) / 3)
            assert abs(rank_threshold(dps) / want - 1) < mpmath.mpf(10) ** -25


def test_output_plane_of_the_adapted_flow_runs_along_the_segment_at_speed_t():
    # the adapted flow is x(t) = x0 + t (y - x0): its coordinate along e1 = (y - x0)/|y - x0| is
    # t |y - x0| at every step time
    plane = output_plane(SMALL, ("1",), "0.9", 20)
    for (along, _), (t, _) in zip(plane["points"]["1"], plane["costs"]["1"]):
        assert abs(along - t * plane["length"]) < 1e-12 * plane["length"]


def test_engine_and_time_variable_names_are_checked():
    """An unknown engine or time variable is refused; the arb engine needs an MLP (a linear model
    is not one) and python-flint (GFVERIFY_ENGINES=pure switches it off), while "auto" falls back
    to mpmath in both cases."""
    with pytest.raises(ValueError, match="engine must be one of"):
        field_engine(SMALL.model, "gpu")
    cost = SquareCost(SMALL.y_mp(), SMALL.model.n_points)
    with pytest.raises(ValueError, match="time variable"):
        flow(SMALL.model, SMALL.theta0_mp(), cost, mpmath.mpf(1) / 2, [mpmath.mpf("0.5")], "x")
    assert field_engine(SMALL.model, "mpmath") is homotopy_field
    assert field_engine(SMALL.model, "auto") is not homotopy_field  # python-flint is installed
    linear = random_linear(2, 3, 1).model
    with pytest.raises(ValueError, match="needs python-flint and an MLP"):
        field_engine(linear, "arb")
    assert field_engine(linear, "auto") is homotopy_field


def test_the_arb_engine_is_refused_without_python_flint(monkeypatch):
    monkeypatch.setenv("GFVERIFY_ENGINES", "pure")
    with pytest.raises(ValueError, match="needs python-flint and an MLP"):
        field_engine(SMALL.model, "arb")
    assert field_engine(SMALL.model, "auto") is homotopy_field
