"""The Stiefel gradient flow of [A]'s population loss on ``W ∈ St(d, q)`` itself, in ``d``
dimensions, at high precision, with the gradient computed without the averaging operator
(docs/theory.md A10, A16).

``Ẇ = −(∇_W L − W sym(Wᵀ∇_W L))`` with ``L(W, f) = ½E[(f*(W*ᵀx) − f(Wᵀx))²]``,
``x ~ N(0, I_d)``. The Euclidean gradient is ``∇_W L = −E[x g(W*ᵀx, Wᵀx)ᵀ]`` with
``g_j(u, v) = (f*(u) − f(v)) ∂_j f(v)``, and Stein's lemma in ``d`` dimensions,
``E[x g(W*ᵀx, Wᵀx)] = W* E[∇_u g] + W E[∇_v g]``, leaves Gaussian moments of the pair
``(u, v) = (W*ᵀx, Wᵀx)`` (identity marginals, cross-covariance ``W*ᵀW``), computed by the Isserlis
recursion (:mod:`gfverify.theory.wick`). So ``∇_W L = W* A + W B`` with ``q×q`` matrices
``A_ij = −E[∂_{u_i} g_j]`` and ``B_ij = −E[∂_{v_i} g_j]``, polynomials in the entries of
``W*ᵀW``, derived once per link.

The link ``f``: planted, ``f = f*``; two-timescale, the least-squares link of degree
``deg f*`` in ``v``: the normal equations for the monic ``He_β(v)``, ``|β| ≤ deg f*``, with every
moment by Isserlis (the conditional expectation ``E[f*(u) | v]`` is a polynomial of that degree,
so this is the optimal link). Its coefficients are held fixed while differentiating in ``W``
(envelope theorem: the link is stationary, so the partial gradient at the optimal link is the
gradient of the reduced loss), then set to their values at the current ``W``. Neither ``ψ``,
``Φ`` nor ``A_N`` is used.

The state (``d·q`` numbers) is integrated by Gragg–Bulirsch–Stoer
(:mod:`gfverify.numerics.bulirsch_stoer`) in python-flint ``arb`` midpoints, the ``d×q`` matrix
products as ``arb_mat`` operations."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from itertools import product
from typing import Callable, Literal, Sequence

import flint
import mpmath
import numpy as np
import sympy

from gfverify.errors import InputError
from gfverify.numerics.bulirsch_stoer import BulirschStoer, default_kmax
from gfverify.numerics.flint_field import arb_precision
from gfverify.theory.hermite import He
from gfverify.theory.wick import MomentTable, gaussian_expectation, standard_expectation

Model = Literal["planted", "two-timescale"]
#: extra working digits of the integration over its tolerance
GUARD = 10


def _overlap_symbols(q: int) -> sympy.Matrix:
    return sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"m{i + 1}{j + 1}", real=True))


@lru_cache(maxsize=32)
def stein_coefficients(link: sympy.Expr, zs: tuple[sympy.Symbol, ...], model: Model,
                       ridge: tuple | None = None) -> tuple[sympy.Matrix, sympy.Matrix, sympy.Matrix]:
    """``(A, B, M)``: ``∇_W L = W* A + W B`` with ``A``, ``B`` polynomial in the entries of the
    symbolic overlap ``M = W*ᵀW`` (the derivation is in the module docstring). ``ridge = (r, μ)``
    (two-timescale only): the link is the ridge fit with the kernel ``λ_β = r^{|β|}`` on the
    ``h_β`` (docs/theory.md A19), i.e. the penalty ``(μ/2) Σ c_β² β!/λ_β`` on the coefficients of
    ``He_β = √(β!) h_β``; the penalty does not depend on ``W``, so the partial gradient is the same."""
    q = len(zs)
    if model not in ("planted", "two-timescale"):
        raise InputError(f"unknown model {model!r} (planted or two-timescale)")
    if ridge is not None and model == "planted":
        raise InputError("a ridge applies to the fitted link of the two-timescale model only")
    link = sympy.expand(sympy.sympify(link))
    if not link.is_polynomial(*zs):
        raise InputError(f"the d-dimensional Stein route needs a polynomial link, got {link}")
    us = sympy.symbols(f"_u1:{q + 1}", real=True)
    vs = sympy.symbols(f"_v1:{q + 1}", real=True)
    Msym = _overlap_symbols(q)
    cov = sympy.Matrix(sympy.BlockMatrix([[sympy.eye(q), Msym], [Msym.T, sympy.eye(q)]]))
    table = MomentTable(cov)
    target = link.subs(dict(zip(zs, us)), simultaneous=True)
    if model == "planted":
        model_link, fit = link.subs(dict(zip(zs, vs)), simultaneous=True), {}
    else:
        model_link, fit = _least_squares_link(target, us, vs, table, ridge)
    variables = list(us) + list(vs)
    A, B = sympy.zeros(q, q), sympy.zeros(q, q)
    for j in range(q):
        g = sympy.expand((target - model_link) * sympy.diff(model_link, vs[j]))
        for i in range(q):
            A[i, j] = -gaussian_expectation(sympy.diff(g, us[i]), variables, cov, table=table)
            B[i, j] = -gaussian_expectation(sympy.diff(g, vs[i]), variables, cov, table=table)
    if fit:  # the envelope: differentiate at fixed coefficients, then put in their optimum
        A, B = (X.subs(fit, simultaneous=True).applyfunc(sympy.expand) for X in (A, B))
    return A, B, Msym


def _least_squares_link(target: sympy.Expr, us: Sequence[sympy.Symbol], vs: Sequence[sympy.Symbol],
                        table: MomentTable, ridge: tuple | None = None) -> tuple[sympy.Expr, dict]:
    """``Σ_β c_β He_β(v)`` with symbols ``c_β`` (``|β| ≤ deg f*``) and the solution of the normal
    equations ``Σ_β' (E[He_β He_β'] + μ δ_ββ' β!/r^{|β|}) c_β' = E[f*(u) He_β(v)]`` (moments by
    Isserlis; ``μ = 0`` without a ridge)."""
    q = len(vs)
    degree = sympy.Poly(target, *us).total_degree()
    betas = [b for b in product(range(degree + 1), repeat=q) if sum(b) <= degree]
    basis = [sympy.Mul(*[He(k, v) for k, v in zip(b, vs)]) for b in betas]
    cs = sympy.symbols(f"_c0:{len(betas)}", real=True)
    gram = sympy.Matrix(len(basis), len(basis),
                        lambda a, b: standard_expectation(sympy.expand(basis[a] * basis[b]), vs))
    if ridge is not None:
        r, mu = (sympy.Rational(x) for x in ridge)
        gram += sympy.diag(*[mu * sympy.prod([sympy.factorial(k) for k in b]) / r ** sum(b)
                             for b in betas])
    variables = list(us) + list(vs)
    rhs = sympy.Matrix([gaussian_expectation(sympy.expand(target * e), variables, table.cov, table=table)
                        for e in basis])
    coef = gram.LUsolve(rhs)
    model = sympy.Add(*[c * e for c, e in zip(cs, basis)])
    return model, {c: sympy.expand(v) for c, v in zip(cs, coef)}


# ----------------------------------------------------------------------------- exact frames

def householder_frame(d: int, k: int, seed: int) -> list[list[Fraction]]:
    """The first ``k`` columns of ``H_1 H_2 H_3`` (Householder reflections ``I − 2vvᵀ/vᵀv`` with
    integer vectors ``v`` drawn from ``seed``): an exactly orthonormal, dense ``d×k`` rational
    frame, as ``k`` columns."""
    if not 1 <= k <= d:
        raise InputError(f"need 1 ≤ k ≤ d, got d = {d}, k = {k}")
    rng = np.random.default_rng(seed)
    vectors = [[int(x) for x in rng.integers(-9, 10, size=d)] for _ in range(3)]
    cols = [[Fraction(int(i == j)) for i in range(d)] for j in range(k)]
    for v in reversed(vectors):
        vv = sum(x * x for x in v)
        if vv == 0:
            raise InputError("a zero Householder vector")
        cols = [[c_i - Fraction(2 * v_i) * sum(Fraction(x) * c for x, c in zip(v, col)) / vv
                 for v_i, c_i in zip(v, col)] for col in cols]
    return cols


def start_pair(d: int, M0: sympy.Matrix, seed: int) -> tuple[mpmath.matrix, mpmath.matrix]:
    """``(W*, W(0))`` at the current precision: ``W*`` the first ``q`` columns of an exact
    rational frame (:func:`householder_frame`), ``W⊥`` the next ``q``, and
    ``W(0) = W* M0 + W⊥ D`` with ``DᵀD = I − M0ᵀM0`` (Cholesky), so ``W*ᵀW(0) = M0`` (exact
    rational, ``‖M0‖_op < 1``)."""
    M0 = sympy.Matrix(M0)
    q = M0.rows
    if 2 * q > d:
        raise InputError(f"need d ≥ 2q, got d = {d}, q = {q}")
    cols = householder_frame(d, 2 * q, seed)
    frame = mpmath.matrix(d, 2 * q)
    for j, col in enumerate(cols):
        for i, x in enumerate(col):
            frame[i, j] = mpmath.mpf(x.numerator) / x.denominator
    C = mpmath.matrix([[mpmath.mpf(sympy.Rational(M0[i, j]).p) / sympy.Rational(M0[i, j]).q
                        for j in range(q)] for i in range(q)])
    try:
        L = mpmath.cholesky(mpmath.eye(q) - C.T * C)
    except ValueError:
        raise InputError("the start overlap must have ‖M0‖_op < 1") from None
    W_perp = mpmath.matrix([[frame[i, q + j] for j in range(q)] for i in range(d)])
    W_star = mpmath.matrix([[frame[i, j] for j in range(q)] for i in range(d)])
    return W_star, W_star * C + W_perp * L.T


# ----------------------------------------------------------------------------- the flow

def _to_mpf(a) -> mpmath.mpf:
    man, exp = a.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


def _arb_mat(A: mpmath.matrix) -> flint.arb_mat:
    return flint.arb_mat([[flint.arb(A[i, j]) for j in range(A.cols)] for i in range(A.rows)])


class _State:
    """The ``d×q`` state as one ``arb_mat``, so that the integrator's vector operations run in C:
    ``+``, ``−``, products and quotients by scalars, and ``abs`` = the largest entry's modulus
    (the entries of ``W`` are at most 1, so the integrator's error test ``|Δ_i| / max(1, |y_i|)``
    is the same componentwise or in this norm). Every result keeps its midpoint only: ball radii
    are no proof here, and grown radii would make ``arb`` round midpoints coarsely."""

    __slots__ = ("m",)

    def __init__(self, m: flint.arb_mat) -> None:
        self.m = m

    def __add__(self, other: "_State") -> "_State":
        return _State((self.m + other.m).mid())

    def __sub__(self, other: "_State") -> "_State":
        return _State((self.m - other.m).mid())

    def __mul__(self, a) -> "_State":
        return _State((self.m * a).mid())

    __rmul__ = __mul__

    def __truediv__(self, a) -> "_State":
        return _State((self.m / a).mid())

    def __abs__(self) -> mpmath.mpf:
        return _to_mpf(max(abs(x) for x in self.m.entries()))


def _lift(v):
    return v if isinstance(v, _State) else flint.arb(v)


def overlaps(link: sympy.Expr, zs: Sequence[sympy.Symbol], W_star: mpmath.matrix, W0: mpmath.matrix,
             times: Sequence, model: Model = "two-timescale",
             ridge: tuple | None = None) -> list[mpmath.matrix]:
    """``M(t) = W*ᵀW(t)`` at each of the increasing ``times`` (> 0) along the ``d``-dimensional
    Stiefel flow from ``W(0) = W0`` (link: ``model`` and ``ridge`` as in
    :func:`stein_coefficients`), to the current mpmath precision (:func:`flow_overlaps`)."""
    zs = tuple(zs)
    if len(zs) != W0.cols:
        raise InputError(f"W(0) has {W0.cols} columns, the link has {len(zs)} variables")
    A, B, Msym = stein_coefficients(sympy.sympify(link), zs, model, ridge)
    fA = sympy.lambdify(list(Msym), A, "mpmath", cse=True)
    fB = sympy.lambdify(list(Msym), B, "mpmath", cse=True)

    def coefficients(M: mpmath.matrix) -> tuple[mpmath.matrix, mpmath.matrix]:
        ms = [M[i, j] for i in range(M.rows) for j in range(M.cols)]
        return mpmath.matrix(fA(*ms)), mpmath.matrix(fB(*ms))

    return flow_overlaps(coefficients, W_star, W0, times)


Coefficients = Callable[[mpmath.matrix], tuple[mpmath.matrix, mpmath.matrix]]
"""``M ↦ (A, B)`` with ``∇_W L = W* A + W B`` at the overlap ``M = W*ᵀW``."""


def flow_overlaps(coefficients: Coefficients, W_star: mpmath.matrix, W0: mpmath.matrix,
                  times: Sequence) -> list[mpmath.matrix]:
    """``M(t) = W*ᵀW(t)`` at the increasing ``times`` (> 0) along ``Ẇ = −(∇ − W sym(Wᵀ∇))``,
    ``∇ = W* A + W B`` with ``(A, B) = coefficients(W*ᵀW)`` evaluated at the working precision,
    from ``W(0) = W0``: tolerance ``10^-dps`` per step, arithmetic with ``GUARD`` more digits
    (rounding at the tolerance stalls the step control)."""
    d, q = W0.rows, W0.cols
    if W_star.rows != d or W_star.cols != q:
        raise InputError(f"W* is {W_star.rows}x{W_star.cols}, W(0) is {d}x{q}")
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + GUARD), arb_precision():
        Ws = _arb_mat(W_star)
        Wst = Ws.transpose()
        half = flint.arb("0.5")

        def rhs(t, y: list) -> list:
            W = y[0].m.mid()
            M = Wst * W
            A, B = coefficients(mpmath.matrix([[_to_mpf(M[i, j]) for j in range(q)] for i in range(q)]))
            grad = Ws * _arb_mat(A) + W * _arb_mat(B)
            S = W.transpose() * grad
            return [_State(W * ((S + S.transpose()) * half) - grad)]

        solver = BulirschStoer(rhs, mpmath.mpf(10) ** -dps, default_kmax(dps), lift=_lift)
        states = solver.integrate(0, [_State(_arb_mat(W0))], times)
        out = [[[_to_mpf((Wst * y[0].m)[i, j]) for j in range(q)] for i in range(q)] for y in states]
    return [mpmath.matrix(M) for M in out]


def projected_run(link: sympy.Expr, zs: Sequence[sympy.Symbol], M0: sympy.Matrix, times: Sequence,
                  d: int, model: Model = "two-timescale", ridge: tuple | None = None):
    """``p ↦`` the ``d``-dimensional flow's ``W*ᵀW(t)`` at ``times``, flattened row by row, run
    at the current precision ``p`` from :func:`start_pair` ``(d, M0, seed=d)``: one side of a
    two-precision comparison with the reduced ODE."""
    def run(p: int) -> list:
        W_star, W0 = start_pair(d, M0, seed=d)
        return [v for M in overlaps(link, zs, W_star, W0, times, model, ridge) for v in M]
    return run
