"""Random starts of [A] (docs/theory.md A11, A14): ``√d M(0)`` for Haar ``W(0)`` and ``W* = [I_q; 0]``
against the Ginibre law; the exact law of the single-index start (``m(0)² ~ Beta(1/2, (d−1)/2)``),
its quantiles and the Kolmogorov distance of ``√d m(0)`` from ``N(0, 1)``; escape times of many
sampled starts in float64, by Gauss–Legendre quadrature of ``∫ dm/R`` in ``u = ln m`` and by the
exact antiderivative of :mod:`gfverify.theory.timescales` turned into a numpy function."""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import numpy as np
import sympy

from gfverify.errors import InputError
from gfverify.numerics.random_matrices import haar_stiefel
from gfverify.numerics.statistics import dkw_critical, one_sample_ks

# ----------------------------------------------------------------------------- Ginibre limit


def scaled_blocks(d: int, q: int, n: int, rng: np.random.Generator, sign_fix: bool = True) -> np.ndarray:
    """``n`` samples of ``√d M(0)``, ``M(0)`` the first q rows of ``W(0)``: Haar
    (:func:`gfverify.numerics.random_matrices.haar_stiefel`), or with ``sign_fix=False`` numpy's
    QR factor as it comes (not Haar: LAPACK makes ``diag(R) < 0``, so ``M_11(0) < 0`` always)."""
    out = np.empty((n, q, q))
    for i in range(n):
        if sign_fix:
            W = haar_stiefel(d, q, rng)
        else:
            W, _ = np.linalg.qr(rng.standard_normal((d, q)))
        out[i] = W[:q, :]
    return math.sqrt(d) * out


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * np.vectorize(math.erfc)(-np.asarray(x) / math.sqrt(2))


def _chi2_cdf(x: np.ndarray, k: int) -> np.ndarray:
    """The χ²_k distribution function (regularized lower incomplete gamma, mpmath at 20 digits)."""
    with mpmath.workdps(20):
        return np.array([float(mpmath.gammainc(k / 2, 0, v / 2, regularized=True)) for v in x])


def ginibre_statistics(blocks: np.ndarray) -> dict[str, np.ndarray]:
    """The null distribution function at each sample of the statistics the Ginibre test uses:
    every entry ``X_ij`` (``N(0, 1)``), the fixed combination ``tr X/√q`` (``N(0, 1)`` only if
    the diagonal entries are uncorrelated) and ``‖X‖_F²`` (``χ²_{q²}`` only if the ``q²``
    entries are independent with unit variance)."""
    q = blocks.shape[1]
    stats = {f"X{i + 1}{j + 1}": _normal_cdf(blocks[:, i, j]) for i in range(q) for j in range(q)}
    stats["tr X/sqrt(q)"] = _normal_cdf(np.trace(blocks, axis1=1, axis2=2) / math.sqrt(q))
    stats["|X|_F^2"] = _chi2_cdf((blocks**2).sum(axis=(1, 2)), q * q)
    return stats


def ginibre_test(blocks: np.ndarray, level: float) -> tuple[bool, float, dict[str, float]]:
    """One-sample Kolmogorov tests of :func:`ginibre_statistics`, each at the DKW–Massart critical
    distance for ``level / K`` (K statistics, Bonferroni: false-alarm rate ≤ ``level`` for an exact
    Ginibre sample). Returns (rejected, critical distance, distance of each statistic)."""
    stats = ginibre_statistics(blocks)
    critical = dkw_critical(len(blocks), level / len(stats))
    distances = {name: one_sample_ks(u) for name, u in stats.items()}
    return max(distances.values()) > critical, critical, distances


# ----------------------------------------------------------------------------- single-index start


def single_index_starts(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of ``m(0)``, one coordinate of a uniform point of ``S^{d−1}``:
    ``x/(x² + χ²_{d−1})^{1/2}`` with ``x ~ N(0, 1)`` (the first coordinate of a normalized
    Gaussian vector; cost free of d)."""
    if d < 2:
        raise InputError(f"need d ≥ 2, got {d}")
    x = rng.standard_normal(n)
    return x / np.sqrt(x**2 + rng.chisquare(d - 1, n))


def sphere_coordinate_cdf(x: object, d: int) -> mpmath.mpf:
    """``P(√d m(0) ≤ x)`` exactly at the current precision: ``m(0)² ~ Beta(1/2, (d−1)/2)``, symmetric."""
    x = mpmath.mpf(x)
    if abs(x) >= mpmath.sqrt(d):
        return mpmath.mpf(0 if x < 0 else 1)
    half = mpmath.betainc(mpmath.mpf(1) / 2, mpmath.mpf(d - 1) / 2, 0, x * x / d, regularized=True) / 2
    return mpmath.mpf(1) / 2 + (half if x >= 0 else -half)


def sphere_coordinate_pdf(x: object, d: int) -> mpmath.mpf:
    """The density of ``√d m(0)``: ``Γ(d/2)/(Γ(1/2)Γ((d−1)/2)) d^{−1/2} (1 − x²/d)^{(d−3)/2}``."""
    x = mpmath.mpf(x)
    if abs(x) >= mpmath.sqrt(d):
        return mpmath.mpf(0)
    const = mpmath.exp(mpmath.loggamma(mpmath.mpf(d) / 2) - mpmath.loggamma(mpmath.mpf(d - 1) / 2))
    return const / mpmath.sqrt(mpmath.pi * d) * (1 - x * x / d) ** (mpmath.mpf(d - 3) / 2)


def finite_d_distance(d: int) -> mpmath.mpf:
    """``sup_x |P(√d m(0) ≤ x) − Φ(x)|`` at the current precision: the largest grid value on
    ``[0, 8]`` (the difference is odd about 0), refined at a zero of the density difference."""
    def gap(x):
        return sphere_coordinate_cdf(x, d) - mpmath.ncdf(x)

    grid = [mpmath.mpf(8) * k / 400 for k in range(1, 401)]
    x0 = max(grid, key=lambda x: abs(gap(x)))
    x = mpmath.findroot(lambda t: sphere_coordinate_pdf(t, d) - mpmath.npdf(t), x0)
    return max(abs(gap(x)), abs(gap(x0)))


def abs_start_quantile(d: int, p: object) -> mpmath.mpf:
    """The ``p``-quantile of ``|m(0)|`` at the current precision: ``u = v^{1/2}`` with
    ``I_v(1/2, (d−1)/2) = p`` (the regularized incomplete beta function), by a bracketed root."""
    p = mpmath.mpf(p)
    if not 0 < p < 1:
        raise InputError(f"need 0 < p < 1, got {p}")
    a, b = mpmath.mpf(1) / 2, mpmath.mpf(d - 1) / 2

    def f(v):
        return mpmath.betainc(a, b, 0, v, regularized=True) - p

    hi = min(mpmath.mpf(1), mpmath.mpf(40) / d)
    while f(hi) < 0 and hi < 1:
        hi = min(mpmath.mpf(1), 2 * hi)
    lo = mpmath.mpf(0)
    for _ in range(30):  # bisection to a bracket of relative width 2^-30, then the secant solver
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return mpmath.sqrt(mpmath.findroot(f, (lo, hi), solver="anderson"))


# ----------------------------------------------------------------------------- escape times, float64


def escape_times_quadrature(rhs: sympy.Expr, var: sympy.Symbol, m0: np.ndarray, m1: float,
                            nodes: int) -> np.ndarray:
    """``T(|m0| → m1) = ∫_{ln|m0|}^{ln m1} m/R(m) du`` (``m = e^u``) by ``nodes``-point Gauss–Legendre,
    float64, for each start (``R`` odd with ``R(m) = m P(m)``, ``P`` positive on ``[0, m1]``)."""
    f = sympy.lambdify(var, sympy.cancel(var / rhs), "numpy")
    x, w = np.polynomial.legendre.leggauss(nodes)
    a = np.log(np.abs(np.asarray(m0, dtype=float)))[:, None]
    b = math.log(m1)
    u = a + (b - a) * (x[None, :] + 1) / 2
    return (b - a)[:, 0] / 2 * (np.asarray(f(np.exp(u)), dtype=float) * w[None, :]).sum(axis=1)


def escape_time_function(rhs: sympy.Expr, var: sympy.Symbol,
                         m1: object) -> Callable[[np.ndarray], np.ndarray]:
    """``m0 ↦ T(|m0| → m1) = F(m1) − F(|m0|)`` in float64 from an elementary antiderivative ``F`` of
    ``1/R`` (partial fractions of ``1/R`` integrated by sympy, ``log|·|``; ``InputError`` if ``F``
    needs roots that sympy leaves implicit)."""
    F = sympy.integrate(sympy.apart(1 / rhs, var), var).replace(sympy.log, lambda a: sympy.log(sympy.Abs(a)))
    if F.has(sympy.RootSum) or F.has(sympy.Integral):
        raise InputError(f"no elementary antiderivative of 1/R for R = {rhs}")
    num = sympy.lambdify(var, F, "numpy")
    end = float(sympy.N(F.subs(var, m1), 30))
    return lambda m0: end - np.asarray(num(np.abs(np.asarray(m0, dtype=float))), dtype=float)
