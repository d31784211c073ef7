"""Float64 simulation of the planted Stiefel flow of [A] for ``f* = Σ_i h_3(z_i)`` from
Haar-random starts: the fraction of starts that reach ``G = M Mᵀ = I``.

The flow is ``Ṁ = Γ − M sym(Mᵀ Γ)`` with ``Γ = ∇_M Σ_ij M_ij³ = 3 M∘M`` (closed in the q×q
correlation ``M = W*ᵀ W``, so the dimension enters only through ``M(0)``: the first q rows of a
Haar ``W(0) ∈ St(d, q)`` when ``W* = [I_q; 0]``). All starts are integrated together by
scipy's DOP853 (rtol 1e-9, atol 1e-12).

Error model: a start is classified at ``t_end`` by ``max |G − I| < 10^-2``; the flow either
converges to ``G = I`` exponentially or stalls at an O(1) distance, so the float64 error
(~1e-9) cannot flip a class; the starts not yet decided are estimated by the starts whose class
changes between ``t_end/2`` and ``t_end`` (``undecided``). The sampling error of the fraction
is binomial, ``sqrt(p(1 − p)/n)``."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np

from gfverify.errors import InputError

#: the tolerance on max |G - I| that counts as "reached G = I"
REACHED = 1e-2


@dataclass(frozen=True)
class Fraction:
    """``successes / starts`` reaching ``G = I`` by ``t_end``, its binomial standard error, the
    number of starts whose class changed over ``[t_end/2, t_end]``, and the starts (and
    successes among them) for which some permutation σ has ``M(0)_{iσ(i)} > 0`` for all i."""

    q: int
    d: int
    starts: int
    successes: int
    undecided: int
    t_end: float
    positive_permutation: int = 0
    successes_with_positive_permutation: int = 0

    @property
    def value(self) -> float:
        return self.successes / self.starts

    @property
    def stderr(self) -> float:
        p = self.value
        return float(np.sqrt(max(p * (1 - p), 1 / self.starts) / self.starts))


def stiefel_starts(d: int, q: int, n: int, rng: np.random.Generator, sign_fix: bool = True) -> np.ndarray:
    """``n`` starts ``M(0)`` = the first q rows of ``W(0)``, ``W(0)`` the Q factor of a Gaussian
    d×q matrix; with ``sign_fix`` the signs of ``diag(R)`` are moved into Q (Haar), without it
    numpy's QR convention biases the signs (the sampling trap of THEORY.md)."""
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


def _reached(M: np.ndarray) -> np.ndarray:
    G = np.matmul(M, np.swapaxes(M, 1, 2))
    return np.abs(G - np.eye(M.shape[1])).max(axis=(1, 2)) < REACHED


def require_integrator() -> None:
    """Raise ``ImportError`` with an install hint when scipy (DOP853) is not installed."""
    try:
        import scipy.integrate  # noqa: F401
    except ImportError:
        raise ImportError("the planted-attractor simulation needs scipy's DOP853 "
                          "(pip install 'gfverify[test]')") from None


def success_fraction(d: int, q: int, n: int, seed: int, t_end: float = 2000.0,
                     sign_fix: bool = True) -> Fraction:
    """Integrate ``n`` Haar starts to ``t_end`` and count those that reach ``G = I``."""
    require_integrator()
    from scipy.integrate import solve_ivp

    rng = np.random.default_rng(seed)
    M0 = stiefel_starts(d, q, n, rng, sign_fix)
    shape = M0.shape
    sol = solve_ivp(lambda t, y: planted_rhs(y.reshape(shape)).ravel(), (0.0, t_end), M0.ravel(),
                    method="DOP853", rtol=1e-9, atol=1e-12, t_eval=[t_end / 2, t_end])
    if not sol.success:
        raise RuntimeError(f"the float64 integration failed: {sol.message}")
    half, end = (_reached(sol.y[:, j].reshape(shape)) for j in (0, 1))
    perm = np.array([any(all(m[i, p[i]] > 0 for i in range(q)) for p in permutations(range(q))) for m in M0])
    return Fraction(q=q, d=d, starts=n, successes=int(end.sum()), undecided=int((half != end).sum()),
                    t_end=t_end, positive_permutation=int(perm.sum()),
                    successes_with_positive_permutation=int((perm & end).sum()))
