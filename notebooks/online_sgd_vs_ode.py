# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Online SGD against the reduced ODE ([A], A20)
#
# The flows of the other notebooks are population gradient flows. Online SGD draws a fresh
# sample $x\sim N(0, I_d)$ at each step, takes a step of size $\eta$ along the Riemannian
# gradient of the per-sample loss $\tfrac12(y - f(W^\top x))^2$ and retracts to the sphere
# (here $q = 1$, planted: the student's link is $f^* = h_s$). One step is an unbiased estimate of
# the population gradient, so step $k$ sits at ODE time $t = \eta k$: as $\eta \to 0$ the overlap
# $m_k = w^{*\top}w_k$ tracks the reduced ODE $\dot m = (1 - m^2)\,s\,m^{s-1}$ (A16).
#
# `gfverify.numerics.online_sgd` has two samplers of the same algorithm: `full` runs it in
# $d$ dimensions; `exact` samples the overlap process in law at a cost free of $d$. The checks:
#
# 1. the two samplers have the same law (exact two-sample Kolmogorov–Smirnov test, level $10^{-3}$);
# 2. the distance to the ODE falls like $\eta^{1/2}$ (the diffusion limit of stochastic
#    approximation): the distances scaled by $\eta^{-1/2}$ have the same law at two step sizes
#    (KS, level $10^{-3}$), while scaled by $\eta^{-1}$ they do not;
# 3. at Ben Arous–Gheissari–Jagannath's step size $\eta = 0.1/d$ ($s = 1$) the steps to escape
#    grow with $d$ like the ODE's $T(d)/\eta(d)$: the fitted exponent's 99% seed-bootstrap interval
#    holds the ODE's exponent.
#
# The ODE side is high precision, confirmed by two precisions through the project's judge;
# the SGD side is float64 simulation, judged by tests at stated levels.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import sympy
from checking import SMALL, judged, save_figure, tested, value
from IPython.display import Math, display

from gfverify.claims.judge import confirmed, exact_identity, require_digits, versus_numeric
from gfverify.numerics import ode
from gfverify.numerics import timescales as nts
from gfverify.numerics.online_sgd import SgdSetup, run_sgd
from gfverify.numerics.statistics import ks_p_value
from gfverify.theory import reduced_ode as ro
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import h, hermite_coefficients
from gfverify.theory.links import link_variables

LEVEL = 1e-3
DPS = 15 if SMALL else 25
z = link_variables(1)[0]


def setup(s: int, d: int, lr: float) -> SgdSetup:
    """Planted single index, f* = h_s, batch 1."""
    return SgdSetup(model="planted", link=h(s, z), q=1, d=d, lr=lr)


# %% [markdown]
# ## The reduced ODE
# From the Hermite coefficients of $h_2$, the planted reduced ODE (A16):

# %%
alphas = dict(enumerate(hermite_coefficients(h(2, z), 2, z=z)))
rhs = ro.single_index_rhs(alphas, ro.M, planted=True)
display(Math(r"\dot m = " + sympy.latex(sympy.factor(rhs))))
judged("planted_rhs", exact_identity([value("planted_rhs", rhs) - 2 * ro.M * (1 - ro.M**2)],
                                     "planted ODE of h2 derived from its α_k minus 2m(1 − m²)"))

# %% [markdown]
# ## 1. The two samplers
# Planted $h_2$, $d = 50$, $\eta = 0.01$, $m(0) = 0.3$: the overlap after 100 steps, $n$ runs of
# the $d$-dimensional sampler against $4n$ of the exact one. The same test must reject a
# sampler whose $\chi^2$ degrees of freedom are off
# by a factor $3/2$ (the exact sampler run with the wrong $d$): the test has power.

# %%
N_LAW = 200 if SMALL else 1000
LAW = dict(s=2, d=50, lr=0.01, steps=100, m0=np.array([[0.3]]))


def overlaps(sampler: str, d: int, first_seed: int, n: int) -> np.ndarray:
    runs = run_sgd(setup(LAW["s"], d, LAW["lr"]), range(first_seed, first_seed + n), to=None,
                   max_steps=LAW["steps"], sampler=sampler, m0=LAW["m0"])
    return runs.final.ravel()


full = overlaps("full", LAW["d"], 0, N_LAW)                                   # d-dimensional runs
exact = overlaps("exact", LAW["d"], N_LAW, 4 * N_LAW)                          # cheap: 4 times as many
wrong = overlaps("exact", round(1.5 * (LAW["d"] - 2)) + 2, 5 * N_LAW, 4 * N_LAW)
p_same, p_wrong = ks_p_value(full, exact), ks_p_value(full, wrong)
print(f"means: full {full.mean():.4f}, exact {exact.mean():.4f}, wrong χ² {wrong.mean():.4f}")
tested("samplers_agree", p_same >= LEVEL,
       f"the exact sampler has the law of the d-dimensional SGD: KS p = {p_same:.3g} (level {LEVEL:g})")
tested("wrong_sampler_rejected", p_wrong < LEVEL,
       f"the same test rejects the sampler with χ²(1.5(d − 2)): KS p = {p_wrong:.3g} < {LEVEL:g}")

# %% [markdown]
# ## 2. The limit $\eta \to 0$
# Planted $h_2$, $d = 100$, $m(0) = 0.1$, on $[0, 0.874]$ (about the ODE's time to $m = \tfrac12$).
# The ODE at 21 sample times, its digits confirmed by two precisions:

# %%
t_end, points = sympy.Rational(874, 1000), 20
times = [t_end * j / points for j in range(points + 1)]
traj = ode.solve(ode.OdeSystem.from_sympy([rhs], [ro.M]), [sympy.Rational(1, 10)], t_end, DPS,
                 t_eval=times)
require_digits(traj.digits, DPS, "ODE samples")
m_ode = np.array([float(y[0]) for y in traj.ys])
closed = ts.escape_integral(rhs, ro.M)
judged("ode_samples", versus_numeric(
    times[1:], lambda p: value("ode_samples", [nts.integral_time(closed, sympy.Rational(1, 10), y[0])
                                               for y in traj.ys[1:]]),
    DPS, "sample times vs the closed-form time t(m) (A13) at the ODE's samples m(t_j)"))

# %% [markdown]
# SGD with the exact sampler, recorded at the same times, for several $\eta$; the distance
# $\sup_j |m_{SGD}(t_j) - m_{ODE}(t_j)|$ of each run. Its mean falls like $\eta^{1/2}$: a step
# adds a mean-zero kick of size $\eta$, $t/\eta$ kicks add up to $\sqrt{\eta t}$ (the central limit
# theorem of stochastic approximation), and the retraction's drift of order $\eta d$ is of higher
# order.

# %%
EXPONENTS = (3.0, 3.5, 4.0, 4.5) if SMALL else (3.5, 4.0, 4.5, 5.0, 5.5)
SEEDS = 32 if SMALL else 64
lrs, dists, paths = [], [], {}
for k, e in enumerate(EXPONENTS):
    every = max(1, round(float(t_end) / (10**-e * points)))
    lr = float(t_end) / (every * points)
    runs = run_sgd(setup(2, 100, lr), range(1000 * k, 1000 * k + SEEDS), to=None,
                   max_steps=every * points, sampler="exact", m0=np.array([[0.1]]), record_every=every)
    path = runs.path[:, :, 0, 0]
    lrs.append(lr)
    dists.append(np.abs(path - m_ode).max(axis=1))
    paths[lr] = path
    print(f"η = {lr:.3g}: E sup|m_SGD − m_ODE| = {dists[-1].mean():.4g} ± "
          f"{dists[-1].std(ddof=1) / np.sqrt(SEEDS):.2g},  scaled by η^(-1/2): "
          f"{dists[-1].mean() / lr**0.5:.3f}")

# %% [markdown]
# If the error is $\sqrt\eta$ times a limit law, the distances scaled by $\eta^{-1/2}$ at the
# smallest and the largest step have the same law; scaled by $\eta^{-1}$ (an $O(\eta)$ error)
# they do not. Both through the same exact KS test at $10^{-3}$:

# %%
a, b = 0, len(lrs) - 1
p_half = ks_p_value(dists[a] / lrs[a] ** 0.5, dists[b] / lrs[b] ** 0.5)
p_one = ks_p_value(dists[a] / lrs[a], dists[b] / lrs[b])
tested("sqrt_eta", p_half >= LEVEL, f"sup distance / η^(1/2) has one law at η = {lrs[a]:.3g} and "
       f"{lrs[b]:.3g}: KS p = {p_half:.3g}")
tested("not_eta", p_one < LEVEL, f"the same test rejects one law for sup distance / η at the same "
       f"step sizes: KS p = {p_one:.3g} < {LEVEL:g}")

# %% [markdown]
# ## 3. Escape steps as $d$ grows
# Planted $h_1$ ($s = 1$) at BGJ's step size $\eta = 0.1/d$ from $m(0) = d^{-1/2}$: steps to reach
# $m = \tfrac12$. The ODE predicts $T(d)/\eta(d)$ steps, with $T(d)$ the closed-form escape time
# (two precisions). On the grid the ODE's fitted exponent of $d$ is a little above BGJ's $1$
# (the $O(1)$ part of $T$); the SGD exponent (median over seeds, 99% percentile bootstrap over
# seeds) must hold the ODE's.

# %%
DS = (10**2, 10**3, 10**4) if SMALL else (10**2, 10**3, 10**4, 10**5)
ESCAPE_SEEDS = 8 if SMALL else 32
rhs1 = ro.single_index_rhs({1: 1}, ro.M, planted=True)
integral1 = ts.escape_integral(rhs1, ro.M)
T = confirmed(lambda p: [nts.integral_time(integral1, 1 / sympy.sqrt(d), sympy.Rational(1, 2)) for d in DS],
              DPS, "closed-form escape times").high
predicted = np.array([float(t) / (0.1 / d) for t, d in zip(T, DS)])
steps = []
for d, pred in zip(DS, predicted):
    runs = run_sgd(setup(1, d, 0.1 / d), range(ESCAPE_SEEDS), to=0.5, max_steps=int(20 * pred),
                   sampler="exact", m0=np.array([[d**-0.5]]))
    steps.append(np.where(runs.escape_step >= 0, runs.escape_step.astype(float), np.inf))
    print(f"d = {d:.0e}: ODE {pred:.5g} steps; SGD median {np.median(steps[-1]):.5g}, "
          f"unescaped {int(np.sum(~np.isfinite(steps[-1])))}/{ESCAPE_SEEDS}")
x = np.log(np.array(DS, dtype=float))
ode_exponent = float(np.polyfit(x, np.log(predicted), 1)[0])
rng = np.random.default_rng(12)


def median_exponent(groups) -> float:
    return float(np.polyfit(x, np.log([np.median(g) for g in groups]), 1)[0])


boot = [median_exponent([g[rng.integers(0, len(g), len(g))] for g in steps]) for _ in range(2000)]
lo, hi = np.percentile(boot, [0.5, 99.5])
print(f"fitted exponent of d: SGD {median_exponent(steps):.4f}, 99% interval [{lo:.4f}, {hi:.4f}]; "
      f"ODE {ode_exponent:.4f}")
tested("escape_exponent", bool(lo <= ode_exponent <= hi and all(np.isfinite(np.median(g)) for g in steps)),
       f"the ODE's exponent {ode_exponent:.4f} lies in the SGD exponent's 99% seed-bootstrap interval "
       f"[{lo:.4f}, {hi:.4f}] (false-alarm rate about 1%)")

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4))
tgrid = [float(t) for t in times]
for lr in (lrs[0], lrs[-1]):
    for j in range(3):
        ax[0].plot(tgrid, paths[lr][j], lw=0.8, alpha=0.8, color="C0" if lr == lrs[0] else "C1",
                   label=f"SGD, η = {lr:.1e}" if j == 0 else None)
ax[0].plot(tgrid, m_ode, "k", lw=2, label="reduced ODE")
ax[0].set_xlabel("t = η · steps")
ax[0].set_ylabel("m")
ax[0].set_title("planted h2, d = 100: SGD paths and the ODE")
ax[0].legend(fontsize=8)
means = [dd.mean() for dd in dists]
ax[1].loglog(lrs, means, "o-", label="E sup |m_SGD − m_ODE|")
ax[1].loglog(lrs, [means[-1] * (lr / lrs[-1]) ** 0.5 for lr in lrs], "k--", label="slope 1/2")
ax[1].set_xlabel("η")
ax[1].set_title("η → 0: distance ∝ η^(1/2)")
ax[1].legend(fontsize=8)
ax[2].loglog(DS, [np.median(g) for g in steps], "o", label="SGD: median steps to m = 1/2")
ax[2].loglog(DS, predicted, "k--", label="ODE: T(d)/η(d)")
ax[2].set_xlabel("d")
ax[2].set_title("planted h1, η = 0.1/d: steps ∝ d")
ax[2].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "online_sgd_vs_ode")
