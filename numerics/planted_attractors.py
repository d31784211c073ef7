"""Where the planted Stiefel flow of [A] goes from Haar-random starts, for ``f* = Σ_i h_3(z_i)``.

The flow is ``Ṁ = F(M) = Γ − M sym(Mᵀ Γ)`` with ``Γ = ∇_M Σ_ij M_ij³ = 3 M∘M`` (closed in the
q×q correlation ``M = W*ᵀ W``, so the dimension enters only through ``M(0)``: the first q rows
of a Haar ``W(0) ∈ St(d, q)`` when ``W* = [I_q; 0]``). The loss is ``q − Σ_ij M_ij³``.

Float64 integration of all starts together (numpy only): Dormand–Prince 5(4) with one adaptive
step for the batch (rtol 1e-9, atol 1e-12). A run is *decided* when it has converged to a fixed
point: its velocity ``max |F(M)|`` is below ``VELOCITY``, ``M`` is within ``NEAR`` (entrywise) of
a partial permutation matrix ``P`` (k < q or k = q entries 1, one per row and column, zeros
elsewhere; ``F(P) = 0`` exactly), and the entries of ``M`` on the unlearned rows and columns are
≤ 0 (they creep up to 0⁻ like ``m ≈ −1/(3t)`` in q = 1, and the flow cannot leave that side).
Decided runs leave the batch; runs still undecided at ``t_max`` are counted. The limit's loss
is ``q − k``. The linearization ``DF(P)`` (a q²×q² rational matrix) is evaluated exactly and its
spectrum computed by :mod:`mpmath` at a given precision (:func:`spectrum`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import permutations

import mpmath
import numpy as np

from gfverify.errors import InputError

#: a run has converged when max |F(M)| is below this ...
VELOCITY = 1e-5
#: ... and every entry is within this of a partial permutation matrix
NEAR = 1e-2

# Dormand–Prince 5(4) tableau
_C = (0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1)
_A = ((), (1 / 5,), (3 / 40, 9 / 40), (44 / 45, -56 / 15, 32 / 9),
      (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
      (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
      (35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_E = (71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)


@dataclass(frozen=True)
class Census:
    """Where ``starts`` Haar starts (seed ``seed``) of dimension ``d`` went: ``limits`` maps each
    partial permutation reached (as a tuple of (row, column) pairs of its unit entries) to its
    count; ``undecided`` runs had not converged by ``t_max``; ``last_decision`` is the latest
    time a run was decided. ``positive_permutation`` counts the starts for which some
    permutation σ has ``M(0)_{iσ(i)} > 0`` for all i, ``successes_with_positive_permutation``
    those among them that succeeded and ``spurious_with_positive_permutation`` those among them
    decided at a spurious limit."""

    q: int
    d: int
    starts: int
    seed: int
    sign_fix: bool
    limits: dict = field(default_factory=dict)
    undecided: int = 0
    t_max: float = 0.0
    last_decision: float = 0.0
    positive_permutation: int = 0
    successes_with_positive_permutation: int = 0
    spurious_with_positive_permutation: int = 0

    @property
    def successes(self) -> int:
        """Runs that reached a full permutation matrix (loss 0, ``G = I``)."""
        return sum(n for P, n in self.limits.items() if len(P) == self.q)

    def by_loss(self) -> dict[int, int]:
        """Decided runs by the loss ``q − k`` of their limit."""
        out: dict[int, int] = {}
        for P, n in self.limits.items():
            out[self.q - len(P)] = out.get(self.q - len(P), 0) + n
        return dict(sorted(out.items()))


def stiefel_starts(d: int, q: int, n: int, rng: np.random.Generator, sign_fix: bool = True) -> np.ndarray:
    """``n`` starts ``M(0)`` = the first q rows of ``W(0)``, ``W(0)`` the Q factor of a Gaussian
    d×q matrix; with ``sign_fix`` the signs of ``diag(R)`` are moved into Q (Haar), without it
    numpy's QR convention biases the signs (the sampling trap of the theory document)."""
    if d < q:
        raise InputError(f"the dimension must satisfy d >= q, got d = {d} < q = {q}")
    out = np.empty((n, q, q))
    for i in range(n):
        Q, R = np.linalg.qr(rng.standard_normal((d, q)))
        if sign_fix:
            Q = Q * np.sign(np.diag(R))
        out[i] = Q[:q, :]
    return out


def planted_rhs(M: np.ndarray) -> np.ndarray:
    """``Ṁ = Γ − M sym(MᵀΓ)``, ``Γ = 3 M∘M``, for a batch ``M`` of shape (n, q, q)."""
    gamma = 3 * M**2
    S = np.matmul(np.swapaxes(M, 1, 2), gamma)
    return gamma - np.matmul(M, (S + np.swapaxes(S, 1, 2)) / 2)


def _partial_permutation(M: np.ndarray) -> tuple | None:
    """The partial permutation ``P`` (as its unit entries) with ``|M − P| < NEAR`` entrywise and
    ``M ≤ 0`` on the rows and columns ``P`` leaves empty, or ``None``."""
    R = np.rint(M)
    if np.abs(M - R).max() >= NEAR or R.min() < 0:
        return None
    ones = tuple((int(i), int(j)) for i, j in zip(*np.nonzero(R)))
    rows, cols = {i for i, _ in ones}, {j for _, j in ones}
    if len(rows) != len(ones) or len(cols) != len(ones):
        return None
    free_r = [i for i in range(M.shape[0]) if i not in rows]
    free_c = [j for j in range(M.shape[1]) if j not in cols]
    if free_r and M[np.ix_(free_r, free_c)].max() > 0:
        return None
    return ones


def _dopri_step(M: np.ndarray, k1: np.ndarray, h: float):
    ks = [k1]
    for i in range(1, 7):
        y = M + h * sum(a * k for a, k in zip(_A[i], ks) if a)
        ks.append(planted_rhs(y))
    # y is the fifth-order solution (row 7 of the tableau = the weights), ks[6] = F(y) (FSAL)
    err = h * sum(e * k for e, k in zip(_E, ks) if e)
    return y, ks[6], err


def census(d: int, q: int, n: int, seed: int, sign_fix: bool = True,
           t_max: float = 4000.0) -> Census:
    """Integrate ``n`` starts (seed ``seed``) until each has converged to a fixed point (see the
    module docstring) or ``t_max``, and count the limits."""
    rng = np.random.default_rng(seed)
    M0 = stiefel_starts(d, q, n, rng, sign_fix)
    perm = np.array([any(all(m[i, p[i]] > 0 for i in range(q)) for p in permutations(range(q)))
                     for m in M0])
    M, idx = M0.copy(), np.arange(n)
    k1 = planted_rhs(M)
    t, h, last = 0.0, 0.01, 0.0
    limits: dict[tuple, int] = {}
    success, spurious = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    rtol, atol = 1e-9, 1e-12
    steps = 0
    while len(idx) and t < t_max:
        h = min(h, t_max - t)
        y, k7, err = _dopri_step(M, k1, h)
        scale = atol + rtol * np.maximum(np.abs(M), np.abs(y))
        ratio = float(np.abs(err / scale).max())
        if ratio <= 1:
            t, M, k1 = t + h, y, k7
            steps += 1
            if steps % 10 == 0:
                keep = np.ones(len(idx), dtype=bool)
                for j in np.nonzero(np.abs(k1).max(axis=(1, 2)) < VELOCITY)[0]:
                    P = _partial_permutation(M[j])
                    if P is not None:
                        limits[P] = limits.get(P, 0) + 1
                        success[idx[j]], spurious[idx[j]] = len(P) == q, len(P) < q
                        keep[j], last = False, t
                M, k1, idx = M[keep], k1[keep], idx[keep]
        h *= min(5.0, max(0.2, 0.9 * (ratio + 1e-300) ** -0.2))
    return Census(q=q, d=d, starts=n, seed=seed, sign_fix=sign_fix, limits=limits,
                  undecided=len(idx), t_max=t_max, last_decision=last,
                  positive_permutation=int(perm.sum()),
                  successes_with_positive_permutation=int((perm & success).sum()),
                  spurious_with_positive_permutation=int((perm & spurious).sum()))


def _unit(q: int, i: int, j: int) -> mpmath.matrix:
    E = mpmath.zeros(q, q)
    E[i, j] = 1
    return E


def jacobian(P: tuple, q: int) -> mpmath.matrix:
    """``DF(P)`` as a q²×q² matrix (row-major vec) at the current precision:
    ``DF[δ] = δΓ − δ S − P sym(δᵀΓ + PᵀδΓ)``, ``δΓ = 6 P∘δ``, ``Γ = 3 P∘P``, ``S = sym(PᵀΓ)``
    (exact for the integer matrix ``P``)."""
    Pm = mpmath.zeros(q, q)
    for i, j in P:
        Pm[i, j] = 1
    gamma = mpmath.matrix([[3 * Pm[i, j] ** 2 for j in range(q)] for i in range(q)])
    S = Pm.T * gamma
    S = (S + S.T) / 2
    J = mpmath.zeros(q * q, q * q)
    for a in range(q):
        for b in range(q):
            D = _unit(q, a, b)
            dgamma = mpmath.matrix([[6 * Pm[i, j] * D[i, j] for j in range(q)] for i in range(q)])
            inner = D.T * gamma + Pm.T * dgamma
            out = dgamma - D * S - Pm * (inner + inner.T) / 2
            for i in range(q):
                for j in range(q):
                    J[i * q + j, a * q + b] = out[i, j]
    return J


def residual(P: tuple, q: int) -> mpmath.mpf:
    """``max |F(P)|`` at the current precision (0 at a fixed point)."""
    Pm = mpmath.zeros(q, q)
    for i, j in P:
        Pm[i, j] = 1
    gamma = mpmath.matrix([[3 * Pm[i, j] ** 2 for j in range(q)] for i in range(q)])
    S = Pm.T * gamma
    F = gamma - Pm * (S + S.T) / 2
    return max(abs(F[i, j]) for i in range(q) for j in range(q))


def spectrum(P: tuple, q: int) -> list[mpmath.mpc]:
    """The eigenvalues of ``DF(P)`` at the current mpmath precision."""
    return list(mpmath.eig(jacobian(P, q))[0])
