"""Online SGD on the [A] problem (docs/theory.md A20, docs/online_sgd.md): the setup, the links
(polynomials in the Hermite basis, other links as compiled postfix programs), the starting
overlaps, the escape criterion, the d-dimensional numpy sampler ``full`` and the common entry
point :func:`run_sgd`.

Conventions: ``W* = [I_q; 0]``, ``x ~ N(0, I_d)``, ``y = f*(W*ᵀx)``, per-sample loss
``½(y − f(Wᵀx))²``, one step ``W ← Retr(W − η grad)`` with the Riemannian (tangent-projected,
embedded-metric) batch-mean gradient ``grad = ∇ − W sym(Wᵀ∇)`` and the polar retraction
``Retr(V) = V (VᵀV)^{-1/2}`` (for q = 1: ``v/‖v‖``); ODE time ``t = η · steps``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import product
from typing import Callable, Sequence

import numba
import numpy as np
import sympy

from gfverify.errors import InputError
from gfverify.numerics.random_matrices import haar_stiefel
from gfverify.theory.links import link_variables

MODELS = ("planted", "two-timescale")
REFITS = ("oracle", "hermite")
SAMPLERS = ("exact", "full")
#: Largest q (the compiled kernels use dense q×q algebra and Hermite tables per coordinate).
MAX_Q = 4
#: Largest polynomial degree of a link (the Hermite table per coordinate has degree + 1 entries).
MAX_DEGREE = 12
#: Largest size of the refit sample of the two-timescale model.
MAX_FIT = 10**5


@dataclass(frozen=True)
class HermiteLink:
    """``f(z) = Σ_t c_t h_{β_t}(z)`` on ``R^q`` (normalized multivariate Hermite basis), with each
    coefficient ``c_t`` a polynomial in the entries of a q×q matrix ``M`` (constant for a fixed
    link, ``A_{Mᵀ} f*`` for the oracle): ``c_t(M) = Σ_{p: term[p] = t} coef[p] Π_e M.flat[e]^exps[p, e]``."""

    betas: np.ndarray  # (T, q) int64, the multi-indices β_t
    term: np.ndarray  # (P,) int64, the β_t that monomial p of the coefficients belongs to
    coef: np.ndarray  # (P,) float64
    exps: np.ndarray  # (P, q*q) int64
    #: a non-polynomial link as a postfix program (opcodes and arguments, :func:`compile_program`),
    #: added to the Hermite part (empty for polynomial links)
    ops: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    args: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def degree(self) -> int:
        return int(self.betas.sum(axis=1).max()) if len(self.betas) else 0

    @property
    def polynomial(self) -> bool:
        return len(self.ops) == 0

    def coefficients(self, M: np.ndarray) -> np.ndarray:
        """The coefficients ``c_t(M)`` at a q×q matrix ``M``."""
        return link_coefficients(np.ascontiguousarray(M, dtype=np.float64).ravel(), self.term, self.coef,
                                 self.exps, len(self.betas))

    def evaluate(self, Z: np.ndarray, coefs: np.ndarray, kmax: int) -> tuple[np.ndarray, np.ndarray]:
        """``(f(z_i), ∇f(z_i))`` at the rows of ``Z`` with the coefficients ``coefs``."""
        return link_batch(np.ascontiguousarray(Z, dtype=np.float64), self.betas, coefs, self.ops, self.args,
                          kmax)


#: Degree and nodes of the Gauss–Hermite rule giving a non-polynomial link's α_k for the escape level.
ALPHA_DEGREE, ALPHA_NODES = 40, 200


def numeric_alphas(link: HermiteLink) -> np.ndarray:
    """``α_k = E[f(z) h_k(z)]``, ``k ≤ ALPHA_DEGREE``, of a q = 1 link by Gauss–Hermite quadrature
    (``ALPHA_NODES`` nodes, float64): used only for the planted escape level of a non-polynomial link."""
    x, w = np.polynomial.hermite_e.hermegauss(ALPHA_NODES)
    f, _ = link.evaluate(x[:, None], np.zeros(len(link.betas)), 1)
    table = np.empty((ALPHA_DEGREE + 1, len(x)))
    table[0], table[1] = 1.0, x
    for k in range(1, ALPHA_DEGREE):
        table[k + 1] = (x * table[k] - math.sqrt(k) * table[k - 1]) / math.sqrt(k + 1)
    return table @ (w * f) / math.sqrt(2 * math.pi)


def _monomial_in_hermite(n: int) -> dict[int, sympy.Expr]:
    """``z^n = Σ_k c_k h_k(z)``: ``z^n = Σ_j n! / (k! j! 2^j) He_k`` with ``k = n − 2j`` and
    ``He_k = √(k!) h_k``."""
    return {n - 2 * j: sympy.factorial(n) / (sympy.factorial(n - 2 * j) * sympy.factorial(j) * 2**j)
            * sympy.sqrt(sympy.factorial(n - 2 * j)) for j in range(n // 2 + 1)}


def hermite_expansion(f: sympy.Expr, zs: Sequence[sympy.Symbol]) -> dict[tuple[int, ...], sympy.Expr]:
    """Exact coefficients ``{β: c_β}`` of a polynomial ``f`` in ``zs`` (coefficients may involve
    other symbols) in the basis ``h_β(z) = Π_i h_{β_i}(z_i)``."""
    poly = sympy.Poly(sympy.expand(f), *zs)
    out: dict[tuple[int, ...], sympy.Expr] = {}
    for exps, c in poly.terms():
        for beta in product(*[_monomial_in_hermite(n).items() for n in exps]):
            key = tuple(k for k, _ in beta)
            out[key] = out.get(key, 0) + c * sympy.Mul(*[w for _, w in beta])
    return {k: sympy.expand(v) for k, v in out.items() if sympy.expand(v) != 0}


def _check_link(link: sympy.Expr, zs: Sequence[sympy.Symbol], polynomial: bool = True) -> sympy.Expr:
    link = sympy.sympify(link)
    extra = link.free_symbols - set(zs)
    if extra:
        raise InputError(f"the link has variables {sorted(map(str, extra))} besides "
                         f"{', '.join(map(str, zs))}")
    if not link.is_polynomial(*zs):
        if polynomial:
            raise InputError(f"the oracle link A_(M^T) f* is computed for polynomial links only, got "
                             f"{link}; use the hermite refit (--refit hermite --degree K)")
        return link
    degree = sympy.Poly(link, *zs).total_degree() if link.free_symbols else 0
    if degree > MAX_DEGREE:
        raise InputError(f"the link has degree {degree}; online SGD takes degree at most {MAX_DEGREE}")
    return link


def _pack(coeffs: dict[tuple[int, ...], sympy.Expr], q: int, mvars: Sequence[sympy.Symbol]) -> HermiteLink:
    betas = sorted(coeffs)
    term, coef, exps = [], [], []
    for t, beta in enumerate(betas):
        for e, c in sympy.Poly(coeffs[beta], *mvars).terms():
            term.append(t)
            coef.append(float(c))
            exps.append(e)
    return HermiteLink(np.array(betas, dtype=np.int64).reshape(len(betas), q),
                       np.array(term, dtype=np.int64), np.array(coef, dtype=np.float64),
                       np.array(exps, dtype=np.int64).reshape(len(term), q * q))


def _matrix_symbols(q: int) -> list[sympy.Symbol]:
    return list(sympy.symbols(f"_m0:{q * q}", real=True))


def fixed_link(link: sympy.Expr, q: int) -> HermiteLink:
    """The link in ``link_variables(q)`` as a :class:`HermiteLink` with constant coefficients: a
    polynomial by its exact Hermite coefficients, any other link as a compiled program."""
    zs = link_variables(q)
    link = _check_link(link, zs, polynomial=False)
    if not link.is_polynomial(*zs):
        if q == 1:
            from gfverify.numerics.hermite import check_l2

            check_l2(link, zs[0])
        ops, args = compile_program(link, zs)
        empty = np.zeros(0, dtype=np.int64)
        return HermiteLink(np.zeros((0, q), dtype=np.int64), empty, np.zeros(0),
                           np.zeros((0, q * q), dtype=np.int64), ops, args)
    coeffs = hermite_expansion(link, zs)
    if not coeffs:
        raise InputError("the link is zero")
    return _pack(coeffs, q, _matrix_symbols(q))


def oracle_link(link: sympy.Expr, q: int) -> HermiteLink:
    """``A_{Mᵀ} f*`` with coefficients polynomial in ``M``: by the generating function
    ``Σ_β h_β(z) t^β/√β! = exp(tᵀz − |t|²/2)``, ``A_N`` maps ``t`` to ``Nt``, so
    ``A_N h_β = √β! Σ_{|γ|=|β|} [t^β] (Nt)^γ / √γ! · h_γ``, here with ``N = Mᵀ``."""
    zs = link_variables(q)
    target = hermite_expansion(_check_link(link, zs), zs)
    mvars = _matrix_symbols(q)
    Mt = sympy.Matrix(q, q, mvars).T
    ts = sympy.symbols(f"_t0:{q}", real=True)
    Nt = list(Mt * sympy.Matrix(ts))
    out: dict[tuple[int, ...], sympy.Expr] = {}
    for k in sorted({sum(b) for b in target}):
        level = {b: c for b, c in target.items() if sum(b) == k}
        for gamma in (g for g in product(range(k + 1), repeat=q) if sum(g) == k):
            poly = sympy.Poly(sympy.Mul(*[Nt[i] ** gamma[i] for i in range(q)]), *ts)
            root_gamma = sympy.sqrt(sympy.Mul(*[sympy.factorial(g) for g in gamma]))
            total = sum(c * sympy.sqrt(sympy.Mul(*[sympy.factorial(b) for b in beta]))
                        * poly.coeff_monomial(beta) for beta, c in level.items())
            total = sympy.expand(total / root_gamma)
            if total != 0:
                out[gamma] = total
    return _pack(out, q, mvars)


def basis_link(degree: int, q: int) -> HermiteLink:
    """The fit basis of the two-timescale ``hermite`` refit: every ``h_β`` with ``1 ≤ |β| ≤ degree``
    (the constant ``h_0`` is fitted too: it is the first entry), coefficients 1."""
    betas = [b for b in product(range(degree + 1), repeat=q) if sum(b) <= degree]
    betas.sort(key=lambda b: (sum(b), tuple(-x for x in b)))
    n = len(betas)
    return HermiteLink(np.array(betas, dtype=np.int64), np.arange(n, dtype=np.int64), np.ones(n),
                       np.zeros((n, q * q), dtype=np.int64))


#: Opcodes of a link program (postfix; each pushes a value and its gradient in z).
CONST, VAR, ADD, MUL, POWC, MAX, MIN = 0, 1, 2, 3, 4, 5, 6
UNARY = {sympy.exp: 10, sympy.log: 11, sympy.sin: 12, sympy.cos: 13, sympy.tan: 14, sympy.sinh: 15,
         sympy.cosh: 16, sympy.tanh: 17, sympy.atan: 18, sympy.erf: 19, sympy.erfc: 20, sympy.Abs: 21,
         sympy.sign: 22, sympy.Heaviside: 23}
#: Longest link program (the parser's own limits keep accepted links far below).
MAX_PROGRAM = 4096


def compile_program(f: sympy.Expr, zs: Sequence[sympy.Symbol]) -> tuple[np.ndarray, np.ndarray]:
    """``f`` as a postfix program ``(ops, args)`` for :func:`program_value_grad`: numbers, the
    variables, ``+ * **`` (number exponents), ``Max``/``Min`` and the functions of :data:`UNARY`
    (the parser's whitelist); ``Heaviside(0) = ½``, derivatives almost everywhere
    (``|z|' = sign z``, ``sign' = Heaviside' = 0``)."""
    ops: list[int] = []
    args: list[float] = []
    index = {z: j for j, z in enumerate(zs)}

    def emit(op: int, arg: float = 0.0) -> None:
        ops.append(op)
        args.append(arg)
        if len(ops) > MAX_PROGRAM:
            raise InputError(f"the link is too long to compile (more than {MAX_PROGRAM} operations)")

    def walk(e: sympy.Expr) -> None:
        if e in index:
            return emit(VAR, index[e])
        if e.is_number:
            value = complex(sympy.N(e, 20))
            if value.imag != 0 or not math.isfinite(value.real):
                raise InputError(f"the link has a constant that is not a finite real number: {e}")
            return emit(CONST, value.real)
        if isinstance(e, (sympy.Add, sympy.Mul, sympy.Max, sympy.Min)):
            op = {sympy.Add: ADD, sympy.Mul: MUL, sympy.Max: MAX, sympy.Min: MIN}[type(e)]
            walk(e.args[0])
            for a in e.args[1:]:
                walk(a)
                emit(op)
            return None
        if isinstance(e, sympy.Pow) and e.exp.is_number:
            walk(e.base)
            return emit(POWC, float(e.exp))
        if type(e) in UNARY:
            walk(e.args[0])
            return emit(UNARY[type(e)])
        raise InputError(f"cannot compile the link part {e} for online SGD")

    walk(sympy.sympify(f))
    return np.array(ops, dtype=np.int64), np.array(args, dtype=np.float64)


# ----------------------------------------------------------------------------- compiled pieces

@numba.njit(cache=True)
def link_coefficients(mflat, term, coef, exps, n_terms):  # pragma: no cover - compiled
    """``c_t(M)`` of a :class:`HermiteLink` at ``M`` (flattened row-major)."""
    out = np.zeros(n_terms)
    for p in range(term.shape[0]):
        v = coef[p]
        for e in range(exps.shape[1]):
            k = exps[p, e]
            if k:
                v *= mflat[e] ** k
        out[term[p]] += v
    return out


#: ``√k`` and ``1/√(k+1)`` for the Hermite recurrence and derivative (compile-time constants).
_ROOT = np.sqrt(np.arange(MAX_DEGREE + 2, dtype=np.float64))
_INV_ROOT_NEXT = 1 / np.sqrt(np.arange(1, MAX_DEGREE + 3, dtype=np.float64))


@numba.njit(cache=True)
def hermite_table(z, kmax, table):  # pragma: no cover - compiled
    """``table[j, k] = h_k(z_j)`` for ``k ≤ kmax`` by ``h_{k+1} = (z h_k − √k h_{k−1}) / √(k+1)``."""
    for j in range(z.shape[0]):
        table[j, 0] = 1.0
        if kmax >= 1:
            table[j, 1] = z[j]
        for k in range(1, kmax):
            table[j, k + 1] = (z[j] * table[j, k] - _ROOT[k] * table[j, k - 1]) * _INV_ROOT_NEXT[k]


@numba.njit(cache=True)
def _unary(op, a):  # pragma: no cover - compiled
    """``(f(a), f'(a))`` of the unary opcode ``op``."""
    if op == 10:
        v = math.exp(a)
        return v, v
    if op == 11:
        return math.log(a), 1.0 / a
    if op == 12:
        return math.sin(a), math.cos(a)
    if op == 13:
        return math.cos(a), -math.sin(a)
    if op == 14:
        t = math.tan(a)
        return t, 1.0 + t * t
    if op == 15:
        return math.sinh(a), math.cosh(a)
    if op == 16:
        return math.cosh(a), math.sinh(a)
    if op == 17:
        t = math.tanh(a)
        return t, 1.0 - t * t
    if op == 18:
        return math.atan(a), 1.0 / (1.0 + a * a)
    if op == 19:
        return math.erf(a), 2.0 / math.sqrt(math.pi) * math.exp(-a * a)
    if op == 20:
        return math.erfc(a), -2.0 / math.sqrt(math.pi) * math.exp(-a * a)
    if op == 21:
        return abs(a), (1.0 if a > 0 else (-1.0 if a < 0 else 0.0))
    if op == 22:
        return (1.0 if a > 0 else (-1.0 if a < 0 else 0.0)), 0.0
    return (1.0 if a > 0 else (0.0 if a < 0 else 0.5)), 0.0


@numba.njit(cache=True)
def program_value_grad(z, ops, args, stack, grad):  # pragma: no cover - compiled
    """Value of the link program ``(ops, args)`` at ``z``, its gradient added to ``grad``;
    ``stack`` is scratch of shape (len(ops) + 1, q + 1): value and gradient per entry."""
    q = z.shape[0]
    top = -1
    for i in range(ops.shape[0]):
        op = ops[i]
        if op == 0 or op == 1:
            top += 1
            for j in range(q):
                stack[top, 1 + j] = 0.0
            if op == 0:
                stack[top, 0] = args[i]
            else:
                k = int(args[i])
                stack[top, 0] = z[k]
                stack[top, 1 + k] = 1.0
        elif op == 4:  # POWC: a ** p, (a ** p)' = p a ** (p − 1) a'
            p = args[i]
            a = stack[top, 0]
            d = p * a ** (p - 1.0) if p != 1.0 else 1.0
            stack[top, 0] = a**p
            for j in range(q):
                stack[top, 1 + j] *= d
        elif op <= 6:  # binary: ADD, MUL, MAX, MIN of the two top entries
            a, b = stack[top - 1, 0], stack[top, 0]
            if op == 2:
                stack[top - 1, 0] = a + b
                for j in range(q):
                    stack[top - 1, 1 + j] += stack[top, 1 + j]
            elif op == 3:
                stack[top - 1, 0] = a * b
                for j in range(q):
                    stack[top - 1, 1 + j] = stack[top - 1, 1 + j] * b + a * stack[top, 1 + j]
            elif (b > a) if op == 5 else (b < a):
                for j in range(q + 1):
                    stack[top - 1, j] = stack[top, j]
            top -= 1
        else:
            v, d = _unary(op, stack[top, 0])
            stack[top, 0] = v
            for j in range(q):
                stack[top, 1 + j] *= d
    for j in range(q):
        grad[j] += stack[0, 1 + j]
    return stack[0, 0]


@numba.njit(cache=True)
def link_value_grad(z, betas, coefs, ops, args, table, stack, grad):  # pragma: no cover - compiled
    """``f(z)`` returned and ``∇f(z)`` written to ``grad`` for ``f = Σ_t c_t h_{β_t}`` (using
    ``h_k' = √k h_{k−1}``) plus the program ``(ops, args)`` when it is not empty; ``table``
    (q, degree + 1) and ``stack`` (len(ops) + 1, q + 1) are scratch."""
    q = z.shape[0]
    hermite_table(z, table.shape[1] - 1, table)
    value = 0.0
    for j in range(q):
        grad[j] = 0.0
    if ops.shape[0] > 0:
        value += program_value_grad(z, ops, args, stack, grad)
    for t in range(betas.shape[0]):
        c = coefs[t]
        if c == 0.0:
            continue
        p = c
        for j in range(q):
            p *= table[j, betas[t, j]]
        value += p
        for j in range(q):
            b = betas[t, j]
            if b > 0:
                g = c * _ROOT[b] * table[j, b - 1]
                for i in range(q):
                    if i != j:
                        g *= table[i, betas[t, i]]
                grad[j] += g
    return value


@numba.njit(cache=True)
def link_batch(Z, betas, coefs, ops, args, kmax):  # pragma: no cover - compiled
    """``(f(z_i), ∇f(z_i))`` for the rows ``z_i`` of ``Z`` (N, q)."""
    n, q = Z.shape
    values = np.empty(n)
    grads = np.empty((n, q))
    table = np.empty((q, kmax + 1))
    stack = np.empty((ops.shape[0] + 1, q + 1))
    for i in range(n):
        values[i] = link_value_grad(Z[i], betas, coefs, ops, args, table, stack, grads[i])
    return values, grads


@numba.njit(cache=True)
def basis_row(z, betas, table, out):  # pragma: no cover - compiled
    """``out[t] = h_{β_t}(z)``."""
    hermite_table(z, table.shape[1] - 1, table)
    for t in range(betas.shape[0]):
        p = 1.0
        for j in range(z.shape[0]):
            p *= table[j, betas[t, j]]
        out[t] = p


@numba.njit(cache=True)
def escaped(M, planted, m1, power, level):  # pragma: no cover - compiled
    """The escape criterion of docs/online_sgd.md. Two-timescale: every singular value of ``M``
    is ``≥ m1`` (``|m| ≥ m1`` for q = 1). Planted, q = 1: the population loss is at most its value
    at ``m1``, i.e. ``P(m) = Σ_k α_k² m^k ≥ level = P(m1)`` (``power[k] = α_k²``): ``m ≥ m1`` when
    ``f*`` has an odd part, ``|m| ≥ m1`` for an even ``f*`` (then ``±w`` are the same predictor).
    Planted, q ≥ 2: every row and every column of ``M`` has an entry ``≥ m1`` (signs count)."""
    q = M.shape[0]
    if q == 1:
        if not planted:
            return abs(M[0, 0]) >= m1
        value, x = 0.0, 1.0
        for k in range(power.shape[0]):
            value += power[k] * x
            x *= M[0, 0]
        return value >= level
    if planted:
        for i in range(q):
            row, col = -2.0, -2.0
            for j in range(q):
                row = max(row, M[i, j])
                col = max(col, M[j, i])
            if row < m1 or col < m1:
                return False
        return True
    return np.linalg.eigvalsh(M.T @ M)[0] >= m1 * m1


# ----------------------------------------------------------------------------- setup


@dataclass(frozen=True)
class SgdSetup:
    """One online-SGD problem: ``model`` planted (the student's link is ``f*``) or two-timescale
    (link refit: ``oracle`` = ``A_{Mᵀ} f*``, or ``hermite`` = least squares in the ``h_β``,
    ``|β| ≤ degree``, on ``n_fit`` fresh samples every ``refit_every`` steps); ``link`` is ``f*``,
    a polynomial in ``link_variables(q)``; step ``lr``, batch ``batch``."""

    model: str
    link: sympy.Expr
    q: int
    d: int
    lr: float
    batch: int = 1
    refit: str = "oracle"
    degree: int | None = None
    n_fit: int = 1000
    refit_every: int = 1
    target: HermiteLink = field(init=False, repr=False, compare=False)
    student: HermiteLink = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise InputError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.refit not in REFITS:
            raise InputError(f"refit must be one of {', '.join(REFITS)}, got {self.refit!r}")
        if not 1 <= int(self.q) <= MAX_Q:
            raise InputError(f"q must lie in 1..{MAX_Q}, got {self.q}")
        if int(self.d) < 3 * self.q:
            raise InputError(f"the dimension must satisfy d >= 3q = {3 * self.q}, got d = {self.d}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise InputError(f"the step size must be positive and finite, got {self.lr}")
        if int(self.batch) < 1:
            raise InputError(f"the batch size must be at least 1, got {self.batch}")
        if not (1 <= int(self.n_fit) <= MAX_FIT and int(self.refit_every) >= 1):
            raise InputError(f"need 1 <= n_fit <= {MAX_FIT} and refit_every >= 1")
        target = fixed_link(self.link, self.q)
        object.__setattr__(self, "target", target)
        if self.model == "planted":
            student = target
        elif self.refit == "oracle":
            student = oracle_link(self.link, self.q)
        else:
            if self.degree is None and not target.polynomial:
                raise InputError("the hermite refit of a non-polynomial link needs its degree (--degree)")
            degree = target.degree if self.degree is None else int(self.degree)
            if not 1 <= degree <= MAX_DEGREE:
                raise InputError(f"the refit degree must lie in 1..{MAX_DEGREE}, got {degree}")
            student = basis_link(degree, self.q)
            if len(student.betas) > self.n_fit:
                raise InputError(f"the refit basis has {len(student.betas)} functions, more than "
                                 f"the n_fit = {self.n_fit} samples that fit it")
        object.__setattr__(self, "student", student)

    @property
    def fits(self) -> bool:
        """Whether the student's link is refit by least squares (two-timescale, ``hermite``)."""
        return self.model == "two-timescale" and self.refit == "hermite"

    @property
    def kmax(self) -> int:
        return max(self.target.degree, self.student.degree, 1)

    def escape_level(self, m1: float) -> tuple[np.ndarray, float]:
        """``(power, level)`` of :func:`escaped`: ``power[k] = α_k²`` of ``f*`` (q = 1) and
        ``level = Σ_k α_k² m1^k`` (``inf`` for ``m1 = inf``, never escaped)."""
        if self.q != 1:
            return np.zeros(1), math.inf
        if not self.target.polynomial:
            power = numeric_alphas(self.target) ** 2
            level = math.inf if math.isinf(m1) else float(np.polyval(power[::-1], m1))
            return power, level
        power = np.zeros(self.target.degree + 1)
        power[self.target.betas[:, 0]] = self.target.coefficients(np.zeros((1, 1))) ** 2
        level = math.inf if math.isinf(m1) else float(np.polyval(power[::-1], m1))
        return power, level


@dataclass(frozen=True)
class SgdRuns:
    """Runs of one setup: ``m0`` (n, q, q) start overlaps ``W*ᵀW(0)``, ``escape_step`` (n,)
    (−1 when not escaped within ``max_steps``), ``escape_time = lr · escape_step`` (nan if not
    escaped), ``final`` (n, q, q) the overlap where each run stopped, ``path`` (n, k, q, q) the
    overlap at steps ``0, r, 2r, …`` for ``record_every = r`` (nan after a run stops; None unless
    asked)."""

    setup: SgdSetup
    seeds: np.ndarray
    m0: np.ndarray
    escape_step: np.ndarray
    final: np.ndarray
    path: np.ndarray | None
    sampler: str

    @property
    def escape_time(self) -> np.ndarray:
        return np.where(self.escape_step >= 0, self.setup.lr * self.escape_step.astype(float), np.nan)


def haar_overlap(d: int, q: int, rng: np.random.Generator) -> np.ndarray:
    """``M(0) = W*ᵀW(0)`` for Haar ``W(0)`` without building ``W``: with ``G = [G₁; G₂]`` Gaussian
    (d×q) and ``QR = G`` (positive ``diag R``, the sign fix), ``M = G₁R^{-1}`` where ``RᵀR =
    G₁ᵀG₁ + G₂ᵀG₂`` and ``G₂ᵀG₂ ~ Wishart(d − q, I_q)`` (Bartlett: ``LLᵀ``, ``L`` lower triangular,
    ``L_jj² ~ χ²_{d−q−j}``, ``L_ij ~ N(0, 1)`` below the diagonal)."""
    G1 = rng.standard_normal((q, q))
    L = np.tril(rng.standard_normal((q, q)), -1)
    L[np.diag_indices(q)] = np.sqrt(rng.chisquare(d - q - np.arange(q)))
    R = np.linalg.cholesky(G1.T @ G1 + L @ L.T).T
    return np.linalg.solve(R.T, G1.T).T


def _start(setup: SgdSetup, seeds: np.ndarray, m0: np.ndarray | None) -> np.ndarray:
    """Each seed's ``M(0)``: :func:`haar_overlap` from ``default_rng(seed)``, or the common ``m0``."""
    q = setup.q
    if m0 is None:
        starts = [haar_overlap(setup.d, q, np.random.default_rng(int(s))) for s in seeds]
        return np.array(starts).reshape(-1, q, q)
    start = np.asarray(m0, dtype=np.float64).reshape(q, q)
    if not np.all(np.isfinite(start)) or np.linalg.norm(start, 2) >= 1:
        raise InputError("the start m0 must be a finite q×q matrix with ‖m0‖_op < 1")
    return np.repeat(start[None], len(seeds), axis=0)


def run_sgd(setup: SgdSetup, seeds: Sequence[int], to: float | None = 0.5, max_steps: int = 10**6,
            sampler: str = "exact", m0: np.ndarray | None = None, record_every: int | None = None,
            progress: Callable[[int], None] | None = None) -> SgdRuns:
    """Run online SGD from each seed's start (Haar, or the common ``m0``) until the escape
    criterion :func:`escaped` at ``to`` holds (``to=None``: never stop early) or ``max_steps``
    steps; ``progress(k)`` is called with the number of step slots used since the last call (a
    run that stops early uses up its remaining slots: the total is ``len(seeds) · max_steps``)."""
    if sampler not in SAMPLERS:
        raise InputError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    seeds = np.asarray(list(seeds), dtype=np.int64)
    if seeds.ndim != 1 or len(seeds) == 0 or np.any(seeds < 0) or np.any(seeds >= 2**32):
        raise InputError("seeds must be a non-empty list of integers in [0, 2^32)")
    if int(max_steps) < 0:
        raise InputError(f"max_steps must be non-negative, got {max_steps}")
    if record_every is not None and int(record_every) < 1:
        raise InputError(f"record_every must be a positive integer, got {record_every}")
    m1 = np.inf if to is None else float(to)
    if to is not None and not 0 < m1 <= 1:
        raise InputError(f"the target m1 must lie in (0, 1], got {to}")
    if sampler == "exact":
        from gfverify.numerics.sgd_exact import run_exact

        start = _start(setup, seeds, m0)
        steps, final, path = run_exact(setup, seeds, start, m1, int(max_steps), record_every, progress)
    else:
        given = None if m0 is None else _start(setup, seeds, m0)
        start, steps, final, path = run_full(setup, seeds, given, m1, int(max_steps), record_every, progress)
    return SgdRuns(setup, seeds, start, steps, final, path, sampler)


# ----------------------------------------------------------------------------- the full sampler

#: Largest d·batch·seeds of one block of samples drawn at once by the full sampler (memory).
FULL_BLOCK = 2**22


def _full_start(setup: SgdSetup, seed: int, m0: np.ndarray | None) -> np.ndarray:
    """``W(0)``: Haar (:func:`haar_stiefel`, QR with the sign fix, ``default_rng([seed, 1])``)
    when ``m0`` is None; else ``W = [m0; P (I − m0ᵀm0)^{1/2}]`` with ``P`` a Haar (d−q)×q frame,
    the law of a Haar ``W`` given its top block ``W*ᵀW = m0``."""
    q, d = setup.q, setup.d
    rng = np.random.default_rng([int(seed), 1])
    if m0 is None:
        return haar_stiefel(d, q, rng)
    vals, vecs = np.linalg.eigh(np.eye(q) - m0.T @ m0)
    root = (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    return np.vstack([m0, haar_stiefel(d - q, q, rng) @ root])


def _polar(V: np.ndarray) -> np.ndarray:
    """``V (VᵀV)^{-1/2}`` for a stack of d×q matrices."""
    vals, vecs = np.linalg.eigh(np.swapaxes(V, 1, 2) @ V)
    return V @ ((vecs / np.sqrt(vals)[:, None, :]) @ np.swapaxes(vecs, 1, 2))


def _fit(setup: SgdSetup, W: np.ndarray, rngs: list) -> np.ndarray:
    """Least-squares coefficients of the fit basis on ``n_fit`` fresh samples per run."""
    st, q = setup.student, setup.q
    out = np.empty((len(W), len(st.betas)))
    for s, rng in enumerate(rngs):
        X = rng.standard_normal((setup.n_fit, setup.d))
        y, _ = setup.target.evaluate(X[:, :q], setup.target.coefficients(np.zeros((q, q))), setup.kmax)
        Phi = np.empty((setup.n_fit, len(st.betas)))
        table = np.empty((q, setup.kmax + 1))
        Z = X @ W[s]
        for i in range(setup.n_fit):
            basis_row(Z[i], st.betas, table, Phi[i])
        out[s] = np.linalg.lstsq(Phi, y, rcond=None)[0]
    return out


def run_full(setup: SgdSetup, seeds: np.ndarray, m0: np.ndarray | None, m1: float, max_steps: int,
             record_every: int | None, progress: Callable[[int], None] | None) -> tuple:
    """The d-dimensional algorithm in numpy, vectorized over the seeds: ``W`` (n, d, q) float64,
    per step a fresh batch ``X`` (B×d) per run from ``numpy.random.default_rng([seed, 0])``.
    Returns ``(m0, escape_step, final, path)``."""
    q, d, B, lr = setup.q, setup.d, setup.batch, setup.lr
    n = len(seeds)
    W = np.array([_full_start(setup, int(s), None if m0 is None else m0[i]) for i, s in enumerate(seeds)])
    start = W[:, :q, :].copy()
    rngs = [np.random.default_rng([int(s), 0]) for s in seeds]
    tgt = setup.target.coefficients(np.zeros((q, q)))
    steps = np.full(n, -1, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    path = None
    if record_every is not None:
        path = np.full((n, max_steps // record_every + 1, q, q), np.nan)
    chunk = max(1, FULL_BLOCK // (d * max(n, 1)))
    power, level = setup.escape_level(m1)
    coefs = np.empty((n, len(setup.student.betas)))
    for k in range(max_steps + 1):
        for s in np.flatnonzero(alive):
            M = W[s, :q, :]
            if path is not None and k % record_every == 0:
                path[s, k // record_every] = M
            if escaped(np.ascontiguousarray(M), setup.model == "planted", m1, power, level):
                steps[s], alive[s] = k, False
                if progress is not None:
                    progress(max_steps - k)
        if k == max_steps or not alive.any():
            break
        idx = np.flatnonzero(alive)
        if setup.fits:
            if (k % setup.refit_every) == 0:
                coefs[idx] = _fit(setup, W[idx], [rngs[s] for s in idx])
        else:
            for s in idx:
                coefs[s] = setup.student.coefficients(W[s, :q, :])
        grad = np.zeros((len(idx), d, q))
        sym = np.zeros((len(idx), q, q))
        for first in range(0, B, chunk):
            b = min(chunk, B - first)
            for j, s in enumerate(idx):
                X = rngs[s].standard_normal((b, d))
                Z = X @ W[s]
                y, _ = setup.target.evaluate(X[:, :q], tgt, setup.kmax)
                f, g = setup.student.evaluate(Z, coefs[s], setup.kmax)
                D = (y - f)[:, None] * g  # rows r_i ∇f(z_i)
                grad[j] += X.T @ D  # minus the Euclidean gradient, times B
                sym[j] += Z.T @ D
        sym = (sym + np.swapaxes(sym, 1, 2)) / 2
        V = W[idx] + (lr / B) * (grad - W[idx] @ sym)
        W[idx] = _polar(V)
        if progress is not None:
            progress(len(idx))
    return start, steps, W[:, :q, :].copy(), path
