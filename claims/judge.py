"""Judging: turn an exact value and a two-precision numeric computation into Evidence.

The rule of DESIGN.md: the numeric side runs at ``dps`` and at a higher precision; the check
holds when the higher run is within ``tolerance(dps)`` of the exact value *and* the two runs
agree within the same tolerance (a precision guard: disagreement FAILS, it is not a warning)."""

from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import sympy

from gfverify.claims.model import Evidence
from gfverify.numerics.precision import GUARD_DIGITS, TwoRuns, tolerance, two_precisions


def exact_identity(difference: sympy.Expr | Sequence[sympy.Expr], method: str,
                   details: dict | None = None) -> Evidence:
    """Evidence for an identity proved by sympy: holds iff every difference simplifies to 0."""
    diffs = list(difference) if isinstance(difference, (list, tuple)) else [difference]
    nonzero = [d for d in diffs if sympy.simplify(sympy.expand(d)) != 0]
    residual = sympy.Integer(0) if not nonzero else nonzero[0]
    return Evidence(holds=not nonzero, residual=residual, tolerance=sympy.Integer(0),
                    method=method, digits=None, details=details or {})


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _to_mp(value, dps: int):
    if isinstance(value, sympy.Basic):
        return mpmath.mpmathify(sympy.N(value, dps + 10))
    return mpmath.mpmathify(value)


def versus_numeric(exact: object | Sequence[object], numeric: Callable[[int], object], dps: int,
                   method: str, relative: bool = True, details: dict | None = None) -> Evidence:
    """Compare exact value(s) (sympy or mpmath) with ``numeric(p)`` run at two precisions.

    The residual is the largest (relative, if ``relative``) distance of the high run from the
    exact values; the tolerance is ``10**-(dps - GUARD_DIGITS)``."""
    runs = two_precisions(numeric, dps)
    with mpmath.workdps(runs.dps_high + 10):
        want = [_to_mp(v, runs.dps_high) for v in _as_list(exact)]
        got_hi, got_lo = _as_list(runs.high), _as_list(runs.low)
        if len(want) != len(got_hi):
            raise ValueError(f"exact side has {len(want)} values, numeric side {len(got_hi)}")
        residual = mpmath.mpf(0)
        spread = mpmath.mpf(0)
        for w, hi, lo in zip(want, got_hi, got_lo):
            scale = max(abs(w), mpmath.mpf(1) if not relative else abs(w)) or mpmath.mpf(1)
            residual = max(residual, abs(hi - w) / scale)
            spread = max(spread, abs(hi - lo) / scale)
        tol = tolerance(dps)
    holds = residual <= tol and spread <= tol
    info = {"precisions": f"{runs.dps} and {runs.dps_high} digits",
            "precision_spread": mpmath.nstr(spread, 3)}
    info.update(details or {})
    return Evidence(holds=holds, residual=residual, tolerance=tol, method=method,
                    digits=runs.digits, details=info)


def numeric_pair(route_a: Callable[[int], object], route_b: Callable[[int], object], dps: int,
                 method: str, details: dict | None = None) -> Evidence:
    """Two independent numeric routes, each at two precisions; holds when the two routes
    agree within ``tolerance(dps)`` and each route agrees with itself across precisions."""
    a: TwoRuns = two_precisions(route_a, dps)
    with mpmath.workdps(a.dps_high + 10):
        exact_like = [mpmath.mpmathify(v) for v in _as_list(a.high)]
    ev = versus_numeric(exact_like, route_b, dps, method, details=details)
    tol = tolerance(dps)
    self_spread = min(a.digits, ev.digits or 0)
    ev.digits = self_spread
    ev.holds = ev.holds and a.digits >= dps - GUARD_DIGITS
    ev.tolerance = tol
    return ev
