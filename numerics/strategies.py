"""Hypothesis strategies for Gaussian computations, importable by users:
``from gfverify.numerics.strategies import polynomial_links``."""

from __future__ import annotations

import sympy
from hypothesis import strategies as st

Z = sympy.Symbol("z", real=True)


@st.composite
def rationals(draw, max_numerator: int = 20, max_denominator: int = 9) -> sympy.Rational:
    """Small exact rationals p/q."""
    p = draw(st.integers(-max_numerator, max_numerator))
    q = draw(st.integers(1, max_denominator))
    return sympy.Rational(p, q)


@st.composite
def polynomial_links(draw, max_degree: int = 8, var: sympy.Symbol = Z) -> sympy.Expr:
    """Univariate polynomials in ``var`` with small rational coefficients (possibly constant)."""
    degree = draw(st.integers(0, max_degree))
    coeffs = [draw(rationals()) for _ in range(degree + 1)]
    return sympy.expand(sum(c * var**i for i, c in enumerate(coeffs)))
