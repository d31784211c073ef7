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
# # Hermite expansions of the usual links
#
# Convention (docs/theory.md): probabilists' $He_k$, normalized $h_k = He_k/\sqrt{k!}$,
# $\alpha_k = \langle f, h_k\rangle = \mathbb E[f(z)h_k(z)]$, $z\sim N(0,1)$.
#
# The exact layer splits a link at its kinks into pieces $p(z)\,g(z)\,1\{lo<z<hi\}$ with
# $g\in\{1, e^{az}, \mathrm{erf}(az)\}$ ($\cos$ and $\sin$ through $e^{\pm iaz}$), and integrates
# $He_k$ against exact truncated Gaussian moments
# $T_j = (j-1)T_{j-2} + lo^{j-1}\varphi(lo) - hi^{j-1}\varphi(hi)$.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import sympy
from IPython.display import Math, display

from gfverify.numerics import hermite as numeric
from gfverify.theory import hermite as exact

z = exact.Z

# %% [markdown]
# ## Closed forms
# ReLU, sign and the scaled erf, derived by sympy:

# %%
links = {"ReLU": sympy.Max(z, 0), "sign": sympy.sign(z), "erf(z)": sympy.erf(z),
         "exp(z/2)": sympy.exp(z / 2)}
closed = {name: exact.hermite_coefficients(f, 6) for name, f in links.items()}
for name, alphas in closed.items():
    terms = (rf"\alpha_{k} = {sympy.latex(a)}" for k, a in enumerate(alphas))
    display(Math(name + r":\ " + r",\ ".join(terms)))

# %% [markdown]
# Two checks that can fail. (1) Stein's lemma $\alpha_k = \mathbb E[f^{(k)}]/\sqrt{k!}$ with
# distributional derivatives (ReLU$'' = \delta_0$) is an independent symbolic route.
# (2) The numeric layer (quadrature, no closed form) agrees to 30 digits.

# %%
for name, f in links.items():
    for k in range(5):
        assert sympy.simplify(closed[name][k] - exact.stein_coefficient(f, k)) == 0, (name, k)

for name, f in links.items():
    res = numeric.hermite_coefficients(f, 6, 30)
    with mpmath.workdps(40):
        worst = max(abs(a - mpmath.mpf(sympy.N(b, 40))) for a, b in zip(res.alphas, closed[name]))
    print(f"{name:9s} max |numeric - exact| = {mpmath.nstr(worst, 3)}  (digits agreed {res.digits:.1f})")
    assert worst < mpmath.mpf(10) ** -30

# %% [markdown]
# ## Information exponents
# ReLU and sign have $s = 1$, $|z|$ has $s = 2$, $He_3$ has $s = 3$.

# %%
for f, s in [(sympy.Max(z, 0), 1), (sympy.sign(z), 1), (sympy.Abs(z), 2), (exact.He(3), 3)]:
    got = exact.information_exponent(exact.hermite_coefficients(f, 6))
    print(f, got)
    assert got == s

# %% [markdown]
# ## Decay of $|\alpha_k|$
# Kinks give algebraic decay ($k^{-3/4}$ for sign, $k^{-5/4}$ for ReLU); links analytic in a
# strip (tanh, softplus) decay like $e^{-c\sqrt k}$; entire links (erf) faster.

# %%
curves = {"ReLU": sympy.Max(z, 0), "sign": sympy.sign(z), "tanh": sympy.tanh(z),
          "softplus": sympy.log(1 + sympy.exp(z)), "erf": sympy.erf(z)}
fig, ax = plt.subplots(figsize=(6, 4))
for name, f in curves.items():
    res = numeric.hermite_coefficients(f, 60, 20)
    ks = [k for k in range(1, 61) if not res.exact_zero[k] and res.alphas[k] != 0]
    ax.semilogy(ks, [float(abs(res.alphas[k])) for k in ks], ".-", label=name)
ax.set_xlabel("k")
ax.set_ylabel(r"$|\alpha_k|$")
ax.legend()
fig.tight_layout()

# %% [markdown]
# The sign link decays like $k^{-3/4}$: its exact coefficients
# $\alpha_k = 2He_{k-1}(0)\varphi(0)/\sqrt{k!}$ give a log-log slope near $-3/4$ at large odd $k$.

# %%
sign_alphas = exact.hermite_coefficients(sympy.sign(z), 61)
slope = (mpmath.log(abs(sympy.N(sign_alphas[61], 30))) - mpmath.log(abs(sympy.N(sign_alphas[31], 30)))) / (
    mpmath.log(61) - mpmath.log(31))
print("slope", mpmath.nstr(slope, 5))
assert abs(slope + mpmath.mpf(3) / 4) < 0.02
