"""The correlation semigroup of docs/theory.md [A]: the averaging operator ``A_N`` on polynomial
links, exactly, for rational or symbolic ``q×q`` matrices ``N``.

``(A_N g)(z) = E_ξ[g(Nᵀz + (I − NᵀN)^{1/2} ξ)]``, ``ξ ~ N(0, I_q)``: given ``z`` the argument is
Gaussian with mean ``Nᵀz`` and covariance ``I − NᵀN``, so the Wick engine computes it without a
matrix square root. ``<f, g> = E[f(z) g(z)]`` under the standard Gaussian ``γ_q``."""

from __future__ import annotations

from itertools import combinations, product
from typing import Sequence

import sympy

from gfverify.errors import InputError
from gfverify.theory.hermite import He
from gfverify.theory.wick import gaussian_expectation

MatrixLike = sympy.Matrix | Sequence[Sequence[object]]
_LOG10_2 = 0.30102999566398120


def _square(N: MatrixLike, q: int | None = None, name: str = "N") -> sympy.Matrix:
    N = sympy.Matrix(N)
    if N.rows != N.cols:
        raise InputError(f"{name} must be square, got {N.rows}x{N.cols}")
    if q is not None and N.rows != q:
        raise InputError(f"{name} is {N.rows}x{N.cols} but the link has {q} variables")
    return N


def _is_numeric(M: sympy.Matrix) -> bool:
    return all(entry.is_number for entry in M)


def _slack(M: sympy.Matrix) -> sympy.Expr:
    """Zero for exact entries; for floating entries the rounding allowance of their precision,
    ``10**-(digits - 2)`` with the fewest digits among them."""
    floats = [e for e in M.atoms(sympy.Float)]
    if not floats:
        return sympy.Integer(0)
    digits = min(_decimal_digits(f) for f in floats)
    return sympy.Rational(1, 10 ** max(1, digits - 2))


def _decimal_digits(x: sympy.Float) -> int:
    """The decimal digits carried by a sympy Float (its binary precision, converted)."""
    return max(1, round(x._prec * _LOG10_2) - 1)


def validate_contraction(N: MatrixLike, name: str = "N") -> sympy.Matrix:
    """Return ``N`` as a sympy matrix; raise :class:`InputError` when a numeric ``N`` has
    ``‖N‖_op > 1``, decided exactly for exact entries: ``I − NᵀN ⪰ 0`` iff every principal
    minor is ``≥ 0`` (floating entries get the rounding allowance of their precision).
    A matrix holding symbols passes (its entries are the caller's business)."""
    N = _square(N, name=name)
    if not _is_numeric(N):
        return N
    if any(entry.is_real is False for entry in N):
        raise InputError(f"{name} must be real")
    slack = _slack(N)
    gram = sympy.eye(N.cols) - N.T * N
    for size in range(1, N.cols + 1):
        for idx in combinations(range(N.cols), size):
            minor = gram.extract(list(idx), list(idx)).det()
            if _below(minor, -slack):
                raise InputError(f"{name} must be a contraction (‖{name}‖_op ≤ 1), "
                                 f"got ‖{name}‖_op = {_op_norm(N)}")
    return N


def validate_stiefel(W: MatrixLike, name: str = "W") -> sympy.Matrix:
    """Return ``W`` (d×q) as a sympy matrix; raise :class:`InputError` unless ``d ≥ q`` and its
    columns are orthonormal (``WᵀW = I_q``: exactly for exact entries, to the rounding
    allowance of their precision for floating ones)."""
    W = sympy.Matrix(W)
    d, q = W.shape
    if d < q:
        raise InputError(f"{name} must have d ≥ q, got d = {d} < q = {q}")
    if not _is_numeric(W):
        return W
    slack = _slack(W)
    defect = (W.T * W - sympy.eye(q)).applyfunc(sympy.simplify)
    worst = max((abs(sympy.N(e, 30)) for e in defect), default=0)
    if any(_below(slack, abs(e)) for e in defect):
        raise InputError(f"the columns of {name} must be orthonormal ({name}ᵀ{name} = I), "
                         f"got max |{name}ᵀ{name} − I| = {sympy.N(worst, 6)}")
    return W


def _op_norm(N: sympy.Matrix) -> str:
    """``‖N‖_op`` to twelve digits, for error messages: the square root of the largest root of
    the square-free part of the characteristic polynomial of ``NᵀN`` (real: ``NᵀN`` is
    symmetric; floating entries are read as exact rationals first)."""
    lam = sympy.Symbol("lambda")
    gram = (N.T * N).applyfunc(lambda e: sympy.nsimplify(e, rational=True))
    roots = sympy.Poly(gram.charpoly(lam).as_expr(), lam).sqf_part().nroots(n=20)
    top = max(sympy.re(r) for r in roots)
    return str(sympy.N(sympy.sqrt(top), 12))


def _below(value: sympy.Expr, bound: sympy.Expr) -> bool:
    """``value < bound``, exactly when sympy can decide it, else at 50 digits."""
    verdict = (value - bound).is_negative
    if verdict is None:
        verdict = sympy.N(value - bound, 50) < 0
    return bool(verdict)


def average(f: sympy.Expr, N: MatrixLike, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``(A_N f)(z)`` as a polynomial in ``zs`` for a polynomial link ``f`` in ``zs`` and a
    rational or symbolic ``q×q`` contraction ``N``: the Gaussian expectation of ``f(u)`` with
    ``u ~ N(Nᵀz, I − NᵀN)``."""
    zs = list(zs)
    N = validate_contraction(_square(N, len(zs)))
    us = sympy.symbols(f"_u0:{len(zs)}", real=True)
    g = sympy.expand(sympy.sympify(f)).subs(dict(zip(zs, us)), simultaneous=True)
    mean = list(N.T * sympy.Matrix(zs))
    cov = sympy.eye(len(zs)) - N.T * N
    return gaussian_expectation(g, us, cov, mean=mean, keep=zs)


def expectation(f: sympy.Expr, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``E[f(z)]``, ``z ~ N(0, I_q)``, for a polynomial ``f`` in ``zs``."""
    return gaussian_expectation(f, list(zs), sympy.eye(len(zs)))


def inner(f: sympy.Expr, g: sympy.Expr, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``<f, g> = E[f(z) g(z)]`` under the standard Gaussian ``γ_q`` on ``R^q``."""
    return expectation(sympy.expand(f * g), zs)


def psi(f: sympy.Expr, G: MatrixLike, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``ψ(G) = <A_G f, f>`` (docs/theory.md [A], two-timescale problem)."""
    return inner(average(f, G, zs), f, zs)


def reduced_loss(f: sympy.Expr, M: MatrixLike, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """The reduced loss of the two-timescale problem, ``½‖f‖² − ½ψ(MMᵀ)`` (docs/theory.md A9)."""
    M = sympy.Matrix(M)
    return inner(f, f, zs) / 2 - psi(f, M * M.T, zs) / 2


def planted_loss(f: sympy.Expr, M: MatrixLike, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """The planted loss ``‖f‖² − <A_M f, f>`` at ``M = W*ᵀW`` (docs/theory.md A16)."""
    return inner(f, f, zs) - inner(average(f, M, zs), f, zs)


def hermite_tensor_polynomial(T: sympy.Array, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``<T, 𝐇_k>(z) = Σ_{i_1..i_k} T_{i_1..i_k} Π_j He_{β_j}(z_j)``, ``β_j`` the number of
    indices equal to ``j`` (the Hermite tensor of the standard Gaussian)."""
    zs = list(zs)
    T = sympy.Array(T)
    k = T.rank()
    if any(s != len(zs) for s in T.shape):
        raise InputError(f"tensor of shape {T.shape} for {len(zs)} variables")
    total = sympy.Integer(0)
    for idx in product(range(len(zs)), repeat=k):
        entry = T[idx] if k else T[()]
        if entry != 0:
            total += entry * sympy.Mul(*[He(idx.count(j), z) for j, z in enumerate(zs)])
    return sympy.expand(total)


def tensor_power_action(N: MatrixLike, T: sympy.Array) -> sympy.Array:
    """``N^{⊗k} T``: ``(N^{⊗k}T)_{i_1..i_k} = Σ_j N_{i_1 j_1} ⋯ N_{i_k j_k} T_{j_1..j_k}``."""
    N = sympy.Matrix(N)
    out = sympy.Array(T)
    k = out.rank()
    for axis in range(k):
        # contract N's second index with axis ``axis`` of the tensor; the new index goes last,
        # so after k steps the axes are back in their original order
        out = sympy.tensorcontraction(sympy.tensorproduct(out, sympy.Array(N.T)), (0, k))
    return out.applyfunc(sympy.expand)


def average_hermite_tensor(T: sympy.Array, N: MatrixLike, zs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """The tensor action ``A_N <T, 𝐇_k> = <N^{⊗k} T, 𝐇_k>`` (right-hand side)."""
    return hermite_tensor_polynomial(tensor_power_action(N, T), zs)
