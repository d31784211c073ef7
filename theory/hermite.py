"""Hermite polynomials in the probabilists' convention and exact Hermite coefficients.

``He_0 = 1, He_1 = z, He_{k+1} = z He_k - k He_{k-1}``; normalized ``h_k = He_k / sqrt(k!)``
(orthonormal in L²(γ)); multivariate ``h_β(z) = Π h_{β_i}(z_i)``. Coefficients
``α_k = <f, h_k> = E[f(z) h_k(z)]``, ``z ~ N(0, 1)``."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import sympy

Z = sympy.Symbol("z", real=True)


@lru_cache(maxsize=None)
def _he_coeffs(k: int) -> tuple[int, ...]:
    """Integer coefficients of He_k in the monomial basis (index = power)."""
    if k < 0:
        raise ValueError("Hermite degree must be non-negative")
    if k == 0:
        return (1,)
    if k == 1:
        return (0, 1)
    a, b = _he_coeffs(k - 1), _he_coeffs(k - 2)
    out = [0] * (k + 1)
    for i, c in enumerate(a):
        out[i + 1] += c
    for i, c in enumerate(b):
        out[i] -= (k - 1) * c
    return tuple(out)


def He(k: int, x: sympy.Expr = Z) -> sympy.Expr:
    """Probabilists' Hermite polynomial ``He_k(x)`` (monic)."""
    return sympy.Add(*[c * x**i for i, c in enumerate(_he_coeffs(k)) if c])


def h(k: int, x: sympy.Expr = Z) -> sympy.Expr:
    """Normalized Hermite polynomial ``h_k = He_k / sqrt(k!)``."""
    return He(k, x) / sympy.sqrt(sympy.factorial(k))


def h_multi(beta: Sequence[int], xs: Sequence[sympy.Expr]) -> sympy.Expr:
    """Multivariate ``h_β(x) = Π_i h_{β_i}(x_i)``."""
    if len(beta) != len(xs):
        raise ValueError("multi-index and variables differ in length")
    return sympy.Mul(*[h(b, x) for b, x in zip(beta, xs)])


def he_coefficients(k: int) -> tuple[int, ...]:
    """The integer monomial coefficients of ``He_k`` (entry ``i`` multiplies ``z**i``)."""
    return _he_coeffs(k)
