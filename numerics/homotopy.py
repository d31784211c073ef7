"""Numeric routes for the homotopy ``V_α = −((1−α)Dᵀ + αD⁺)∇C`` of docs/theory.md B1–B3: its
zeros by Newton's method, the output velocity by numerical differentiation of the model along
``V_α`` (no chain rule), the output kernel ``Θ_α = (1−α)DDᵀ + αP`` with ``P`` from the SVD,
and the singular values of ``(1−α)Dᵀ + αD⁺`` from an actual matrix."""

from __future__ import annotations

from typing import Sequence

import mpmath

from gfverify.numerics.flows import SquareCost, homotopy_field
from gfverify.numerics.pseudoinverse import Jacobian, svd_projector


def _cost(problem) -> SquareCost:
    return SquareCost(problem.y_mp(), problem.model.n_points)


def zero_of(problem, alpha) -> list:
    """A zero of ``V_α`` by Newton's method (``mpmath.findroot``), started at the first ``K``
    targets."""
    model, cost = problem.model, _cost(problem)
    f = lambda *th: homotopy_field(model, cost, alpha, list(th))  # noqa: E731
    root = mpmath.findroot(f, problem.y_mp()[:model.n_params],
                           tol=mpmath.mpf(10) ** (-2 * mpmath.mp.dps + 4))
    return [root[i] for i in range(model.n_params)]


def field_norm(problem, alpha, theta: Sequence) -> mpmath.mpf:
    """``|V_α(θ)|``."""
    return mpmath.norm(mpmath.matrix(homotopy_field(problem.model, _cost(problem), alpha, theta)))


def output_velocity(problem, alpha, theta: Sequence | None = None) -> list:
    """``d/dε x(θ + ε V_α(θ))`` at ``ε = 0`` by ``mpmath.diff`` of the model's outputs (a
    finite-difference route to ``ẋ``: the Jacobian enters only through the velocity)."""
    model = problem.model
    theta = problem.theta0_mp() if theta is None else list(theta)
    v = homotopy_field(model, _cost(problem), alpha, theta)
    return [mpmath.diff(lambda e, i=i: model.outputs([a + e * b for a, b in zip(theta, v)])[i], 0)
            for i in range(model.n_outputs)]


def kernel_velocity(problem, alpha, kernel, theta: Sequence | None = None) -> list:
    """``−Θ_α ∇C`` at ``θ`` (default ``θ0``) with ``Θ_α = kernel(D, P, α)``, ``D`` by
    backpropagation and ``P`` from mpmath's SVD of ``D`` (not the Gram route ``V_α`` uses)."""
    model = problem.model
    theta = problem.theta0_mp() if theta is None else list(theta)
    x, rows = model.outputs_and_jacobian(theta)
    D, P = mpmath.matrix(rows), svd_projector(rows)
    return list(-kernel(D, P, mpmath.mpf(alpha)) * mpmath.matrix(_cost(problem).grad(x)))


def homotopy_singular_values(rows: Sequence[Sequence], alpha) -> list:
    """The nonzero singular values of ``(1−α)Dᵀ + αD⁺`` (``D⁺`` by the Gram route of
    :class:`Jacobian`, one column per unit vector), largest first."""
    J = Jacobian(rows)
    alpha = mpmath.mpf(alpha)
    cols = []
    for i in range(J.m):
        e = [mpmath.mpf(int(i == j)) for j in range(J.m)]
        cols.append([(1 - alpha) * a + alpha * b for a, b in zip(J.t(e), J.pinv(e))])
    M = mpmath.matrix(cols).T
    s = mpmath.svd_r(M, compute_uv=False)
    return sorted((s[i] for i in range(min(J.m, J.K))), reverse=True)
