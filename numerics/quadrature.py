"""Quadrature nodes at arbitrary precision: Gauss–Legendre rules (python-flint's arb roots when
installed and enabled, about 20x faster than Newton on mpmath numbers at 256 bits; Newton on
mpmath numbers otherwise, see :mod:`gfverify.numerics.engines`)."""

from __future__ import annotations

from functools import lru_cache

import mpmath

from gfverify.numerics import engines


def _arb_to_mpf(x) -> mpmath.mpf:
    man, exp = x.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


@lru_cache(maxsize=64)
def _legendre_cached(n: int, prec: int, use_flint: bool) -> tuple[tuple, ...]:
    if use_flint:
        flint = engines.module("flint")
        old = flint.ctx.prec
        flint.ctx.prec = prec + 20
        try:
            pairs = [flint.arb.legendre_p_root(n, k, weight=True) for k in range(n)]
            return tuple((_arb_to_mpf(x), _arb_to_mpf(w)) for x, w in pairs)
        finally:
            flint.ctx.prec = old
    with mpmath.workprec(prec + 20):
        return tuple(_newton_legendre(n))


def _newton_legendre(n: int) -> list[tuple]:
    """Gauss–Legendre by Newton's method on ``P_n`` (the fallback without python-flint)."""
    out = []
    for i in range(1, n + 1):
        x = mpmath.cos(mpmath.pi * (i - mpmath.mpf(1) / 4) / (n + mpmath.mpf(1) / 2))
        for _ in range(100):
            p0, p1 = mpmath.mpf(1), x
            for j in range(2, n + 1):
                p0, p1 = p1, ((2 * j - 1) * x * p1 - (j - 1) * p0) / j
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < mpmath.eps * 4:
                break
        out.append((x, 2 / ((1 - x * x) * dp * dp)))
    return out


def gauss_legendre(n: int) -> list[tuple]:
    """``n``-point Gauss–Legendre nodes and weights on (-1, 1) at the current mpmath precision."""
    prec = mpmath.mp.prec
    return [(+x, +w) for x, w in _legendre_cached(n, prec, engines.available("flint"))]


def piecewise_legendre(cuts: list, n: int) -> list[tuple]:
    """Nodes and weights of ``n``-point Gauss–Legendre on each piece between consecutive
    ``cuts`` (sorted, finite): a rule for integrands smooth between the cuts."""
    rule = gauss_legendre(n)
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        mid, half = (a + b) / 2, (b - a) / 2
        out.extend((mid + half * x, half * w) for x, w in rule)
    return out
