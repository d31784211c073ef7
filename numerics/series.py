"""Limits of slowly converging series from their partial sums: Levin's u-transform (mpmath),
which accelerates both geometric and algebraic (k^{-3/2}, k^{-5/2}) tails."""

from __future__ import annotations

from typing import Sequence

import mpmath


def accelerated_limit(partial_sums: Sequence[mpmath.mpf]) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Estimate ``lim S_n`` from ``S_0..S_{n-1}`` by Levin-u; returns (value, error estimate).
    A sequence that is constant from some point on is returned as that constant (error 0)."""
    if len(partial_sums) < 3:
        raise ValueError("need at least three partial sums")
    if all(s == partial_sums[-1] for s in partial_sums[-3:]):
        return partial_sums[-1], mpmath.mpf(0)
    levin = mpmath.levin(method="levin", variant="u")
    value, err = levin.update_psum(list(partial_sums))
    return value, err
