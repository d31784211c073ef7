"""The homotopy field ``V_α = −((1−α)Dᵀ + αD⁺)∇C`` of an :class:`MLP` evaluated with
python-flint ``arb`` numbers: the network and its Jacobian in ``arb`` scalars, the Gram matrix
``DDᵀ`` (or ``DᵀD``), its solve and the products with ``Dᵀ`` as C-level ``arb_mat`` operations
at twice the working precision. Only the midpoints are used (ball radii are not a proof
here); the result is rounded back to ``mpf`` at the current mpmath precision. Same
mathematics as :func:`gfverify.numerics.flows.homotopy_field`, several times faster
(``benchmarks/bench_interpolation.py``)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Sequence

import flint
import mpmath

from gfverify.numerics import engines
from gfverify.numerics.networks import MLP, arb_arithmetic
from gfverify.numerics.pseudoinverse import SingularJacobian


def available(model) -> bool:
    """Whether the arb route applies: python-flint is installed and ``model`` is an MLP."""
    return engines.available("flint") and isinstance(model, MLP)


def _to_mpf(a) -> mpmath.mpf:
    man, exp = a.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


def _field(model: MLP, cost, alpha, theta: Sequence, scale) -> list:
    """``scale · V_α(θ)`` as ``arb`` values for ``θ`` given as exact ``arb`` (midpoints)."""
    arb, arb_mat, ctx = flint.arb, flint.arb_mat, flint.ctx
    alpha = mpmath.mpf(alpha)
    prec, saved = mpmath.mp.prec, ctx.prec
    try:
        ctx.prec = prec
        x, rows = model.outputs_and_jacobian(theta, arb_arithmetic())
        g = cost.grad([_to_mpf(v) for v in x])
        ctx.prec = 2 * prec
        D = arb_mat(rows)
        Dt = D.transpose()
        gv = arb_mat([[arb(v)] for v in g])
        a = arb(alpha)
        v = Dt * gv * (1 - a) if alpha != 1 else None
        if alpha != 0:
            try:
                if D.nrows() <= D.ncols():
                    w = Dt * (D * Dt).solve(gv, algorithm="approx")
                else:
                    w = (Dt * D).solve(Dt * gv, algorithm="approx")
            except ZeroDivisionError as exc:
                raise SingularJacobian(str(exc)) from None
            v = w * a if v is None else v + w * a
        v = v * arb(-mpmath.mpf(scale))
        return [v[k, 0] for k in range(v.nrows())]
    finally:
        ctx.prec = saved


def homotopy_field_arb(model: MLP, cost, alpha, theta: Sequence, scale=1) -> list:
    """``scale · V_α(θ)`` as a list of ``mpf`` (``θ`` given as ``mpf``), computed in ``arb``."""
    saved = flint.ctx.prec
    try:
        flint.ctx.prec = mpmath.mp.prec
        theta = [flint.arb(v) for v in theta]
    finally:
        flint.ctx.prec = saved
    return [_to_mpf(c) for c in _field(model, cost, alpha, theta, scale)]


def arb_state_field(model: MLP, cost, alpha, scale=1):
    """For an integrator holding its state in ``arb``: ``(f, lift, to_mp)`` with
    ``f(t, θ) = scale · V_α(θ)`` taking and returning ``arb`` (the state's radii are dropped on
    entry, so every evaluation starts from exact midpoints)."""
    def f(t, theta):
        return _field(model, cost, alpha, [v.mid() for v in theta], scale)
    return f, flint.arb, _to_mpf


@contextmanager
def arb_precision():
    """python-flint's global precision set to mpmath's for the duration (restored after)."""
    saved = flint.ctx.prec
    flint.ctx.prec = mpmath.mp.prec
    try:
        yield
    finally:
        flint.ctx.prec = saved
