"""Claims of docs/theory.md B4 and its control in B7: at full rank the adapted flow moves the
outputs along the segment x0 → y, x = (1 − t)x0 + ty with t = 1 − e^{−s/N}, and C = (1 − t)²C0;
the standard flow does not. Symbolic (sympy dsolve) and numeric (Bulirsch–Stoer at two
precisions on seeded over-parametrized nets)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import mpmath
import sympy

from gfverify.claims import figures
from gfverify.claims.derivation import Derivation
from gfverify.claims.judge import exact_identity, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim, report
from gfverify.numerics.flows import (
    SquareCost,
    adapted_on_schedule,
    largest_step_distance,
    segment_distances,
    segment_point,
    square_flow,
    start,
)
from gfverify.numerics.networks import Problem, random_mlp
from gfverify.theory import interpolation as theory

#: The quick-tier net (small, so that every quick claim runs in about a second).
NET = random_mlp((1, 4, 1), 2, 2)
#: The full-tier sweep: over-parametrized tanh / softplus nets, several seeds and widths.
SWEEP = ([random_mlp((2, 8, 2), 3, seed) for seed in (0, 1, 2)]
         + [random_mlp((3, 4, 4, 1), 4, 3), random_mlp((1, 6, 2), 3, 4, activation="softplus")])
TIMES = ("0.25", "0.5", "0.75", "0.9", "0.99")
T_END = "0.999"


def derivation() -> Derivation:
    """The full-rank solution, as ``gfverify show`` prints it."""
    sol = theory.full_rank_solution()
    return Derivation.of(("x' = −(x − y)/N  ⇒  x(s) = ", sol["x_s"], ";  t(s) = ", sol["t_of_s"], ";"),
                         ("x(t) = ", sympy.simplify(sol["x_t"]), " = (1 − t)x0 + t y;  C/C0 = ",
                          sol["cost_ratio"]))


@claim("B.full_rank_solution", kind="identity", source="B4", derivation=derivation,
       statement="full rank: x(s) = y + e^{−s/N}(x0 − y); with t = 1 − e^{−s/N}, "
                 "x = (1 − t)x0 + ty, C = (1 − t)²C0, and x → y as t → 1",
       latex=r"x(t) = (1-t)x_0 + t y,\ C = (1-t)^2 C_0")
def full_rank_solution(dps: int) -> Evidence:
    """Route 1: sympy dsolve of x' = −(x − y)/N. Route 2: the claimed closed form, the line in
    t = 1 − e^{−s/N}, the cost ratio (1 − t)² and the limit t → 1."""
    sol = theory.full_rank_solution()
    diffs = [sol["x_s"] - sol["claimed"], sol["x_t"] - sol["line"],
             sol["cost_ratio"] - (1 - theory.T_) ** 2,
             sympy.limit(sol["x_t"], theory.T_, 1) - sympy.Symbol("y", real=True)]
    return exact_identity(diffs, "sympy dsolve of x' = −(x − y)/N, then t = 1 − e^{−s/N}")


def _line(problem: Problem, times: Sequence[str]) -> list:
    x0, y = start(problem)
    return [v for t in times for v in segment_point(mpmath.mpf(t), x0, y)]


@claim("B.adapted_linear_interpolation", kind="ode", source="B4", derivation=derivation,
       statement="over-parametrized tanh net (K ≥ QN): the adapted flow's outputs at time s are "
                 "(1 − t)x0 + ty with t = 1 − e^{−s/N}",
       latex=r"x(\theta(s)) = (1-t)x_0 + ty,\ t = 1-e^{-s/N}")
def adapted_linear_interpolation(dps: int, problem: Problem = NET,
                                 times: Sequence[str] = TIMES) -> Evidence:
    """Route 1: the point (1 − t_k)x0 + t_k y of the segment. Route 2: the adapted flow
    integrated by Bulirsch–Stoer in its own time s to s_k = −N log(1 − t_k), at two
    precisions."""
    with mpmath.workdps(dps + 20):
        line = _line(problem, times)
    return versus_numeric(line, lambda p: [v for x in adapted_on_schedule(problem, times, p)[1].outputs
                                           for v in x], dps,
                          "Bulirsch–Stoer in s vs the line at t = 1 − e^{−s/N}", relative=False,
                          details={"instance": problem.name, "t": ", ".join(times)})


@claim("B.cost_decay", kind="ode", source="B4", statement="along the adapted flow at full rank "
       "C = (1 − t)² C0", latex=r"C(t) = (1-t)^2 C_0")
def cost_decay(dps: int, problem: Problem = NET, times: Sequence[str] = TIMES) -> Evidence:
    """Route 1: C0 times the ratio C/C0 = (1 − t)² of theory's full-rank solution. Route 2:
    the cost of the integrated outputs at s_k, at two precisions (relative)."""
    ratio = sympy.lambdify(theory.T_, theory.full_rank_solution()["cost_ratio"], "mpmath")
    with mpmath.workdps(dps + 20):
        x0, y = start(problem)
        c0 = SquareCost(y, problem.model.n_points).value(x0)
        want = [ratio(mpmath.mpf(t)) * c0 for t in times]
    return versus_numeric(want, lambda p: list(adapted_on_schedule(problem, times, p)[1].costs), dps,
                          "cost of the integrated outputs vs (1 − t)² C0 (relative)",
                          details={"instance": problem.name})


@claim("B.adapted_sweep", kind="ode", source="B4", tier="full",
       statement="for several seeded over-parametrized tanh/softplus nets the adapted flow's "
                 "outputs stay on the segment x0 → y up to t = 0.999 (largest distance over all steps)",
       latex=r"\max_t \operatorname{dist}(x(t), [x_0, y]) = 0")
def adapted_sweep(dps: int) -> Evidence:
    """Route 1: the end point (1 − t)x0 + ty at t = 0.999 and distance 0 from [x0, y]. Route 2:
    each sweep net's adapted flow: its final outputs, and its largest relative distance from
    the segment over every accepted step, at two precisions."""
    with mpmath.workdps(dps + 20):
        want = [v for pb in SWEEP for v in _line(pb, (T_END,))]
    ends = versus_numeric(want, lambda p: [v for pb in SWEEP
                                           for v in square_flow(pb, "1", (T_END,), "t", p).outputs[-1]],
                          dps, "adapted flow of each sweep net: x(0.999) vs the line",
                          relative=False, details={"instances": "; ".join(pb.name for pb in SWEEP)})
    steps = versus_numeric([0] * len(SWEEP),
                           lambda p: [largest_step_distance(pb, "1", T_END, p) for pb in SWEEP], dps,
                           "largest relative distance from [x0, y] over all steps", relative=False)
    return ends.also(steps.holds, largest_distance_over_steps=mpmath.nstr(steps.residual, 3))


#: The standard flow is judged at fixed times (its distances there are confirmed at two
#: precisions, unlike a maximum over the integrator's steps, which depend on the precision).
CURVE_TIMES = ("0.1", "0.3", "0.5", "0.7", "0.9")


@claim("B.standard_flow_curves", kind="negative-control", source="B7",
       statement="the standard flow (α = 0) also moves the outputs along the segment x0 → y",
       latex=r"\max_t\operatorname{dist}(x(t),[x_0,y]) = 0\ (\alpha = 0)")
def standard_flow_curves(dps: int, problem: Problem = NET, alpha: str = "0") -> Evidence:
    """The false statement, judged like the true one (α = 1): the distances of x(t_k) from
    [x0, y] at t = 0.1 … 0.9, relative to |x0 − y|, against 0, at two precisions."""
    return versus_numeric([0] * len(CURVE_TIMES),
                          lambda p: segment_distances(problem, alpha, CURVE_TIMES, p), dps,
                          f"flow with α = {alpha} at t = {', '.join(CURVE_TIMES)}: relative distance "
                          "of the outputs from [x0, y]", relative=False,
                          details={"instance": problem.name})


@report
def trajectories(directory: Path, dps: int) -> list[Path]:
    """Output-space paths of α = 0, ½, 1 and their costs for the quick net."""
    return figures.interpolation_figure(NET, directory, min(dps, 30), T_END)
