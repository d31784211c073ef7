"""Jacobians of the [B] models against an independent route: mpmath.diff (numerical
differentiation at raised precision) of the outputs, one parameter at a time."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from gfverify.errors import InputError
from gfverify.numerics.networks import MLP, as_matrix, parse_widths, random_graph, random_linear, random_mlp
from gfverify.numerics.precision import tolerance
from gfverify.numerics.strategies import small_networks

DPS = 30


def _jacobian_by_diff(model, theta):
    rows = []
    for i in range(model.n_outputs):
        row = []
        for k in range(model.n_params):
            f = lambda e, k=k, i=i: model.outputs(theta[:k] + [theta[k] + e] + theta[k + 1:])[i]  # noqa: E731
            row.append(mpmath.diff(f, 0))
        rows.append(row)
    return rows


def _assert_jacobian(problem):
    with mpmath.workdps(DPS):
        theta = problem.theta0_mp()
        x, D = problem.model.outputs_and_jacobian(theta)
        assert x == problem.model.outputs(theta)
        ref = _jacobian_by_diff(problem.model, theta)
        worst = max(abs(a - b) for ra, rb in zip(D, ref) for a, b in zip(ra, rb))
        assert worst < tolerance(DPS), worst


@pytest.mark.parametrize("problem", [
    random_mlp((2, 3, 2), 2, 0),
    random_mlp((1, 3, 2, 2), 2, 1),
    random_mlp((2, 3, 1), 3, 2, activation="softplus"),
    random_linear(3, 2, 0),
    random_graph(2, 3, 0),
], ids=lambda p: p.name)
def test_jacobian_matches_numerical_differentiation(problem):
    _assert_jacobian(problem)


@settings(max_examples=8, deadline=None)
@given(small_networks(max_points=2))
def test_jacobian_random_architectures(problem):
    _assert_jacobian(problem)


@settings(max_examples=10, deadline=None)
@given(small_networks(overparametrized=True))
def test_overparametrized_strategy(problem):
    assert problem.model.n_params >= problem.model.n_outputs


def test_parameter_count_and_layout():
    model = random_mlp((2, 8, 2), 3, 0).model
    assert model.n_params == 2 * 8 + 8 + 8 * 2 + 2
    assert model.n_outputs == 6 and model.n_points == 3


def test_same_instance_at_every_precision():
    problem = random_mlp((2, 4, 2), 3, 5)
    with mpmath.workdps(30):
        low = problem.model.outputs(problem.theta0_mp())
    with mpmath.workdps(60):
        high = problem.model.outputs(problem.theta0_mp())
    with mpmath.workdps(60):
        assert max(abs(a - b) for a, b in zip(low, high)) < mpmath.mpf(10) ** -28


def test_linear_layer_only_network_is_affine():
    model = MLP((2, 1), ((1.0, 2.0), (-0.5, 0.25)))
    with mpmath.workdps(30):
        theta = [mpmath.mpf(3), mpmath.mpf(-1), mpmath.mpf("0.5")]
        assert model.outputs(theta) == [3 * 1 - 2 + mpmath.mpf("0.5"), 3 * -0.5 - 0.25 + mpmath.mpf("0.5")]


@pytest.mark.parametrize("text", ["2,x,2", "2", "", "2,0,2", "2,-1,1"])
def test_parse_widths_rejects(text):
    with pytest.raises(InputError):
        parse_widths(text)


def test_underparametrized_is_rejected():
    with pytest.raises(InputError, match="K = 6 parameters < QN = 8"):
        random_mlp((1, 1, 2), 4, 0)


def test_jacobian_is_outputs_by_parameters():
    """D = ∂x/∂θ has one row per output (N points × m outputs) and n_params columns, every row
    (mutation triage, fresh11: a slice assignment that inserted the last layer's activations
    gave rows longer than n_params, padded with zeros that every consumer dropped)."""
    for problem in (random_mlp((2, 3, 2), 3, 0), random_mlp((1, 4, 1), 2, 1)):
        model = problem.model
        out, rows = model.outputs_and_jacobian(problem.theta0_mp())
        assert len(out) == len(rows) == model.n_outputs
        assert all(len(row) == model.n_params for row in rows)


@pytest.mark.parametrize("widths, inputs, activation, reason", [
    ((2,), ((1.0, 2.0),), "tanh", "at least two"),
    ((2, 0, 1), ((1.0, 2.0),), "tanh", "at least two"),
    ((2, 3, 1), ((1.0, 2.0),), "relu", "activation must be one of"),
    ((2, 3, 1), ((1.0, 2.0), (1.0,)), "tanh", "dimension 2"),
])
def test_a_malformed_mlp_is_refused(widths, inputs, activation, reason):
    with pytest.raises(InputError, match=reason):
        MLP(widths, inputs, activation)


def test_theta_of_the_wrong_length_and_no_points_are_refused():
    """(2, 3, 1) has 2·3 + 3 + 3·1 + 1 = 13 parameters."""
    model = MLP((2, 3, 1), ((1.0, 2.0),))
    assert model.n_params == 13
    with pytest.raises(InputError, match="length 12, the network has 13"):
        model.outputs([0] * 12)
    with pytest.raises(InputError, match="points must be positive"):
        random_mlp((2, 3, 1), 0, 0)


def test_parse_widths_reads_a_list():
    assert parse_widths("2,8,2") == (2, 8, 2) and parse_widths(" 3 ,1") == (3, 1)


def test_as_matrix_keeps_the_rows():
    A = as_matrix([[1, 2, 3], [4, 5, 6]])
    assert (A.rows, A.cols) == (2, 3) and A[1, 0] == 4 and A[0, 2] == 3


def test_random_mlp_draws_weights_of_variance_one_over_fan_in():
    """θ0 of a 40-30-1 net (documented: weights N(0, 1/fan_in), biases N(0, 1/4)): the 1200
    first-layer weights times √40 and the 30 second-layer weights times √30 are standard normal;
    their sample mean and variance lie within 6 standard errors of 0 and 1 (√(1/n) and √(2/n);
    false-alarm rate below 10⁻⁸ per statistic; a shift or a scale of the draw by √fan_in fails)."""
    p = random_mlp((40, 30, 1), 2, 3, require_overparametrized=False)
    theta = np.array(p.theta0)
    first = theta[:1200] * np.sqrt(40)
    biases = theta[1200:1230] * 2
    second = theta[1230:1260] * np.sqrt(30)
    for sample in (first, np.concatenate([biases, second])):
        n = len(sample)
        assert abs(sample.mean()) < 6 / np.sqrt(n)
        assert abs(sample.var() - 1) < 6 * np.sqrt(2 / n)
    assert len(theta) == 1200 + 30 + 30 + 1
