"""The one judge: every comparison of two routes goes through here.

The rule of DESIGN.md: a numeric side runs at ``dps`` and at a higher precision
(:func:`gfverify.numerics.precision.two_precisions`); the check holds when the higher run is
within ``tolerance(dps)`` of the other route. When the two precisions themselves disagree beyond
the tolerance the number is not confirmed: :class:`PrecisionError` is raised and the claim FAILS
whatever its kind (an unconfirmed number can neither verify a statement nor refute one)."""

from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import sympy

from gfverify.claims.model import Evidence, PrecisionError
from gfverify.numerics.precision import GUARD_DIGITS, TwoRuns, tolerance, two_precisions

__all__ = ["PrecisionError", "confirmed", "enclosure", "exact_identity", "numeric_pair", "require_digits",
           "at_most", "versus_numeric"]


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


def confirmed(compute: Callable[[int], object], dps: int, what: str,
              digits: float | None = None) -> TwoRuns:
    """``compute`` at two precisions; :class:`PrecisionError` unless the runs agree to
    ``digits`` (default ``dps - GUARD_DIGITS``) significant digits."""
    runs = two_precisions(compute, dps)
    need = dps - GUARD_DIGITS if digits is None else digits
    if runs.digits < need:
        raise PrecisionError(f"{what}: the two precisions ({runs.dps} and {runs.dps_high} digits) "
                             f"agree to {runs.digits:.1f} digits, {need:.1f} needed")
    return runs


def require_digits(digits: float, dps: int, what: str) -> float:
    """For a number confirmed elsewhere (an ODE result carries its own two-precision digits):
    ``digits`` if at least ``dps - GUARD_DIGITS``, else :class:`PrecisionError`."""
    need = dps - GUARD_DIGITS
    if digits < need:
        raise PrecisionError(f"{what}: confirmed to {digits:.1f} digits, {need} needed")
    return digits


def versus_numeric(exact: object | Sequence[object], numeric: Callable[[int], object], dps: int,
                   method: str, relative: bool = True, details: dict | None = None) -> Evidence:
    """Compare exact value(s) (sympy or mpmath) with ``numeric(p)`` run at two precisions.

    The residual is the largest (relative, if ``relative``) distance of the high run from the
    exact values; the tolerance is ``10**-(dps - GUARD_DIGITS)``. Two precisions that disagree
    beyond it raise :class:`PrecisionError`."""
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
    if spread > tol:
        raise PrecisionError(f"{method}: the two precisions ({runs.dps} and {runs.dps_high} "
                             f"digits) differ by {mpmath.nstr(spread, 3)} > {mpmath.nstr(tol, 3)}")
    info = {"precisions": f"{runs.dps} and {runs.dps_high} digits",
            "precision_spread": mpmath.nstr(spread, 3)}
    info.update(details or {})
    return Evidence(holds=bool(residual <= tol), residual=residual, tolerance=tol, method=method,
                    digits=runs.digits, details=info)


def numeric_pair(route_a: Callable[[int], object], route_b: Callable[[int], object], dps: int,
                 method: str, details: dict | None = None) -> Evidence:
    """Two independent numeric routes, each at two precisions; holds when the two routes
    agree within ``tolerance(dps)`` and each route agrees with itself across precisions."""
    a = confirmed(route_a, dps, f"{method} (first route)")
    with mpmath.workdps(a.dps_high + 10):
        exact_like = [mpmath.mpmathify(v) for v in _as_list(a.high)]
    ev = versus_numeric(exact_like if isinstance(a.high, (list, tuple)) else exact_like[0],
                        route_b, dps, method, details=details)
    return Evidence(holds=ev.holds, residual=ev.residual, tolerance=ev.tolerance,
                    method=ev.method, digits=min(a.digits, ev.digits or 0), details=ev.details)


def at_most(statistic: Callable[[int], object], bound: object, dps: int, method: str,
            details: dict | None = None) -> Evidence:
    """A statistic against a threshold taken from the mathematics (not from the precision):
    ``statistic(p)`` runs at two precisions, which must agree within ``tolerance(dps, scale)``,
    ``scale = max(|bound|, |statistic|)`` (else :class:`PrecisionError`: the side of the bound
    would be unconfirmed), and the statement
    holds iff the higher run is ``<= bound``. For controls that separate two predicted regimes
    (e.g. a cost that follows the line to 0 against a predicted positive stall value)."""
    runs = two_precisions(statistic, dps)
    value, low = mpmath.mpmathify(runs.high), mpmath.mpmathify(runs.low)
    tol = tolerance(dps, max(abs(mpmath.mpmathify(bound)), abs(value)))
    if abs(value - low) > tol:
        raise PrecisionError(f"{method}: the two precisions ({runs.dps} and {runs.dps_high} digits) "
                             f"differ by {mpmath.nstr(abs(value - low), 3)} > {mpmath.nstr(tol, 3)}")
    info = {"precisions": f"{runs.dps} and {runs.dps_high} digits"}
    info.update(details or {})
    return Evidence(holds=bool(value <= bound), residual=value, tolerance=bound, method=method,
                    digits=runs.digits, details=info)


def enclosure(exact: object | Sequence[object], balls: object | Sequence[object], tolerance: object,
              method: str, details: dict | None = None) -> Evidence:
    """Exact value(s) (sympy or mpmath) against certified arb balls (e.g.
    :mod:`gfverify.numerics.certified`): the statement holds iff every exact value, evaluated
    by sympy's ``evalf`` as a ball of 20 guard digits, overlaps its ball; the Evidence is
    ``certified`` when it holds and every radius is at most ``tolerance``. A ball wider than
    ``tolerance`` proves nothing either way: :class:`PrecisionError` (the claim FAILS). An
    "exact" side given as arb balls (a second certified route) is used as it is: overlap then
    proves the two sides within the sum of the radii, at most twice ``tolerance``."""
    import flint  # python-flint: a core dependency, imported where balls are judged

    want, got = _as_list(exact), _as_list(balls)
    if len(want) != len(got):
        raise ValueError(f"exact side has {len(want)} values, the enclosures {len(got)}")
    tol = mpmath.mpf(tolerance)
    sides = got + [w for w in want if isinstance(w, flint.arb)]
    widest = max((mpmath.mpf(b.rad().str(5, radius=False)) for b in sides), default=mpmath.mpf(0))
    if widest > tol:
        raise PrecisionError(f"{method}: an enclosure has radius {mpmath.nstr(widest, 3)} > "
                             f"{mpmath.nstr(tol, 3)}, too wide to decide")
    digits = max(30, int(-mpmath.log10(tol)) + 20) if tol > 0 else 50
    residual, outside = mpmath.mpf(0), []
    saved = flint.ctx.prec
    flint.ctx.prec = int((digits + 10) * 3.33)  # the exact side's ball must not be rounded wider
    try:
        for k, (w, b) in enumerate(zip(want, got)):
            with mpmath.workdps(digits + 10):
                if isinstance(w, flint.arb):
                    value, side = _arb_mid(w, digits), w
                else:
                    value = _to_mp(w, digits)
                    side = flint.arb(mpmath.nstr(value, digits + 5, strip_zeros=False),
                                     mpmath.nstr(max(abs(value), 1) * mpmath.mpf(10) ** -digits, 3))
                residual = max(residual, abs(value - _arb_mid(b, digits)))
            if not b.overlaps(side):
                outside.append(k)
    finally:
        flint.ctx.prec = saved
    info = {"widest_enclosure": mpmath.nstr(widest, 3)}
    if outside:
        info["outside_enclosure"] = ", ".join(map(str, outside[:10]))
    info.update(details or {})
    return Evidence(holds=not outside, residual=residual, tolerance=tol, method=method,
                    digits=None, certified=not outside, details=info)


def _arb_mid(ball, digits: int) -> mpmath.mpf:
    """The midpoint of an arb ball as an mpmath number (``digits + 5`` digits)."""
    return mpmath.mpf(0) if ball.is_zero() else mpmath.mpf(ball.mid().str(digits + 5, radius=False))
