"""Exact witnesses for the identities of the averaging operator ([A], docs/theory.md A1–A9):
polynomial links in q = 1, 2, 3 with odd and even parts and no symmetry that would hide a
wrong formula, symbolic ``q×q`` matrices and symmetric tensors, and monomial bases."""

from __future__ import annotations

from itertools import product
from typing import Sequence

import sympy

R = sympy.Rational
Z1, Z2, Z3 = sympy.symbols("z1 z2 z3", real=True)
#: The variables of a link in ``q`` dimensions.
ZS: dict[int, list[sympy.Symbol]] = {1: [Z1], 2: [Z1, Z2], 3: [Z1, Z2, Z3]}
#: A symbolic correlation (the q = 1 matrix ``N = [[ρ]]``).
RHO = sympy.Symbol("rho", real=True)

#: Polynomial links: degree 4 in q = 1, 2 and degree 3 in q = 3.
LINKS: dict[int, sympy.Expr] = {
    1: Z1**4 - 2 * Z1**3 + R(1, 3) * Z1 - 1,
    2: Z1**2 * Z2**2 - 2 * Z1**3 * Z2 + R(1, 3) * Z2**4 + Z1 * Z2 - Z2**3 + Z1 - 1,
    3: Z1 * Z2 * Z3 + Z1**3 - 2 * Z2**2 * Z3 + Z3**2 - Z1 + 2,
}
#: Second polynomial links (test functions for adjoints and conditional expectations).
TESTS: dict[int, sympy.Expr] = {
    1: 3 * Z1**3 - Z1**2 + 2,
    2: Z1**3 * Z2 - Z2**2 + Z1 * Z2**2 + Z1 - R(1, 2),
    3: Z1**2 * Z3 - Z2 * Z3 + Z2**3 + 1,
}


def link_degree(q: int) -> int:
    """The total degree of ``LINKS[q]`` (4 for q = 1, 2; 3 for q = 3)."""
    return sympy.Poly(LINKS[q], *ZS[q]).total_degree()


def describe(qs: Sequence[int]) -> str:
    """``"q = 1 (deg 4), q = 2 (deg 4)"``: the dimensions and link degrees of a check."""
    return ", ".join(f"q = {q} (deg {link_degree(q)})" for q in qs)


def symbolic(name: str, q: int) -> sympy.Matrix:
    """The ``q×q`` matrix of real symbols ``name11, name12, …``."""
    return sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def symmetric_tensor(name: str, q: int, k: int) -> sympy.Array:
    """A symmetric ``k``-tensor on ``R^q`` with one real symbol per multiset of indices
    (``name_12`` = ``T_{12}`` = ``T_{21}``)."""
    if k == 0:
        return sympy.Array(sympy.Symbol(f"{name}_", real=True))
    entries = [sympy.Symbol(f"{name}_{''.join(str(i + 1) for i in sorted(idx))}", real=True)
               for idx in product(range(q), repeat=k)]
    return sympy.Array(entries, (q,) * k)


def monomials(zs: Sequence[sympy.Symbol], degree: int) -> list[sympy.Expr]:
    """Every monomial ``z^α`` with ``|α| ≤ degree`` (a basis of the polynomials of that degree)."""
    return [sympy.Mul(*[z**e for z, e in zip(zs, exps)])
            for exps in product(range(degree + 1), repeat=len(zs)) if sum(exps) <= degree]
