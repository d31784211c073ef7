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
# # Saddle-to-saddle dynamics and the planted landscape ([A], A15–A18)
#
# For $q \ge 2$ the two-timescale flow learns its directions one after the other, lingering
# near a saddle before each: the plateau of a stage lasts about $d^{\tilde s-1}$ (or
# $\ln d$ when $\tilde s = 1$), $\tilde s$ the *relative* information exponent of the stage.
# The planted problem (link fixed to $f^*$) is different: its loss sees the signs of $M$, a
# start on the wrong side never escapes, and for $q \ge 2$ some starts end at spurious limits.
#
# Exact statements are checked through the project's judge (`gfverify.claims.judge`);
# Monte Carlo statements through the exact tests of `gfverify.numerics.statistics`, each at a
# stated false-alarm rate.

# %%
import matplotlib

matplotlib.use("Agg")
from itertools import combinations, permutations

import matplotlib.pyplot as plt
import mpmath
import sympy
from checking import SMALL, judged, save_figure, tested, value
from IPython.display import Math, display

from gfverify.claims.judge import at_most, exact_identity, require_digits, versus_numeric
from gfverify.numerics import ode
from gfverify.numerics import planted_attractors as pa
from gfverify.numerics import timescales as nts
from gfverify.numerics.statistics import binomial_power, binomial_rejects, clopper_pearson
from gfverify.theory import reduced_ode as ro
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import h
from gfverify.theory.witnesses import Z1, Z2, Z3, ZS

DPS = 15 if SMALL else 25
HALF = sympy.Rational(1, 2)

# %% [markdown]
# ## The staircase $f^* = z_1 + z_1z_2 + z_1z_2z_3$
# $\psi(G) = \langle A_G f^*, f^*\rangle$ by Wick, its symmetric gradient $\Phi$, and the reduced
# ODE $\dot M = (I - G)\Phi(G)M$: at diagonal $G$, $\Phi$ is diagonal, so a diagonal $M$ stays
# diagonal and $g_i = G_{ii}$ obeys $\dot g_i = 2g_i(1 - g_i)\Phi_{ii}$. Derived, then against
# the theory document's equations (A15):

# %%
staircase = Z1 + Z1 * Z2 + Z1 * Z2 * Z3
gdot, gs = ro.diagonal_flow(staircase, [Z1, Z2, Z3])
g1, g2, g3 = gs
for i, e in enumerate(gdot):
    display(Math(rf"\dot g_{i + 1} = " + sympy.latex(sympy.factor(e))))
typed = [2 * g1 * (1 - g1) * (1 + g2 + g2 * g3), 2 * g2 * (1 - g2) * g1 * (1 + g3),
         2 * g3 * (1 - g3) * g1 * g2]
judged("staircase_flow", exact_identity([value("staircase_flow", a) - b for a, b in zip(gdot, typed)],
                                        "diagonal flow derived from ψ by Wick minus the equations of A15"))

# %% [markdown]
# Each stage, with the directions already learned frozen at $1$ and the later ones at $0$,
# is a one-dimensional flow $\dot g = R(g)$; its relative exponent $\tilde s$ is the order of
# $R$ at $g = 0$. Here every frozen stage is $\dot g = 2g(1-g)$, so $\tilde s = 1$; the plateau
# from $g = 1/d$ to $\tfrac12$ is exact (A13), and with $\tilde s = 1$ its growing term is
# $\ln d / R'(0) = \tfrac12\ln d$.

# %%
frozen = [ts.frozen_stage_rhs(gdot, gs, [0, 1, 2], i) for i in range(3)]
display(Math(r"\text{frozen stages: }" + r",\ ".join(sympy.latex(f) for f in frozen)))
exponents = [ts.relative_exponent(f, gs[i]) for i, f in enumerate(frozen)]
growing = [sympy.expand_log(ts.singular_terms(f, gs[i])[0].subs(ts.M0, 1 / ts.D), force=True)
           for i, f in enumerate(frozen)]
display(Math(r"\tilde s = " + sympy.latex(exponents) + r",\quad \text{growing terms: }"
             + sympy.latex(growing)))
judged("stage_exponents", exact_identity(
    [value("stage_exponents", sympy.Integer(e)) - 1 for e in exponents]
    + [g - sympy.log(ts.D) / sympy.diff(f, gs[i]).subs(gs[i], 0)
       for i, (f, g) in enumerate(zip(frozen, growing))]
    + [g - sympy.log(ts.D) / 2 for g in growing],
    "relative exponents minus 1; growing terms minus ln d/R'(0) and minus ½ ln d (A15)"))

# %% [markdown]
# The full diagonal flow from $g_i(0) = 1/d$ (ODE, digits confirmed by two precisions): the
# stage lengths $t_i - t_{i-1}$ (event times $g_i = \tfrac12$) against the frozen-stage
# plateaus. The gap comes from the directions that are not yet exactly at $0$ or $1$, and it
# shrinks as $d$ grows:

# %%
system = ode.OdeSystem.from_sympy(gdot, gs)
ds = [10**2, 10**4] if SMALL else [10**2, 10**4, 10**6]
gaps = []
for d in ds:
    g0 = sympy.Rational(1, d)
    times = []
    for i in range(3):
        ev = ode.event_time(system, [g0] * 3, i, HALF, DPS)
        require_digits(ev.digits, DPS, f"event g{i + 1} = 1/2, d = {d}")
        times.append(ev.t)
    lengths = [times[0], times[1] - times[0], times[2] - times[1]]
    with mpmath.workdps(DPS + 10):
        plateaus = [nts.stage_plateau(f, gs[i], g0, HALF) for i, f in enumerate(frozen)]
    gaps.append([abs(a - b) for a, b in zip(lengths, plateaus)])
    print(f"d = {d:.0e}: stage lengths {[mpmath.nstr(x, 8) for x in lengths]}, "
          f"frozen plateaus {[mpmath.nstr(x, 8) for x in plateaus]}")
judged("stage_gap", at_most(lambda p: value("stage_gap", max(a / b for a, b in zip(gaps[-1], gaps[-2]))), 1,
                            DPS, f"largest ratio of the ODE − frozen-plateau gaps at d = {ds[-1]:.0e} "
                                 f"and {ds[-2]:.0e} (the gap shrinks: at most 1)"))

# %% [markdown]
# ## A long second plateau: $f^* = h_1(z_1) + h_3(z_2)$
# $\psi = g_{11} + g_{22}^3$ on diagonal $G$. The first stage has $\tilde s = 1$ ($\approx\tfrac12\ln
# d$); the second has $\tilde s = 3$ and lasts about $d^2/(12c^2)$, $c = d\,G_{22}$ at its start.
# Here $\dot g_2$ does not involve $g_1$, so stage 2 is exactly the one-dimensional flow of $g_2$
# and its closed form must equal the ODE:

# %%
two_scale = h(1, Z1) + h(3, Z2)
gdot2, gs2 = ro.diagonal_flow(two_scale, [Z1, Z2])
display(Math(r"\dot g_1 = " + sympy.latex(sympy.factor(gdot2[0])) + r",\quad \dot g_2 = "
             + sympy.latex(sympy.factor(gdot2[1]))))
stage2 = ts.frozen_stage_rhs(gdot2, gs2, [0, 1], 1)
c = sympy.Symbol("c", positive=True)
lead2 = ts.singular_terms(stage2, gs2[1])[0].subs(ts.M0, c / ts.D)
display(Math(r"T_2 = " + sympy.latex(lead2) + r" + \dots"))
judged("second_plateau", exact_identity(
    [sympy.diff(gdot2[1], gs2[0]), value("second_plateau", lead2) - ts.D**2 / (12 * c**2),
     sympy.Integer(ts.relative_exponent(stage2, gs2[1]) - 3)],
    "∂ġ2/∂g1 (must vanish); leading term minus d²/(12c²); relative exponent minus 3"))
d2 = 10**4
ev2 = ode.event_time(ode.OdeSystem.from_sympy([gdot2[1]], [gs2[1]]), [sympy.Rational(1, d2)], 0, HALF, DPS)
require_digits(ev2.digits, DPS, "stage 2 event time")
judged("second_plateau_ode", versus_numeric(
    ev2.t,
    lambda p: value("second_plateau_ode", nts.stage_plateau(stage2, gs2[1], sympy.Rational(1, d2), HALF)),
    DPS, "ODE event time g2 = 1/2 vs the closed-form plateau, d = 10⁴"))
print(f"T2 = {mpmath.nstr(ev2.t, 12)};  d²/12 = {d2**2 / 12:.6g}")

# %% [markdown]
# ## The planted problem: a negative start never escapes
# With the link fixed, $L(m) = \sum_k\alpha_k^2(1 - m^k)$ and
# $\dot m = (1 - m^2)\sum_k k\alpha_k^2m^{k-1}$. For $f^* = h_3$, $\dot m = 3m^2(1 - m^2) > 0$ on
# both sides of $0$: from $m_0 < 0$ the flow creeps up to $0^-$ and stops there. Separating the
# variables, $3t = 1/|m| - 1/|m_0| + \operatorname{artanh} m - \operatorname{artanh} m_0$ for
# $m < 0$. So $1 + 3tm = 1 - 3t|m| = |m|\big(1/|m_0| - (\operatorname{artanh} m - \operatorname{artanh}
# m_0)\big)$, which lies in $(0, |m|/|m_0|]$ (the artanh difference is positive and below
# $1/|m_0|$), and $|m| \le 1/(3t)$: $0 < 1 + 3tm \le 1/(3t|m_0|)$, i.e. $m(t) \approx -1/(3t)$.

# %%
m = ro.M
planted_h3 = ro.single_index_rhs({3: 1}, m, planted=True)
display(Math(r"\dot m = " + sympy.latex(sympy.factor(planted_h3))))
t_of_m = (-1 / m + sympy.atanh(m)) / 3          # 3t = 1/|m| + artanh m + const for m < 0
judged("creep_closed_form", exact_identity(
    [sympy.diff(value("creep_closed_form", t_of_m), m) - 1 / planted_h3],
                                           "d/dm of (1/|m| + artanh m)/3 (m < 0) minus 1/R"))
d = 10**4
m0 = -1 / sympy.sqrt(d)
t_eval = [10**k for k in range(1, 9)]
traj = ode.solve(ode.OdeSystem.from_sympy([planted_h3], [m]), [m0], t_eval[-1], DPS, t_eval=t_eval)
require_digits(traj.digits, DPS, "planted h3 samples")
closed_m = sympy.lambdify(m, t_of_m - t_of_m.subs(m, m0), "mpmath")
judged("creep_ode", versus_numeric(
    [mpmath.mpf(t) for t in traj.ts], lambda p: value("creep_ode", [closed_m(y[0]) for y in traj.ys]), DPS,
    "sample times vs the closed-form time t(m) at the ODE's m(t), t = 10 … 10⁸"))


def gap_from_closed_form(p: int) -> list:
    """1 + 3tm = |m|(1/|m0| − (artanh m − artanh m0)) at the ODE's samples (from the closed form)."""
    a0 = mpmath.mpf(sympy.N(m0, p + 10))
    return value("creep_gap", [abs(y[0]) * (1 / abs(a0) - (mpmath.atanh(y[0]) - mpmath.atanh(a0)))
                               for y in traj.ys])


with mpmath.workdps(DPS + 10):
    gaps_ode = [1 + 3 * t * y[0] for t, y in zip(traj.ts, traj.ys)]
    bound_ratio = max(g * 3 * t * abs(mpmath.mpf(sympy.N(m0, DPS + 10))) for g, t in zip(gaps_ode, traj.ts))
judged("creep_gap", versus_numeric(gaps_ode, gap_from_closed_form, DPS,
                                   "1 + 3tm from the ODE samples vs |m|(1/|m0| − artanh m + artanh m0)"))
print(f"0 < min(1 + 3tm) = {mpmath.nstr(min(gaps_ode), 4)};  "
      f"max (1 + 3tm)·3t|m0| = {mpmath.nstr(bound_ratio, 8)} ≤ 1")
print("m(t) at t = 1e8:", mpmath.nstr(traj.ys[-1][0], 10),
      " −1/(3t) =", mpmath.nstr(-1 / (3 * mpmath.mpf(10**8)), 10))

# %% [markdown]
# ## Spurious limits for $f^* = \sum_i h_3(z_i)$
# The planted Stiefel flow closes in $M$: $\dot M = F(M) = \Gamma - M\,\mathrm{sym}(M^\top\Gamma)$,
# $\Gamma = \nabla_M\langle A_Mf^*, f^*\rangle = 3M\circ M$. Every partial permutation matrix $P$
# ($k \le q$ unit entries, at most one per row and column) is a fixed point with loss $q - k$;
# $F$ is quadratic in the $(q-k)^2$ unlearned entries, so $DF(P)$ has a zero eigenvalue for each
# of them. Derived symbolically for $q = 2, 3$ and checked at every partial permutation:

# %%
fixed, spectra, numeric_eigs, exact_eigs = [], {}, [], []
for q in (2, 3):
    F, Msym = ro.planted_rhs(sum(h(3, z) for z in ZS[q]), ZS[q])
    flat = list(Msym)
    J = sympy.Matrix(list(F)).jacobian(flat)
    for k in range(q + 1):
        for rows in combinations(range(q), k):
            for cols in permutations(range(q), k):
                P = {Msym[i, j]: sympy.Integer(0) for i in range(q) for j in range(q)}
                P.update({Msym[i, j]: sympy.Integer(1) for i, j in zip(rows, cols)})
                fixed += list(F.xreplace(P))
        Pk = tuple((i, i) for i in range(k))
        at_P = {Msym[i, j]: sympy.Integer(int((i, j) in Pk)) for i in range(q) for j in range(q)}
        eig = J.xreplace(at_P).eigenvals()
        ev = sorted(sympy.Rational(e) for e, mult in eig.items() for _ in range(mult))
        spectra[(q, k)] = ev
        exact_eigs += ev
        numeric_eigs.append((Pk, q))
judged("fixed_points", exact_identity(value("fixed_points", fixed),
                                      "F(P) at every partial permutation P, q = 2, 3"))
display(Math(r"\mathrm{spec}\,DF(P_k) = "
             + sympy.latex({f"q={q}, k={k}": v for (q, k), v in spectra.items()})))
judged("spectrum", versus_numeric(
    exact_eigs, lambda p: value("spectrum", [e for P, q in numeric_eigs
                                             for e in sorted(mpmath.re(x) for x in pa.spectrum(P, q))]),
    DPS, "eigenvalues of DF(P) by sympy (exact) vs mpmath.eig", relative=False))
judged("zero_modes", exact_identity(
    [value("zero_modes", sympy.Integer(sum(1 for e in ev if e == 0))) - (q - k) ** 2
     for (q, k), ev in spectra.items()]
    + [sympy.Integer(sum(1 for e in ev if e > 0)) for (q, k), ev in spectra.items()],
    "zero eigenvalues minus (q − k)²; positive eigenvalues (none)"))

# %% [markdown]
# So no spurious point has an unstable direction; it attracts the starts whose unlearned
# entries are $\le 0$ (as $m = 0$ does in $q = 1$). How many Haar starts (A11, $d = 400$) end
# where? Float64 Dormand–Prince runs, each decided by its convergence to a fixed point
# (`gfverify.numerics.planted_attractors.census`). For $q = 1$ success means $m(0) > 0$, so the
# fraction is exactly $\tfrac12$ and success coincides with a positive start; for $q = 2, 3$ the
# theory document quotes rough Monte Carlo values $.34$ and $.28$. Exact two-sided binomial tests
# at false-alarm rate $10^{-3}$; Clopper–Pearson intervals at $99.9\%$. A run not converged by
# the horizon is undecided: it counts as a failure, and there may be at most 1% of them.

# %%
LEVEL = 1e-3
STARTS = 200 if SMALL else 2000
ROUGH = {1: 0.5, 2: 0.34, 3: 0.28}
censuses = {q: pa.census(400, q, 2 * STARTS if q == 1 else STARTS, 100 + q) for q in (1, 2, 3)}
intervals = {}
for q, cen in censuses.items():
    n = cen.starts
    intervals[q] = clopper_pearson(cen.successes, n, LEVEL)
    print(f"q = {q}: {cen.successes}/{n} = {cen.successes / n:.4f} reach G = I, 99.9% interval "
          f"[{intervals[q][0]:.4f}, {intervals[q][1]:.4f}]; limits by loss {cen.by_loss()}, "
          f"undecided {cen.undecided}")
    tested(f"fraction_q{q}", not binomial_rejects(cen.successes, n, ROUGH[q], LEVEL),
           f"P(success) = {ROUGH[q]} for q = {q} (exact two-sided binomial test, level 1e-3; power "
           f"against {ROUGH[q] - 0.1:.2f}: {binomial_power(n, ROUGH[q], ROUGH[q] - 0.1, LEVEL):.3f})")
q1 = censuses[1]
judged("q1_iff_positive", exact_identity(
    [value("q1_iff_positive", sympy.Integer(q1.successes)) - q1.successes_with_positive_permutation,
     sympy.Integer(q1.spurious_with_positive_permutation)],
    "q = 1: successes minus successes with m(0) > 0; spurious limits with m(0) > 0"))
undecided = max(c.undecided / c.starts for c in censuses.values())
tested("undecided", undecided <= 0.01, f"runs not converged to a fixed point by t = {q1.t_max:g} are counted "
       f"(as failures above), at most 1% of the starts per q: largest share {undecided:.4f}")

# %%
fig, ax = plt.subplots(1, 3, figsize=(15, 4))
d_fig = 10**6
traj3 = ode.solve(system, [sympy.Rational(1, d_fig)] * 3, 25, 8, n_dense=201)
for i in range(3):
    ax[0].plot([float(t) for t in traj3.ts], [float(y[i]) for y in traj3.ys],
               label=f"g{i + 1} = G_{i + 1}{i + 1}")
for k in (1, 2, 3):
    ax[0].axvline(k * 0.5 * float(mpmath.log(d_fig)), color="grey", ls=":", lw=0.8)
ax[0].set_xlabel("t   (dotted: multiples of ½ ln d)")
ax[0].set_title("staircase, diagonal flow, d = 10⁶: three plateaus")
ax[0].legend(fontsize=8)
sys_h3 = ode.OdeSystem.from_sympy([planted_h3], [m])
for sign, label in ((1, "m(0) = +d^(-1/2)"), (-1, "m(0) = −d^(-1/2)")):
    tr = ode.solve(sys_h3, [sign / sympy.sqrt(d)], 100, 8, n_dense=201)
    ax[1].plot([float(t) for t in tr.ts], [float(y[0]) for y in tr.ys], label=label)
ax[1].axhline(0, color="grey", lw=0.8)
ax[1].set_xlabel("t")
ax[1].set_ylabel("m(t)")
ax[1].set_title("planted h3, d = 10⁴: the negative start stalls at 0⁻")
ax[1].legend(fontsize=8)
qs = sorted(censuses)
frac = [censuses[q].successes / censuses[q].starts for q in qs]
err = [[f - intervals[q][0] for f, q in zip(frac, qs)], [intervals[q][1] - f for f, q in zip(frac, qs)]]
ax[2].errorbar(qs, frac, yerr=err, fmt="o", capsize=4, label="measured (99.9% interval)")
ax[2].plot(qs, [ROUGH[q] for q in qs], "kx", label="theory document's value")
ax[2].set_xticks(qs)
ax[2].set_xlabel("q")
ax[2].set_ylabel("fraction of Haar starts reaching G = I")
ax[2].set_title(f"planted Σ h3(z_i), d = 400, {STARTS} starts")
ax[2].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "saddles_and_planted")
