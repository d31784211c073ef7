"""Limits of series from partial sums (numerics/series.py): Levin's u-transform against closed
forms, the constant-tail shortcut, and the refusal of too short a sequence."""

import mpmath
import pytest

from gfverify.numerics.series import accelerated_limit


def _partial_sums(terms):
    out, s = [], mpmath.mpf(0)
    for t in terms:
        s += t
        out.append(s)
    return out


def test_alternating_algebraic_tail():
    # sum_{k>=1} (-1)^(k+1) / k^(3/2) = (1 - 2^(-1/2)) zeta(3/2); 30 partial sums are 10^-3 off
    with mpmath.workdps(40):
        partial = _partial_sums([(-1) ** (k + 1) / mpmath.mpf(k) ** 1.5 for k in range(1, 31)])
        exact = (1 - 1 / mpmath.sqrt(2)) * mpmath.zeta(1.5)
        value, _ = accelerated_limit(partial)
        assert abs(value - exact) < mpmath.mpf(10) ** -15 < abs(partial[-1] - exact)


def test_a_sequence_constant_from_some_point_is_that_constant():
    # a finite series: partial sums 1, 3/2, 7/4, 7/4, 7/4 are 7/4 from the third on
    with mpmath.workdps(30):
        seq = [mpmath.mpf(1), mpmath.mpf(3) / 2, mpmath.mpf(7) / 4, mpmath.mpf(7) / 4, mpmath.mpf(7) / 4]
        assert accelerated_limit(seq) == (mpmath.mpf(7) / 4, 0)
        assert accelerated_limit(seq[2:]) == (mpmath.mpf(7) / 4, 0)  # three sums are enough


def test_fewer_than_three_partial_sums_are_refused():
    with pytest.raises(ValueError, match="three"):
        accelerated_limit([mpmath.mpf(1), mpmath.mpf(2)])
