# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Hermite expansions and the information exponent (C1–C4)
#
# Convention (docs/theory.md): probabilists' $He_k$, normalized $h_k = He_k/\sqrt{k!}$,
# $\alpha_k = \langle f, h_k\rangle = \mathbb E[f(z)h_k(z)]$, $z\sim N(0,1)$. The information
# exponent $s$ of $f$ is the smallest $k \ge 1$ with $\alpha_k \ne 0$: it sets the escape
# time of the later notebooks.
#
# Every statement is checked through the project's judge (`gfverify.claims.judge`): exact
# identities must simplify to $0$, numbers are computed at two precisions and must agree with
# the other route to the tolerance the precision sets.
#
# The exact layer splits a link at its kinks into pieces $p(z)\,g(z)\,1\{lo<z<hi\}$ with
# $g\in\{1, e^{az}, \mathrm{erf}(az)\}$ ($\cos$ and $\sin$ through $e^{\pm iaz}$), and integrates
# $He_k$ against exact truncated Gaussian moments
# $T_j = (j-1)T_{j-2} + lo^{j-1}\varphi(lo) - hi^{j-1}\varphi(hi)$.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import sympy
from checking import SMALL, judged, save_figure, value
from IPython.display import Math, display

from gfverify.claims.judge import exact_identity, versus_numeric
from gfverify.numerics import hermite as numeric
from gfverify.theory import hermite as exact

z = exact.Z
DPS = 20 if SMALL else 30

# %% [markdown]
# ## Closed forms
# ReLU, sign, erf and $e^{z/2}$, derived by sympy:

# %%
links = {"ReLU": sympy.Max(z, 0), "sign": sympy.sign(z), "erf(z)": sympy.erf(z),
         "exp(z/2)": sympy.exp(z / 2)}
closed = {name: exact.hermite_coefficients(f, 6) for name, f in links.items()}
for name, alphas in closed.items():
    terms = (rf"\alpha_{k} = {sympy.latex(a)}" for k, a in enumerate(alphas))
    display(Math(r"\mathrm{" + name + r"}:\ " + r",\ ".join(terms)))

# %% [markdown]
# Two checks that can fail. (1) Stein's lemma $\alpha_k = \mathbb E[f^{(k)}]/\sqrt{k!}$ with
# distributional derivatives (ReLU$'' = \delta_0$, sign$' = 2\delta_0$) is an independent
# symbolic route. (2) The numeric layer (quadrature, no closed form) agrees to the working
# precision.

# %%
judged("stein", exact_identity(
    [value("stein", closed[name][k]) - exact.stein_coefficient(f, k) for name, f in links.items()
     for k in range(5)],
    "α_k from truncated Gaussian moments minus Stein's E[f^(k)]/√k!, k ≤ 4"))
judged("quadrature", versus_numeric(
    [a for name in links for a in closed[name]],
    lambda p: value("quadrature", [a for f in links.values()
                                   for a in numeric.hermite_coefficients(f, 6, p).alphas]),
    DPS, "closed-form α_0..α_6 of the four links vs quadrature", relative=False))

# %% [markdown]
# ## Information exponents
# From the closed-form coefficients, and again from Stein's route (the first $k$ with
# $\mathbb E[f^{(k)}] \ne 0$): ReLU and sign have $s = 1$, $|z|$ has $s = 2$, $He_3$ has $s = 3$,
# $He_4 + He_6/2$ has $s = 4$.

# %%
exponent_links = [sympy.Max(z, 0), sympy.sign(z), sympy.Abs(z), exact.He(3), exact.He(4) + exact.He(6) / 2]
by_moments = [exact.information_exponent(exact.hermite_coefficients(f, 5)) for f in exponent_links]
by_stein = [exact.information_exponent([exact.stein_coefficient(f, j) for j in range(6)])
            for f in exponent_links]
display(Math(r"s = " + sympy.latex(dict(zip(exponent_links, by_moments)))))
judged("information_exponent", exact_identity(
    [value("information_exponent", sympy.Integer(a)) - b for a, b in zip(by_moments, by_stein)],
    "information exponent from the closed-form α_k minus from Stein's route"))

# %% [markdown]
# ## Decay of $|\alpha_k|$
# Kinks give algebraic decay; links analytic in a strip (tanh: $|\mathrm{Im}\,z| < \pi/2$,
# softplus: $< \pi$) decay like $e^{-c\sqrt k}$, faster for the wider strip; for erf
# $\sum_k\alpha_k^2\rho^k = \frac2\pi\arcsin(2\rho/3)$ is singular at $\rho = 3/2$, so $|\alpha_k|$ decays
# geometrically, like $(2/3)^{k/2}$, which overtakes $e^{-c\sqrt k}$ only beyond the plotted range.
#
# For sign, Stein's route gives $\alpha_k = 2\,\mathbb E[\delta_0^{(k-1)}]/\sqrt{k!}
# = 2He_{k-1}(0)\varphi(0)/\sqrt{k!}$, and $He_{j+1}(0) = -jHe_{j-1}(0)$ from the recurrence, so
# for odd $k$ $$\frac{\alpha_{k+2}}{\alpha_k} = -\frac{k}{\sqrt{(k+1)(k+2)}}.$$ For ReLU
# ($\alpha_k = He_{k-2}(0)\varphi(0)/\sqrt{k!}$, even $k \ge 2$) the same steps give
# $-(k-1)/\sqrt{(k+1)(k+2)}$. Checked against the closed-form coefficients up to $k = K$:

# %%
k = sympy.Symbol("k", positive=True, integer=True)
ratios = {"sign": (sympy.sign(z), -k / sympy.sqrt((k + 1) * (k + 2)), 1),
          "ReLU": (sympy.Max(z, 0), -(k - 1) / sympy.sqrt((k + 1) * (k + 2)), 2)}
K = 21 if SMALL else 41
diffs = []
for name, (f, ratio, first) in ratios.items():
    al = exact.hermite_coefficients(f, K + 2)
    diffs += [value("decay_ratio", al[j + 2] / al[j]) - ratio.subs(k, j) for j in range(first, K + 1, 2)]
judged("decay_ratio", exact_identity(diffs, f"α_(k+2)/α_k from the closed forms minus the ratio "
                                            f"derived by Stein's route, k ≤ {K}"))

# %% [markdown]
# So $\ln|\alpha_k|$ changes by $\ln|\text{ratio}|$ over a step of $2$ in $k$, and the local
# log–log slope $\ln|\text{ratio}(k)| / \ln\frac{k+2}{k}$ tends to the decay exponent: $-3/4$
# for sign, $-5/4$ for ReLU (the theory document's values):

# %%
slopes = {name: sympy.limit(sympy.log(-ratio) / sympy.log((k + 2) / k), k, sympy.oo)
          for name, (f, ratio, first) in ratios.items()}
display(Math(r"\lim_{k\to\infty} \frac{\ln|\alpha_{k+2}/\alpha_k|}{\ln((k+2)/k)} = "
             + sympy.latex(slopes)))
judged("decay_exponent", exact_identity(
    [value("decay_exponent", slopes["sign"]) + sympy.Rational(3, 4), slopes["ReLU"] + sympy.Rational(5, 4)],
    "limit of the local log–log slope minus −3/4 (sign) and −5/4 (ReLU)"))

# %%
kmax = 30 if SMALL else 60
curves = {"ReLU": sympy.Max(z, 0), "sign": sympy.sign(z), "tanh": sympy.tanh(z),
          "softplus": sympy.log(1 + sympy.exp(z)), "erf": sympy.erf(z)}
fig, ax = plt.subplots(figsize=(6, 4))
for name, f in curves.items():
    res = numeric.hermite_coefficients(f, kmax, 15)
    ks = [j for j in range(1, kmax + 1) if not res.exact_zero[j] and res.alphas[j] != 0]
    ax.loglog(ks, [float(abs(res.alphas[j])) for j in ks], ".-", label=name)
for name, slope, c in (("sign", -0.75, 0.8), ("ReLU", -1.25, 0.4)):
    ax.loglog([1, kmax], [c, c * kmax**slope], "k:", lw=1)
    ax.annotate(f"k^{slope:g}", (kmax, c * kmax**slope), fontsize=8)
ax.set_xlabel("k")
ax.set_ylabel(r"$|\alpha_k|$")
ax.set_title("Hermite coefficients (log–log)")
ax.legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "hermite_expansions")
