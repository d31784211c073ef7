"""Two-precision evaluation: every numeric result is computed at two working precisions and
the number of significant decimal digits on which the two runs agree is reported."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence, TypeVar

import mpmath

T = TypeVar("T")

#: Digits that a numeric check may lose to rounding and discretisation before it is judged;
#: tolerances are ``10**-(dps - GUARD_DIGITS)`` relative, never tuned per claim.
GUARD_DIGITS = 5


def exact_fraction(x: mpmath.mpf | float) -> Fraction:
    """The binary number a float stores, as an exact fraction, sign included (``mpf.man_exp``
    gives the unsigned mantissa, so reading a float through it loses the sign)."""
    sign, man, exp, _ = mpmath.mpf(x)._mpf_
    man, exp = (-1) ** sign * int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def second_precision(dps: int) -> int:
    """The higher of the two working precisions used alongside ``dps``."""
    return dps + max(10, dps // 2)


def agreed_digits(a: mpmath.mpf | mpmath.mpc, b: mpmath.mpf | mpmath.mpc, cap: int) -> float:
    """Significant decimal digits on which ``a`` and ``b`` agree, at most ``cap``
    (``cap`` when they are equal, including both zero)."""
    diff = abs(a - b)
    scale = max(abs(a), abs(b))
    if diff == 0:
        return float(cap)
    if scale == 0:
        return 0.0
    return float(min(cap, max(0.0, -mpmath.log10(diff / scale))))


def agreed_digits_seq(a: Sequence, b: Sequence, cap: int) -> float:
    """The smallest number of agreed digits over two equally long sequences of numbers."""
    if len(a) != len(b):
        raise ValueError("sequences of different length")
    if not a:
        return float(cap)
    return min(agreed_digits(x, y, cap) for x, y in zip(a, b))


@dataclass(frozen=True)
class TwoRuns:
    """The same computation at two precisions: ``low`` at ``dps``, ``high`` at ``dps_high``."""

    low: object
    high: object
    dps: int
    dps_high: int
    digits: float


def two_precisions(compute: Callable[[int], T], dps: int, dps_high: int | None = None) -> TwoRuns:
    """Run ``compute(p)`` under ``mpmath.workdps(p)`` for ``p = dps`` and a higher precision,
    and report the digits (relative, worst entry for sequences) on which the two agree."""
    dps_high = second_precision(dps) if dps_high is None else dps_high
    with mpmath.workdps(dps):
        low = compute(dps)
    with mpmath.workdps(dps_high):
        high = compute(dps_high)
    if isinstance(low, (list, tuple)):
        digits = agreed_digits_seq(low, high, dps)
    else:
        digits = agreed_digits(low, high, dps)
    return TwoRuns(low=low, high=high, dps=dps, dps_high=dps_high, digits=digits)


def tolerance(dps: int, scale: mpmath.mpf | float = 1) -> mpmath.mpf:
    """The tolerance of a check run at ``dps`` digits: ``10**-(dps - GUARD_DIGITS) * max(1, |scale|)``."""
    return mpmath.mpf(10) ** (-(dps - GUARD_DIGITS)) * max(mpmath.mpf(1), abs(mpmath.mpf(scale)))
