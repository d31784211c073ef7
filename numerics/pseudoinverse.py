"""The Moore–Penrose pseudoinverse of a Jacobian of full rank on its thin side, applied to
vectors at the current mpmath precision.

For ``D ∈ R^{m×K}`` with ``m ≤ K`` and rank ``m``: ``D⁺ = Dᵀ (D Dᵀ)⁻¹``; with ``m > K`` and rank
``K``: ``D⁺ = (DᵀD)⁻¹ Dᵀ``. The Gram matrix squares the condition number, so it is formed,
factored (Cholesky) and solved at twice the working precision: the result then carries the
error ``κ(D) ε`` of a backward-stable solve for ``κ(D)² < 1/ε``."""

from __future__ import annotations

from typing import Sequence

import mpmath


class SingularJacobian(ArithmeticError):
    """The Gram matrix of ``D`` is not positive definite at the working precision."""


def _cholesky(G: list[list]) -> list[list]:
    n = len(G)
    L = [[mpmath.mpf(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = G[i][j] - mpmath.fdot(L[i][:j], L[j][:j])
            if i == j:
                if s <= 0:
                    raise SingularJacobian(f"Gram matrix not positive definite (pivot {i})")
                L[i][i] = mpmath.sqrt(s)
            else:
                L[i][j] = s / L[j][j]
    return L


def _cholesky_solve(L: list[list], b: Sequence) -> list:
    n = len(L)
    z: list = []
    for i in range(n):
        z.append((b[i] - mpmath.fdot(L[i][:i], z)) / L[i][i])
    x = [mpmath.mpf(0)] * n
    for i in range(n - 1, -1, -1):
        s = mpmath.fdot([L[k][i] for k in range(i + 1, n)], x[i + 1:])
        x[i] = (z[i] - s) / L[i][i]
    return x


class Jacobian:
    """``D`` (a list of ``m`` rows of length ``K``) with ``Dᵀv``, ``Dw``, ``D⁺v``, ``Pv = DD⁺v``
    and the singular values, assuming rank ``min(m, K)`` (else :class:`SingularJacobian`)."""

    def __init__(self, rows: Sequence[Sequence]) -> None:
        self.rows = [list(r) for r in rows]
        self.m, self.K = len(self.rows), len(self.rows[0])
        self.wide = self.m <= self.K
        with mpmath.workprec(2 * mpmath.mp.prec):
            side = self.rows if self.wide else self.columns()
            n = len(side)
            self.gram = [[mpmath.mpf(0)] * n for _ in range(n)]
            for i in range(n):
                for j in range(i + 1):
                    self.gram[i][j] = self.gram[j][i] = mpmath.fdot(side[i], side[j])
            self._chol = _cholesky(self.gram)

    def columns(self) -> list[list]:
        return [list(c) for c in zip(*self.rows)]

    def t(self, v: Sequence) -> list:
        """``Dᵀ v``."""
        return [mpmath.fdot(col, v) for col in zip(*self.rows)]

    def apply(self, w: Sequence) -> list:
        """``D w``."""
        return [mpmath.fdot(row, w) for row in self.rows]

    def pinv(self, v: Sequence) -> list:
        """``D⁺ v``."""
        prec = mpmath.mp.prec
        with mpmath.workprec(2 * prec):
            if self.wide:
                out = self.t(_cholesky_solve(self._chol, v))
            else:
                out = _cholesky_solve(self._chol, self.t(v))
        with mpmath.workprec(prec):
            return [+x for x in out]

    def proj(self, v: Sequence) -> list:
        """``P v = D D⁺ v``, the orthogonal projection onto range(D)."""
        return self.apply(self.pinv(v))

    def singular_values(self) -> list:
        """The ``min(m, K)`` singular values of ``D``, largest first."""
        with mpmath.workprec(2 * mpmath.mp.prec):
            eig = mpmath.eigsy(mpmath.matrix(self.gram), eigvals_only=True)
            values = sorted((mpmath.sqrt(max(e, 0)) for e in eig), reverse=True)
        return [+s for s in values]

    def inverse_condition(self) -> mpmath.mpf:
        """``σ_min / σ_max`` (``σ_max > 0``: a rank-deficient ``D`` is refused at construction)."""
        s = self.singular_values()
        return s[-1] / s[0]


def svd_projector(rows: Sequence[Sequence]) -> mpmath.matrix:
    """``P = U_r U_rᵀ``, the orthogonal projector onto range(D), from mpmath's SVD of ``D``
    (rank ``r``: singular values above ``σ_max·10^{−dps/2}``); independent of the Gram route
    of :meth:`Jacobian.proj` and valid at any rank."""
    D = mpmath.matrix([list(r) for r in rows])
    U, s, _ = mpmath.svd_r(D, compute_uv=True)
    r = sum(1 for v in s if v > s[0] * mpmath.mpf(10) ** (-mpmath.mp.dps // 2))
    Ur = U[:, :r]
    return Ur * Ur.T


def complement(rows: Sequence[Sequence], v: Sequence) -> list:
    """``P⊥ v = v − P v``: the part of ``v`` orthogonal to range(D) (``P`` by :func:`svd_projector`)."""
    w = mpmath.matrix(list(v))
    return list(w - svd_projector(rows) * w)
