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

from gfverify.theory.errors import InputError


class MomentTable:
    """The mean-zero moments ``E[y^α]`` of ``y ~ N(0, Σ)`` for one covariance ``Σ``,
    computed on demand by the Isserlis recursion and kept for reuse."""

    def __init__(self, cov: sympy.Matrix | Sequence[Sequence[object]]):
        cov = sympy.Matrix(cov)
        if cov.rows != cov.cols:
            raise InputError(f"covariance must be square, got {cov.rows}x{cov.cols}")
        if cov != cov.T:
            raise InputError("covariance must be symmetric")
        self.cov = cov
        self.n = cov.rows
        self._memo: dict[tuple[int, ...], sympy.Expr] = {(0,) * self.n: sympy.Integer(1)}

    def __call__(self, alpha: Sequence[int]) -> sympy.Expr:
        """``E[y^α]`` for the exponent tuple ``α`` (zero when ``|α|`` is odd)."""
        alpha = tuple(int(a) for a in alpha)
        if len(alpha) != self.n:
            raise ValueError(f"exponent tuple of length {len(alpha)} for dimension {self.n}")
        if sum(alpha) % 2:
            return sympy.Integer(0)
        return self._moment(alpha)

    def _moment(self, alpha: tuple[int, ...]) -> sympy.Expr:
        hit = self._memo.get(alpha)
        if hit is not None:
            return hit
        # peel one factor x_i off (the first non-zero exponent) and pair it with each x_j left
        i = next(k for k, a in enumerate(alpha) if a)
        rest = list(alpha)
        rest[i] -= 1
        total = sympy.Integer(0)
        for j, a in enumerate(rest):
            if a == 0 or self.cov[i, j] == 0:
                continue
            lower = list(rest)
            lower[j] -= 1
            total += a * self.cov[i, j] * self._moment(tuple(lower))
        total = sympy.expand(total)
        self._memo[alpha] = total
        return total


def moment(alpha: Sequence[int], cov: sympy.Matrix | Sequence[Sequence[object]]) -> sympy.Expr:
    """The joint moment ``E[y^α]`` of a mean-zero Gaussian vector ``y ~ N(0, Σ)``."""
    return MomentTable(cov)(alpha)


def _power_table(base: sympy.Poly, top: int) -> list[sympy.Poly]:
    powers = [base.one]
    for _ in range(top):
        powers.append(powers[-1] * base)
    return powers


def gaussian_expectation(poly: sympy.Expr, variables: Sequence[sympy.Symbol],
                         cov: sympy.Matrix | Sequence[Sequence[object]],
                         mean: Sequence[sympy.Expr] | None = None,
                         keep: Sequence[sympy.Symbol] = (),
                         table: MomentTable | None = None) -> sympy.Expr:
    """``E[p(x)]`` for ``x ~ N(μ, Σ)`` exactly; ``Σ`` (and ``μ``) may hold symbols.

    ``poly`` must be a polynomial in ``variables``; other symbols are constants. When ``mean``
    holds expressions in the symbols ``keep`` (e.g. a conditional mean ``Nᵀz``), the result is
    built as a polynomial in ``keep`` (faster than expanding the whole expression)."""
    variables = list(variables)
    n = len(variables)
    table = MomentTable(cov) if table is None else table
    if table.n != n:
        raise InputError(f"covariance is {table.n}x{table.n} but there are {n} variables")
    p = sympy.Poly(sympy.expand(poly), *variables)
    if mean is None:
        return sympy.expand(sum((c * table(a) for a, c in p.terms()), sympy.Integer(0)))
    mean = [sympy.sympify(m) for m in mean]
    if len(mean) != n:
        raise InputError(f"mean has {len(mean)} entries but there are {n} variables")
    gens = list(keep) or [sympy.Dummy("_one")]
    mu = [sympy.Poly(m, *gens) for m in mean]
    top = [max((a[i] for a in p.monoms()), default=0) for i in range(n)]
    powers = [_power_table(mu[i], top[i]) for i in range(n)]
    total = sympy.Poly(0, *gens)
    for alpha, c in p.terms():
        for gamma in _sub_exponents(alpha):
            if sum(gamma) % 2:
                continue
            m = table(gamma)
            if m == 0:
                continue
            weight = c * m * reduce(lambda acc, ij: acc * comb(*ij), zip(alpha, gamma), 1)
            term = reduce(lambda acc, i: acc * powers[i][alpha[i] - gamma[i]], range(n),
                          sympy.Poly(weight, *gens))
            total += term
    return sympy.expand(total.as_expr())


def _sub_exponents(alpha: Sequence[int]) -> Iterable[tuple[int, ...]]:
    """Every exponent tuple ``γ ≤ α`` componentwise."""
    if not alpha:
        yield ()
        return
    for g in range(alpha[0] + 1):
        for tail in _sub_exponents(alpha[1:]):
            yield (g,) + tail
