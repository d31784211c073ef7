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
# # Gradient flow in parameter space as linear interpolation in output space ([B])
#
# Outputs $x(\theta) \in \mathbb R^{QN}$, cost $C = |x - y|^2/(2N)$, Jacobian $D = \partial x/\partial\theta$.
# The homotopy field $V_\alpha = -((1-\alpha)D^\top + \alpha D^+)\nabla_x C$ moves the outputs by
# $\dot x = -\Theta_\alpha \nabla_x C$, $\Theta_\alpha = (1-\alpha)DD^\top + \alpha P$. At full rank
# ($P = I$) the adapted flow ($\alpha = 1$) solves $\dot x = -(x - y)/N$: a straight line.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import sympy

from gfverify.numerics.flows import SquareCost, distance_from_segment, flow, norm, segment_point
from gfverify.numerics.networks import random_mlp
from gfverify.theory import interpolation as theory

# %% [markdown]
# ## The symbolic side: chain rule, and the solution in the time $t = 1 - e^{-s/N}$

# %%
assert all(sympy.simplify(e) == 0 for e in theory.chain_rule_output_velocity(adapted=True))
sol = theory.full_rank_solution()
print("x(s) =", sol["x_s"], "   x(t) =", sympy.simplify(sol["x_t"]), "   C/C0 =", sol["cost_ratio"])
assert sympy.simplify(sol["x_t"] - sol["line"]) == 0

# %% [markdown]
# ## The numeric side: a 1-4-1 tanh net on N = 2 points (K = 13 ≥ QN = 2), 25 digits

# %%
problem = random_mlp((1, 4, 1), 2, 2)
model = problem.model
mpmath.mp.dps = 25
x0, y = model.outputs(problem.theta0_mp()), problem.y_mp()
cost = SquareCost(y, model.n_points)
runs = {a: flow(model, problem.theta0_mp(), cost, a, [mpmath.mpf("0.99")], "t") for a in (0, 0.5, 1)}
for a, tr in runs.items():
    dist = max(distance_from_segment(x, x0, y) for x in tr.step_outputs)
    print(f"alpha = {a}: largest distance from [x0, y] = {mpmath.nstr(dist, 3)}, steps = {tr.steps}")

# %%
adapted, standard = runs[1], runs[0]
line_error = max(norm([p - q for p, q in zip(x, segment_point(t, x0, y))])
                 for t, x in zip(adapted.step_times, adapted.step_outputs))
assert line_error < mpmath.mpf(10) ** -20, line_error
assert max(distance_from_segment(x, x0, y) for x in standard.step_outputs) > mpmath.mpf("1e-3")
c0 = cost.value(x0)
assert max(abs(cost.value(x) - (1 - t) ** 2 * c0) for t, x in zip(adapted.step_times, adapted.step_outputs)) \
    < mpmath.mpf(10) ** -20

# %% [markdown]
# The output space is two-dimensional here (QN = 2), so the paths are drawn as they are.

# %%
fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
for a, tr in runs.items():
    ax[0].plot([float(x[0]) for x in tr.step_outputs], [float(x[1]) for x in tr.step_outputs], "o-", ms=3,
               label=f"α = {a}")
    ax[1].semilogy([float(t) for t in tr.step_times], [float(cost.value(x)) for x in tr.step_outputs], "o",
                   ms=3, label=f"α = {a}")
ax[0].plot([float(x0[0]), float(y[0])], [float(x0[1]), float(y[1])], "k--", lw=1, label="segment")
ax[0].legend()
ax[1].set_xlabel("t")
ax[1].legend()
fig.tight_layout()
