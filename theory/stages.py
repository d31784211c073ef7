"""Saddle-to-saddle stages of the two-timescale flow (docs/theory.md A15) for links whose ``Φ`` need
not be diagonal, exactly (sympy).

Saddles. For a subspace ``U`` (orthonormal columns) with projector ``P = UUᵀ``, any ``M`` with
``MMᵀ = P`` is ``M = [U 0]O`` (``O`` orthogonal), and ``Ṁ = (I − P)Φ(P)M`` vanishes iff
``(I − P)Φ(P)U = 0``: then ``M`` is a fixed point, of loss ``L(P) = ½(ψ(I) − ψ(P))``.

Stages. Along ``G = P + g vvᵀ`` with a unit ``v ⊥ U`` the flow of the diagonal entry ``g = vᵀGv`` is
``ġ = 2g(1 − g) vᵀΦv`` and ``vᵀΦ(P + g vvᵀ)v = ∂_g ψ(P + g vvᵀ)``. Writing
``ψ(P + g vvᵀ) − ψ(P) = Σ_{j≥1} c_j(v) g^j`` (``c_j`` the sum of the squared Hermite coefficients
of ``f*`` of degree ``j`` in ``v`` and degree 0 in the rest of ``U^⊥``, in an orthonormal basis
containing ``U`` and ``v``), the stage runs ``ġ ≈ 2 s̃ c_{s̃} g^{s̃}`` near ``g = 0``: the relative
information exponent ``s̃`` is the smallest ``j`` with ``c_j ≢ 0`` as a polynomial in the
coordinates of ``v`` in ``U^⊥`` (each ``c_j`` is homogeneous of degree ``2j`` in them, so its
vanishing does not depend on the normalization). From ``g(0) = c₀/d`` the stage lasts
``ln d/(2c_1) + O(1)`` if ``s̃ = 1`` and ``d^{s̃−1}/(2s̃(s̃−1) c_{s̃} c₀^{s̃−1})`` to leading order
otherwise. The direction learned: for ``s̃ = 1``, ``c_1(v) = vᵀΦ(P)v`` and the flow grows the
eigenvector of ``Φ(P)`` restricted to ``U^⊥`` with a positive eigenvalue (one is required); for
``s̃ ≥ 2`` the complement must be one-dimensional (otherwise the direction depends on the start)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from gfverify.errors import InputError
from gfverify.theory import reduced_ode as ro

G_STAGE = sympy.Symbol("g", nonnegative=True)


def _psi(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, sympy.Matrix]:
    G = ro.symmetric_matrix(len(zs))
    return ro.psi_of(link, zs, G), G


def _at(psi: sympy.Expr, G: sympy.Matrix, value: sympy.Matrix) -> sympy.Expr:
    q = G.shape[0]
    return sympy.expand(psi.subs({G[i, j]: value[i, j] for i in range(q) for j in range(i, q)},
                                 simultaneous=True))


def projector(U: sympy.Matrix) -> sympy.Matrix:
    """``UUᵀ`` after the exact check ``UᵀU = I`` (``U`` may have no columns)."""
    U = sympy.Matrix(U)
    if U.cols and sympy.simplify(U.T * U - sympy.eye(U.cols)) != sympy.zeros(U.cols, U.cols):
        raise InputError("the learned subspace needs orthonormal columns")
    return U * U.T if U.cols else sympy.zeros(U.rows, U.rows)


def saddle_loss(link: sympy.Expr, zs: Sequence[sympy.Symbol], U: sympy.Matrix) -> sympy.Expr:
    """``L(P) = ½(ψ(I) − ψ(P))``, ``P = UUᵀ``: the loss of the flow sitting at the saddle ``U``."""
    psi, G = _psi(link, zs)
    q = len(zs)
    return sympy.simplify((_at(psi, G, sympy.eye(q)) - _at(psi, G, projector(U))) / 2)


def saddle_residual(link: sympy.Expr, zs: Sequence[sympy.Symbol], U: sympy.Matrix) -> sympy.Matrix:
    """``(I − P)Φ(P)U``: zero iff every ``M`` with ``MMᵀ = P = UUᵀ`` is a fixed point of the flow."""
    psi, G = _psi(link, zs)
    P = projector(U)
    phi = ro.symmetric_gradient(psi, G)
    q = len(zs)
    phiP = phi.subs({G[i, j]: P[i, j] for i in range(q) for j in range(i, q)}, simultaneous=True)
    return ((sympy.eye(q) - P) * phiP * sympy.Matrix(U)).applyfunc(sympy.simplify)


def complement(U: sympy.Matrix, q: int) -> sympy.Matrix:
    """An orthonormal basis of ``U^⊥`` in ``R^q`` (Gram–Schmidt of the null space of ``Uᵀ``)."""
    U = sympy.Matrix(U) if sympy.Matrix(U).cols else sympy.zeros(q, 0)
    basis = (U.T.nullspace() if U.cols else [sympy.eye(q)[:, i] for i in range(q)])
    return sympy.Matrix.hstack(*sympy.GramSchmidt(basis, True)) if basis else sympy.zeros(q, 0)


def expansion(link: sympy.Expr, zs: Sequence[sympy.Symbol], U: sympy.Matrix,
              v: sympy.Matrix) -> dict[int, sympy.Expr]:
    """``{j: c_j}`` with ``ψ(P + g vvᵀ) − ψ(P) = Σ_{j≥1} c_j g^j`` (``v`` may be symbolic)."""
    psi, G = _psi(link, zs)
    P = projector(U)
    along = _at(psi, G, P + G_STAGE * v * v.T) - _at(psi, G, P)
    poly = sympy.Poly(sympy.expand(along), G_STAGE)
    return {k[0]: sympy.expand(c) for k, c in zip(poly.monoms(), poly.coeffs()) if k[0] >= 1}


@dataclass(frozen=True)
class Stage:
    """One stage: the learned subspace before it, the saddle loss there (the plateau's level),
    the direction ``v`` it learns, ``s̃`` and ``c_{s̃}(v)``, and the stage's right-hand side
    ``ġ = 2g(1 − g) ∂_g ψ(P + g vvᵀ)``."""

    learned: sympy.Matrix
    saddle_loss: sympy.Expr
    direction: sympy.Matrix
    exponent: int
    coefficient: sympy.Expr
    rhs: sympy.Expr


def stage_exponent(link: sympy.Expr, zs: Sequence[sympy.Symbol], U: sympy.Matrix) -> int:
    """The relative information exponent ``s̃`` of the next stage from the saddle ``U``: the
    smallest ``j ≥ 1`` with ``c_j(v) ≢ 0`` for ``v`` generic in ``U^⊥``."""
    V = complement(U, len(zs))
    if V.cols == 0:
        raise InputError("every direction is learned: there is no next stage")
    coords = sympy.symbols(f"v1:{V.cols + 1}", real=True)
    c = expansion(link, zs, U, V * sympy.Matrix(coords))
    nonzero = [j for j, cj in c.items() if cj != 0]
    if not nonzero:
        raise InputError("ψ does not grow along the unlearned directions: the flow stops at this saddle")
    return min(nonzero)


def stages(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> list[Stage]:
    """The sequence of stages from ``G = 0`` to ``G = I`` (see the module docstring for the rule
    that picks each learned direction; ``InputError`` where the theory does not fix it)."""
    q = len(zs)
    U = sympy.zeros(q, 0)
    out = []
    while U.cols < q:
        s = stage_exponent(link, zs, U)
        V = complement(U, q)
        if s == 1:
            psi, G = _psi(link, zs)
            P = projector(U)
            phiP = ro.symmetric_gradient(psi, G).subs(
                {G[i, j]: P[i, j] for i in range(q) for j in range(i, q)}, simultaneous=True)
            positive = [(val, vecs) for val, mult, vecs in (V.T * phiP * V).eigenvects() if val > 0]
            if len(positive) != 1 or len(positive[0][1]) != 1:
                raise InputError("a stage with s~ = 1 must grow exactly one direction")
            w = V * positive[0][1][0]
        elif V.cols == 1:
            w = V[:, 0]
        else:
            raise InputError(f"s~ = {s} with a {V.cols}-dimensional complement: the direction learned "
                             "depends on the start")
        v = (w / sympy.sqrt((w.T * w)[0, 0])).applyfunc(sympy.radsimp)
        c = expansion(link, zs, U, v)
        along = sum(cj * G_STAGE**j for j, cj in c.items())
        rhs = sympy.expand(2 * G_STAGE * (1 - G_STAGE) * sympy.diff(along, G_STAGE))
        out.append(Stage(learned=U, saddle_loss=saddle_loss(link, zs, U), direction=v, exponent=s,
                         coefficient=sympy.simplify(c[s]), rhs=rhs))
        U = sympy.Matrix.hstack(U, v)
    return out


def stage_length(stage: Stage, d: sympy.Expr, c0: sympy.Expr = 1) -> sympy.Expr:
    """The leading length of a stage started at ``g = c₀/d``: ``ln d/(2c_1)`` (``s̃ = 1``, the
    slope in ``ln d``; ``c₀`` enters only the constant) or ``d^{s̃−1}/(2s̃(s̃−1) c_{s̃} c₀^{s̃−1})``."""
    s, c = stage.exponent, stage.coefficient
    if s == 1:
        return sympy.log(d) / (2 * c)
    return d ** (s - 1) / (2 * s * (s - 1) * c * sympy.sympify(c0) ** (s - 1))
