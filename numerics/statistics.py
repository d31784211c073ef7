"""Exact binomial tests and intervals for the Monte Carlo claims: a stated probability is tested
two-sided at a stated false-alarm rate, with the test's power against a stated alternative; and
the exact two-sample Kolmogorov–Smirnov test (two samplers that should agree in law); the
one-sample Kolmogorov distance with the DKW–Massart critical value, and distribution-free
order-statistic intervals for quantiles."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import mpmath
import numpy as np

_DPS = 30


def _pmf(n: int, p: float) -> list[float]:
    """Binomial probabilities in float64 from log-gamma (relative error ~1e-12 for n ≤ 10⁵)."""
    if not 0 < p < 1:
        return [float(k == (n if p >= 1 else 0)) for k in range(n + 1)]
    lp, lq = math.log(p), math.log1p(-p)
    base = math.lgamma(n + 1)
    return [math.exp(base - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * lp + (n - k) * lq)
            for k in range(n + 1)]


def _rejection_region(n: int, p0: float, level: float) -> set[int]:
    """The outcomes a two-sided exact test of ``p0`` rejects at ``level``: the least likely
    outcomes under ``p0``, as many as keep their total probability ≤ ``level``."""
    pmf = _pmf(n, p0)
    region, total = set(), 0.0
    for k in sorted(range(n + 1), key=lambda k: pmf[k]):
        total += pmf[k]
        if total > level:
            break
        region.add(k)
    return region


def binomial_rejects(successes: int, n: int, p0: float, level: float) -> bool:
    """Whether the exact two-sided test rejects ``P(success) = p0`` at false-alarm rate ``level``
    (probability ≤ ``level`` of rejecting when ``p0`` is true)."""
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes in {n} trials")
    return successes in _rejection_region(n, p0, level)


def binomial_power(n: int, p0: float, p1: float, level: float) -> float:
    """Probability that :func:`binomial_rejects` rejects ``p0`` at ``level`` when the true
    probability is ``p1``."""
    pmf1 = _pmf(n, p1)
    return math.fsum(pmf1[k] for k in _rejection_region(n, p0, level))


def clopper_pearson(successes: int, n: int, level: float) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval for a binomial probability, confidence ``1 − level``:
    ``P(X ≥ s | lo) = level/2`` and ``P(X ≤ s | hi) = level/2``, by bisection."""
    def solve(f, increasing: bool) -> float:
        a, b = mpmath.mpf(0), mpmath.mpf(1)
        for _ in range(40):
            mid = (a + b) / 2
            if (f(mid) < level / 2) == increasing:
                a = mid
            else:
                b = mid
        return float((a + b) / 2)

    with mpmath.workdps(_DPS):
        lo = 0.0 if successes == 0 else solve(
            lambda p: mpmath.betainc(successes, n - successes + 1, 0, p, regularized=True), True)
        hi = 1.0 if successes == n else solve(
            lambda p: 1 - mpmath.betainc(successes + 1, n - successes, 0, p, regularized=True), False)
    return lo, hi


def two_proportion_p_value(s1: int, n1: int, s2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z test of ``s1/n1`` against ``s2/n2``."""
    p = mpmath.mpf(s1 + s2) / (n1 + n2)
    se = mpmath.sqrt(p * (1 - p) * (mpmath.mpf(1) / n1 + mpmath.mpf(1) / n2))
    if se == 0:
        return 1.0
    z = abs(mpmath.mpf(s1) / n1 - mpmath.mpf(s2) / n2) / se
    return float(mpmath.erfc(z / mpmath.sqrt(2)))


def ks_statistic(a: Sequence[float], b: Sequence[float]) -> tuple[int, int, int]:
    """The two-sample Kolmogorov–Smirnov distance ``D = sup_v |F_a(v) − F_b(v)|`` of the
    empirical distribution functions, as the integer ``D·m·n`` with ``(m, n)`` the sizes (ties,
    including equal censored values such as ``inf``, are compared as equal)."""
    x, y = np.sort(np.asarray(a, dtype=float)), np.sort(np.asarray(b, dtype=float))
    m, n = len(x), len(y)
    if m == 0 or n == 0 or np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("the KS test needs two non-empty samples without NaN")
    values = np.union1d(x, y)
    gap = (np.searchsorted(x, values, side="right") * n
           - np.searchsorted(y, values, side="right") * m)
    return int(np.abs(gap).max()), m, n


def ks_p_value(a: Sequence[float], b: Sequence[float]) -> float:
    """Exact two-sided p-value ``P(D ≥ D_obs)`` of the two-sample Kolmogorov–Smirnov test under
    the null of one continuous law: the fraction of the ``C(m+n, m)`` lattice paths from (0, 0)
    to (m, n) that reach ``|i n − j m| ≥ D_obs m n``, counted by the recurrence
    ``w(i, j) = w(i−1, j) i/(i+j) + w(i, j−1) j/(i+j)`` of path counts over binomials (values in
    [0, 1], no overflow). With ties the true level is at most the nominal one (conservative)."""
    limit, m, n = ks_statistic(a, b)
    if limit == 0:
        return 1.0
    i = np.arange(m + 1)
    w = np.zeros(m + 1)
    w[0] = 1.0                                        # the diagonal i + j = 0
    for s in range(1, m + n + 1):
        j = s - i
        valid = (j >= 0) & (j <= n)
        new = np.zeros(m + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            from_left = np.where(i >= 1, np.roll(w, 1) * i / s, 0.0)   # from (i−1, j)
            from_below = np.where(j >= 1, w * j / s, 0.0)              # from (i, j−1)
        new[valid] = from_left[valid] + from_below[valid]
        inside = np.abs(i * n - j * m) < limit
        w = np.where(valid & inside, new, 0.0)
    return float(min(1.0, max(0.0, 1.0 - w[m])))


def one_sample_ks(cdf_values: Sequence[float]) -> float:
    """Kolmogorov distance ``sup_x |F_n(x) − F(x)|`` between the empirical law of a sample and a
    continuous law ``F``, given ``F`` at the sample points (any order)."""
    u = np.sort(np.asarray(cdf_values, dtype=float))
    n = len(u)
    if n == 0:
        raise ValueError("an empty sample has no empirical law")
    k = np.arange(1, n + 1)
    return float(max((k / n - u).max(), (u - (k - 1) / n).max()))


def dkw_critical(n: int, level: float) -> float:
    """The DKW–Massart critical distance ``ε = (ln(2/level)/(2n))^{1/2}``:
    ``P(sup |F_n − F| > ε) ≤ 2 e^{−2nε²} = level`` for every continuous ``F`` and every ``n``."""
    if n < 1 or not 0 < level < 1:
        raise ValueError(f"need n ≥ 1 and 0 < level < 1, got n = {n}, level = {level}")
    return math.sqrt(math.log(2 / level) / (2 * n))


def dkw_tail(n: int, distance: float) -> float:
    """DKW–Massart: ``P(sup |F_n − F| > distance) ≤ 2 e^{−2n·distance²}`` (capped at 1; 1 for
    ``distance ≤ 0``). With the test at critical ``ε``: the false-alarm rate of a sample whose law
    is at distance ``δ`` from the null is at most ``dkw_tail(n, ε − δ)``, and a law at distance
    ``Δ`` is missed with probability at most ``dkw_tail(n, Δ − ε)``."""
    return 1.0 if distance <= 0 else min(1.0, 2 * math.exp(-2 * n * distance * distance))


def quantile_ranks(n: int, p: float, level: float) -> tuple[int, int]:
    """1-based ranks ``(l, u)`` of order statistics with ``P(X_(l) ≤ ξ_p ≤ X_(u)) ≥ 1 − level`` for
    the ``p``-quantile ``ξ_p`` of a continuous law: ``X_(k) ≤ ξ_p`` iff ``Bin(n, p) ≥ k``, so ``l`` is
    the largest rank with ``P(B ≤ l − 1) ≤ level/2`` and ``u`` the smallest with ``P(B ≥ u) ≤ level/2``."""
    if not 0 < p < 1:
        raise ValueError(f"need 0 < p < 1, got {p}")
    pmf = _pmf(n, p)
    below, lo = 0.0, 0
    while lo < n and below + pmf[lo] <= level / 2:
        below += pmf[lo]
        lo += 1
    above, hi = 0.0, n + 1
    while hi > 1 and above + pmf[hi - 1] <= level / 2:
        above += pmf[hi - 1]
        hi -= 1
    if lo < 1 or hi > n:
        raise ValueError(f"{n} samples are too few for a {1 - level:g} interval of the {p}-quantile")
    return lo, hi


def bootstrap_slope(x: Sequence[float], samples: Sequence[np.ndarray], statistic: Callable,
                    confidence: float, resamples: int, seed: int) -> tuple[float, tuple[float, float]]:
    """Least-squares slope of ``log statistic(sample_i)`` against ``x_i`` and its two-sided
    ``confidence`` percentile interval from ``resamples`` resamplings of each sample (its
    independent runs) with replacement (``numpy.random.default_rng(seed)``)."""
    rng = np.random.default_rng(seed)
    xs = np.asarray(x, dtype=float)

    def slope(groups) -> float:
        return float(np.polyfit(xs, np.log([statistic(g) for g in groups]), 1)[0])

    boot = [slope([g[rng.integers(0, len(g), len(g))] for g in samples]) for _ in range(resamples)]
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(boot, [tail, 100 - tail])
    return slope(samples), (float(lo), float(hi))
