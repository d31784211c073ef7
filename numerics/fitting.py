"""Least-squares slopes with an uncertainty that covers the drift of the local slopes: how the
scaling claims read an exponent (or a coefficient of ``ln d``) off a geometric grid in ``d``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SlopeFit:
    """The fitted slope, its uncertainty and the local (consecutive-point) slopes."""

    slope: float
    uncertainty: float
    local: tuple[float, ...]


def fit_slope(xs: Sequence, ys: Sequence) -> SlopeFit:
    """Least-squares slope of ``ys`` against ``xs`` (float64), its uncertainty and the local slopes.

    Uncertainty = max(standard error, largest distance of a local slope from the fitted one)
    + the last change of the local slopes. The corrections to the scaling laws are powers of
    ``d^{-1/2}`` (times logarithms), so on a grid of factor ≥ 10 in d the local slopes converge
    at least geometrically with ratio ≤ 10^{-1/2} < ½ and the limit lies within the last change
    of the last local slope: the uncertainty covers the drift still to come."""
    x, y = np.array([float(v) for v in xs]), np.array([float(v) for v in ys])
    if len(x) < 2:
        raise ValueError("a slope needs at least two points")
    A = np.vstack([x, np.ones_like(x)]).T
    (slope, icpt), *_ = np.linalg.lstsq(A, y, rcond=None)
    slope, icpt = float(slope), float(icpt)
    resid = y - A @ np.array([slope, icpt])
    se = float(np.sqrt(resid @ resid / max(1, len(x) - 2) / np.sum((x - x.mean()) ** 2)))
    local = tuple(float((y[i + 1] - y[i]) / (x[i + 1] - x[i])) for i in range(len(x) - 1))
    drift = max(abs(v - slope) for v in local)
    tail = abs(local[-1] - local[-2]) if len(local) >= 2 else drift
    return SlopeFit(slope, float(max(se, drift) + tail), local)
