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
#
# Every statement is checked through the project's judge (`gfverify.claims.judge`): exact
# identities must simplify to $0$; the flows are integrated at two precisions and must agree
# with the other route to the tolerance the precision sets.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import sympy
from checking import SMALL, judged, refuted, save_figure, value
from IPython.display import Math, display

from gfverify.claims.judge import exact_identity, numeric_pair, versus_numeric
from gfverify.numerics.flows import SquareCost, distance_from_segment, flow, segment_point
from gfverify.numerics.networks import random_mlp
from gfverify.theory import interpolation as theory

DPS = 15 if SMALL else 25

# %% [markdown]
# ## The symbolic side
# The chain rule: along $\dot\theta = V_\alpha$ the outputs move by $\dot x = D\dot\theta$; for the
# adapted field $DD^+ = P$, so $\dot x = -P\nabla_x C$ (generic $D$ of full row rank, symbolic
# entries):

# %%
judged("chain_rule", exact_identity(value("chain_rule", theory.chain_rule_output_velocity(adapted=True)),
                                    "D·V_1 + P ∇_x C for a generic 2×3 D of full row rank"))

# %% [markdown]
# At full rank ($P = I$) the outputs solve $\dot x = -(x - y)/N$; sympy's `dsolve`, rewritten in
# the time $t = 1 - e^{-s/N}$, gives the segment $x = (1-t)x_0 + ty$ and the cost
# $C = (1-t)^2C_0$:

# %%
sol = theory.full_rank_solution()
display(Math(r"x(s) = " + sympy.latex(sol["x_s"]) + r",\qquad x(t) = "
             + sympy.latex(sympy.simplify(sol["x_t"]))
             + r",\qquad C/C_0 = " + sympy.latex(sol["cost_ratio"])))
x0_sym, y_sym = sympy.symbols("x0 y", real=True)
judged("segment", exact_identity(
    [value("segment", sol["x_t"]) - sol["line"], sol["x_s"] - sol["claimed"],
     sol["cost_ratio"] - ((sol["line"] - y_sym) / (x0_sym - y_sym)) ** 2],
    "dsolve solution in t minus (1 − t)x0 + t y; minus y + e^{−s/N}(x0 − y); C/C0 minus that of the "
    "segment"))

# %% [markdown]
# ## The numeric side
# A 1-4-1 tanh net on $N = 2$ points ($K = 13 \ge QN = 2$), flows integrated at two precisions.
# The adapted flow's outputs at $t = \tfrac14, \tfrac12, \tfrac34, 0.99$ against the segment
# points, and its cost against $(1-t)^2C_0$:

# %%
problem = random_mlp((1, 4, 1), 2, 2)
model = problem.model
TIMES = ["0.25", "0.5", "0.75", "0.99"]


def adapted_outputs(p: int) -> list:
    """The adapted flow's outputs at TIMES, flattened."""
    tr = flow(model, problem.theta0_mp(), SquareCost(problem.y_mp(), model.n_points), 1,
              [mpmath.mpf(t) for t in TIMES], "t")
    return value("adapted_line", [v for x in tr.outputs for v in x])


def segment_outputs(p: int) -> list:
    x0, y = model.outputs(problem.theta0_mp()), problem.y_mp()
    return [v for t in TIMES for v in segment_point(mpmath.mpf(t), x0, y)]


judged("adapted_line", numeric_pair(segment_outputs, adapted_outputs, DPS,
                                    "segment points (1 − t)x0 + t y vs adapted-flow outputs, t = 1/4 … 0.99"))


def adapted_costs(p: int) -> list:
    tr = flow(model, problem.theta0_mp(), SquareCost(problem.y_mp(), model.n_points), 1,
              [mpmath.mpf(t) for t in TIMES], "t")
    return value("adapted_cost", list(tr.costs))


def predicted_costs(p: int) -> list:
    c0 = SquareCost(problem.y_mp(), model.n_points).value(model.outputs(problem.theta0_mp()))
    return [(1 - mpmath.mpf(t)) ** 2 * c0 for t in TIMES]


judged("adapted_cost", numeric_pair(predicted_costs, adapted_costs, DPS,
                                    "(1 − t)² C0 vs the adapted flow's cost, t = 1/4 … 0.99"))

# %% [markdown]
# The standard flow ($\alpha = 0$, output kernel $DD^\top$) does not move on the segment: the
# false statement "its largest distance from the segment (at the times above) is 0" is judged as its true
# twin for the adapted flow, and only the twin holds:

# %%


def largest_distance(alpha):
    def compute(p: int) -> mpmath.mpf:
        tr = flow(model, problem.theta0_mp(), SquareCost(problem.y_mp(), model.n_points), alpha,
                  [mpmath.mpf(t) for t in TIMES], "t")
        x0, y = model.outputs(problem.theta0_mp()), problem.y_mp()
        return max(distance_from_segment(x, x0, y) for x in tr.outputs)
    return compute


straight = versus_numeric(0, largest_distance(0), DPS, "standard flow: largest distance from the segment",
                          relative=False)
twin = versus_numeric(0, lambda p: value("standard_curves", largest_distance(1)(p)), DPS,
                      "adapted flow: largest distance from the segment", relative=False)
refuted("standard_curves", straight, twin)

# %% [markdown]
# The output space is two-dimensional here ($QN = 2$), so the paths are drawn as they are.

# %%
mpmath.mp.dps = DPS
x0, y = model.outputs(problem.theta0_mp()), problem.y_mp()
cost = SquareCost(y, model.n_points)
runs = {a: flow(model, problem.theta0_mp(), cost, a, [mpmath.mpf("0.99")], "t") for a in (0, 0.5, 1)}
fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
for a, tr in runs.items():
    ax[0].plot([float(x[0]) for x in tr.step_outputs], [float(x[1]) for x in tr.step_outputs], "o-", ms=3,
               label=f"α = {a}")
    ax[1].semilogy([float(t) for t in tr.step_times], [float(cost.value(x)) for x in tr.step_outputs], "o",
                   ms=3, label=f"α = {a}")
ts_line = [i / 100 for i in range(100)]
ax[1].semilogy(ts_line, [(1 - t) ** 2 * float(cost.value(x0)) for t in ts_line], "k--", lw=1,
               label="(1 − t)² C0")
ax[0].plot([float(x0[0]), float(y[0])], [float(x0[1]), float(y[1])], "k--", lw=1, label="segment x0 → y")
ax[0].set_xlabel("x1")
ax[0].set_ylabel("x2")
ax[0].legend(fontsize=8)
ax[1].set_xlabel("t = 1 − exp(−s/N)")
ax[1].set_ylabel("cost C")
ax[1].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "output_interpolation")
