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
# # Escape times of the single-index reduced ODE ([A], "Timescales")
#
# From the link's Hermite coefficients, Mehler's formula gives the kernel
# $\psi(\rho) = \langle A_\rho f, f\rangle = \sum_k \alpha_k^2 \rho^k$; the two-timescale flow is
# $\dot m = (1 - m^2)\,\psi'(m^2)\,m$ and the planted flow $\dot m = (1 - m^2)\,P'(m)$, $P = \psi$.
# The escape time $T(m_0 \to m_1) = \int_{m_0}^{m_1} dm / R(m)$ is exact (Hermite reduction plus a
# log-sum over the roots); we compare it with the ODE integrated at high precision and derive
# the asymptotics in $d$ for $m_0 = g\,d^{-1/2}$.

# %%
import mpmath
import sympy

from gfverify.numerics import timescales as nts
from gfverify.numerics.ode import OdeSystem, event_time
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import Z, hermite_coefficients
from gfverify.theory.reduced_ode import M, single_index_rhs

link = Z**3 - 3 * Z + sympy.Rational(1, 2) * (Z**2 - 1)   # He_3 + He_2 / 2
alphas = dict(enumerate(hermite_coefficients(link, 3)))
alphas

# %% [markdown]
# The reduced ODE, derived (not typed in):

# %%
rhs = single_index_rhs(alphas, M)
sympy.factor(rhs)

# %%
assert sympy.expand(rhs - (1 - M**2) * (2 * alphas[2] ** 2 * M**3 + 3 * alphas[3] ** 2 * M**5)) == 0

# %% [markdown]
# The exact antiderivative of $1/R$: a rational part and a log-sum over the roots of a
# square-free polynomial.

# %%
integral = ts.escape_integral(rhs, M)
integral.antiderivative()

# %% [markdown]
# Closed form against the ODE event time at $d = 10^6$, 35 digits:

# %%
d, m1 = 10**6, sympy.Rational(1, 2)
with mpmath.workdps(45):
    T_closed = nts.integral_time(integral, 1 / sympy.sqrt(d), m1)
ev = event_time(OdeSystem.from_sympy([rhs], [M]), [1 / sympy.sqrt(d)], 0, m1, 35)
print(mpmath.nstr(T_closed, 40), mpmath.nstr(ev.t, 36), ev.engine, round(ev.digits, 1))
assert abs(ev.t - T_closed) < mpmath.mpf(10) ** -33 * T_closed

# %% [markdown]
# The asymptotic expansion in $d$ (with $g$ symbolic): the leading term is the theory document's
# $d^{s-1}/(2 s (s-1) \alpha_s^2 g^{2s-2})$ with $s = 2$, then a $\ln d$ correction from
# $\alpha_3$ and the $(1 - m^2)$ factor.

# %%
g = sympy.Symbol("g", positive=True)
terms = [ts.in_d(t, g) for t in ts.singular_terms(rhs, M)]
terms

# %%
s = 2
assert sympy.simplify(terms[0] - ts.D ** (s - 1) / (2 * s * (s - 1) * alphas[s] ** 2 * g ** (2 * s - 2))) == 0

# %% [markdown]
# How good is the leading term? Its relative error against the exact $T$ is the predicted
# $O(\ln d / d)$. The correction is a $\ln d$ term and the next one the constant $K$, only
# logarithmically smaller, so $(T - \text{lead})/\text{correction} \to 1$ slowly while
# $(T - \text{lead} - \text{correction})/K \to 1$ at the rate $O(d^{-1})$:

# %%
asym = ts.asymptotics(rhs, M, m1)
with mpmath.workdps(30):
    for d in (10**2, 10**4, 10**6, 10**8):
        T = nts.integral_time(integral, 1 / sympy.sqrt(d), m1)
        lead = mpmath.mpf(d) / (4 * alphas[2] ** 2)
        corr, K = nts.asymptotic_terms(asym, 1 / sympy.sqrt(d))[1:3]
        print(f"d = {d:.0e}:  T = {mpmath.nstr(T, 15)},"
              f"  (T - lead)/lead = {mpmath.nstr((T - lead) / lead, 5)},"
              f"  (T - lead)/correction = {mpmath.nstr((T - lead) / corr, 8)},"
              f"  (T - lead - correction)/K = {mpmath.nstr((T - lead - corr) / K, 8)}")
        if d >= 10**4:
            assert abs((T - lead - corr) / K - 1) < 10 / d
