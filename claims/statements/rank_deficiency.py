"""Claims of docs/theory.md B5 and its control in B7: below full rank the adapted flow leaves
the line by Δ(t) = (1 − t)∫_0^t P⊥(x − y)/(1 − t')² dt', |Δ| ≤ t sup|P⊥(x − y)|, with equality
Δ = t P⊥(x0 − y) for a linear model, which stalls at the positive cost |P⊥(x0 − y)|²/(2N)."""

from __future__ import annotations

import mpmath

from gfverify.claims.derivation import Derivation
from gfverify.claims.judge import at_most, confirmed, exact_identity, numeric_pair, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import rank_deficiency as rd
from gfverify.numerics.flows import SquareCost, deviation_from_line, square_flow, start
from gfverify.numerics.networks import Problem, random_graph, random_linear, random_mlp
from gfverify.theory import interpolation as theory

GRAPH = random_graph(2, 2, 0)
LINEAR = random_linear(4, 2, 0)
#: The full-rank net of [B] 4: the positive twin of the stall control.
NET = random_mlp((1, 4, 1), 2, 2)
DUHAMEL_T = "0.5"
BOUND_T = "0.9"
LINEAR_TIMES = ("0.1", "0.5", "0.9", "0.999")


def derivation() -> Derivation:
    """The Duhamel formula and its bound, as ``gfverify show`` prints them."""
    return Derivation.of(
        "Adapted flow in t = 1 − e^{−s/N}: dx/dt = −P(x − y)/(1 − t). Then",
        "d/dt[(x − y)/(1 − t)] = (dx/dt (1 − t) + (x − y))/(1 − t)² = P⊥(x − y)/(1 − t)²,",
        "so (x − y)/(1 − t) = (x0 − y) + ∫_0^t P⊥(x − y)/(1 − t')² dt', i.e.",
        "Δ(t) = x − y − (1 − t)(x0 − y) = (1 − t)∫_0^t P⊥(x − y)(t')/(1 − t')² dt'.",
        "|Δ| ≤ sup|P⊥(x − y)| (1 − t)∫_0^t dt'/(1 − t')² = t sup|P⊥(x − y)|; for a linear model",
        "P is constant and d/dt P⊥x = −P⊥P(x − y)/(1 − t) = 0, so Δ = t P⊥(x0 − y).")


@claim("B.duhamel_symbolic", kind="identity", source="B5", derivation=derivation,
       statement="d/dt[(x − y)/(1 − t)] = P⊥(x − y)/(1 − t)² along the adapted flow, and "
                 "(1 − t)∫_0^t dt'/(1 − t')² = t (the Duhamel formula and its bound)",
       latex=r"\Delta(t) = (1-t)\int_0^t \frac{P^\perp(x-y)}{(1-t')^2}dt'")
def duhamel_symbolic(dps: int) -> Evidence:
    """sympy: the derivative of e/(1 − t) for any matrix function P(t), and the integral
    (1 − t)∫_0^t dt'/(1 − t')² against t."""
    diffs = theory.duhamel_derivative() + [theory.duhamel_bound_factor() - theory.T_]
    return exact_identity(diffs, "sympy: d/dt[e/(1−t)] = P⊥e/(1−t)² for any P(t); (1−t)∫dt'/(1−t')² = t")


@claim("B.duhamel", kind="ode", source="B5", tier="full", derivation=derivation,
       statement="constant-rank graph model: the deviation Δ(t) from the line equals the Duhamel "
                 "integral (1 − t)∫_0^t P⊥(x − y)/(1 − t')² dt'",
       latex=r"\Delta(t) = (1-t)\int_0^t \frac{P^\perp(x-y)(t')}{(1-t')^2}dt'")
def duhamel(dps: int, problem: Problem = GRAPH) -> Evidence:
    """Route 1: Δ(t) from the integrated outputs at t = 0.5. Route 2: the Duhamel integral by
    composite Gauss–Legendre in u = −log(1 − t') on the flow sampled at the nodes, P⊥ from the
    SVD; both at two precisions."""
    return numeric_pair(lambda p: rd.duhamel_sides(problem, DUHAMEL_T, p)[0],
                        lambda p: rd.duhamel_sides(problem, DUHAMEL_T, p)[1], dps,
                        "integrated Δ(t) vs Duhamel integral (composite Gauss–Legendre)",
                        details={"instance": problem.name, "t": DUHAMEL_T})


def _graph_jacobian_at_output(x) -> list:
    """D of the graph model at the output ``x = (θ, tanh(Bθ + b))``: ``θ`` is read off ``x``."""
    return GRAPH.model.outputs_and_jacobian(list(x[:GRAPH.model.n_params]))[1]


@claim("B.duhamel_bound", kind="property", source="B5", derivation=derivation,
       statement="constant-rank graph model: |Δ(t)| ≤ t sup_{t'≤t}|P⊥(x − y)(t')|",
       latex=r"|\Delta(t)| \le t\sup|P^\perp(x-y)|")
def duhamel_bound(dps: int) -> Evidence:
    """max over the steps of |Δ(t)| − t·sup|P⊥(x − y)| (the sup over the steps, which can only
    make the right side smaller), clipped at 0, against 0; the flow's end point confirmed at
    two precisions."""
    excess = lambda p: max(rd.duhamel_bound_excess(GRAPH, BOUND_T, p, _graph_jacobian_at_output)[0], 0)  # noqa: E731
    ev = versus_numeric(0, excess, dps, "max over steps of |Δ(t)| − t·sup|P⊥(x − y)| (must be ≤ 0)",
                        relative=False, details={"instance": GRAPH.name})
    end = confirmed(lambda p: list(square_flow(GRAPH, "1", (BOUND_T,), "t", p).outputs[-1]), dps,
                    "the graph model's adapted flow at t = 0.9")
    with mpmath.workdps(dps):
        ratio = rd.duhamel_bound_excess(GRAPH, BOUND_T, dps, _graph_jacobian_at_output)[1]
    return ev.also(digits_of_end_point=round(end.digits, 1), largest_ratio=mpmath.nstr(ratio, 6))


@claim("B.linear_equality", kind="ode", source="B5", derivation=derivation,
       statement="under-parametrized linear model: Δ(t) = t P⊥(x0 − y) at every t (equality in "
                 "the bound)", latex=r"\Delta(t) = t P^\perp(x_0 - y)")
def linear_equality(dps: int, problem: Problem = LINEAR) -> Evidence:
    """Route 1: t P⊥(x0 − y) with P⊥ from the SVD of A. Route 2: Δ(t) = x − y − (1 − t)(x0 − y)
    from the integrated outputs at t = 0.1, 0.5, 0.9, 0.999; both at two precisions."""
    def integrated(p: int) -> list:
        x0, y = start(problem)
        tr = square_flow(problem, "1", LINEAR_TIMES, "t", p)
        return [v for t, x in zip(LINEAR_TIMES, tr.outputs)
                for v in deviation_from_line(x, mpmath.mpf(t), x0, y)]

    formula = lambda p: [v for t in LINEAR_TIMES for v in rd.linear_deviation(problem, mpmath.mpf(t))]  # noqa: E731
    runs = confirmed(formula, dps, "t P⊥(x0 − y)")
    return versus_numeric(runs.high, integrated, dps, "integrated Δ(t) vs t P⊥(x0 − y) (P⊥ from "
                          "the SVD of A)", relative=False, details={"instance": problem.name})


@claim("B.underparam_limit", kind="ode", source="B5",
       statement="under-parametrized linear model: C(t) = ((1−t)²|P(x0−y)|² + |P⊥(x0−y)|²)/(2N), "
                 "so the flow stalls at the positive cost |P⊥(x0 − y)|²/(2N)",
       latex=r"C(t) \to |P^\perp(x_0-y)|^2/(2N)")
def underparam_limit(dps: int, problem: Problem = LINEAR) -> Evidence:
    """Route 1: ((1 − t)²|P e0|² + |P⊥e0|²)/(2N), P from the SVD of A. Route 2: the cost of the
    integrated outputs at t = 0.1, 0.5, 0.9, 0.999; both at two precisions (relative)."""
    ev = numeric_pair(lambda p: rd.costs_on_schedule(problem, LINEAR_TIMES, p),
                      lambda p: [rd.linear_cost(problem, mpmath.mpf(t)) for t in LINEAR_TIMES], dps,
                      "cost along the flow vs ((1−t)²|P e0|² + |P⊥e0|²)/(2N)",
                      details={"instance": problem.name})
    with mpmath.workdps(dps):
        return ev.also(stall_value=mpmath.nstr(rd.stall_value(problem), 8))


#: A flow that reaches C = 0 along the line has C(t) = (1 − t)²C0 ([B] 4), so the ratio
#: R = C(t)/((1 − t)²C0) is 1; a linear model that stalls has C(t) ≥ |P⊥(x0 − y)|²/(2N), so
#: R ≥ |P⊥(x0 − y)|²/(2N(1 − t)²C0) (≈ 10⁵ at t = 0.999 here). The threshold 2 lies between.
STALL_RATIO = 2


def _line_cost(problem: Problem, t: str) -> mpmath.mpf:
    x0, y = start(problem)
    return (1 - mpmath.mpf(t)) ** 2 * SquareCost(y, problem.model.n_points).value(x0)


@claim("B.underparam_stalls", kind="negative-control", source="B7",
       statement="an under-parametrized linear model also reaches C = 0", latex=r"C(t) \to 0")
def underparam_stalls(dps: int, problem: Problem = LINEAR) -> Evidence:
    """Statistic: R = C(t)/((1 − t)²C0) at t = 0.999, the integrated cost (two precisions)
    relative to the cost of a flow that reaches C = 0 on the line. The statement holds iff
    R ≤ 2 (R = 1 when C → 0 on the line; R ≥ the predicted stall ratio
    |P⊥(x0 − y)|²/(2N(1 − t)²C0) when the flow stalls). Its positive twin is the full-rank net
    (``problem=NET``), which does reach 0."""
    t = LINEAR_TIMES[-1]
    with mpmath.workdps(dps):
        predicted = rd.stall_value(problem) / _line_cost(problem, t)
    return at_most(lambda p: rd.costs_on_schedule(problem, (t,), p)[0] / _line_cost(problem, t),
                   STALL_RATIO, dps, f"R = C(t)/((1 − t)²C0) at t = {t} (C → 0 on the line: R = 1)",
                   details={"instance": problem.name,
                            "predicted stall ratio |P⊥(x0 − y)|²/(2N(1 − t)²C0)": mpmath.nstr(predicted, 6)})
