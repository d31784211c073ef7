"""The arb homotopy field V_α = −((1−α)Dᵀ + αD⁺)∇C against the defining equations of the
pseudoinverse and the mpmath route of numerics/flows.py."""

import mpmath
import pytest

from gfverify.numerics import flint_field
from gfverify.numerics.flows import SquareCost, homotopy_field
from gfverify.numerics.networks import random_mlp
from gfverify.numerics.precision import tolerance
from gfverify.numerics.pseudoinverse import SingularJacobian

DPS = 40


def _matvec(rows, v):
    return [mpmath.fsum(r * x for r, x in zip(row, v)) for row in rows]


def _tmatvec(rows, v):
    return [mpmath.fsum(rows[i][j] * v[i] for i in range(len(rows))) for j in range(len(rows[0]))]


def _at_start(p):
    """The square cost, the start θ0, the Jacobian D (rows) and ∇C at the outputs, at the
    working precision."""
    cost = SquareCost(p.y_mp(), p.model.n_points)
    theta = p.theta0_mp()
    x, rows = p.model.outputs_and_jacobian(theta)
    return cost, theta, rows, cost.grad(x)


def test_tall_jacobian_gives_the_least_squares_solution():
    # K = 4 parameters, QN = 5 outputs: D⁺g is the least-squares solution w of Dw ≈ g, so the
    # residual g − Dw is orthogonal to every column of D (the normal equations Dᵀ(g − Dw) = 0)
    p = random_mlp((1, 1, 1), 5, 3, require_overparametrized=False)
    with mpmath.workdps(DPS):
        cost, theta, rows, g = _at_start(p)
        w = [-v for v in flint_field.homotopy_field_arb(p.model, cost, 1, theta)]
        residual = [a - b for a, b in zip(g, _matvec(rows, w))]
        scale = max(abs(v) for v in g) * max(abs(v) for row in rows for v in row)
        assert max(abs(v) for v in _tmatvec(rows, residual)) < tolerance(DPS, scale)
        assert max(abs(v) for v in residual) > mpmath.mpf(10) ** -3  # g is not in the range of D
        # α = 1/3 and scale 2: −2((2/3)Dᵀg + (1/3)D⁺g), the mpmath route of flows.py
        third = mpmath.mpf(1) / 3
        a = flint_field.homotopy_field_arb(p.model, cost, third, theta, 2)
        b = homotopy_field(p.model, cost, third, theta, 2)
        assert max(abs(u - v) for u, v in zip(a, b)) < tolerance(DPS)


def test_wide_jacobian_interpolates_the_outputs_exactly():
    # K = 7 ≥ QN = 2: D D⁺ g = g (the minimum-norm solution solves Dw = g), and α = 0 is −Dᵀg
    p = random_mlp((1, 2, 1), 2, 0)
    with mpmath.workdps(DPS):
        cost, theta, rows, g = _at_start(p)
        w = [-v for v in flint_field.homotopy_field_arb(p.model, cost, 1, theta)]
        assert max(abs(a - b) for a, b in zip(_matvec(rows, w), g)) < tolerance(DPS)
        grad = flint_field.homotopy_field_arb(p.model, cost, 0, theta)
        assert max(abs(a + b) for a, b in zip(grad, _tmatvec(rows, g))) < tolerance(DPS)


def test_rank_deficient_jacobian_is_singular():
    # θ = 0 in a tanh 1-2-1 network: every weight's derivative carries a zero factor, only the
    # output bias moves the outputs, so D has rank 1 < QN = 2 and D Dᵀ is singular
    p = random_mlp((1, 2, 1), 2, 0)
    with mpmath.workdps(DPS):
        cost = SquareCost(p.y_mp(), 2)
        zero = [mpmath.mpf(0)] * p.model.n_params
        with pytest.raises(SingularJacobian):
            flint_field.homotopy_field_arb(p.model, cost, 1, zero)
        assert any(flint_field.homotopy_field_arb(p.model, cost, 0, zero))  # α = 0 needs no solve


def test_arb_state_field_is_the_same_field_and_precision_is_restored():
    import flint

    p = random_mlp((1, 2, 1), 2, 0)
    saved = flint.ctx.prec
    with mpmath.workdps(DPS):
        cost = SquareCost(p.y_mp(), p.model.n_points)
        theta = p.theta0_mp()
        f, lift, to_mp = flint_field.arb_state_field(p.model, cost, mpmath.mpf(1) / 2, 3)
        with flint_field.arb_precision():
            assert flint.ctx.prec == mpmath.mp.prec
            state = [lift(v) for v in theta]
            v = [to_mp(c) for c in f(0, state)]
        assert flint.ctx.prec == saved
        w = homotopy_field(p.model, cost, mpmath.mpf(1) / 2, theta, 3)
        assert max(abs(a - b) for a, b in zip(v, w)) < tolerance(DPS)
