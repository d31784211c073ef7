"""The adapted flow with softmax cross-entropy at full rank (docs/theory.md B6), ``Q = 2``.

In ``u = s/N`` the outputs of each point move by ``dx_j/du = −(softmax(x_j) − y_j)`` (``P = I``).
Row sums ``<1, x_j>`` are conserved; with positive labels the limit is
``x_j* = P_1⊥ log y_j + P_1 x_j(0)``, approached at the slowest linearized rate
``min_j 2 y_j1 y_j2``. With one-hot labels ``y_j = (1, 0)`` the margin ``m = x_j1 − x_j2``
solves ``dm/du = 2/(1 + e^m)``, i.e. ``m + e^m = m(0) + e^{m(0)} + 2u``: it grows like
``log u`` (slope ``dm/d log u → 1``) and there is no finite limit."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import mpmath
import numpy as np

from gfverify.numerics.flows import CrossEntropyCost, Trajectory, flow
from gfverify.numerics.networks import MLP, Problem

NET = MLP((1, 3, 2), ((0.5,), (-1.25,)), "tanh")


def problem(seed: int, one_hot: bool = False) -> Problem:
    """A seeded net on two points and the first label entries ``p_j`` (floats drawn from
    Beta(6, 6), or one-hot ``(1, 0)``); the label rows are ``(p_j, 1 − p_j)`` (:func:`labels`)."""
    rng = np.random.default_rng(seed)
    theta = tuple(float(v) for v in rng.standard_normal(NET.n_params) / 2)
    firsts = (1.0, 0.0) if one_hot else tuple(float(rng.beta(6.0, 6.0)) for _ in range(NET.n_points))
    return Problem(NET, theta, firsts, f"tanh 1,3,2 on N=2, cross-entropy (seed {seed})")


def labels(firsts: Sequence[float]) -> list[list]:
    """Rows ``(p, 1 − p)`` built at the current precision (not at import time): for a float
    ``p ≥ 2^{-k}``, ``1 − p`` needs ``53 + k`` bits, so with ``p > 0.01`` and 30+ digits every
    row sums to exactly 1."""
    return [[mpmath.mpf(p), 1 - mpmath.mpf(p)] for p in firsts]


@lru_cache(maxsize=16)
def adapted_flow(seed: int, times: tuple, one_hot: bool, p: int) -> Trajectory:
    """The adapted cross-entropy flow to ``times`` in ``u`` at precision ``p`` (cached)."""
    pb = problem(seed, one_hot)
    with mpmath.workdps(p):
        cost = CrossEntropyCost(labels(pb.y))
        return flow(pb.model, pb.theta0_mp(), cost, 1, [mpmath.mpf(t) for t in times], "u")


def row_sums(x: Sequence, Q: int = 2) -> list:
    """``<1, x_j>`` for each point ``j``."""
    return [mpmath.fsum(x[j * Q:(j + 1) * Q]) for j in range(len(x) // Q)]


def limit_point(x0: Sequence, label_rows: Sequence[Sequence]) -> tuple[list, mpmath.mpf]:
    """``x* = P_1⊥ log y_j + P_1 x_j(0)`` and the slowest linear rate ``min_j 2 y_j1 y_j2``
    (``Q = 2``)."""
    Q = len(label_rows[0])
    out, rate = [], mpmath.mpf(1)
    for j, row in enumerate(label_rows):
        logs = [mpmath.log(mpmath.mpf(v)) for v in row]
        mean_log = mpmath.fsum(logs) / Q
        mean_x = mpmath.fsum(x0[j * Q:(j + 1) * Q]) / Q
        out.extend(lv - mean_log + mean_x for lv in logs)
        rate = min(rate, 2 * mpmath.mpf(row[0]) * mpmath.mpf(row[1]))
    return out, rate


def margins(x: Sequence, Q: int = 2) -> list:
    """``m_j = x_j1 − x_j2`` for each point (``Q = 2``)."""
    return [x[j * Q] - x[j * Q + 1] for j in range(len(x) // Q)]


def one_hot_margin(m0, u) -> mpmath.mpf:
    """The margin at time ``u`` of a point with label ``(1, 0)``: the root of
    ``m + e^m = m0 + e^{m0} + 2u``, ``m = c − W(e^c)`` with ``c = m0 + e^{m0} + 2u``
    (Lambert W, principal branch; ``W(e^c)`` by its asymptotic form when ``e^c`` overflows)."""
    c = m0 + mpmath.exp(m0) + 2 * mpmath.mpf(u)
    return c - mpmath.lambertw(mpmath.exp(c)).real


def log_slopes(margins_a: Sequence, margins_b: Sequence, u_a, u_b) -> list:
    """``|m_j(u_b) − m_j(u_a)| / log(u_b/u_a)``: the growth of each margin per unit of
    ``log u`` (→ 1 for a one-hot point, → 0 for a convergent flow)."""
    span = mpmath.log(mpmath.mpf(u_b) / mpmath.mpf(u_a))
    return [abs(b - a) / span for a, b in zip(margins_a, margins_b)]
