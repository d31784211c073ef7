"""Samplers for the matrices of docs/theory.md [A]: Haar-random Stiefel matrices (float64, by QR with
the sign fix), exact rational orthogonal and Stiefel matrices (Cayley transform), rational
contractions ``N = Q₁ diag(d) Q₂`` (``‖N‖_op = max |d_i|``), and rational PSD pairs
``G ⪯ G' ⪯ I``."""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np
import sympy

from gfverify.errors import InputError


def haar_stiefel(d: int, q: int, rng: np.random.Generator) -> np.ndarray:
    """A ``d×q`` matrix uniform on the Stiefel manifold St(d, q): the Q factor of a Gaussian
    matrix with the signs of ``diag(R)`` moved into Q (without that fix QR is not Haar)."""
    if d < q or q < 1:
        raise InputError(f"need d ≥ q ≥ 1, got d = {d}, q = {q}")
    Q, R = np.linalg.qr(rng.standard_normal((d, q)))
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1
    return Q * signs


def cayley(S: sympy.Matrix) -> sympy.Matrix:
    """The rational orthogonal matrix ``(I − S)(I + S)^{-1}`` of a skew-symmetric ``S``
    (exact; ``I + S`` is always invertible for real skew ``S``)."""
    S = sympy.Matrix(S)
    if S != -S.T:
        raise InputError("Cayley transform needs a skew-symmetric matrix")
    eye = sympy.eye(S.rows)
    return (eye - S) * (eye + S).inv()


def skew(entries: Sequence, n: int) -> sympy.Matrix:
    """The ``n×n`` skew-symmetric matrix with the given strictly-upper entries (row by row)."""
    entries = list(entries)
    if len(entries) != n * (n - 1) // 2:
        raise InputError(f"need {n * (n - 1) // 2} entries for a {n}x{n} skew matrix")
    S = sympy.zeros(n, n)
    it = iter(entries)
    for i in range(n):
        for j in range(i + 1, n):
            S[i, j] = sympy.sympify(next(it))
            S[j, i] = -S[i, j]
    return S


def rational_orthogonal(entries: Sequence, signs: Sequence[int]) -> sympy.Matrix:
    """An exact orthogonal matrix: ``cayley(skew(entries)) · diag(signs)``."""
    n = len(signs)
    return cayley(skew(entries, n)) * sympy.diag(*[1 if s >= 0 else -1 for s in signs])


def rational_stiefel(entries: Sequence, signs: Sequence[int], q: int) -> sympy.Matrix:
    """The first ``q`` columns of :func:`rational_orthogonal` (exactly ``WᵀW = I_q``)."""
    return rational_orthogonal(entries, signs)[:, :q]


def rational_contraction(left: sympy.Matrix, diag: Sequence, right: sympy.Matrix) -> sympy.Matrix:
    """``Q₁ diag(d) Q₂`` for orthogonal ``Q₁, Q₂`` and ``|d_i| ≤ 1``: ``‖N‖_op = max |d_i|``."""
    if any(abs(sympy.sympify(x)) > 1 for x in diag):
        raise InputError("contraction needs |d_i| ≤ 1")
    return sympy.Matrix(left) * sympy.diag(*diag) * sympy.Matrix(right)


def psd_leq_identity(M: sympy.Matrix) -> bool:
    """``0 ⪯ M ⪯ I`` exactly (every principal minor of ``M`` and of ``I − M`` is ``≥ 0``)."""
    M = sympy.Matrix(M)
    n = M.rows
    for A in (M, sympy.eye(n) - M):
        for size in range(1, n + 1):
            for idx in combinations(range(n), size):
                if A.extract(list(idx), list(idx)).det() < 0:
                    return False
    return True


def psd_pair(base: sympy.Matrix, step: sympy.Matrix) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(G, G')`` with ``0 ⪯ G ⪯ G' ⪯ I``: ``G = base`` (must satisfy ``0 ⪯ G ⪯ I``) and
    ``G' = G + t BBᵀ`` with the largest ``t ∈ {1, 1/2, 1/4, …, 2^-20}`` keeping ``G' ⪯ I``
    (``t = 0`` if none does)."""
    G = sympy.Matrix(base)
    if not psd_leq_identity(G):
        raise InputError("base must satisfy 0 ⪯ G ⪯ I")
    B = sympy.Matrix(step)
    for k in range(21):
        Gp = G + sympy.Rational(1, 2**k) * B * B.T
        if psd_leq_identity(Gp):
            return G, Gp
    return G, G
