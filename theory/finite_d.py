"""The losses of the two-timescale and planted problems of [A] in finite dimension ``d``,
exactly (docs/theory.md A9, A16): ``x ~ N(0, I_d)``, the target ``f*(W*ᵀx)``, the model
``f(Wᵀx)`` with ``W*, W ∈ St(d, q)``. Every Gaussian moment in ``d`` dimensions comes from the
Isserlis recursion (:class:`gfverify.theory.wick.MomentTable`), so these losses do not use the
averaging operator whose formulas they check."""

from __future__ import annotations

from itertools import product
from typing import Sequence

import sympy
from sympy.polys.domains import QQ
from sympy.polys.rings import PolyRing

from gfverify.errors import InputError
from gfverify.theory.hermite import He
from gfverify.theory.wick import MomentTable

R = sympy.Rational
#: Pythagorean (cos, sin) pairs: rational rotations.
PYTHAGOREAN = [(R(3, 5), R(4, 5)), (R(5, 13), R(12, 13)), (R(8, 17), R(15, 17)),
               (R(7, 25), R(24, 25)), (R(20, 29), R(21, 29))]


def givens(d: int, i: int, j: int, cs: tuple) -> sympy.Matrix:
    """The ``d×d`` rotation by ``(cos, sin) = cs`` in the ``(i, j)`` coordinate plane."""
    if not (0 <= i < d and 0 <= j < d and i != j):
        raise InputError(f"need two distinct coordinates below d = {d}, got {i}, {j}")
    G = sympy.eye(d)
    c, s = cs
    G[i, i], G[i, j], G[j, i], G[j, j] = c, -s, s, c
    return G


def stiefel_pair(d: int, q: int, flip: bool = False) -> tuple[sympy.Matrix, sympy.Matrix]:
    """Exact rational ``W*, W ∈ St(d, q)``: ``W*`` = the first ``q`` basis vectors, ``W`` their
    image under a product of Givens rotations with Pythagorean cosines and sines coupling every
    coordinate (so every moment in ``d`` dimensions enters); ``flip`` negates W's first column."""
    if not 1 <= q < d:
        raise InputError(f"need 1 ≤ q < d, got d = {d}, q = {q}")
    O = sympy.eye(d)
    for k in range(d - 1):
        O = givens(d, k, k + 1, PYTHAGOREAN[k % len(PYTHAGOREAN)]) * O
    O = givens(d, 0, d - 1, PYTHAGOREAN[1]) * O
    W = O[:, :q]
    if flip:
        W = W * sympy.diag(*([-1] + [1] * (q - 1)))
    return sympy.eye(d)[:, :q], W


class GaussianSpace:
    """Polynomials of ``x ~ N(0, I_d)`` in the sparse ring ``QQ[x_1..x_d]``, with their exact
    expectations by the Isserlis recursion."""

    def __init__(self, d: int):
        self.xs = sympy.symbols(f"x1:{d + 1}", real=True)
        self.ring = PolyRing(self.xs, QQ)
        self.table = MomentTable(sympy.eye(d))

    def expect(self, p) -> sympy.Rational:
        """``E[p(x)] = Σ_α c_α E[x^α]`` for a ring element ``p``."""
        return sympy.Rational(sum((c * self.table(a) for a, c in p.terms()), sympy.Integer(0)))

    def forms(self, V: sympy.Matrix) -> list:
        """The linear forms ``(Vᵀx)_j`` (one per column of ``V``) as ring elements."""
        ring = self.ring
        return [sum((ring(V[i, j]) * ring.gens[i] for i in range(V.rows)), ring.zero)
                for j in range(V.cols)]

    def compose(self, f: sympy.Expr, zs: Sequence[sympy.Symbol], forms: Sequence) -> object:
        """``f(forms)`` for a polynomial ``f`` in ``zs``, as a ring element."""
        out = self.ring.zero
        for exps, c in sympy.Poly(f, *zs).terms():
            term = self.ring(c)
            for form, e in zip(forms, exps):
                term *= form**e
            out += term
        return out


def least_squares_loss(fstar: sympy.Expr, zs: Sequence[sympy.Symbol], W_star: sympy.Matrix,
                       W: sympy.Matrix, degree: int) -> sympy.Expr:
    """``min_c ½E[(f*(W*ᵀx) − Σ_β c_β He_β(Wᵀx))²]`` over ``|β| ≤ degree``, ``x ~ N(0, I_d)``:
    the normal equations with every moment by Isserlis in ``d`` dimensions, solved exactly.
    (The monic ``He_β`` span the same space as the ``h_β`` and keep every entry rational.)"""
    zs = list(zs)
    space = GaussianSpace(W.rows)
    target = space.compose(fstar, zs, space.forms(W_star))
    z = space.forms(W)
    betas = [b for b in product(range(degree + 1), repeat=len(zs)) if sum(b) <= degree]
    basis = [space.compose(sympy.Mul(*[He(k, zi) for k, zi in zip(b, zs)]), zs, z) for b in betas]
    gram = sympy.Matrix(len(basis), len(basis), lambda i, j: space.expect(basis[i] * basis[j]))
    rhs = sympy.Matrix([space.expect(target * b) for b in basis])
    coef = gram.LUsolve(rhs)
    return (space.expect(target * target) - (rhs.T * coef)[0, 0]) / 2


def planted_loss_d(fstar: sympy.Expr, zs: Sequence[sympy.Symbol], W_star: sympy.Matrix,
                   W: sympy.Matrix) -> sympy.Expr:
    """``½E[(f*(W*ᵀx) − f*(Wᵀx))²]``, ``x ~ N(0, I_d)``, by Isserlis in ``d`` dimensions."""
    space = GaussianSpace(W.rows)
    zs = list(zs)
    diff = space.compose(fstar, zs, space.forms(W_star)) - space.compose(fstar, zs, space.forms(W))
    return space.expect(diff * diff) / 2
