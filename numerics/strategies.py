"""Hypothesis strategies for Gaussian computations, importable by users who install the
``[test]`` extra: ``from gfverify.numerics.strategies import polynomial_links``. Nothing else
in gfverify imports this module, so a core install runs without hypothesis."""

from __future__ import annotations

import sympy

try:
    from hypothesis import strategies as st
except ImportError as exc:  # hypothesis is in the [test] extra only
    raise ImportError("gfverify.numerics.strategies needs hypothesis: pip install 'gfverify[test]'") from exc

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


# --- matrices and multivariate links for the averaging operator (docs/theory.md [A]) -------------

def _rational_unit(draw, boundary: bool) -> sympy.Rational:
    """A rational in [-1, 1]; ±1 and 0 drawn often enough to exercise the boundary."""
    if boundary and draw(st.integers(0, 3)) == 0:
        return sympy.Integer(draw(st.sampled_from([-1, 1])))
    p = draw(st.integers(-8, 8))
    return sympy.Rational(p, 8)


@st.composite
def orthogonal_matrices(draw, n: int) -> sympy.Matrix:
    """Exact rational orthogonal ``n×n`` matrices: Cayley transforms of small rational skew
    matrices times a diagonal of signs (both determinants)."""
    from gfverify.numerics.random_matrices import rational_orthogonal

    entries = [draw(rationals(max_numerator=4, max_denominator=4)) for _ in range(n * (n - 1) // 2)]
    signs = [draw(st.sampled_from([-1, 1])) for _ in range(n)]
    return rational_orthogonal(entries, signs)


@st.composite
def contractions(draw, q: int, boundary: bool = True) -> sympy.Matrix:
    """Exact rational ``q×q`` matrices with ``‖N‖_op ≤ 1``: ``Q₁ diag(d) Q₂`` with rational
    orthogonal ``Q₁, Q₂`` and ``|d_i| ≤ 1`` (``‖N‖_op = 1`` included when ``boundary``)."""
    from gfverify.numerics.random_matrices import rational_contraction

    diag = [_rational_unit(draw, boundary) for _ in range(q)]
    return rational_contraction(draw(orthogonal_matrices(q)), diag, draw(orthogonal_matrices(q)))


@st.composite
def stiefel_matrices(draw, d: int, q: int, exact: bool = True):
    """``d×q`` matrices with orthonormal columns: exact rational ones (Cayley) when ``exact``,
    else float64 Haar-random ones (QR of a Gaussian matrix with the sign fix) from a drawn seed."""
    if not exact:
        import numpy as np

        from gfverify.numerics.random_matrices import haar_stiefel

        return haar_stiefel(d, q, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))
    return draw(orthogonal_matrices(d))[:, :q]


@st.composite
def psd_pairs(draw, q: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    """Exact rational pairs ``0 ⪯ G ⪯ G' ⪯ I`` (equality and ``G' = I`` included)."""
    from gfverify.numerics.random_matrices import psd_pair

    V = draw(orthogonal_matrices(q))
    lam = [abs(_rational_unit(draw, True)) for _ in range(q)]
    G = V * sympy.diag(*lam) * V.T
    if draw(st.integers(0, 4)) == 0:
        return G, sympy.eye(q)
    B = sympy.Matrix(q, 1, [draw(rationals(max_numerator=4, max_denominator=4)) for _ in range(q)])
    return psd_pair(G, B)


@st.composite
def multivariate_polynomial_links(draw, zs, max_degree: int = 4, max_terms: int = 5) -> sympy.Expr:
    """Polynomials in the symbols ``zs`` of total degree ≤ ``max_degree`` with a few small
    rational coefficients (possibly constant)."""
    zs = list(zs)
    terms = draw(st.integers(1, max_terms))
    total = sympy.Integer(0)
    for _ in range(terms):
        degree = draw(st.integers(0, max_degree))
        powers = [0] * len(zs)
        for _ in range(degree):
            powers[draw(st.integers(0, len(zs) - 1))] += 1
        total += draw(rationals()) * sympy.Mul(*[z**p for z, p in zip(zs, powers)])
    return sympy.expand(total)


@st.composite
def small_networks(draw, max_width: int = 3, max_layers: int = 4, max_points: int = 3,
                   overparametrized: bool = False):
    """Seeded random MLP problems (``networks.Problem``: model, θ0, targets) with small widths,
    tanh or softplus; with ``overparametrized`` the number of points is capped so that
    ``K ≥ QN`` (``K`` counts the last layer's bias, so ``K ≥ Q`` and one point always fits)."""
    from gfverify.numerics.networks import random_mlp

    widths = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=max_layers))
    n = draw(st.integers(1, max_points))
    if overparametrized:
        K = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
        if K < widths[-1] * n:
            n = max(1, K // widths[-1])
    return random_mlp(widths, n, draw(st.integers(0, 2**32 - 1)),
                      draw(st.sampled_from(["tanh", "softplus"])),
                      require_overparametrized=overparametrized)
