"""The ``exact`` online-SGD sampler: the overlap process ``M_k = W*ᵀW_k`` simulated in law at a
cost independent of ``d`` (derivation in docs/online_sgd.md), the step loop compiled by numba.

One step from ``M`` (q×q, ``‖M‖_op < 1``) with batch ``B`` and ``c = η/B``: per sample draw
``z* ~ N(0, I_q)``, ``η ~ N(0, I_q)`` and set ``z = Mᵀz* + Lη`` (``LLᵀ = I − MᵀM``, Cholesky);
``D_i = (f*(z*_i) − f(z_i)) ∇f(z_i)``; with ``A = Σ z*_i D_iᵀ``, ``C = Σ z_i D_iᵀ``,
``E = Σ η_i D_iᵀ``, ``S = sym(C)`` and ``Ω ~ Wishart_q(d − 2q, Σ D_i D_iᵀ)``:
``M_V = M + c(A − MS)``, ``VᵀV = I + c²(AᵀA + EᵀE + Ω − CᵀS − SC + S²)`` and
``M ← M_V (VᵀV)^{-1/2}`` (the polar retraction)."""

from __future__ import annotations

import math
from typing import Callable

import numba
import numpy as np

from gfverify.numerics.online_sgd import (
    SgdSetup,
    basis_row,
    escaped,
    link_coefficients,
    link_value_grad,
)

#: Steps per call of the compiled loop between progress reports.
CHUNK = 2**20


@numba.njit(cache=True)
def _cholesky(A, L):  # pragma: no cover - compiled
    """Lower-triangular ``L`` with ``LLᵀ = A`` for a symmetric positive semidefinite ``A``
    (a non-positive pivot gives a zero column: the factor of the PSD part)."""
    n = A.shape[0]
    for j in range(n):
        s = A[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        piv = math.sqrt(s) if s > 0 else 0.0
        L[j, j] = piv
        for i in range(j + 1, n):
            t = A[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / piv if piv > 0 else 0.0
        for i in range(j):
            L[i, j] = 0.0


@numba.njit(cache=True)
def retract(M, A, C, E, Om, c):  # pragma: no cover - compiled
    """The overlap after one step, in place: with ``S = sym(C)``, ``M_V = M + c(A − MS)`` and
    ``VᵀV = I + c²(AᵀA + EᵀE + Ω − CᵀS − SC + S²)``, ``M ← M_V (VᵀV)^{-1/2}``; here
    ``A = Z*ᵀD``, ``C = ZᵀD``, ``E = HᵀD``, ``Ω = DᵀGGᵀD`` and ``c = η/B`` (module docstring)."""
    q = M.shape[0]
    if q == 1:
        s = C[0, 0]
        mv = M[0, 0] + c * (A[0, 0] - M[0, 0] * s)
        M[0, 0] = mv / math.sqrt(1.0 + c * c * (A[0, 0] ** 2 + E[0, 0] ** 2 + Om[0, 0] - s * s))
        return
    S = 0.5 * (C + C.T)
    T = A.T @ A + E.T @ E + Om - C.T @ S - S @ C + S @ S
    MV = M + c * (A - M @ S)
    vals, vecs = np.linalg.eigh(np.eye(q) + c * c * 0.5 * (T + T.T))
    M[:, :] = MV @ ((vecs / np.sqrt(vals)) @ vecs.T)


@numba.njit(cache=True)
def _draw_pair(M, L, zs, eta, z):  # pragma: no cover - compiled
    """One sample's coordinates in span(W*, W): ``z* ~ N(0, I_q)`` and ``η ~ N(0, I_q)`` (drawn
    interleaved, in this order), and ``z = Mᵀz* + Lη`` (``LLᵀ = I − MᵀM``), in place."""
    q = M.shape[0]
    for j in range(q):
        zs[j] = np.random.standard_normal()
        eta[j] = np.random.standard_normal()
    for j in range(q):
        v = 0.0
        for a in range(q):
            v += M[a, j] * zs[a] + L[j, a] * eta[a]
        z[j] = v


@numba.njit(cache=True)
def _fit(M, L, tbetas, tcoefs, tops, targs, sbetas, n_fit, table, stack, zs, eta, z, grad, row,
         coefs):  # pragma: no cover - compiled
    """Least squares of ``f*(z*)`` on the basis ``h_β(z)`` over ``n_fit`` fresh pairs ``(z*, z)``
    with cross-covariance ``M`` (normal equations)."""
    n = sbetas.shape[0]
    G = np.zeros((n, n))
    b = np.zeros(n)
    for i in range(n_fit):
        _draw_pair(M, L, zs, eta, z)
        y = link_value_grad(zs, tbetas, tcoefs, tops, targs, table, stack, grad)
        basis_row(z, sbetas, table, row)
        for a in range(n):
            b[a] += row[a] * y
            for c in range(n):
                G[a, c] += row[a] * row[c]
    coefs[:] = np.linalg.solve(G, b)


@numba.njit(cache=True)
def _advance(seed, M, k0, k1, d, lr, B, planted, m1, power, level, tbetas, tcoefs, tops, targs, sbetas,
             sterm, scoef, sexps, sops, sargs, dynamic, fits, n_fit, refit_every, kmax, coefs, record_every,
             path):  # pragma: no cover - compiled
    """Steps ``k0 … k1`` of one run from the overlap ``M`` (updated in place): at each ``k`` record
    (every ``record_every``) and test the escape (return ``k``), then step unless ``k = k1``.
    ``seed >= 0`` (re)seeds numba's generator: the first call of a run. Returns −1 if not escaped."""
    if seed >= 0:
        np.random.seed(seed)
    q = M.shape[0]
    n = d - 2 * q
    c = lr / B
    table = np.empty((q, kmax + 1))
    stack = np.empty((max(tops.shape[0], sops.shape[0]) + 1, q + 1))
    zs, eta, z, g, tg = np.empty(q), np.empty(q), np.empty(q), np.empty(q), np.empty(q)
    D = np.empty(q)
    row = np.empty(sbetas.shape[0])
    A, C, E, DD = np.zeros((q, q)), np.zeros((q, q)), np.zeros((q, q)), np.zeros((q, q))
    L, LD, P, Om = np.zeros((q, q)), np.zeros((q, q)), np.zeros((q, q)), np.zeros((q, q))
    Ip = np.eye(q)
    for k in range(k0, k1 + 1):
        if record_every > 0 and k % record_every == 0:
            path[k // record_every] = M
        if escaped(M, planted, m1, power, level):
            return k
        if k == k1:
            break
        # the link of this step
        if q == 1:
            s = 1.0 - M[0, 0] * M[0, 0]
            L[0, 0] = math.sqrt(s) if s > 0 else 0.0
        else:
            _cholesky(Ip - M.T @ M, L)
        if fits:
            if k % refit_every == 0:
                _fit(M, L, tbetas, tcoefs, tops, targs, sbetas, n_fit, table, stack, zs, eta, z, tg, row,
                     coefs)
        elif dynamic:
            coefs[:] = link_coefficients(M.ravel(), sterm, scoef, sexps, sbetas.shape[0])
        # the batch, through A = Z*ᵀD, C = ZᵀD, E = HᵀD, DD = DᵀD
        A[:, :] = 0.0
        C[:, :] = 0.0
        E[:, :] = 0.0
        DD[:, :] = 0.0
        for i in range(B):
            _draw_pair(M, L, zs, eta, z)
            y = link_value_grad(zs, tbetas, tcoefs, tops, targs, table, stack, tg)
            f = link_value_grad(z, sbetas, coefs, sops, sargs, table, stack, g)
            r = y - f
            for j in range(q):
                D[j] = r * g[j]
            for a in range(q):
                for j in range(q):
                    A[a, j] += zs[a] * D[j]
                    C[a, j] += z[a] * D[j]
                    E[a, j] += eta[a] * D[j]
                    DD[a, j] += D[a] * D[j]
        # the part of the batch Gram orthogonal to span(W*, W): Ω = DᵀGGᵀD ~ Wishart(n, DᵀD),
        # for q = 1 DᵀD χ²_n; else (LD P)(LD P)ᵀ with P Bartlett (P_jj² ~ χ²_{n−j}, N(0, 1) below)
        if q == 1:
            Om[0, 0] = DD[0, 0] * np.random.chisquare(n)
        else:
            _cholesky(DD, LD)
            for a in range(q):
                P[a, a] = math.sqrt(np.random.chisquare(n - a))
                for j in range(a):
                    P[a, j] = np.random.standard_normal()
            R = LD @ P
            Om[:, :] = R @ R.T
        retract(M, A, C, E, Om, c)
    return -1


def run_exact(setup: SgdSetup, seeds: np.ndarray, m0: np.ndarray, m1: float, max_steps: int,
              record_every: int | None, progress: Callable[[int], None] | None) -> tuple:
    """The overlap process of each seed from ``m0[i]`` (numba's generator seeded with the seed),
    run by chunks of :data:`CHUNK` steps. Returns ``(escape_step, final, path)``."""
    q = setup.q
    n = len(seeds)
    steps = np.full(n, -1, dtype=np.int64)
    final = np.array(m0, dtype=np.float64).reshape(n, q, q)
    path = None if record_every is None else np.full((n, max_steps // record_every + 1, q, q), np.nan)
    tgt, st = setup.target, setup.student
    tcoefs = tgt.coefficients(np.zeros((q, q)))
    dynamic = setup.model == "two-timescale" and not setup.fits
    power, level = setup.escape_level(m1)
    fixed = (setup.d, setup.lr, setup.batch, setup.model == "planted", m1, power, level, tgt.betas, tcoefs,
             tgt.ops, tgt.args, st.betas, st.term, st.coef, st.exps, st.ops, st.args, dynamic, setup.fits,
             setup.n_fit, setup.refit_every, setup.kmax)
    for i, seed in enumerate(seeds):
        M = np.ascontiguousarray(final[i])
        coefs = st.coefficients(M)
        row = path[i] if path is not None else np.empty((1, q, q))
        k = 0
        while True:
            k1 = min(k + CHUNK, max_steps)
            hit = _advance(int(seed) if k == 0 else -1, M, k, k1, *fixed, coefs, record_every or 0, row)
            if progress is not None:
                progress((max_steps if hit >= 0 else k1) - k)
            if hit >= 0 or k1 == max_steps:
                break
            k = k1
        steps[i] = hit
        final[i] = M
    return steps, final, path
