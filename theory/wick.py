"""Exact Gaussian expectations of polynomials (Isserlis / Wick), with symbolic or rational
covariance.

Convention: ``x ~ N(μ, Σ)`` on R^n. Mean-zero moments obey the recursion
``E[x_i x^α] = Σ_j Σ_ij α_j E[x^{α - e_j}]`` (Gaussian integration by parts), memoized over
exponent tuples; a polynomial's expectation is the sum of its monomials' moments, and a mean is
handled by the binomial expansion of ``(μ + y)^α`` with ``y ~ N(0, Σ)``."""

from __future__ import annotations

from functools import reduce
from math import comb
from typing import Iterable, Sequence

import sympy
from sympy.polys.domains import EX, QQ
from sympy.polys.polyerrors import CoercionFailed
from sympy.polys.rings import PolyRing

from gfverify.errors import InputError


def _constants(exprs: Iterable[sympy.Expr]) -> dict:
    """Irrational numeric atoms (``sqrt(6)``, ``pi``, ``E``…) mapped to fresh symbols, so
    that the polynomial arithmetic stays over QQ (the EX domain is orders of magnitude slower)."""
    found: dict = {}
    for e in exprs:
        for atom in sympy.sympify(e).atoms(sympy.Pow, sympy.NumberSymbol, sympy.Function):
            if atom.is_number and not atom.is_Rational and atom not in found:
                found[atom] = sympy.Dummy(f"c{len(found)}")
    return found


def _ring_for(exprs: Iterable[sympy.Expr], first: Sequence[sympy.Symbol] = ()):
    """A sparse polynomial ring over QQ (EX if some coefficient is not rational) whose
    generators are ``first`` followed by every other free symbol of ``exprs``."""
    exprs = [sympy.sympify(e) for e in exprs]
    others: set = set()
    for e in exprs:
        others |= e.free_symbols
    gens = list(first) + sorted(others - set(first), key=str)
    if not gens:
        gens = [sympy.Dummy("_c")]
    for domain in (QQ, EX):
        R = PolyRing(gens, domain)
        try:
            for e in exprs:
                R.from_expr(e)
        except (ValueError, TypeError, CoercionFailed):
            continue
        return R
    raise InputError("coefficients are not polynomial in their symbols")


class MomentTable:
    """The mean-zero moments ``E[y^α]`` of ``y ~ N(0, Σ)`` for one covariance ``Σ``,
    computed on demand by the Isserlis recursion (in a sparse polynomial ring over the
    symbols of ``Σ``) and kept for reuse."""

    def __init__(self, cov: sympy.Matrix | Sequence[Sequence[object]]):
        cov = sympy.Matrix(cov)
        if cov.rows != cov.cols:
            raise InputError(f"covariance must be square, got {cov.rows}x{cov.cols}")
        if cov != cov.T:
            raise InputError("covariance must be symmetric")
        self.cov = cov
        self.n = cov.rows
        #: irrational constants of Σ stand for symbols inside the ring (see :func:`_constants`)
        self.constants = _constants(list(cov))
        plain = cov.xreplace(self.constants)
        self.ring = _ring_for(list(plain))
        self._c = [[self.ring.from_expr(plain[i, j]) for j in range(self.n)] for i in range(self.n)]
        self._memo: dict[tuple[int, ...], object] = {(0,) * self.n: self.ring.one}

    def __call__(self, alpha: Sequence[int]) -> sympy.Expr:
        """``E[y^α]`` for the exponent tuple ``α`` (zero when ``|α|`` is odd)."""
        back = {v: k for k, v in self.constants.items()}
        return sympy.expand(self.element(alpha).as_expr().xreplace(back))

    def element(self, alpha: Sequence[int]):
        """``E[y^α]`` as an element of :attr:`ring`."""
        alpha = tuple(int(a) for a in alpha)
        if len(alpha) != self.n:
            raise ValueError(f"exponent tuple of length {len(alpha)} for dimension {self.n}")
        if sum(alpha) % 2:
            return self.ring.zero
        return self._moment(alpha)

    def _moment(self, alpha: tuple[int, ...]):
        hit = self._memo.get(alpha)
        if hit is not None:
            return hit
        # peel one factor x_i off (the first non-zero exponent) and pair it with each x_j left
        i = next(k for k, a in enumerate(alpha) if a)
        rest = list(alpha)
        rest[i] -= 1
        total = self.ring.zero
        for j, a in enumerate(rest):
            if a == 0 or not self._c[i][j]:
                continue
            lower = list(rest)
            lower[j] -= 1
            total += a * self._c[i][j] * self._moment(tuple(lower))
        self._memo[alpha] = total
        return total


def moment(alpha: Sequence[int], cov: sympy.Matrix | Sequence[Sequence[object]]) -> sympy.Expr:
    """The joint moment ``E[y^α]`` of a mean-zero Gaussian vector ``y ~ N(0, Σ)``."""
    return MomentTable(cov)(alpha)


def gaussian_expectation(poly: sympy.Expr | sympy.Poly, variables: Sequence[sympy.Symbol],
                         cov: sympy.Matrix | Sequence[Sequence[object]],
                         mean: Sequence[sympy.Expr] | None = None,
                         keep: Sequence[sympy.Symbol] = (),
                         table: MomentTable | None = None) -> sympy.Expr:
    """``E[p(x)]`` for ``x ~ N(μ, Σ)`` exactly; ``Σ`` (and ``μ``) may hold symbols.

    ``poly`` must be a polynomial in ``variables`` (an expression, or a ``Poly`` with exactly
    these generators); other symbols are constants. ``mean`` may hold expressions in further
    symbols (e.g. a conditional mean ``Nᵀz``); ``keep`` lists symbols to order first in the
    internal ring (no effect on the value). The result is an expanded expression."""
    variables = list(variables)
    n = len(variables)
    table = MomentTable(cov) if table is None else table
    if table.n != n:
        raise InputError(f"covariance is {table.n}x{table.n} but there are {n} variables")
    expr = poly.as_expr() if isinstance(poly, sympy.Poly) else sympy.sympify(poly)
    if not expr.is_polynomial(*variables):
        raise InputError(f"not a polynomial in {variables}: {expr}")
    mean = None if mean is None else [sympy.sympify(m) for m in mean]
    if mean is not None and len(mean) != n:
        raise InputError(f"mean has {len(mean)} entries but there are {n} variables")
    constants = dict(table.constants)
    for atom, dummy in _constants([expr] + list(mean or [])).items():
        constants.setdefault(atom, sympy.Dummy(dummy.name))
    expr = expr.xreplace(constants)
    mean = None if mean is None else [m.xreplace(constants) for m in mean]
    R = _ring_for([expr] + list(mean or []) + list(table.ring.symbols), first=variables + list(keep))
    try:
        p = R.from_expr(expr)
    except (ValueError, TypeError, CoercionFailed):
        raise InputError(f"not a polynomial in {variables}: {expr}") from None

    def moment_of(g):
        return table.element(g).set_ring(R)
    # split every term into its exponent in ``variables`` and a coefficient in the other gens
    grouped: dict[tuple[int, ...], object] = {}
    for monom, c in p.terms():
        alpha, tail = monom[:n], (0,) * n + monom[n:]
        grouped[alpha] = grouped.get(alpha, R.zero) + R({tail: c})
    total = R.zero
    if mean is None:
        for alpha, c in grouped.items():
            if sum(alpha) % 2 == 0:
                total += c * moment_of(alpha)
        return _restore(total, constants)
    mu = [R.from_expr(m) for m in mean]
    if any(mi.degree(R.gens[i]) > 0 for mi in mu for i in range(n)):
        raise InputError("the mean must not depend on the integration variables")
    top = [max((a[i] for a in grouped), default=0) for i in range(n)]
    powers = [[R.one] for _ in range(n)]
    for i in range(n):
        for _ in range(top[i]):
            powers[i].append(powers[i][-1] * mu[i])
    for alpha, cr in grouped.items():
        for gamma in _sub_exponents(alpha):
            if sum(gamma) % 2:
                continue
            m = moment_of(gamma)
            if not m:
                continue
            term = cr * m * reduce(lambda acc, ij: acc * comb(*ij), zip(alpha, gamma), 1)
            for i in range(n):
                if alpha[i] != gamma[i]:
                    term = term * powers[i][alpha[i] - gamma[i]]
            total += term
    return _restore(total, constants)


def _restore(element, constants: dict) -> sympy.Expr:
    """A ring element back to an expanded expression with the constants put back."""
    expr = element.as_expr()
    if not constants:
        return expr
    return sympy.expand(expr.xreplace({v: k for k, v in constants.items()}))


def _sub_exponents(alpha: Sequence[int]) -> Iterable[tuple[int, ...]]:
    """Every exponent tuple ``γ ≤ α`` componentwise."""
    if not alpha:
        yield ()
        return
    for g in range(alpha[0] + 1):
        for tail in _sub_exponents(alpha[1:]):
            yield (g,) + tail


def standard_expectation(poly: sympy.Expr, variables: Sequence[sympy.Symbol]) -> sympy.Expr:
    """``E[p(z)]`` for ``z ~ N(0, I)``: Σ_α c_α Π_i (α_i − 1)!! (odd α_i give 0), the product
    formula of independent coordinates, without the Isserlis recursion. Other symbols are
    constants."""
    variables = list(variables)
    total = sympy.Integer(0)
    for alpha, c in sympy.Poly(sympy.expand(poly), *variables).terms():
        if any(a % 2 for a in alpha):
            continue
        total += c * sympy.Mul(*[sympy.factorial2(a - 1) for a in alpha])
    return sympy.expand(total)
