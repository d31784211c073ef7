"""Claims on online SGD (theory document A20, docs/online_sgd.md): the exact overlap sampler has
the law of the d-dimensional algorithm (a two-sample test with its negative control), SGD tends
to the reduced ODE as η → 0 with the distance falling like √η, and the steps to escape grow with
d at the rates of Ben Arous, Gheissari and Jagannath (2021) under their step sizes.
Simulations are float64 (each result stated with its seed-to-seed uncertainty); the ODE side is
high precision, at two precisions. Planted single-index problem, ``f* = h_s``, throughout."""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy

from gfverify.claims.judge import confirmed, require_digits
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import ode
from gfverify.numerics import timescales as nts
from gfverify.numerics.online_sgd import SgdSetup, run_sgd
from gfverify.numerics.precision import GUARD_DIGITS
from gfverify.numerics.statistics import bootstrap_slope, clopper_pearson, ks_p_value
from gfverify.theory import reduced_ode as ro
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import h
from gfverify.theory.links import link_variables
from gfverify.theory.sgd_moments import step_moments

#: false-alarm rate of every test here
LEVEL = 1e-3
#: two-sided confidence of the bootstrap intervals of fitted exponents
CONFIDENCE = 0.99
BOOTSTRAP = 2000
#: the two-sided 99% point of the standard normal
Z99 = 2.5758293035489
HALF = sympy.Rational(1, 2)


def _setup(s: int, d: int, lr: float) -> SgdSetup:
    """Planted single index, ``f* = h_s``, batch 1."""
    return SgdSetup(model="planted", link=h(s, link_variables(1)[0]), q=1, d=d, lr=lr)


def _rhs(s: int) -> sympy.Expr:
    """The planted reduced ODE ``ṁ = (1 − m²) s m^{s−1}`` of ``h_s`` (A16, derived by theory)."""
    return ro.single_index_rhs({s: 1}, ro.M, planted=True)


# ----------------------------------------------------------------------------- 1. the two samplers

#: planted h2, d = 50, η = 0.01, m(0) = 0.3, the overlap after 100 steps (t = 1)
LAW = dict(s=2, d=50, lr=0.01, steps=100, m0=0.3)


@lru_cache(maxsize=None)
def _overlaps(sampler: str, d: int, n: int, first_seed: int) -> np.ndarray:
    """The overlap after ``LAW['steps']`` steps of ``n`` runs (seeds from ``first_seed``); the
    setup says ``d``: for the exact sampler only the χ² degrees of freedom ``d − 2`` see it."""
    runs = run_sgd(_setup(LAW["s"], d, LAW["lr"]), range(first_seed, first_seed + n), to=None,
                   max_steps=LAW["steps"], sampler=sampler, m0=np.array([[LAW["m0"]]]))
    return runs.final.ravel()


def _wrong_d(dof_factor: float) -> int:
    """The ``d`` whose χ² has ``dof_factor (d − 2)`` degrees of freedom."""
    return round(dof_factor * (LAW["d"] - 2)) + 2


def _power(n: int, replicates: int, dof_factor: float) -> tuple[int, int]:
    """(rejections of the wrong sampler, rejections of the true one) in ``replicates`` KS tests
    at ``LEVEL`` of fresh exact-sampler samples against fresh exact-sampler samples."""
    wrong = true = 0
    for r in range(replicates):
        base = 10**6 + 3 * r * n
        ref = _overlaps("exact", LAW["d"], n, base)
        wrong += ks_p_value(ref, _overlaps("exact", _wrong_d(dof_factor), n, base + n)) < LEVEL
        true += ks_p_value(ref, _overlaps("exact", LAW["d"], n, base + 2 * n)) < LEVEL
    return wrong, true


def _law_judge(n: int, dof_factor: float) -> Evidence:
    """The statement "the exact sampler with χ² degrees of freedom ``dof_factor (d − 2)`` has the
    law of the d-dimensional SGD": holds iff the exact KS test at ``LEVEL`` does not reject."""
    full = _overlaps("full", LAW["d"], n, 0)
    exact = _overlaps("exact", _wrong_d(dof_factor), n, n)
    p = ks_p_value(full, exact)
    return Evidence(holds=p >= LEVEL, residual=p, tolerance=LEVEL, digits=None,
                    method=f"exact two-sample Kolmogorov-Smirnov test (level {LEVEL:g}, exact lattice-"
                    f"path p-value) of {n} d-dimensional runs against {n} exact-sampler runs",
                    details={"case": "planted h2, d = {d}, lr = {lr}, m0 = {m0}, overlap after {steps} "
                             "steps".format(**LAW),
                             "sampler under test": f"chi2 with {dof_factor:g}(d - 2) = "
                                                   f"{_wrong_d(dof_factor) - 2} degrees of freedom",
                             "p-value": f"{p:.3g}",
                             "means": f"full {full.mean():.4f}, exact {exact.mean():.4f}"})


@claim("A.sgd_samplers_agree", kind="property", source="A20",
       statement="the exact overlap sampler (cost free of d) has the law of the d-dimensional online "
                 "SGD: the overlap after 100 steps (planted h₂, d = 50, η = 0.01, m(0) = 0.3) passes "
                 "an exact two-sample Kolmogorov–Smirnov test at false-alarm rate 10⁻³, a test that "
                 "rejects the sampler with its χ² degrees of freedom off by ½ in most replicates",
       latex=r"\mathcal{L}(m_k^{\rm exact}) = \mathcal{L}(m_k^{\rm full})",
       variants={"": dict(n=200, replicates=6, control=1.5),
                 "_full": dict(n=1000, replicates=20, control=1.25, tier="full",
                               statement="the exact overlap sampler has the law of the d-dimensional "
                               "online SGD (1000 runs each, KS at 10⁻³), a test that rejects the "
                               "sampler with its χ² degrees of freedom off by ¼ in most replicates")})
def samplers_agree(dps: int, n: int, replicates: int, control: float) -> Evidence:
    """Route 1: the d-dimensional algorithm in numpy (sampler ``full``). Route 2: the overlap
    process in law (sampler ``exact``). Judge: exact KS p-value ≥ 10⁻³; the judge's power against
    the wrong χ² (exact against wrong-exact, fresh seeds) must exceed ½ or the claim FAILS."""
    rejected, false_alarms = _power(n, replicates, control)
    lo, hi = clopper_pearson(rejected, replicates, LEVEL)
    return _law_judge(n, 1.0).also(
        rejected > replicates / 2,
        power=f"against chi2 dof x{control:g}: rejected {rejected}/{replicates} (99.9% interval "
              f"[{lo:.2f}, {hi:.2f}])",
        false_alarms=f"true exact vs true exact: {false_alarms}/{replicates} rejected")


@claim("A.sgd_wrong_dof_sampler", kind="negative-control", source="A20",
       statement="the overlap sampler with χ²(1.5(d − 2)) in place of χ²(d − 2) has the law of the "
                 "d-dimensional online SGD (same case and KS test at 10⁻³)",
       latex=r"\chi^2_{1.5(d-2)}:\ \mathcal{L}(m_k) = \mathcal{L}(m_k^{\rm full})",
       variants={"": dict(n=200, dof_factor=1.5),
                 "_full": dict(n=1000, dof_factor=1.25, tier="full",
                               statement="the overlap sampler with χ²(1.25(d − 2)) in place of "
                               "χ²(d − 2) has the law of the d-dimensional online SGD (1000 runs each, "
                               "KS at 10⁻³)")})
def wrong_dof_sampler(dps: int, n: int, dof_factor: float) -> Evidence:
    """The judge of A.sgd_samplers_agree on the wrong sampler. Its positive twin, the true exact
    sampler on the same full-sampler runs, must pass: if the twin is rejected the judge cannot
    discriminate and the statement counts as holding (the control FAILS). ``dof_factor=1`` makes
    the statement true: the control must then FAIL."""
    ev = _law_judge(n, dof_factor)
    twin = ks_p_value(_overlaps("full", LAW["d"], n, 0), _overlaps("exact", LAW["d"], n, n))
    return Evidence(holds=ev.holds or twin < LEVEL, residual=ev.residual, tolerance=LEVEL, digits=None,
                    method=ev.method, details={**ev.details, "twin (true sampler) p-value": f"{twin:.3g}"})


# ----------------------------------------------------------------------------- 2. η → 0

#: planted h2 at d = 100 from m(0) = d^{-1/2}, compared on [0, t_end] (t_end ≈ the ODE time to ½)
ODE_CASE = dict(s=2, d=100, m0=sympy.Rational(1, 10), t_end=sympy.Rational(874, 1000), points=20)


def ode_samples(dps: int) -> tuple[np.ndarray, float]:
    """The reduced ODE's ``m(t_j)``, ``t_j = j t_end / points``, confirmed at two precisions
    (float64 of the higher run), and the digits the two runs agree on."""
    c = ODE_CASE
    system = ode.OdeSystem.from_sympy([_rhs(c["s"])], [ro.M])
    times = [c["t_end"] * j / c["points"] for j in range(c["points"] + 1)]
    traj = ode.solve(system, [c["m0"]], c["t_end"], dps - GUARD_DIGITS, t_eval=times, engine="taylor")
    require_digits(traj.digits, dps, "reduced ODE samples")
    return np.array([float(y[0]) for y in traj.ys]), traj.digits


def sgd_distance(lr: float, seeds: range) -> tuple[float, np.ndarray]:
    """The step size actually used (``t_end`` = a whole number of recording intervals) and each
    run's ``sup_j |m_SGD(t_j) − m_ODE(t_j)|`` over the ODE sample times (exact sampler)."""
    c = ODE_CASE
    t_end, points = float(c["t_end"]), c["points"]
    every = max(1, round(t_end / (lr * points)))
    lr = t_end / (every * points)
    runs = run_sgd(_setup(c["s"], c["d"], lr), seeds, to=None, max_steps=every * points,
                   sampler="exact", m0=np.array([[float(c["m0"])]]), record_every=every)
    return lr, runs.path[:, :, 0, 0]


@claim("A.sgd_tracks_ode", kind="scaling", source="A20",
       statement="as η → 0 at fixed d the online-SGD overlap at time η·steps tends to the reduced ODE "
                 "from the same start, E sup_t |m_SGD(t) − m_ODE(t)| ∝ η^{1/2} (the stochastic-"
                 "approximation CLT): ½ lies in the fitted exponent's 99% seed-bootstrap interval "
                 "(planted h₂, d = 100, m(0) = 0.1, η = 10^{−3.5}..10^{−4.5})",
       latex=r"\mathbb{E}\sup_t|m_{\lfloor t/\eta\rfloor}-m(t)|\propto\eta^{1/2}",
       variants={"": dict(exponents=(3.5, 4.0, 4.5), seeds=16),
                 "_full": dict(exponents=(3.5, 4.0, 4.5, 5.0, 5.5), seeds=64, tier="full",
                               statement="as η → 0 at fixed d the online-SGD overlap tends to the "
                               "reduced ODE with E sup_t |m_SGD − m_ODE| ∝ η^{1/2}: ½ in the 99% "
                               "bootstrap interval (planted h₂, d = 100, η = 10^{−3.5}..10^{−5.5}, "
                               "64 seeds)")})
def tracks_ode(dps: int, exponents: tuple[float, ...], seeds: int) -> Evidence:
    """Route 1: the reduced ODE (A16) by the high-precision Taylor integrator at two
    precisions. Route 2: exact-sampler SGD runs, their sup distance to route 1 over the sample
    times, averaged over seeds, its log-log slope in η with a seed-bootstrap interval. Predicted
    slope ½: the fluctuations are O(√η) (diffusion limit), the bias O(ηd) (retraction drift)."""
    m_ode, digits = ode_samples(dps)
    lrs, dists = [], []
    for k, e in enumerate(exponents):
        lr, path = sgd_distance(10.0**-e, range(1000 * k, 1000 * k + seeds))
        lrs.append(lr)
        dists.append(np.abs(path - m_ode).max(axis=1))
    slope, (lo, hi) = bootstrap_slope(np.log(lrs), dists, np.mean, CONFIDENCE, BOOTSTRAP, seed=20)
    rows = {f"lr={lr:.3g}": f"E sup|dm| = {d.mean():.4g} +- {d.std(ddof=1) / math.sqrt(len(d)):.2g}"
            for lr, d in zip(lrs, dists)}
    return Evidence(holds=lo <= 0.5 <= hi and lo > 0, residual=abs(slope - 0.5),
                    tolerance=hi - slope if slope <= 0.5 else slope - lo,
                    exponent=(slope, (hi - lo) / 2), digits=digits,
                    method="exact-sampler SGD vs reduced ODE (Taylor integrator, two precisions); least-"
                    f"squares slope of log mean sup distance in log lr, {BOOTSTRAP} seed-bootstrap "
                    f"resamples, {CONFIDENCE:.0%} percentile interval",
                    details={"fitted exponent": f"{slope:.3f}, 99% interval [{lo:.3f}, {hi:.3f}]",
                             "predicted": "1/2", **rows})


@claim("A.sgd_fluctuation_size", kind="ode", source="A20",
       statement="the online-SGD step is an unbiased step of the reduced ODE (E[Δm]/η = ṁ, exact) and "
                 "the SGD–ODE gap at t_end has the size of the diffusion limit, E|m_SGD − m_ODE| = "
                 "√(2η/π)·sd U(t_end), Var U = b(m)² ∫ σ²/b³ dm (planted h₂, d = 100, m(0) = 0.1; 99% "
                 "seed interval)",
       latex=r"\mathbb{E}|m_{t/\eta}-m(t)|\simeq\sqrt{2\eta/\pi}\,b(m_t)\Big(\int_{m_0}^{m_t}"
             r"\frac{\sigma^2}{b^3}dm\Big)^{1/2}",
       variants={"": dict(exponent=4.0, seeds=32),
                 "_full": dict(exponent=5.5, seeds=64, tier="full",
                               statement="the SGD–ODE gap at t_end has the size of the diffusion limit "
                               "√(2η/π)·sd U(t_end) (planted h₂, d = 100, η = 10^{−5.5}, 64 seeds; 99% "
                               "seed interval), and the SGD step's mean is the ODE's right-hand side")})
def fluctuation_size(dps: int, exponent: float, seeds: int) -> Evidence:
    """Route 1: the linear-noise (diffusion) limit of the error ``e = m_SGD − m_ODE``:
    ``dU = b'(m) U dt + σ(m) dW``, whose variance along the flow is ``b(m_t)² ∫_{m0}^{m_t} σ²/b³ dm``
    (the flow's derivative is ``b(m_t)/b(m_s)``), with ``b``, ``σ²`` from exact Gaussian moments
    and the integral by quadrature at two precisions; ``E|U| = √(2/π) sd U``. Route 2: the mean
    over exact-sampler runs of ``|m_SGD(t_end) − m_ODE(t_end)|``, over ``√η``."""
    c = ODE_CASE
    b, sigma2 = step_moments(c["s"])
    unbiased = sympy.expand(b - _rhs(c["s"])) == 0
    system = ode.OdeSystem.from_sympy([_rhs(c["s"])], [ro.M])
    end = ode.solve(system, [c["m0"]], c["t_end"], dps - GUARD_DIGITS, t_eval=[c["t_end"]], engine="taylor")
    require_digits(end.digits, dps, "reduced ODE at t_end")
    bf, ratio = sympy.lambdify(ro.M, b, "mpmath"), sympy.lambdify(ro.M, sigma2 / b**3, "mpmath")

    def predicted(p: int):
        with mpmath.workdps(p):
            m0, m1 = mpmath.mpf(sympy.N(c["m0"], p + 10)), end.ys[-1][0]
            return mpmath.sqrt(2 / mpmath.pi * bf(m1) ** 2 * mpmath.quad(ratio, [m0, m1]))

    want = confirmed(predicted, dps, "diffusion-limit E|U(t_end)|")
    lr, path = sgd_distance(10.0**-exponent, range(5000, 5000 + seeds))
    gap = np.abs(path[:, -1] - float(end.ys[-1][0])) / math.sqrt(lr)
    mean, se = float(gap.mean()), float(gap.std(ddof=1) / math.sqrt(len(gap)))
    tol = Z99 * se
    return Evidence(holds=unbiased and abs(mean - float(want.high)) <= tol,
                    residual=abs(mean - float(want.high)), tolerance=tol, digits=min(want.digits, end.digits),
                    method="diffusion limit (exact Gaussian moments, mpmath quadrature at two precisions) vs "
                    f"the mean of {seeds} exact-sampler gaps / sqrt(lr), normal 99% interval",
                    details={"drift E[dm]/lr": f"{b} (= ODE right-hand side: {unbiased})",
                             "noise Var[dm]/lr^2": str(sigma2),
                             "predicted E|m_SGD - m_ODE| / sqrt(lr)": mpmath.nstr(want.high, 8),
                             "measured": f"{mean:.4f} +- {se:.4f} at lr = {lr:.3g}"})


# ----------------------------------------------------------------------------- 3. rates in d

#: BGJ's step sizes δ/d with δ ≍ 1, 1/ln d, d^{−(s−2)/2}/ln d; our constants c keep the
#: retraction drift ½ η d E[r²] below a tenth of the ODE drift at the start m(0) = d^{−1/2}
BGJ_C = {1: 0.1, 2: 0.1, 3: 0.03}
#: BGJ's exponent of d in the sample complexity: d, d·polylog, d^{s−1}
BGJ_EXPONENT = {1: 1, 2: 1, 3: 2}
#: where the ODE's local exponent must be within LIMIT_GAP of BGJ's
LIMIT_D = (10**11, 10**12)
LIMIT_GAP = 0.01


def bgj_lr(s: int, d: int) -> float:
    """The step size ``η = δ/d`` of BGJ's theorem for information exponent ``s``."""
    delta = {1: 1.0, 2: 1 / math.log(d), 3: d ** -0.5 / math.log(d)}[s]
    return BGJ_C[s] * delta / d


def log_factor(s: int, d: float) -> float:
    """The logarithm in ``T(d)/η(d)`` at BGJ's steps: ``1``, ``ln² d`` (T ~ ln d/4, 1/η ∝ d ln d),
    ``ln d`` (T ∝ d^{1/2}, 1/η ∝ d^{3/2} ln d); the exponent of d is what remains."""
    return {1: 1.0, 2: math.log(d) ** 2, 3: math.log(d)}[s]


def ode_steps(s: int, ds: tuple[int, ...], dps: int) -> tuple[list[float], float]:
    """``T(d^{−1/2} → ½)/η(d)`` from the closed-form escape time (A13) at two precisions, and
    the agreed digits."""
    integral = ts.escape_integral(_rhs(s), ro.M)
    runs = confirmed(lambda p: [nts.integral_time(integral, 1 / sympy.sqrt(d), HALF) for d in ds], dps,
                     f"closed-form escape time of h{s}")
    return [float(t) / bgj_lr(s, d) for t, d in zip(runs.high, ds)], runs.digits


def sgd_steps(s: int, d: int, seeds: int, cap: int) -> np.ndarray:
    """Steps to ``|m| ≥ ½`` (planted escape) of exact-sampler runs from ``m(0) = d^{−1/2}`` at
    BGJ's step size; runs not escaped by ``cap`` count as ``inf``."""
    runs = run_sgd(_setup(s, d, bgj_lr(s, d)), range(seeds), to=0.5, max_steps=cap, sampler="exact",
                   m0=np.array([[d**-0.5]]))
    return np.where(runs.escape_step >= 0, runs.escape_step.astype(float), np.inf)


def _fit(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(x, y, 1)[0])


@claim("A.sgd_escape_rate", kind="scaling", source="A20",
       statement="Ben Arous–Gheissari–Jagannath rates: with their step sizes (δ/d, δ ≍ 1, 1/ln d, "
                 "d^{−1/2}/ln d) the online-SGD steps to escape from m(0) = d^{−1/2} grow like d "
                 "(s = 1), d ln² d (s = 2), d² ln d (s = 3): the fitted exponent of d (log factor "
                 "divided out) equals, within its 99% seed-bootstrap interval, that of the reduced "
                 "ODE's T(d)/η(d) on the same grid, which tends to BGJ's 1, 1, 2 (within 10⁻² at "
                 "d = 10¹²); quick: s = 1, d = 10²..10⁴",
       latex=r"n_{\rm steps}\asymp d,\ d\ln^2d,\ d^{s-1}\ln d",
       variants={"": dict(s=1, ds=(10**2, 10**3, 10**4), seeds=8),
                 "_s1": dict(s=1, ds=(10**2, 10**3, 10**4, 10**5), seeds=16, tier="full",
                             statement="BGJ rate, s = 1: online-SGD steps to escape ∝ d at step "
                             "0.1/d, d = 10²..10⁵ (exponent as the reduced ODE's, which tends to 1)"),
                 "_s2": dict(s=2, ds=(100, 316, 1000, 3162, 10**4), seeds=10, tier="full",
                             statement="BGJ rate, s = 2: online-SGD steps to escape ∝ d ln² d at step "
                             "0.1/(d ln d), d = 10²..10⁴ (exponent as the reduced ODE's, which tends "
                             "to 1)"),
                 "_s3": dict(s=3, ds=(32, 56, 100, 178), seeds=8, tier="full",
                             statement="BGJ rate, s = 3: online-SGD steps to escape ∝ d² ln d at step "
                             "0.03/(d^{3/2} ln d), d = 10^{1.5}..10^{2.25} (exponent as the reduced "
                             "ODE's, which tends to 2)")})
def escape_rate(dps: int, s: int, ds: tuple[int, ...], seeds: int) -> Evidence:
    """Route 1: the closed-form escape time of the planted reduced ODE divided by the step size,
    at two precisions, its fitted exponent on the grid and its local exponent at d = 10¹¹..10¹².
    Route 2: exact-sampler SGD runs, the median steps per d (unescaped runs counted as ∞), the
    fitted exponent with a seed-bootstrap interval. BGJ's exponent enters only as the limit of
    route 1."""
    predicted, digits = ode_steps(s, ds, dps)
    x = np.log(np.array(ds, dtype=float))
    scale = np.array([log_factor(s, d) for d in ds])
    samples = [sgd_steps(s, d, seeds, cap=int(20 * p)) / f for d, p, f in zip(ds, predicted, scale)]
    slope, (lo, hi) = bootstrap_slope(x, samples, np.median, CONFIDENCE, BOOTSTRAP, seed=30 + s)
    p_ode = _fit(x, np.log(np.array(predicted) / scale))
    far, far_digits = ode_steps(s, LIMIT_D, dps)
    local = (math.log(far[1] / log_factor(s, LIMIT_D[1])) - math.log(far[0] / log_factor(s, LIMIT_D[0]))) / \
        math.log(LIMIT_D[1] / LIMIT_D[0])
    escaped = all(np.isfinite(np.median(g)) for g in samples)
    holds = escaped and lo <= p_ode <= hi and abs(local - BGJ_EXPONENT[s]) <= LIMIT_GAP
    rows = {f"d={d}": f"median steps {np.median(g) * f:.4g} (ODE {p:.4g}), unescaped "
                      f"{int(np.sum(~np.isfinite(g)))}/{len(g)}"
            for d, g, f, p in zip(ds, samples, scale, predicted)}
    return Evidence(holds=holds, residual=abs(slope - p_ode),
                    tolerance=hi - slope if slope <= p_ode else slope - lo,
                    exponent=(slope, (hi - lo) / 2), digits=min(digits, far_digits),
                    method="exact-sampler SGD median steps vs closed-form T(d)/lr(d) (two precisions); "
                    f"least-squares exponent, {BOOTSTRAP} seed-bootstrap resamples, {CONFIDENCE:.0%} "
                    "percentile interval",
                    details={"SGD exponent": f"{slope:.3f}, 99% interval [{lo:.3f}, {hi:.3f}]",
                             "ODE exponent on the grid": f"{p_ode:.4f}",
                             f"ODE local exponent at d = {LIMIT_D}": f"{local:.4f}",
                             "BGJ exponent": BGJ_EXPONENT[s], **rows})


# ----------------------------------------------------------------------------- 4. per-run escape times

#: issue 11's check: planted h2, d = 100, η = 10⁻⁶, 32 Haar starts, escape to |m| = ½
PER_RUN = dict(s=2, d=100, lr=1e-6, seeds=32, floor=0.3, within=0.10)


@claim("A.sgd_escape_per_run", kind="property", source="A20", tier="full",
       statement="planted h₂, d = 100, η = 10⁻⁶, 32 Haar starts: every run whose start has "
                 "|m(0)| ≥ 0.3/√d escapes (|m| = ½) within 10% of the reduced ODE's escape time "
                 "from its own m(0)",
       latex=r"|T_{\rm SGD}-T(m_0)|\le0.1\,T(m_0)")
def escape_per_run(dps: int) -> Evidence:
    """Route 1: the closed-form escape time ``T(|m0| → ½)`` of the planted h2 flow (A13; the
    right-hand side is odd, so ``−m0`` escapes to ``−½`` in the same time), at two precisions.
    Route 2: the exact sampler from the same Haar starts (unescaped runs count as failures).
    Starts nearer 0 are reported, not judged: there the SGD noise is of the size of m(0)."""
    c = PER_RUN
    runs = run_sgd(_setup(c["s"], c["d"], c["lr"]), range(c["seeds"]), to=0.5,
                   max_steps=int(3 / c["lr"]), sampler="exact")
    starts = np.abs(runs.m0.ravel())
    integral = ts.escape_integral(_rhs(c["s"]), ro.M)
    exact = confirmed(lambda p: [nts.integral_time(integral, sympy.Rational(float(m)), HALF) for m in starts],
                      dps, "closed-form escape times")
    want = np.array([float(t) for t in exact.high])
    got = runs.escape_time
    judged = starts >= c["floor"] / math.sqrt(c["d"])
    rel = np.abs(got - want) / want
    worst = float(np.nanmax(np.where(judged, rel, 0.0))) if judged.any() else 0.0
    failed = int(np.sum(judged & ~(rel <= c["within"])))
    near = ", ".join(f"{rel[i]:.3f}" if np.isfinite(rel[i]) else "not escaped"
                     for i in np.flatnonzero(~judged))
    return Evidence(holds=judged.any() and failed == 0, residual=worst, tolerance=c["within"],
                    digits=exact.digits,
                    method="exact-sampler escape times vs closed-form ODE escape times from each run's "
                    "own start (two precisions)",
                    details={"judged runs": f"{int(judged.sum())}/{c['seeds']}, outside 10%: {failed}",
                             "median relative error (judged)": f"{np.nanmedian(rel[judged]):.4f}",
                             "relative errors of starts below 0.3/sqrt(d) (not judged)": near or "none"})
