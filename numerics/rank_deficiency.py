"""The adapted flow of a model of constant, deficient rank (docs/theory.md B5): the deviation
``Δ(t) = x − y − (1 − t)(x0 − y)`` from linear interpolation, its Duhamel integral
``(1 − t)∫_0^t P⊥(x − y)(t')/(1 − t')² dt'`` and bound ``t sup|P⊥(x − y)|``, and for a linear
model ``x = Aθ + c`` the closed forms ``Δ = t P⊥(x0 − y)`` and
``C(t) = ((1 − t)²|P(x0 − y)|² + |P⊥(x0 − y)|²)/(2N)`` with the stall value
``|P⊥(x0 − y)|²/(2N)``. ``P⊥`` is taken from mpmath's SVD of ``D`` (not from the Gram route
the flow itself uses)."""

from __future__ import annotations

import math
from typing import Sequence

import mpmath

from gfverify.numerics.flows import deviation_from_line, norm, square_flow, start
from gfverify.numerics.pseudoinverse import complement
from gfverify.numerics.quadrature import piecewise_legendre


def legendre_nodes(u_end, panels: int, degree: int) -> tuple[list, list]:
    """Composite Gauss–Legendre nodes and weights on ``[0, u_end]`` (``3·2^{degree−1}`` nodes
    per panel), in increasing order."""
    cuts = [u_end * k / panels for k in range(panels + 1)]
    pairs = sorted(piecewise_legendre(cuts, 3 * 2 ** (degree - 1)))
    return [x for x, _ in pairs], [w for _, w in pairs]


def quadrature_degree(p: int) -> int:
    """The :func:`legendre_nodes` degree for ``p`` digits: 24 nodes per panel up to 40 digits,
    doubled for every doubling of ``p`` beyond (Gauss–Legendre error falls geometrically in the
    node count for the analytic integrand)."""
    return 4 + max(0, math.ceil(math.log2(p / 40)))


def duhamel_sides(problem, t: str, p: int) -> tuple[list, list]:
    """``(Δ(t), (1 − t)∫_0^t P⊥(x − y)/(1 − t')² dt')`` at precision ``p``: Δ from the
    integrated outputs, the integral by composite Gauss–Legendre in ``u = −log(1 − t')``
    (integrand ``P⊥(x − y) e^u``) on the flow sampled at the nodes."""
    model = problem.model
    tt = mpmath.mpf(t)
    u_end = -mpmath.log1p(-tt)
    nodes, weights = legendre_nodes(u_end, 2, quadrature_degree(p))
    tr = square_flow(problem, "1", tuple(str(u) for u in nodes) + (str(u_end),), "u", p)
    x0, y = start(problem)
    integral = [mpmath.mpf(0)] * model.n_outputs
    for u, w, th, x in zip(nodes, weights, tr.thetas, tr.outputs):
        perp = complement(model.outputs_and_jacobian(th)[1], [a - b for a, b in zip(x, y)])
        integral = [a + w * mpmath.exp(u) * b for a, b in zip(integral, perp)]
    return deviation_from_line(tr.outputs[-1], tt, x0, y), [(1 - tt) * v for v in integral]


def duhamel_bound_excess(problem, t_end: str, p: int,
                         jacobian_at_output) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(max_k |Δ(t_k)| − t_k sup_{t' ≤ t_k}|P⊥(x − y)|, max_k |Δ| / (t_k sup))`` over the
    accepted steps ``t_k`` of the adapted flow to ``t_end``; ``jacobian_at_output(x)`` gives
    ``D`` at the step's output. The sup over the steps can only be smaller than over all
    t' ≤ t, so a non-positive excess is conservative."""
    tr = square_flow(problem, "1", (t_end,), "t", p)
    x0, y = start(problem)
    sup, excess, ratio = mpmath.mpf(0), mpmath.mpf(-1), mpmath.mpf(0)
    for t, x in zip(tr.step_times, tr.step_outputs):
        sup = max(sup, norm(complement(jacobian_at_output(x), [a - b for a, b in zip(x, y)])))
        delta = norm(deviation_from_line(x, t, x0, y))
        excess = max(excess, delta - t * sup)
        if t > 0:
            ratio = max(ratio, delta / (t * sup))
    return excess, ratio


def linear_parts(problem) -> tuple[list, list]:
    """``(P(x0 − y), P⊥(x0 − y))`` for a model of constant Jacobian (taken at ``θ0``)."""
    x0, y = start(problem)
    e0 = [a - b for a, b in zip(x0, y)]
    perp = complement(problem.model.outputs_and_jacobian(problem.theta0_mp())[1], e0)
    return [a - b for a, b in zip(e0, perp)], perp


def linear_deviation(problem, t) -> list:
    """``t P⊥(x0 − y)``: the deviation from the line of the adapted flow of a linear model."""
    return [t * v for v in linear_parts(problem)[1]]


def linear_cost(problem, t) -> mpmath.mpf:
    """``((1 − t)²|P(x0 − y)|² + |P⊥(x0 − y)|²)/(2N)``: the cost along the adapted flow of a
    linear model."""
    par, perp = linear_parts(problem)
    return ((1 - t) ** 2 * norm(par) ** 2 + norm(perp) ** 2) / (2 * problem.model.n_points)


def stall_value(problem) -> mpmath.mpf:
    """``|P⊥(x0 − y)|²/(2N)``: the cost at which the adapted flow of a linear model stalls
    (the limit of :func:`linear_cost` as t → 1; zero at full rank)."""
    return norm(linear_parts(problem)[1]) ** 2 / (2 * problem.model.n_points)


def costs_on_schedule(problem, times: Sequence[str], p: int) -> list:
    """The cost of the adapted flow of ``problem`` at the times ``t_k`` (square cost)."""
    return list(square_flow(problem, "1", tuple(times), "t", p).costs)
