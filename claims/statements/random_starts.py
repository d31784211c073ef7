"""Claims of [A] on random starts (theory document A11, A14): ``√d M(0)`` for Haar ``W(0)`` is
Ginibre in the limit (one-sample Kolmogorov tests at a stated false-alarm rate, with the QR
sampling trap as the control the same judge rejects); in q = 1 the escape time is a decreasing
function of ``|m(0)|``, so its quantiles follow exactly from the Beta law of ``m(0)²``; and for
information exponent ``s ≥ 2`` it has infinite mean: the running sample mean keeps growing
like ``n^{2s−3}`` while the sample median settles (``s = 1``: the mean settles too)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

from gfverify.claims.judge import confirmed
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import random_starts as rs
from gfverify.numerics import timescales as nts
from gfverify.numerics.fitting import fit_slope
from gfverify.numerics.statistics import dkw_tail, quantile_ranks
from gfverify.theory import reduced_ode as ro
from gfverify.theory import timescales as ts

M = ro.M
M1 = sympy.Rational(1, 2)
#: the false-alarm rate of every statistical test in this module
LEVEL = 1e-3
#: the two-sided normal quantile of LEVEL: a fitted exponent more than Z seed-to-seed standard
#: errors from the prediction FAILS
Z = 3.29
#: disjoint groups of replicates whose spread gives the seed-to-seed standard error of a slope
GROUPS = 8
#: the finite-d Kolmogorov distance must be below this fraction of the test's critical distance
RESOLUTION = 0.1
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
#: Gauss–Legendre nodes of the float64 escape-time quadrature (checked against twice as many)
NODES = 96
LINKS: dict[str, dict[int, sympy.Expr]] = {"h1": {1: sympy.Integer(1)}, "h2": {2: sympy.Integer(1)},
                                           "h3": {3: sympy.Integer(1)}}


# ----------------------------------------------------------------------------- Ginibre


def _ginibre_verdict(q: int, d: int, n: int, seed: int, sign_fix: bool) -> tuple[bool, dict]:
    rejected, critical, dist = rs.ginibre_test(rs.scaled_blocks(d, q, n, np.random.default_rng(seed),
                                                                sign_fix), LEVEL)
    return not rejected, {"critical distance (DKW, level 1e-3 / K)": f"{critical:.4f}",
                          "Kolmogorov distances": ", ".join(f"{k} {v:.4f}" for k, v in dist.items())}


@claim("A.random_start_ginibre", kind="property", source="A11",
       statement="√d M(0) for Haar W(0) is Ginibre: entries, tr/√q and ‖·‖_F² pass one-sample "
                 "Kolmogorov tests against N(0, 1) and χ²_{q²} (false-alarm rate 10⁻³, q = 2, d = 1000, "
                 "2000 starts), the finite-d distance of each entry (exact) below a tenth of the "
                 "test's resolution",
       latex=r"\sqrt d\,M(0)\ \xrightarrow{d}\ \mathrm{Ginibre}(q)",
       variants={"": dict(q=2, d=1000, n=2000),
                 "_q3": dict(q=3, d=10**4, n=4000, tier="full",
                             statement="√d M(0) for Haar W(0) is Ginibre, q = 3, d = 10⁴, 4000 starts "
                                       "(Kolmogorov tests, false-alarm rate 10⁻³)")})
def ginibre(dps: int, q: int, d: int, n: int, seed: int = 11, sign_fix: bool = True) -> Evidence:
    """Route 1: the exact law of one entry, √d m with m² ~ Beta(1/2, (d−1)/2) (every entry, and
    every uᵀMv with unit u, v, has it), and its Kolmogorov distance δ from N(0, 1), at two
    precisions. Route 2: Haar samples (QR with the sign fix) tested statistic by statistic with
    the DKW–Massart critical distance ε at level 10⁻³/K; δ ≤ ε/10 is required, and the
    false-alarm rate at finite d is bounded by 2e^{−2n(ε−δ)²} (DKW again)."""
    ok, info = _ginibre_verdict(q, d, n, seed, sign_fix)
    runs = confirmed(lambda p: rs.finite_d_distance(d), dps, f"finite-d Kolmogorov distance, d = {d}")
    delta = float(runs.high)
    critical = float(info["critical distance (DKW, level 1e-3 / K)"])
    K = q * q + 2
    bound = K * dkw_tail(n, critical - delta)
    resolved = delta <= RESOLUTION * critical
    return Evidence(holds=ok and resolved, residual=delta, tolerance=RESOLUTION * critical,
                    digits=runs.digits,
                    method="one-sample Kolmogorov tests of the q^2 entries, tr/sqrt(q) and |X|_F^2 "
                    "(Bonferroni over K statistics, DKW-Massart critical values); the exact finite-d "
                    "distance of an entry from N(0,1) by mpmath (Beta law), two precisions",
                    details={**info, "finite-d distance of an entry (exact)": mpmath.nstr(runs.high, 6),
                             "false-alarm bound at this d": f"{bound:.2e} (<= {K} x 2exp(-2n(eps-delta)^2))",
                             "power against M11 <= 0 (distance 1/2)":
                                 f">= {1 - dkw_tail(n, 0.5 - critical):.6f}",
                             "seed, starts": f"{seed}, {n}"})


@claim("A.random_start_unfixed_qr", kind="negative-control", source="A11",
       statement="√d M(0) from numpy's QR of a Gaussian matrix without the sign fix is Ginibre "
                 "(the same Kolmogorov tests, false-alarm rate 10⁻³, q = 2, d = 1000)",
       latex=r"\sqrt d\,M_{\rm QR}(0)\ \xrightarrow{d}\ \mathrm{Ginibre}(q)")
def unfixed_qr(dps: int, sign_fix: bool = False, seed: int = 12) -> Evidence:
    """The judge of A.random_start_ginibre on QR factors without the sign fix (``sign_fix=True``
    is the positive twin, which holds). LAPACK's QR has diag(R) < 0, so M_11(0) < 0 for every
    start: the Kolmogorov distance of X11 from N(0, 1) is 1/2, detected with probability
    ≥ 1 − 2e^{−2n(1/2 − ε)²}."""
    ok, info = _ginibre_verdict(2, 1000, 2000, seed, sign_fix)
    worst = max(float(v.split()[-1]) for v in info["Kolmogorov distances"].split(", "))
    return Evidence(holds=ok, residual=worst, digits=None,
                    tolerance=float(info["critical distance (DKW, level 1e-3 / K)"]),
                    method="the Kolmogorov tests of A.random_start_ginibre on unfixed QR factors",
                    details=info)


# ----------------------------------------------------------------------------- escape-time quantiles


def _flow(link: str) -> tuple[sympy.Expr, sympy.Expr]:
    """``(R, P)``: the two-timescale ``ṁ = R(m)`` and ``P = R/m^ν`` (``m^ν`` the lowest power), after
    the exact checks that ``R`` is odd (so ``T`` depends on ``|m(0)|``) and ``P > 0`` on ``[0, m1]``
    (so ``R > 0`` on ``(0, m1]`` and ``dT/d|m0| = −1/R(|m0|) < 0``: ``T`` strictly decreases in ``|m0|``)."""
    R = ro.single_index_rhs(LINKS[link])
    if sympy.expand(R.subs(M, -M) + R) != 0:
        raise ValueError(f"the flow of {link} is not odd in m")
    P = sympy.cancel(R / M ** ts.relative_exponent(R, M))
    ts.check_escape_interval(P, M, 0, M1)  # InputError unless P > 0 on [0, m1]
    return R, P


def exact_quantiles(link: str, d: int, ps, increasing: bool = False) -> list[mpmath.mpf]:
    """``T`` at the ``(1 − p)``-quantiles of ``|m(0)|`` (``T`` decreases in ``|m(0)|``), in closed
    form at the current precision; ``increasing=True`` maps ``p`` to ``p`` (the wrong map)."""
    R, _ = _flow(link)
    integral = ts.escape_integral(R, M)
    return [nts.integral_time(integral, rs.abs_start_quantile(d, p if increasing else 1 - p), M1)
            for p in ps]


@claim("A.random_start_quantiles", kind="property", source="A14",
       statement="q = 1, m(0) = one coordinate of a uniform point of S^{d−1}: T(m(0) → ½) decreases in "
                 "|m(0)|, so its p-quantile is T at the (1 − p)-quantile of |m(0)| (m(0)² ~ Beta(½, "
                 "(d−1)/2)); these lie in the order-statistic intervals of sampled starts "
                 "(false-alarm rate 10⁻³), h3, d = 100",
       latex=r"Q_T(p)=T\big(Q_{|m_0|}(1-p)\big)",
       variants={"": dict(links=("h3",), ds=(100,), n=2000),
                 "_sweep": dict(links=("h1", "h2", "h3"), ds=(100, 10**4), n=20000, tier="full",
                                statement="quantiles of T from random starts (h1, h2, h3; d = 10², 10⁴; "
                                          "20000 starts each; false-alarm rate 10⁻³)")})
def quantiles(dps: int, links, ds, n: int, increasing: bool = False, seed: int = 21) -> Evidence:
    """Route 1: exact, T monotone (R odd and R/m > 0 on [0, ½], by exact root counting), the Beta
    quantiles of m(0)² (mpmath root of the regularized incomplete beta) and the closed-form T of
    A13 (Hermite reduction, log-sum over the roots), at two precisions. Route 2: sampled starts
    (x/(x² + χ²_{d−1})^{1/2}), T of each by float64 Gauss–Legendre quadrature of ∫ m/R du in
    u = ln m (a different algorithm from the closed form; 96 against 192 nodes bounds its error),
    and the distribution-free order-statistic interval of each quantile (Bonferroni over every
    quantile, link and d)."""
    cases = [(link, d) for link in links for d in ds]
    level = LEVEL / (len(QUANTILES) * len(cases))
    holds, worst, rows, quad_err, digits = True, 0.0, {}, 0.0, math.inf
    rng = np.random.default_rng(seed)
    for link, d in cases:
        runs = confirmed(lambda p, link=link, d=d: exact_quantiles(link, d, QUANTILES, increasing),
                         dps, f"exact quantiles of T, {link}, d = {d}")
        digits = min(digits, runs.digits)
        R, _ = _flow(link)
        m0 = rs.single_index_starts(d, n, rng)
        coarse = rs.escape_times_quadrature(R, M, m0, float(M1), NODES)
        fine = np.sort(rs.escape_times_quadrature(R, M, m0, float(M1), 2 * NODES))
        quad_err = max(quad_err, float(np.max(np.abs(np.sort(coarse) / fine - 1))))
        cells = []
        for p, want in zip(QUANTILES, runs.high):
            lo, hi = quantile_ranks(n, p, level)
            a, b, w = fine[lo - 1], fine[hi - 1], float(want)
            inside = a <= w <= b
            holds = holds and inside
            # how far outside, in units of the interval's half-width (<= 1 inside)
            worst = max(worst, abs(w - (a + b) / 2) / ((b - a) / 2))
            cells.append(f"p={p}: {mpmath.nstr(want, 6)} in [{a:.5g}, {b:.5g}]" + ("" if inside else " NO"))
        rows[f"{link}, d={d}"] = "; ".join(cells)
    return Evidence(holds=holds and quad_err < 1e-8, residual=worst, tolerance=1.0, digits=digits,
                    method="exact quantiles (Beta quantile of m0^2, closed-form T; two precisions) vs "
                    "order-statistic intervals of sampled starts with T by float64 Gauss-Legendre",
                    details={**rows, "quadrature error (96 vs 192 nodes, relative)": f"{quad_err:.1e}",
                             "interval level": f"{level:.1e} each (Bonferroni, total 1e-3)",
                             "starts per case": n})


@claim("A.random_start_quantiles_increasing", kind="negative-control", source="A14",
       statement="the p-quantile of T(m(0) → ½) is T at the p-quantile of |m(0)| (h3, d = 100; "
                 "order-statistic intervals, false-alarm rate 10⁻³)",
       latex=r"Q_T(p)=T\big(Q_{|m_0|}(p)\big)")
def quantiles_increasing(dps: int, increasing: bool = True) -> Evidence:
    """The judge of A.random_start_quantiles with the quantile map of an increasing T (p ↦ p):
    equal at the median, off by orders of magnitude at p = .1 and .9 (``increasing=False`` is
    the positive twin)."""
    return quantiles(dps, ("h3",), (100,), 2000, increasing=increasing)


# ----------------------------------------------------------------------------- the heavy tail


def mean_growth_exponent(link: str) -> tuple[sympy.Expr, sympy.Expr]:
    """``(k, β)`` from the leading singular term of ``T`` as ``m0 → 0`` (A14): ``T ~ c m0^{−k}``
    (``k = 0`` for ``−c ln m0``). ``|m(0)|`` has a density positive at 0 (``∝ (1 − u²)^{(d−3)/2}``),
    so ``P(T > t) ∼ C t^{−1/k}``: ``E[T] = ∞`` iff ``k ≥ 1``, and for ``k > 1`` the sum of ``n``
    samples grows like ``n^k`` (stable law of index ``1/k``), the sample mean like ``n^{β}``,
    ``β = k − 1``; for ``k = 0`` the mean is finite, ``β = 0``."""
    R, _ = _flow(link)
    lead = ts.singular_terms(R, M)[0]
    if lead.has(sympy.log):
        return sympy.Integer(0), sympy.Integer(0)
    k = -lead.as_coeff_exponent(ts.M0)[1]
    if k == 1:
        raise ValueError("k = 1: the mean grows like log n, not a power")
    return k, k - 1


def _seed_slope(ns, table: np.ndarray, groups: int) -> tuple[float, float, float]:
    """Least-squares slope of ``log median_r table[r, j]`` in ``log n_j`` over all replicates ``r``,
    its drift uncertainty (:func:`gfverify.numerics.fitting.fit_slope`: the local slopes' spread)
    and its seed-to-seed standard error: the spread of the same slope over ``groups`` disjoint
    groups of replicates, divided by ``√groups``."""
    logs = [math.log(n) for n in ns]
    fit = fit_slope(logs, np.log(np.median(table, axis=0)))
    parts = [fit_slope(logs, np.log(np.median(g, axis=0))).slope for g in np.array_split(table, groups)]
    return fit.slope, fit.uncertainty, float(np.std(parts, ddof=1) / math.sqrt(groups))


@claim("A.random_start_heavy_tail", kind="property", source="A14",
       statement="h2, d = 100, random starts: E[T] = ∞ (T ~ c m(0)^{−2}, m(0) with a density positive "
                 "at 0): the running sample mean of T grows like n^{2s−3} = n (fitted exponent within "
                 "3.29 seed-to-seed errors), while the sample median settles: its 99.9% interval holds "
                 "the exact median and its relative width falls like n^{−1/2}",
       latex=r"\mathbb E\,T=\infty,\quad \bar T_n\sim n^{2s-3},\quad \mathrm{med}_n\to\mathrm{med}\,T",
       variants={"": dict(link="h2", reps=96, top=5120),
                 "_h3": dict(link="h3", reps=400, top=20480, tier="full",
                             statement="h3, d = 100: E[T] = ∞; the running mean grows like n³, the median "
                                       "settles (400 replicates, n up to 20480)"),
                 "_h1": dict(link="h1", reps=400, top=20480, tier="full",
                             statement="h1, d = 100: E[T] < ∞ (T ~ −ln m(0)/2): the running mean settles "
                                       "(growth exponent 0) and so does the median (400 replicates)")})
def heavy_tail(dps: int, link: str, reps: int, top: int, d: int = 100, seed: int = 31,
               claimed: object = None) -> Evidence:
    """Route 1: the growth exponent β of the mean from the leading singular term of T (exact
    Laurent expansion of 1/R, A14) and the exact median of T (A.random_start_quantiles' route 1,
    two precisions). Route 2: ``reps`` independent runs of ``top`` sampled starts, T by the exact
    antiderivative in float64; for n = 20·4^j the running mean and the running median's
    order-statistic interval (n ≥ 320); the log-log slope of the median (over runs) of the
    running mean against β within Z = 3.29 seed-to-seed standard errors (8 groups of runs; its
    local slopes are too noisy to measure a drift), and of the median relative interval width
    against −½ within Z seed-to-seed errors plus the drift of its local slopes (the width's
    n^{−3/2} correction is large for a convex quantile function); the first run's intervals must
    hold the exact median (Bonferroni over n, total false-alarm rate 10⁻³).
    ``claimed`` replaces β (a control: the wrong exponent must FAIL)."""
    k, beta = mean_growth_exponent(link)
    want = float(beta if claimed is None else claimed)
    median = confirmed(lambda p: exact_quantiles(link, d, (0.5,))[0], dps, f"exact median of T, {link}")
    R, _ = _flow(link)
    T = rs.escape_time_function(R, M, M1)
    rng = np.random.default_rng(seed)
    samples = np.stack([T(rs.single_index_starts(d, top, rng)) for _ in range(reps)])
    ns = [n for n in (20 * 4**j for j in range(12)) if n <= top]
    wide = [n for n in ns if n >= 320]
    level = LEVEL / len(wide)
    means = np.stack([samples[:, :n].mean(axis=1) for n in ns], axis=1)
    widths, covered = np.empty((reps, len(wide))), []
    for j, n in enumerate(wide):
        lo, hi = quantile_ranks(n, 0.5, level)
        part = np.sort(samples[:, :n], axis=1)
        widths[:, j] = (part[:, hi - 1] - part[:, lo - 1]) / part[:, n // 2]
        covered.append(part[0, lo - 1] <= float(median.high) <= part[0, hi - 1])
    b, _, b_se = _seed_slope(ns, means, GROUPS)
    w, w_drift, w_se = _seed_slope(wide, widths, GROUPS)
    mean_gap = abs(b - want) / (Z * b_se)
    width_gap = abs(w + 0.5) / (Z * w_se + w_drift)
    return Evidence(holds=mean_gap <= 1 and width_gap <= 1 and all(covered),
                    residual=max(mean_gap, width_gap), tolerance=1.0, exponent=(b, Z * b_se),
                    digits=median.digits,
                    method="exact growth exponent (Laurent term of 1/R) vs the slope of the median running "
                    "mean over independent runs; median's order-statistic intervals vs the exact median",
                    details={"T ~ c m0^-k": f"k = {k}: E[T] {'infinite' if k >= 1 else 'finite'}",
                             "mean exponent": f"{b:.3f} (seed s.e. {b_se:.3f}; predicted {want:g})",
                             "median relative width exponent":
                                 f"{w:.3f} (seed s.e. {w_se:.3f}, drift {w_drift:.3f}, n >= 320; want -0.5)",
                             "median running mean by n": ", ".join(
                                 f"{n}: {v:.4g}" for n, v in zip(ns, np.median(means, axis=0))),
                             "exact median": mpmath.nstr(median.high, 8),
                             "first run's median intervals hold it": str(covered)})


@claim("A.random_start_h2_mean_settles", kind="negative-control", source="A14",
       statement="h2, d = 100, random starts: E[T] < ∞, the running sample mean of T settles "
                 "(growth exponent 0)",
       latex=r"\mathbb E\,T<\infty")
def h2_mean_settles(dps: int, claimed: object = 0) -> Evidence:
    """The judge of A.random_start_heavy_tail with the finite-mean exponent 0 claimed for h2
    (``claimed=None`` is the positive twin, the exponent derived from the link, which holds)."""
    return heavy_tail(dps, "h2", 96, 5120, claimed=claimed)
