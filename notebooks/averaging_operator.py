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
# # The averaging operator, its semigroup and the reduced loss ([A], A1–A9)
#
# For a contraction $N \in \mathbb R^{q\times q}$ ($\|N\|_{op} \le 1$),
# $$(A_N g)(z) = \mathbb E_\xi\, g\big(N^\top z + (I - N^\top N)^{1/2}\xi\big),\qquad \xi\sim N(0, I_q).$$
# Given $z$ the argument is Gaussian with mean $N^\top z$ and covariance $I - N^\top N$, so on
# polynomials $A_N$ is a Gaussian expectation computed exactly by Wick's theorem
# (`gfverify.theory.averaging.average`): no square root of a matrix is ever formed.
#
# Each statement below is derived by one route and checked against a second through the
# project's judge (`gfverify.claims.judge`): exact identities must simplify to $0$; numeric ones
# are computed at two precisions and must agree to the tolerance $10^{-(\mathrm{dps}-5)}$ that
# the precision sets.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import sympy
from checking import SMALL, judged, save_figure, value
from IPython.display import Math, display

from gfverify.claims.judge import exact_identity, numeric_pair, versus_numeric
from gfverify.numerics.averaging import average_at, average_function_here, average_here
from gfverify.numerics.kernels import gaussian_kernel
from gfverify.theory.averaging import average, expectation, inner, psi, reduced_loss
from gfverify.theory.finite_d import least_squares_loss, stiefel_pair
from gfverify.theory.hermite import h
from gfverify.theory.reduced_ode import single_index_loss
from gfverify.theory.witnesses import LINKS, RHO, TESTS, Z1, ZS, symbolic

R = sympy.Rational
DPS = 15 if SMALL else 30

# %% [markdown]
# ## Mehler's formula ($q = 1$)
# With $N = \rho$, the average of the normalized Hermite polynomial $h_k$ is
# $A_\rho h_k = \rho^k h_k$: each $h_k$ is an eigenfunction, the eigenvalue $\rho^k$. Wick's
# theorem applied to $h_k(\rho z + \sqrt{1-\rho^2}\,\xi)$, symbolic $\rho$:

# %%
K = 6
mehler = [sympy.factor(average(h(k, Z1), [[RHO]], [Z1])) for k in range(K + 1)]
for k in (2, 3):
    display(Math(rf"A_\rho h_{k} = {sympy.latex(mehler[k])}"))
judged("mehler", exact_identity(
    [value("mehler", mehler[k]) - RHO**k * h(k, Z1) for k in range(K + 1)],
    f"A_ρ h_k by Wick minus ρ^k h_k, symbolic ρ, k ≤ {K}"))

# %% [markdown]
# ## The semigroup law $A_N A_M = A_{NM}$
# Applying $A_M$ after $A_N$ feeds $N^\top z + (I-N^\top N)^{1/2}\xi$ into $A_M g$. The argument
# of $g$ is then Gaussian with mean $M^\top N^\top z = (NM)^\top z$ and covariance
# $M^\top(I - N^\top N)M + I - M^\top M$. The covariance is that of $A_{NM}$:

# %%
N2, M2 = symbolic("n", 2), symbolic("m", 2)
covariance = M2.T * (sympy.eye(2) - N2.T * N2) * M2 + sympy.eye(2) - M2.T * M2
display(Math(r"M^\top(I - N^\top N)M + I - M^\top M - \big(I - (NM)^\top NM\big) = "
             + sympy.latex((covariance - (sympy.eye(2) - (N2 * M2).T * N2 * M2)).applyfunc(sympy.expand))))
judged("semigroup_covariance", exact_identity(
    list(value("semigroup_covariance", covariance) - (sympy.eye(2) - (N2 * M2).T * (N2 * M2))),
    "covariance of the nested average minus I − (NM)ᵀNM, symbolic 2×2 N and M"))

# %% [markdown]
# Both sides applied to a polynomial link of degree 4 in $q = 2$ with symbolic $N$ and $M$
# (eight free entries); the order matters, $A_N A_M \ne A_{MN}$ in general, so the witness has
# no symmetry that would hide a transposed product:

# %%
f2 = LINKS[2]
nested = average(average(f2, M2, ZS[2]), N2, ZS[2])
display(Math(r"f = " + sympy.latex(f2)))
judged("semigroup_wick", exact_identity(
    [value("semigroup_wick", nested) - average(f2, N2 * M2, ZS[2])],
    "A_N(A_M f) − A_{NM} f by Wick, symbolic 2×2 N and M"))

# %% [markdown]
# The law is not special to polynomials. For $g = \mathrm{sign}$ in $q = 1$, $A_b\,\mathrm{sign}$
# is computed from $\mathrm{sign}$ by quadrature at every node of the outer rule that applies
# $A_a$; the other route is one quadrature of $A_{ab}\,\mathrm{sign}$, and a third the closed form
# $A_c\,\mathrm{sign}(z) = \mathrm{erf}\big(cz/\sqrt{2(1-c^2)}\big)$:

# %%
a, b, z0 = R(4, 5), R(-1, 2), R(9, 10)
sign = sympy.sign(Z1)


def nested_sign(p: int) -> mpmath.mpf:
    """(A_a (A_b sign))(z0): the inner average recomputed at every node of the outer rule."""
    return value("semigroup_sign", average_function_here(
        lambda xs: average_at(sign, [[b]], [Z1], [[x] for x in xs]), a, z0))


def direct_sign(p: int) -> mpmath.mpf:
    return average_here(sign, [[a * b]], [Z1], [z0])


judged("semigroup_sign", numeric_pair(
    nested_sign, direct_sign, DPS, "A_a(A_b sign)(z) nested vs A_{ab} sign(z), a = 4/5, b = −1/2, z = 9/10"))
judged("sign_closed_form", versus_numeric(
    value("sign_closed_form", sympy.erf(a * b * z0 / sympy.sqrt(2 * (1 - (a * b) ** 2)))),
    direct_sign, DPS, "closed form erf(cz/√(2(1 − c²))) vs A_c sign by quadrature"))

# %% [markdown]
# ## Adjoint and endpoints
# $\langle A_N g, h\rangle = \langle g, A_{N^\top}h\rangle$: both sides are $\mathbb E[g(u)h(z)]$
# for the Gaussian pair with identity marginals and $\mathbb E[zu^\top] = N$. The endpoints:
# $A_I = \mathrm{id}$ and $A_0 g = \mathbb E[g]$.

# %%
lhs = inner(average(f2, N2, ZS[2]), TESTS[2], ZS[2])
judged("adjoint", exact_identity(
    [value("adjoint", lhs) - inner(f2, average(TESTS[2], N2.T, ZS[2]), ZS[2])],
    "⟨A_N f, g⟩ − ⟨f, A_{Nᵀ} g⟩ by Wick, symbolic 2×2 N"))
general = average(f2, N2, ZS[2])
at_identity = general.xreplace(dict(zip(N2, sympy.eye(2))))
at_zero = general.xreplace({n: 0 for n in N2})
display(Math(r"A_0 f = " + sympy.latex(at_zero)))
judged("endpoints", exact_identity(
    [value("endpoints", at_identity) - f2, at_zero - expectation(f2, ZS[2])],
    "symbolic A_N f at N = I minus f, and at N = 0 minus E[f]"))

# %% [markdown]
# ## The conditional expectation and the optimal link (A1, A9)
# With $(z^*, z) = (W^{*\top}x, W^\top x)$ and $M = W^{*\top}W$, given $z$ the target direction is
# $z^* \sim N(Mz, I - MM^\top)$: exactly the law of the argument of $A_{M^\top}$, so
# $\mathbb E[f^*(z^*)\mid z] = (A_{M^\top}f^*)(z)$. For ReLU in $q = 1$ this is the mean of
# $\max(X, 0)$, $X\sim N(\mu,\sigma^2)$, $\mu = mz$, $\sigma^2 = 1 - m^2$:
# $\mu\Phi(\mu/\sigma) + \sigma\varphi(\mu/\sigma)$.

# %%
m, zc = R(3, 5), R(-7, 10)
mu, sd = m * zc, sympy.sqrt(1 - m**2)
relu_closed = (mu * (1 + sympy.erf(mu / sd / sympy.sqrt(2))) / 2
               + sd * sympy.exp(-(mu / sd) ** 2 / 2) / sympy.sqrt(2 * sympy.pi))
judged("conditional_relu", versus_numeric(
    relu_closed, lambda p: value("conditional_relu", average_here(sympy.Max(Z1, 0), [[m]], [Z1], [zc])), DPS,
    "E[relu(X)] in closed form vs (A_m relu)(z) by quadrature, m = 3/5, z = −7/10"))

# %% [markdown]
# The best link for a fixed $W$ is this conditional expectation; what is left of the loss
# $\tfrac12\mathbb E[(f^*(z^*) - f(z))^2]$ is the reduced loss
# $$L(W) = \tfrac12\|f^*\|^2 - \tfrac12\psi(G),\qquad
#   \psi(G) = \langle A_G f^*, f^*\rangle,\quad G = MM^\top.$$
# Second route: in $d = 6$ dimensions with exact rational $W^*, W \in \mathrm{St}(6, 2)$, the
# least-squares fit of $f^*(W^{*\top}x)$ on the Hermite polynomials of degree $\le 3$ in
# $W^\top x$, every moment by Wick in $d$ dimensions (a different computation: it never forms
# $A$ or $G$).

# %%
fstar = ZS[2][0] + ZS[2][0] * ZS[2][1] + ZS[2][1] ** 3 - 3 * ZS[2][1]   # z1 + z1 z2 + He3(z2)
W_star, W = stiefel_pair(6, 2)
M = W_star.T * W
formula = reduced_loss(fstar, M, ZS[2])
display(Math(r"M = " + sympy.latex(M) + r",\quad \tfrac12\|f^*\|^2 - \tfrac12\psi(MM^\top) = "
             + sympy.latex(formula)))
judged("reduced_loss", exact_identity(
    [value("reduced_loss", least_squares_loss(fstar, ZS[2], W_star, W, 3)) - formula],
    "least squares over the Hermite basis of Wᵀx in d = 6 (Wick) vs ½‖f*‖² − ½ψ(MMᵀ)"))

# %% [markdown]
# $L$ sees $M$ only through $G = MM^\top$, so it is invariant under $W \to WO$ for orthogonal
# $O$ (here a reflection, $M \to M\,\mathrm{diag}(-1, 1)$):

# %%
O = sympy.diag(-1, 1)
judged("reduced_invariance", exact_identity(
    [value("reduced_invariance", reduced_loss(fstar, M * O, ZS[2])) - formula],
    "reduced loss at M·diag(−1, 1) minus at M"))

# %% [markdown]
# ## Single index: the loss from Mehler
# In $q = 1$, $G = m^2$ and Mehler's formula makes $\psi(\rho) = \sum_k \alpha_k^2\rho^k$, so
# $L(m) = \tfrac12\sum_k\alpha_k^2(1 - m^{2k})$. The Wick route computes $\psi$ without Hermite
# coefficients:

# %%
mm = sympy.Symbol("m", real=True)
link1 = LINKS[1]
alphas = {k: inner(link1, h(k, Z1), [Z1]) for k in range(5)}
display(Math(r"\{\alpha_k\} = " + sympy.latex(alphas)))
by_wick = sympy.expand(inner(link1, link1, [Z1]) / 2 - psi(link1, [[mm**2]], [Z1]) / 2)
display(Math(r"L(m) = " + sympy.latex(by_wick)))
judged("mehler_loss", exact_identity(
    [value("mehler_loss", by_wick) - single_index_loss(alphas, mm)],
    "½‖f‖² − ½⟨A_{m²} f, f⟩ by Wick vs ½Σ α_k²(1 − m^{2k}), symbolic m"))

# %% [markdown]
# For non-polynomial links $\psi(\rho) = \mathbb E[f(x)f(y)]$ for a Gaussian pair of correlation
# $\rho$: for ReLU the arc-cosine kernel $(\sqrt{1-\rho^2} + (\pi - \arccos\rho)\rho)/(2\pi)$,
# against a two-dimensional quadrature of $\mathbb E[f(x)f(y)]$:

# %%
rho0 = R(3, 5)
arccos = (sympy.sqrt(1 - rho0**2) + (sympy.pi - sympy.acos(rho0)) * rho0) / (2 * sympy.pi)
judged("arccos_kernel", versus_numeric(
    arccos, lambda p: value("arccos_kernel", gaussian_kernel(sympy.Max(Z1, 0), rho0, p, z=Z1)[0]), DPS,
    "arc-cosine kernel vs E[relu(x) relu(y)] by 2-D quadrature, ρ = 3/5"))

# %% [markdown]
# The reduced loss of a few links along the correlation $m$ (from the kernels: ReLU and sign
# in closed form, the polynomial links by Wick). Only $m^2$ enters: the loss is even in $m$.

# %%
ms = [i / 100 for i in range(-100, 101)]
kernels = {
    "ReLU": (lambda r: (mpmath.sqrt(1 - r**2) + (mpmath.pi - mpmath.acos(r)) * r) / (2 * mpmath.pi), 0.5),
    "sign": (lambda r: 2 / mpmath.pi * mpmath.asin(r), 1.0),
    "erf": (lambda r: 2 / mpmath.pi * mpmath.asin(2 * r / 3), 2 / mpmath.pi * mpmath.asin(mpmath.mpf(2) / 3)),
}
fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
for name, (kernel, norm2) in kernels.items():
    ax[0].plot(ms, [0.5 * (norm2 - float(kernel(x**2))) for x in ms], label=name)
for name, f in (("He2", Z1**2 - 1), ("He3", Z1**3 - 3 * Z1), ("z⁴ − 2z³ + z/3 − 1", link1)):
    L = sympy.lambdify(mm, sympy.expand(inner(f, f, [Z1]) / 2 - psi(f, [[mm**2]], [Z1]) / 2))
    ax[0].plot(ms, [L(x) / L(0) * 0.5 for x in ms], ls="--", label=f"{name} (scaled)")
ax[0].set_xlabel("m = w*ᵀw")
ax[0].set_ylabel("reduced loss L(m)")
ax[0].legend(fontsize=7)
rs = [i / 50 for i in range(-49, 50)]
ax[1].plot(rs, [float(kernels["ReLU"][0](r)) for r in rs], label="ReLU: arc-cosine kernel")
ax[1].plot(rs, [float(kernels["sign"][0](r)) for r in rs], label="sign: (2/π) arcsin ρ")
ax[1].plot(rs, [float(kernels["erf"][0](r)) for r in rs], label="erf: (2/π) arcsin(2ρ/3)")
ax[1].set_xlabel("ρ")
ax[1].set_ylabel("ψ(ρ) = ⟨A_ρ f, f⟩")
ax[1].legend(fontsize=7)
fig.tight_layout()
save_figure(fig, "averaging_operator")
