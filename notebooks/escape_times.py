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
# # The reduced ODE and the escape times ([A], A10, A13, A14, A17)
#
# From the link's Hermite coefficients, Mehler's formula gives the kernel
# $\psi(\rho) = \langle A_\rho f, f\rangle = \sum_k \alpha_k^2 \rho^k$ and the reduced loss
# $L(m) = \tfrac12(\|f\|^2 - \psi(m^2))$; the Riemannian gradient flow on the sphere gives the
# two-timescale ODE $\dot m = (1 - m^2)\sum_k k\alpha_k^2 m^{2k-1}$, and with the link fixed the
# planted ODE $\dot m = (1 - m^2)\sum_k k\alpha_k^2 m^{k-1}$. The escape time
# $T(m_0 \to m_1) = \int_{m_0}^{m_1} dm / R(m)$ is exact (Hermite reduction plus a log-sum over
# the roots); we compare it with the ODE integrated at high precision and derive its expansion
# in $d$ for the start $m_0 = g\,d^{-1/2}$, and the log–log slopes of $T(d)$.
#
# Every statement is checked through the project's judge (`gfverify.claims.judge`).

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import sympy
from checking import SMALL, judged, save_figure, value
from IPython.display import Math, display

from gfverify.claims.judge import exact_identity, require_digits, versus_numeric
from gfverify.numerics import timescales as nts
from gfverify.numerics.ode import OdeSystem, event_time
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import Z, hermite_coefficients
from gfverify.theory.reduced_ode import M, single_index_rhs

DPS = 20 if SMALL else 35
link = Z**3 - 3 * Z + sympy.Rational(1, 2) * (Z**2 - 1)   # He_3 + He_2 / 2
alphas = dict(enumerate(hermite_coefficients(link, 3)))
display(Math(r"f = He_3 + \tfrac12 He_2:\quad " + sympy.latex(alphas)))

# %% [markdown]
# The reduced ODE, derived from the coefficients by `single_index_rhs`, against the theory
# document's formula (A10):

# %%
rhs = single_index_rhs(alphas, M)
display(Math(r"\dot m = " + sympy.latex(sympy.factor(rhs))))
judged("rhs", exact_identity(
    [value("rhs", rhs) - (1 - M**2) * sum(k * a**2 * M ** (2 * k - 1) for k, a in alphas.items())],
    "derived right-hand side minus (1 − m²) Σ k α_k² m^{2k−1}"))

# %% [markdown]
# The exact antiderivative of $1/R$: a rational part and a log-sum over the roots of a
# square-free polynomial. Differentiating it gives back $1/R$:

# %%
integral = ts.escape_integral(rhs, M)
F = integral.antiderivative()
display(Math(r"\int\frac{dm}{R(m)} = " + sympy.latex(F)))
judged("antiderivative", exact_identity([sympy.diff(value("antiderivative", F), M) - 1 / rhs],
                                        "d/dm of the antiderivative minus 1/R"))

# %% [markdown]
# The closed form against the ODE event time $m = \tfrac12$ from $m_0 = d^{-1/2}$ at
# $d = 10^6$ (the ODE integrator confirms its own digits by two precisions; the closed form is
# evaluated at two precisions by the judge):

# %%
d, m1 = 10**6, sympy.Rational(1, 2)
ode = event_time(OdeSystem.from_sympy([rhs], [M]), [1 / sympy.sqrt(d)], 0, m1, DPS)
require_digits(ode.digits, DPS, "ODE event time")
print(f"ODE: T = {mpmath.nstr(ode.t, DPS)} ({ode.engine}, {ode.digits:.1f} digits)")
judged("ode", versus_numeric(
    ode.t, lambda p: value("ode", nts.integral_time(integral, 1 / sympy.sqrt(d), m1)), DPS,
    "ODE event time vs closed form T(d^{-1/2} → 1/2), d = 10⁶"))

# %% [markdown]
# ## The expansion in $d$
# The Laurent series of $1/R$ at $0$ integrated term by term: the growing terms (with $g$
# symbolic, $m_0 = g d^{-1/2}$), a constant $K$, and vanishing powers of $m_0^2$. The leading
# term is the theory document's $d^{s-1}/(2s(s-1)\alpha_s^2 g^{2s-2})$ with $s = 2$, then a
# $\ln d$ correction from $\alpha_3$ and the factor $(1 - m^2)$:

# %%
g = sympy.Symbol("g", positive=True)
terms = [ts.in_d(t, g) for t in ts.singular_terms(rhs, M)]
display(Math(r"T = " + " + ".join(sympy.latex(t) for t in terms) + r" + K + O(d^{-1})"))
s = 2
judged("leading", exact_identity(
    [value("leading", terms[0]) - ts.D ** (s - 1) / (2 * s * (s - 1) * alphas[s] ** 2 * g ** (2 * s - 2))],
    "leading growing term minus d^{s−1}/(2s(s−1)α_s² g^{2s−2}), s = 2"))

# %% [markdown]
# How good is the expansion? With the growing terms, $K$ and the first four vanishing terms,
# the remainder is $O(m_0^{10}) = O(d^{-5})$, i.e. $O(d^{-6})$ relative to $T$: far below the
# working precision at $d = 10^8$, so the expansion must agree with the closed form to the
# working precision. The table shows the relative error of the leading term ($O(\ln d/d)$) and of
# the whole expansion ($O(d^{-6})$):

# %%
asym = ts.asymptotics(rhs, M, m1, regular=4)
d_big = 10**8
with mpmath.workdps(DPS + 10):
    expansion_value = mpmath.fsum(nts.asymptotic_terms(asym, 1 / sympy.sqrt(d_big)))
judged("expansion", versus_numeric(
    expansion_value,
    lambda p: value("expansion", nts.integral_time(integral, 1 / sympy.sqrt(d_big), m1)), DPS,
    "singular terms + K + four regular terms vs the closed form, d = 10⁸"))
with mpmath.workdps(70):
    for dd in (10**2, 10**4, 10**6, 10**8):
        T = nts.integral_time(integral, 1 / sympy.sqrt(dd), m1)
        parts = nts.asymptotic_terms(asym, 1 / sympy.sqrt(dd))
        print(f"d = {dd:.0e}:  T = {mpmath.nstr(T, 15)},  (T − leading)/T = "
              f"{mpmath.nstr((T - parts[0]) / T, 4)},  (T − expansion)/T = "
              f"{mpmath.nstr((T - mpmath.fsum(parts)) / T, 4)}")

# %% [markdown]
# ## Log–log slopes of $T(d)$
# Since $dT/dm_0 = -1/R(m_0)$ and $m_0 = d^{-1/2}$, the local slope of $T(d)$ on log–log axes
# is exactly $\frac{d\ln T}{d\ln d} = \frac{m_0}{2R(m_0)T}$. On the expansion side the slope is
# $\frac{d}{d\ln d}\ln(\text{expansion})$, whose limit $d\to\infty$ sympy computes: the exponent
# of the leading term, predicted $s - 1$ (two-timescale) and $s/2 - 1$ (planted, A17). For
# pure links $h_s$:

# %%
cases = [(2, False), (3, False), (4, False), (3, True), (4, True), (6, True)]
K = sympy.Symbol("K")
d_slope = 10**16
rows = []
for s_, planted in cases:
    r = single_index_rhs({s_: 1}, M, planted=planted)
    a = ts.asymptotics(r, M, m1, regular=4)
    expansion = sum(ts.in_d(t) for t in a.singular) + K + sum(ts.in_d(t) for t in a.regular)
    slope = sympy.diff(expansion, ts.D) * ts.D / expansion
    rows.append(dict(name=("planted " if planted else "") + f"h{s_}", rhs=r, asym=a, slope=slope,
                     limit=sympy.limit(slope, ts.D, sympy.oo), planted=planted, s=s_,
                     predicted=sympy.Rational(s_, 2) - 1 if planted else sympy.Integer(s_ - 1)))
display(Math(r"\lim_{d\to\infty}\frac{d\ln T}{d\ln d} = "
             + sympy.latex({r["name"]: r["limit"] for r in rows})))
judged("slope_limit", exact_identity(
    [value("slope_limit", r["limit"]) - r["predicted"] for r in rows],
    "limit of the expansion's log–log slope minus s − 1 (planted s/2 − 1)"))

# %% [markdown]
# At $d = 10^{16}$ the expansion's slope (with $K$ evaluated) against the exact local slope
# $m_0/(2R(m_0)T)$ from the closed form:

# %%
with mpmath.workdps(DPS + 10):
    expansion_slopes = [sympy.lambdify((ts.D, K), r["slope"], "mpmath")(
        mpmath.mpf(d_slope), nts.asymptotic_constant(r["asym"])) for r in rows]


def local_slopes(p: int) -> list:
    """m0/(2 R(m0) T(m0 → 1/2)) from the closed form, for every case."""
    m0 = 1 / mpmath.sqrt(d_slope)
    out = [m0 / (2 * sympy.lambdify(M, r["rhs"], "mpmath")(m0)
                 * nts.integral_time(ts.escape_integral(r["rhs"], M), m0, m1)) for r in rows]
    return value("local_slope", out)


judged("local_slope", versus_numeric(expansion_slopes, local_slopes, DPS,
                                     "expansion's log–log slope vs m0/(2R(m0)T), d = 10¹⁶"))

# %% [markdown]
# $T(d)$ on log–log axes (closed form, lines) with the leading terms (dots), whose slopes are
# the predicted exponents.

# %%
ds = [10 ** (j / 4) for j in range(8, 33, 2 if SMALL else 1)]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for r in rows:
    ax = axes[1 if r["planted"] else 0]
    I_ = ts.escape_integral(r["rhs"], M)
    with mpmath.workdps(20):
        T = [float(nts.integral_time(I_, mpmath.mpf(x) ** -0.5, m1)) for x in ds]
    line, = ax.loglog(ds, T, lw=2, label=f"{r['name']}: T(d)")
    lead = sympy.lambdify(ts.D, ts.in_d(r["asym"].singular[0]))
    ax.loglog(ds[::2], [lead(x) for x in ds[::2]], ls="none", marker="o", ms=3, color=line.get_color(),
              label=f"leading term, slope {r['predicted']}")
for ax, title in zip(axes, ("two-timescale: slope s − 1", "planted: slope s/2 − 1")):
    ax.set_xlabel("d")
    ax.set_ylabel(r"$T(d^{-1/2} \to 1/2)$")
    ax.set_title(title)
    ax.legend(fontsize=7)
fig.tight_layout()
save_figure(fig, "escape_times")
