"""numerics.rank_deficiency: the closed forms of the linear model at t = 0 and t → 1, the Duhamel
sides on a graph model, the bound's excess, and the quadrature degree."""

import mpmath

from gfverify.numerics import rank_deficiency as rd
from gfverify.numerics.flows import SquareCost, deviation_from_line, norm, square_flow, start
from gfverify.numerics.networks import random_graph, random_linear
from gfverify.numerics.precision import tolerance

DPS = 20
LINEAR = random_linear(4, 2, 0)
GRAPH = random_graph(2, 2, 0)


def test_linear_cost_ends():
    with mpmath.workdps(DPS):
        x0, y = start(LINEAR)
        c0 = SquareCost(y, LINEAR.model.n_points).value(x0)
        assert abs(rd.linear_cost(LINEAR, 0) - c0) < tolerance(DPS)
        assert abs(rd.linear_cost(LINEAR, 1) - rd.stall_value(LINEAR)) < tolerance(DPS)
        assert rd.stall_value(LINEAR) > mpmath.mpf("0.01")
        par, perp = rd.linear_parts(LINEAR)
        assert abs(mpmath.fdot(par, perp)) < tolerance(DPS)


def test_linear_flow_matches_the_closed_forms():
    with mpmath.workdps(DPS):
        costs = rd.costs_on_schedule(LINEAR, ("0.5",), DPS)
        assert abs(costs[0] - rd.linear_cost(LINEAR, mpmath.mpf("0.5"))) < tolerance(DPS)


def test_duhamel_sides_agree_and_the_bound_holds():
    with mpmath.workdps(DPS):
        delta, formula = rd.duhamel_sides(GRAPH, "0.5", DPS)
        assert norm(delta) > mpmath.mpf("1e-3")
        assert norm([a - b for a, b in zip(delta, formula)]) < tolerance(DPS)
        jac = lambda x: GRAPH.model.outputs_and_jacobian(list(x[:2]))[1]  # noqa: E731
        excess, ratio = rd.duhamel_bound_excess(GRAPH, "0.5", DPS, jac)
        assert excess <= 0 and 0 < ratio <= 1


def test_quadrature_degree_follows_the_precision():
    assert [rd.quadrature_degree(p) for p in (20, 40, 41, 80, 81, 200)] == [4, 4, 5, 5, 6, 7]
    nodes, weights = rd.legendre_nodes(mpmath.mpf(2), 2, 4)
    assert len(nodes) == 48 and abs(mpmath.fsum(weights) - 2) < tolerance(15)


def test_linear_deviation_is_the_flows_deviation_from_the_line():
    """Linear model: the integrated adapted flow at t = 0.3 deviates from the line by t P⊥(x0 − y)."""
    with mpmath.workdps(DPS):
        t = mpmath.mpf("0.3")
        x0, y = start(LINEAR)
        x = square_flow(LINEAR, "1", ("0.3",), "t", DPS).outputs[-1]
        want = rd.linear_deviation(LINEAR, t)
        assert norm(want) > mpmath.mpf("0.01")
        assert norm([a - b for a, b in zip(deviation_from_line(x, t, x0, y), want)]) < tolerance(DPS - 2)


def test_legendre_nodes_are_increasing_and_exact_for_polynomials():
    """Degree 3: two panels of 3·2² = 12 nodes on [0, 2], increasing, exact up to degree 23 (x⁵:
    ∫ = 32/3; x²³: ∫ = 2²⁴/24)."""
    with mpmath.workdps(30):
        nodes, weights = rd.legendre_nodes(mpmath.mpf(2), 2, 3)
        assert len(nodes) == 24 and nodes == sorted(nodes) and 0 < nodes[0] and nodes[-1] < 2
        assert abs(mpmath.fdot(weights, [x**5 for x in nodes]) - mpmath.mpf(32) / 3) < mpmath.mpf(10) ** -25
        top = mpmath.fdot(weights, [x**23 for x in nodes])
        assert abs(top - mpmath.mpf(2) ** 24 / 24) < mpmath.mpf(10) ** -20
