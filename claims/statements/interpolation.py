"""Claims of THEORY.md [B]: gradient flow in parameter space vs linear interpolation in
output space. Symbolic identities (sympy, generic small matrices) and numeric checks of the
flows integrated at two precisions on seeded random models."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy

from gfverify.claims import figures
from gfverify.claims.judge import exact_identity
from gfverify.claims.model import Claim, Evidence
from gfverify.numerics.flows import (CrossEntropyCost, SquareCost, distance_from_segment, flow,
                                     homotopy_field, norm, segment_point)
from gfverify.numerics.networks import (MLP, Problem, random_graph, random_linear, random_mlp)
from gfverify.numerics.precision import GUARD_DIGITS, agreed_digits_seq, second_precision, tolerance
from gfverify.numerics.quadrature import piecewise_legendre
from gfverify.theory import interpolation as theory
from gfverify.errors import InputError

SOURCE = "Chen & Muñoz Ewald, arXiv:2408.01517; THEORY.md [B]"

#: The quick-tier instances (small, so that every quick claim runs in about a second).
QUICK_NET = random_mlp((1, 4, 1), 2, 2)
QUICK_GRAPH = random_graph(2, 2, 0)
QUICK_LINEAR = random_linear(4, 2, 0)
#: The full-tier sweep: over-parametrized tanh / softplus nets, several seeds and widths.
SWEEP = ([random_mlp((2, 8, 2), 3, seed) for seed in (0, 1, 2)]
         + [random_mlp((3, 4, 4, 1), 4, 3), random_mlp((1, 6, 2), 3, 4, activation="softplus")])
HOMOTOPY_ALPHAS = (mpmath.mpf(0), mpmath.mpf(1) / 2, mpmath.mpf(1))
T_END = "0.999"


# ---------------------------------------------------------------------------------------------
# evidence helpers

def _two_runs(compute: Callable[[int], tuple[list, object]], dps: int, method: str,
              scale=1, details: dict | None = None, negative: bool = False) -> Evidence:
    """``compute(p) -> (values, residual)`` at ``dps`` and the second precision: holds when the
    high run's ``residual`` is within ``tolerance(dps, scale)`` and the ``values`` (the computed
    trajectory) agree across the two precisions to ``dps − GUARD_DIGITS`` digits. For a
    ``negative`` control a disagreement is an error, never evidence that the statement fails."""
    high = second_precision(dps)
    with mpmath.workdps(dps):
        low_values, low_res = compute(dps)
    with mpmath.workdps(high):
        high_values, high_res = compute(high)
    digits = agreed_digits_seq(low_values, high_values, dps)
    tol = tolerance(dps, scale)
    info = {"precisions": f"{dps} and {high} digits", "residual_low": mpmath.nstr(low_res, 4),
            "residual_high": mpmath.nstr(high_res, 4)}
    info.update(details or {})
    if negative and digits < dps - GUARD_DIGITS:
        raise RuntimeError(f"precision guard: the two runs agree to only {digits:.1f} digits")
    return Evidence(holds=bool(high_res <= tol and digits >= dps - GUARD_DIGITS), residual=high_res,
                    tolerance=tol, method=method, digits=digits, details=info)


def _flat(vectors: Sequence[Sequence]) -> list:
    return [v for vec in vectors for v in vec]


def _sub(a: Sequence, b: Sequence) -> list:
    return [x - y for x, y in zip(a, b)]


def _svd_projector(rows: list[list]) -> mpmath.matrix:
    """``P = U_r U_rᵀ`` from mpmath's SVD of ``D`` (independent of the Gram route of D⁺)."""
    D = mpmath.matrix(rows)
    U, s, _ = mpmath.svd_r(D, compute_uv=True)
    r = sum(1 for v in s if v > s[0] * mpmath.mpf(10) ** (-mpmath.mp.dps // 2))
    Ur = U[:, :r]
    return Ur * Ur.T


def _perp(rows, v: Sequence) -> list:
    P = _svd_projector(rows)
    w = mpmath.matrix(list(v))
    return list(w - P * w)


@lru_cache(maxsize=64)
def _trajectory(problem: Problem, alpha: str, times: tuple, variable: str, p: int):
    """The homotopy flow of ``problem`` with the square cost at precision ``p`` (cached so
    claims on the same run share it)."""
    model = problem.model
    with mpmath.workdps(p):
        cost = SquareCost(problem.y_mp(), model.n_points)
        return flow(model, problem.theta0_mp(), cost, mpmath.mpf(alpha),
                    [mpmath.mpf(t) for t in times], variable)


def _start(problem: Problem) -> tuple[list, list]:
    return problem.model.outputs(problem.theta0_mp()), problem.y_mp()


# ---------------------------------------------------------------------------------------------
# symbolic claims

def _chain_standard(dps: int) -> Evidence:
    return exact_identity(theory.chain_rule_output_velocity(), "sympy chain rule, generic x(θ), m=2, K=3")


def _chain_adapted(dps: int) -> Evidence:
    return exact_identity(theory.chain_rule_output_velocity(adapted=True) + theory.projector_properties(),
                          "sympy chain rule with θ' = −Xg (X = D+); P = DD+ with D+ = Dᵀ(DDᵀ)⁻¹: "
                          "P² = P = Pᵀ = I at full rank")


def _random_rank_deficient(seed: int, m: int, K: int, r: int) -> sympy.Matrix:
    rng = np.random.default_rng(seed)
    A = sympy.Matrix(m, r, [int(v) for v in rng.integers(-4, 5, m * r)])
    B = sympy.Matrix(r, K, [int(v) for v in rng.integers(-4, 5, r * K)])
    return A * B


def _pinv(dps: int) -> Evidence:
    D = theory.generic_matrix("d", 2, 3)
    X = theory.pinv_full_row_rank(D).applyfunc(sympy.cancel)
    diffs = theory.penrose_residuals(D, X)
    for seed, (m, K, r) in enumerate([(3, 4, 2), (4, 3, 2), (3, 3, 1), (4, 5, 3)]):
        Dr = _random_rank_deficient(seed, m, K, r)
        diffs.extend(Dr.pinv() - Dr.T * (Dr * Dr.T).pinv())
    return exact_identity(diffs, "Penrose conditions for generic 2x3 D; exact rank-deficient "
                                 "integer D: sympy pinv(D) vs Dᵀ pinv(DDᵀ)")


def _homotopy_factor(dps: int) -> Evidence:
    sigma = sympy.Symbol("sigma", positive=True)
    lam = theory.homotopy_eigenvalue()
    # positivity of (1−α)σ + α/σ on α ∈ [0, 1]: it is linear in α with positive end values
    ends = [sympy.simplify(lam.subs(theory.ALPHA, a)) for a in (0, 1)]
    positive = all(e.is_positive for e in ends) and sympy.diff(lam, theory.ALPHA, 2) == 0
    ev = exact_identity(theory.homotopy_factorization(), "sympy: (1−α)Dᵀ + αD+ = Dᵀ((1−α)I + α(DDᵀ)⁻¹)")
    ev.holds = ev.holds and positive
    ev.details["singular value (1-α)σ + α/σ at α=0,1"] = f"{ends[0]}, {ends[1]} (positive: {positive}, σ = {sigma})"
    return ev


def _kernel_symbolic(dps: int) -> Evidence:
    return exact_identity(theory.homotopy_kernel(), "sympy: D((1−α)Dᵀ + αD+) = (1−α)DDᵀ + αP")


def _full_rank(dps: int) -> Evidence:
    sol = theory.full_rank_solution()
    diffs = [sol["x_s"] - sol["claimed"], sol["x_t"] - sol["line"],
             sol["cost_ratio"] - (1 - theory.T_) ** 2,
             sympy.limit(sol["x_t"], theory.T_, 1) - sympy.Symbol("y", real=True)]
    return exact_identity(diffs, "sympy dsolve of x' = −(x − y)/N, then t = 1 − e^{−s/N}")


def _duhamel_symbolic(dps: int) -> Evidence:
    diffs = theory.duhamel_derivative() + [theory.duhamel_bound_factor() - theory.T_]
    return exact_identity(diffs, "sympy: d/dt[e/(1−t)] = P⊥e/(1−t)² for any P(t); (1−t)∫dt'/(1−t')² = t")


def _cross_entropy_symbolic(dps: int) -> Evidence:
    ce = theory.cross_entropy()
    diffs = [ce["row_sum_of_grad"], ce["limit_row_sum_minus_initial"], *ce["grad_at_limit"]]
    return exact_identity(diffs, "sympy, Q=3: <1, ∇c> = 0 when Σy = 1; ∇c(x*) = 0, <1, x*> = <1, x(0)>")


# ---------------------------------------------------------------------------------------------
# numeric claims: full rank

def _adapted_at(problem: Problem, times: Sequence[str], p: int) -> tuple:
    """The adapted flow integrated in its own time s to s_k = −N log(1 − t_k), at precision
    ``p``: returns ``(t_k, trajectory, x0, y)``."""
    N = problem.model.n_points
    ts = [mpmath.mpf(t) for t in times]
    s = tuple(str(-N * mpmath.log1p(-t)) for t in ts)
    x0, y = _start(problem)
    return ts, _trajectory(problem, "1", s, "s", p), x0, y


def _interpolation_check(problem: Problem, dps: int, times: Sequence[str]) -> Evidence:
    """Adapted flow integrated in its own time s to s_k = −N log(1 − t_k): x(s_k) against
    (1 − t_k) x0 + t_k y, relative to |x0 − y|."""

    def compute(p: int):
        ts, tr, x0, y = _adapted_at(problem, times, p)
        dev = max(norm(_sub(x, segment_point(t, x0, y))) for t, x in zip(ts, tr.outputs))
        return _flat(tr.outputs), dev / norm(_sub(x0, y))

    return _two_runs(compute, dps, "Bulirsch–Stoer in s vs the line at t = 1 − e^{−s/N}",
                     details={"instance": problem.name, "t": ", ".join(times)})


def _cost_check(problem: Problem, dps: int, times: Sequence[str]) -> Evidence:
    def compute(p: int):
        ts, tr, x0, y = _adapted_at(problem, times, p)
        c0 = SquareCost(y, problem.model.n_points).value(x0)
        rel = max(abs(c - (1 - t) ** 2 * c0) / ((1 - t) ** 2 * c0) for t, c in zip(ts, tr.costs))
        return tr.costs, rel

    return _two_runs(compute, dps, "cost of the integrated outputs vs (1 − t)² C0 (relative)",
                     details={"instance": problem.name})


QUICK_TIMES = ("0.25", "0.5", "0.75", "0.9", "0.99")


def _segment_distance(problem: Problem, alpha: str, dps: int, t_end: str = T_END):
    """Largest distance (relative to |x0 − y|) from the segment over every accepted step."""
    def compute(p: int):
        tr = _trajectory(problem, alpha, (t_end,), "t", p)
        x0, y = _start(problem)
        dist = max(distance_from_segment(x, x0, y) for x in tr.step_outputs)
        return tr.outputs[-1], dist / norm(_sub(x0, y))
    return compute


def _standard_curves(dps: int) -> Evidence:
    return _two_runs(_segment_distance(QUICK_NET, "0", dps, "0.9"), dps,
                     "standard flow (α = 0) to t = 0.9: distance of the outputs from [x0, y] at every step",
                     details={"instance": QUICK_NET.name}, negative=True)


def _sweep(dps: int) -> Evidence:
    worst, digits, names = mpmath.mpf(0), float(dps), []
    for problem in SWEEP:
        ev = _two_runs(_segment_distance(problem, "1", dps), dps, "")
        worst, digits = max(worst, ev.residual), min(digits, ev.digits)
        names.append(f"{problem.name}: {mpmath.nstr(ev.residual, 3)}")
        if not ev.holds:
            break
    tol = tolerance(dps)
    return Evidence(holds=bool(worst <= tol and digits >= dps - GUARD_DIGITS), residual=worst,
                    tolerance=tol, method="adapted flow of each sweep net to t = 0.999: largest "
                    "relative distance from [x0, y] over all steps", digits=digits,
                    details={"instances": "; ".join(names)})


# ---------------------------------------------------------------------------------------------
# the homotopy: zeros and output kernel

def _zero_of(problem: Problem, alpha) -> list:
    """A zero of V_α by Newton's method (mpmath.findroot), started at the first K targets."""
    model = problem.model
    cost = SquareCost(problem.y_mp(), model.n_points)
    start = problem.y_mp()[:model.n_params]
    f = lambda *th: homotopy_field(model, cost, alpha, list(th))  # noqa: E731
    root = mpmath.findroot(f, start, tol=mpmath.mpf(10) ** (-2 * mpmath.mp.dps + 4))
    return [root[i] for i in range(model.n_params)]


def _homotopy_zeros(dps: int) -> Evidence:
    problem = QUICK_GRAPH
    model = problem.model

    def compute(p: int):
        zeros = [_zero_of(problem, a) for a in HOMOTOPY_ALPHAS]
        spread = max(norm(_sub(z, zeros[0])) for z in zeros)
        cost = SquareCost(problem.y_mp(), model.n_points)
        cross = max(norm(homotopy_field(model, cost, b, z)) for z in zeros for b in HOMOTOPY_ALPHAS)
        return _flat(zeros), max(spread, cross)

    ev = _two_runs(compute, dps, "Newton zeros of V_α for α = 0, ½, 1 coincide; each zeroes every V_β",
                   details={"instance": problem.name})
    with mpmath.workdps(dps):
        z = _zero_of(problem, 1)
        g = norm(SquareCost(problem.y_mp(), model.n_points).grad(model.outputs(z)))
    ev.details["|grad_x C| at the zero (a rank-deficient critical point, not x = y)"] = mpmath.nstr(g, 5)
    return ev


def _kernel_routes(problem: Problem, p: int) -> tuple[list, mpmath.mpf]:
    """ẋ by numerical differentiation of ε ↦ x(θ + ε V_α(θ)) vs −Θ_α ∇C with P from the SVD."""
    model = problem.model
    cost = SquareCost(problem.y_mp(), model.n_points)
    theta = problem.theta0_mp()
    x, rows = model.outputs_and_jacobian(theta)
    g = mpmath.matrix(cost.grad(x))
    Dm = mpmath.matrix(rows)
    P = _svd_projector(rows)
    values, worst = [], mpmath.mpf(0)
    for alpha in HOMOTOPY_ALPHAS:
        v = homotopy_field(model, cost, alpha, theta)
        xdot = [mpmath.diff(lambda e, i=i: model.outputs([a + e * b for a, b in zip(theta, v)])[i], 0)
                for i in range(model.n_outputs)]
        predicted = -((1 - alpha) * Dm * Dm.T + alpha * P) * g
        scale = max(1, mpmath.norm(predicted))
        worst = max(worst, max(abs(a - b) for a, b in zip(xdot, predicted)) / scale)
        values.extend(xdot)
    return values, worst


def _output_kernel(dps: int) -> Evidence:
    def compute(p: int):
        v1, r1 = _kernel_routes(QUICK_NET, p)
        v2, r2 = _kernel_routes(QUICK_GRAPH, p)
        return v1 + v2, max(r1, r2)
    return _two_runs(compute, dps, "mpmath.diff of x(θ + εV_α) vs −((1−α)DDᵀ + αP)∇C, P from mpmath SVD",
                     details={"instances": f"{QUICK_NET.name}; {QUICK_GRAPH.name}"})


# ---------------------------------------------------------------------------------------------
# rank-deficient models

def _gl_u_nodes(u_end, panels: int, degree: int) -> tuple[list, list]:
    """Composite Gauss–Legendre nodes and weights on [0, u_end] (``3·2^{degree−1}`` per panel),
    in increasing order."""
    cuts = [u_end * k / panels for k in range(panels + 1)]
    pairs = sorted(piecewise_legendre(cuts, 3 * 2 ** (degree - 1)))
    return [x for x, _ in pairs], [w for _, w in pairs]


DUHAMEL_T = "0.5"


def _duhamel(dps: int) -> Evidence:
    """Δ(t) = x − y − (1−t)(x0 − y) from the integrated outputs vs (1 − t) ∫_0^t P⊥(x − y)/(1 − t')² dt'
    by composite Gauss–Legendre in u = −log(1 − t') (integrand P⊥(x − y) e^{u}), P⊥ from the SVD."""
    problem = QUICK_GRAPH
    model = problem.model

    def compute(p: int):
        t = mpmath.mpf(DUHAMEL_T)
        u_end = -mpmath.log1p(-t)
        nodes, weights = _gl_u_nodes(u_end, 2, 4 if p <= 40 else 5)
        times = tuple(str(u) for u in nodes) + (str(u_end),)
        tr = _trajectory(problem, "1", times, "u", p)
        x0, y = _start(problem)
        integral = [mpmath.mpf(0)] * model.n_outputs
        for u, w, th, x in zip(nodes, weights, tr.thetas, tr.outputs):
            perp = _perp(model.outputs_and_jacobian(th)[1], _sub(x, y))
            integral = [a + w * mpmath.exp(u) * b for a, b in zip(integral, perp)]
        formula = [(1 - t) * v for v in integral]
        delta = _sub(_sub(tr.outputs[-1], y), [(1 - t) * v for v in _sub(x0, y)])
        return delta, norm(_sub(delta, formula)) / max(1, norm(delta))

    return _two_runs(compute, dps, "integrated Δ(t) vs Duhamel integral (composite Gauss–Legendre)",
                     details={"instance": problem.name, "t": DUHAMEL_T})


def _duhamel_bound(dps: int) -> Evidence:
    """|Δ(t)| ≤ t sup_{t' ≤ t} |P⊥(x − y)(t')| at every step; the sup is taken over the steps,
    which can only make the right side smaller (so the check is conservative)."""
    problem = QUICK_GRAPH

    def compute(p: int):
        tr = _trajectory(problem, "1", ("0.9",), "t", p)
        x0, y = _start(problem)
        sup, excess, ratio = mpmath.mpf(0), mpmath.mpf(-1), mpmath.mpf(0)
        for t, x in zip(tr.step_times, tr.step_outputs):
            rows = _graph_jacobian_at_output(problem, x)
            sup = max(sup, norm(_perp(rows, _sub(x, y))))
            delta = norm(_sub(_sub(x, y), [(1 - t) * v for v in _sub(x0, y)]))
            excess = max(excess, delta - t * sup)
            if t > 0:
                ratio = max(ratio, delta / (t * sup))
        return tr.outputs[-1], max(excess, mpmath.mpf(0)), ratio

    def wrapped(p: int):
        values, excess, ratio = compute(p)
        wrapped.ratio = ratio
        return values, excess

    ev = _two_runs(wrapped, dps, "max over steps of |Δ(t)| − t·sup|P⊥(x − y)| (must be ≤ 0)",
                   details={"instance": problem.name})
    ev.details["largest |Δ| / (t sup|P⊥(x−y)|)"] = mpmath.nstr(wrapped.ratio, 6)
    return ev


def _graph_jacobian_at_output(problem: Problem, x: Sequence) -> list:
    """D of a graph model at the output ``x = (θ, tanh(Bθ + b))``: ``θ`` is read off ``x``."""
    return problem.model.outputs_and_jacobian(list(x[:problem.model.n_params]))[1]


LINEAR_TIMES = ("0.1", "0.5", "0.9", "0.999")


def _linear_run(p: int):
    return _trajectory(QUICK_LINEAR, "1", LINEAR_TIMES, "t", p)


def _linear_equality(dps: int) -> Evidence:
    problem = QUICK_LINEAR

    def compute(p: int):
        tr = _linear_run(p)
        x0, y = _start(problem)
        perp0 = _perp(problem.model.outputs_and_jacobian(problem.theta0_mp())[1], _sub(x0, y))
        worst = mpmath.mpf(0)
        for t, x in zip(LINEAR_TIMES, tr.outputs):
            t = mpmath.mpf(t)
            delta = _sub(_sub(x, y), [(1 - t) * v for v in _sub(x0, y)])
            worst = max(worst, norm(_sub(delta, [t * v for v in perp0])))
        return _flat(tr.outputs), worst / norm(_sub(x0, y))

    return _two_runs(compute, dps, "integrated Δ(t) vs t P⊥(x0 − y) (P⊥ from the SVD of A)",
                     details={"instance": problem.name})


def _underparam_costs(p: int) -> tuple[list, list]:
    problem = QUICK_LINEAR
    tr = _linear_run(p)
    x0, y = _start(problem)
    e0 = _sub(x0, y)
    perp = _perp(problem.model.outputs_and_jacobian(problem.theta0_mp())[1], e0)
    par = _sub(e0, perp)
    N = problem.model.n_points
    predicted = [((1 - mpmath.mpf(t)) ** 2 * norm(par) ** 2 + norm(perp) ** 2) / (2 * N)
                 for t in LINEAR_TIMES]
    return tr.costs, predicted


def _underparam_limit(dps: int) -> Evidence:
    def compute(p: int):
        costs, predicted = _underparam_costs(p)
        return costs, max(abs(a - b) / b for a, b in zip(costs, predicted))
    ev = _two_runs(compute, dps, "cost along the flow vs ((1−t)²|P e0|² + |P⊥e0|²)/(2N)",
                   details={"instance": QUICK_LINEAR.name})
    with mpmath.workdps(dps):
        ev.details["limit |P⊥(x0 − y)|²/(2N)"] = mpmath.nstr(_underparam_costs(dps)[1][-1], 8)
    return ev


def _underparam_stalls(dps: int) -> Evidence:
    def compute(p: int):
        costs, predicted = _underparam_costs(p)
        return costs, costs[-1]
    return _two_runs(compute, dps, "cost of the under-parametrized linear model at t = 0.999 "
                     "(the false statement: it tends to 0)", details={"instance": QUICK_LINEAR.name},
                     negative=True)


# ---------------------------------------------------------------------------------------------
# cross-entropy

CE_NET = MLP((1, 3, 2), ((0.5,), (-1.25,)), "tanh")


def _ce_problem(seed: int, one_hot: bool = False) -> tuple[Problem, tuple[float, ...]]:
    """A seeded net and the first label entries ``p_j`` (floats drawn from Beta(6, 6), or
    one-hot); the label rows are ``(p_j, 1 − p_j)`` (:func:`_ce_labels`)."""
    rng = np.random.default_rng(seed)
    model = CE_NET
    theta = tuple(float(v) for v in rng.standard_normal(model.n_params) / 2)
    firsts = (1.0, 0.0) if one_hot else tuple(float(rng.beta(6.0, 6.0)) for _ in range(model.n_points))
    return Problem(model, theta, firsts, f"tanh 1,3,2 on N=2, cross-entropy (seed {seed})"), firsts


def _ce_labels(firsts: Sequence[float]) -> list[list]:
    """Rows ``(p, 1 − p)`` built at the current precision (not at import time): for a float
    ``p ≥ 2^{-k}``, ``1 − p`` needs ``53 + k`` bits, so with ``p > 0.01`` and 30+ digits every
    row sums to exactly 1."""
    return [[mpmath.mpf(p), 1 - mpmath.mpf(p)] for p in firsts]


@lru_cache(maxsize=16)
def _ce_flow(seed: int, times: tuple, one_hot: bool, p: int):
    """The adapted cross-entropy flow at precision ``p`` (cached: claims and details share it)."""
    problem, firsts = _ce_problem(seed, one_hot)
    cost = CrossEntropyCost(_ce_labels(firsts))
    tr = flow(problem.model, problem.theta0_mp(), cost, 1, [mpmath.mpf(t) for t in times], "u")
    return problem, cost, tr


def _row_sums(x: Sequence, Q: int) -> list:
    return [mpmath.fsum(x[j * Q:(j + 1) * Q]) for j in range(len(x) // Q)]


def _ce_conservation(dps: int) -> Evidence:
    def compute(p: int):
        problem, cost, tr = _ce_flow(0, ("1", "3"), False, p)
        s0 = _row_sums(problem.model.outputs(problem.theta0_mp()), cost.Q)
        worst = max(abs(a - b) for x in tr.step_outputs for a, b in zip(_row_sums(x, cost.Q), s0))
        return _flat(tr.outputs), worst
    return _two_runs(compute, dps, "row sums <1, x_j> at every step of the adapted flow (u ≤ 3)",
                     details={"instance": _ce_problem(0)[0].name})


def _ce_limit_point(problem: Problem, labels) -> tuple[list, mpmath.mpf]:
    """x* = P_1⊥ log y_j + P_1 x_j(0) and the slowest linear rate min_j 2 y_j1 y_j2 (Q = 2)."""
    x0 = problem.model.outputs(problem.theta0_mp())
    Q = len(labels[0])
    out, rate = [], mpmath.mpf(1)
    for j, row in enumerate(labels):
        logs = [mpmath.log(mpmath.mpf(v)) for v in row]
        mean_log = mpmath.fsum(logs) / Q
        mean_x = mpmath.fsum(x0[j * Q:(j + 1) * Q]) / Q
        out.extend(lv - mean_log + mean_x for lv in logs)
        rate = min(rate, 2 * mpmath.mpf(row[0]) * mpmath.mpf(row[1]))
    return out, rate


def _ce_limit(dps: int) -> Evidence:
    """Integrate to u with e^{−λu}|x0 − x*| < 10^{−dps−3} (λ the slowest linearized rate at x*,
    so the omitted tail is far below the tolerance) and compare x(u) with x*."""
    problem, firsts = _ce_problem(0)

    def compute(p: int):
        star, rate = _ce_limit_point(problem, _ce_labels(firsts))
        x0 = problem.model.outputs(problem.theta0_mp())
        u_end = ((dps + 3) * mpmath.log(10) + mpmath.log(max(1, norm(_sub(x0, star))))) / rate
        _, _, tr = _ce_flow(0, (str(u_end),), False, p)
        return tr.outputs[-1], norm(_sub(tr.outputs[-1], star))

    return _two_runs(compute, dps, "x(u) of the adapted flow at large u vs P_1⊥ log y + P_1 x(0)",
                     details={"instance": problem.name})


ONE_HOT_U = ("10", "100", "1000")


def _one_hot(dps: int) -> Evidence:
    """The false statement 'the flow has a finite limit', checked as the Cauchy test
    |x(1000) − x(100)| ≤ tol; the margins grow like log u instead."""
    def compute(p: int):
        _, cost, tr = _ce_flow(1, ONE_HOT_U, True, p)
        return _flat(tr.outputs), norm(_sub(tr.outputs[2], tr.outputs[1]))
    ev = _two_runs(compute, dps, "one-hot labels: |x(u=1000) − x(u=100)| (a limit needs → 0)",
                   details={"instance": _ce_problem(1, True)[0].name}, negative=True)
    with mpmath.workdps(dps):
        problem, cost, tr = _ce_flow(1, ONE_HOT_U, True, dps)
        margins = [mpmath.nstr(x[0] - x[1], 6) for x in tr.outputs]
        ev.details["margin x_11 − x_12 at u = 10, 100, 1000"] = ", ".join(margins)
    return ev


# ---------------------------------------------------------------------------------------------
# derivations

def _derivation_zeros() -> str:
    return ("D+ = Dᵀ(DDᵀ)+, so V_α = −Dᵀ M_α ∇C with M_α = (1−α)I + α(DDᵀ)+. With D = UΣVᵀ,\n"
            "(1−α)Dᵀ + αD+ = V((1−α)Σ + αΣ+)Uᵀ, whose nonzero singular values (1−α)σ_i + α/σ_i > 0\n"
            "(a convex combination of σ_i > 0 and 1/σ_i > 0) sit exactly on the singular vectors of D.\n"
            "So V_α(θ) = 0  ⇔  U_rᵀ∇C = 0  ⇔  P∇C = 0  ⇔  Dᵀ∇C = 0, for every α ∈ [0, 1].")


def _derivation_duhamel() -> str:
    return ("Adapted flow in t = 1 − e^{−s/N}: dx/dt = −P(x − y)/(1 − t). Then\n"
            "d/dt[(x − y)/(1 − t)] = (dx/dt (1 − t) + (x − y))/(1 − t)² = P⊥(x − y)/(1 − t)²,\n"
            "so (x − y)/(1 − t) = (x0 − y) + ∫_0^t P⊥(x − y)/(1 − t')² dt', i.e.\n"
            "Δ(t) = x − y − (1 − t)(x0 − y) = (1 − t)∫_0^t P⊥(x − y)(t')/(1 − t')² dt'.\n"
            "|Δ| ≤ sup|P⊥(x − y)| (1 − t)∫_0^t dt'/(1 − t')² = t sup|P⊥(x − y)|; for a linear model\n"
            "P is constant and d/dt P⊥x = −P⊥P(x − y)/(1 − t) = 0, so Δ = t P⊥(x0 − y).")


def _derivation_ce() -> str:
    ce = theory.cross_entropy()
    return ("At full rank P = I, so ẋ_j = −∇_{x_j}C = −(softmax(x_j) − y_j)/N and\n"
            "d/ds <1, x_j> = −(1 − <1, y_j>)/N = 0 (sympy: <1, ∇c> = "
            f"{ce['row_sum_of_grad']}).\n∇C = 0 iff softmax(x_j) = y_j iff x_j = log y_j + c_j 1; "
            "with <1, x_j> conserved, x_j* = P_1⊥ log y_j + P_1 x_j(0):\n"
            f"{sympy.pretty(ce['limit'])}\nC is strictly convex on each affine set <1, x_j> = const "
            "(Hessian diag(p) − ppᵀ is positive on 1⊥), so x* is the unique limit.\n"
            "One-hot y_j: softmax(x_j) = y_j has no finite solution (softmax > 0): no minimizer.")


def _derivation_full_rank() -> str:
    sol = theory.full_rank_solution()
    return (f"x' = −(x − y)/N  ⇒  x(s) = {sol['x_s']};  t(s) = {sol['t_of_s']};\n"
            f"x(t) = {sympy.simplify(sol['x_t'])} = (1 − t)x0 + t y;  C/C0 = {sol['cost_ratio']}")


# ---------------------------------------------------------------------------------------------
# reports

def draw_report(problem: Problem, directory: Path, dps: int, t_end: str = T_END) -> list[Path]:
    """Output-space trajectories for α = 0, ½, 1 projected on the plane of (y − x0) and the
    α = 0 path's largest orthogonal deviation, and the cost against t (PNG, matplotlib Agg)."""
    plt = figures.pyplot()
    if plt is None:
        raise InputError("figures need matplotlib: pip install 'gfverify[plot]'")
    directory.mkdir(parents=True, exist_ok=True)
    with mpmath.workdps(dps):
        x0, y = _start(problem)
        paths = {a: _trajectory(problem, a, (t_end,), "t", dps) for a in ("0", "0.5", "1")}
        e1 = _sub(y, x0)
        n1 = norm(e1)
        e1 = [v / n1 for v in e1]
        orth = []
        for x in paths["0"].step_outputs:
            r = _sub(x, x0)
            c = mpmath.fsum(a * b for a, b in zip(r, e1))
            orth.append([a - c * b for a, b in zip(r, e1)])
        best = max(orth, key=norm)
        e2 = [v / norm(best) for v in best] if norm(best) > 0 else [mpmath.mpf(0)] * len(e1)
        proj = {a: [(float(mpmath.fsum(p * q for p, q in zip(_sub(x, x0), e1))),
                     float(mpmath.fsum(p * q for p, q in zip(_sub(x, x0), e2))))
                    for x in tr.step_outputs] for a, tr in paths.items()}
        cost = SquareCost(y, problem.model.n_points)
        costs = {a: [(float(t), float(cost.value(x))) for t, x in zip(tr.step_times, tr.step_outputs)]
                 for a, tr in paths.items()}
        c0 = float(cost.value(x0))
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for a, pts in proj.items():
        ax[0].plot([p[0] for p in pts], [p[1] for p in pts], "o-", ms=3, label=f"α = {a}")
    ax[0].plot([0, float(n1)], [0, 0], "k--", lw=1, label="segment x0 → y")
    ax[0].set_xlabel("along y − x0")
    ax[0].set_ylabel("orthogonal (α = 0 deviation)")
    ax[0].legend()
    ax[0].set_title(problem.name)
    ts = np.linspace(0, float(t_end), 200)
    ax[1].semilogy(ts, c0 * (1 - ts) ** 2, "k--", lw=1, label="(1 − t)² C0")
    for a, pts in costs.items():
        ax[1].semilogy([p[0] for p in pts], [p[1] for p in pts], "o", ms=3, label=f"α = {a}")
    ax[1].set_xlabel("t = 1 − exp(−s/N)")
    ax[1].set_ylabel("cost C")
    ax[1].legend()
    return [figures.save(fig, directory, "interpolation_trajectories.png")]


def _report(directory: Path, dps: int) -> list[Path]:
    return draw_report(QUICK_NET, directory, min(dps, 30))


REPORTS = [_report]


# ---------------------------------------------------------------------------------------------

def _c(id_: str, statement: str, latex: str, kind: str, check, tier: str = "quick",
       derivation: Callable[[], str] | None = None, source: str = SOURCE) -> Claim:
    return Claim(id_, statement, latex, source, kind, check, tier, derivation)  # type: ignore[arg-type]


CLAIMS = [
    _c("B.chain_rule_standard", "The standard flow θ' = −Dᵀ∇C moves the outputs by ẋ = −DDᵀ∇C (the NTK).",
       r"\dot x = D\dot\theta = -DD^\top\nabla_x C", "identity", _chain_standard),
    _c("B.chain_rule_adapted", "The adapted flow θ' = −D⁺∇C moves the outputs by ẋ = −P∇C, P = DD⁺ the "
       "orthogonal projector on range D (P = I at full rank).",
       r"\dot x = -DD^+\nabla_x C = -P\nabla_x C", "identity", _chain_adapted),
    _c("B.pinv_formula", "D⁺ = Dᵀ(DDᵀ)⁺ (full row rank: Dᵀ(DDᵀ)⁻¹).", r"D^+ = D^\top (DD^\top)^+",
       "identity", _pinv),
    _c("B.homotopy_factorization", "(1−α)Dᵀ + αD⁺ = Dᵀ((1−α)I + α(DDᵀ)⁺), with positive singular values "
       "(1−α)σ + α/σ: V_α has the same zeros for all α.",
       r"(1-\alpha)D^\top + \alpha D^+ = D^\top((1-\alpha)I + \alpha(DD^\top)^+)", "identity",
       _homotopy_factor, derivation=_derivation_zeros),
    _c("B.output_kernel_symbolic", "ẋ = −Θ_α∇C with Θ_α = (1−α)DDᵀ + αP.",
       r"D((1-\alpha)D^\top + \alpha D^+) = (1-\alpha)DD^\top + \alpha P", "identity", _kernel_symbolic),
    _c("B.full_rank_solution", "Full rank: x(s) = y + e^{−s/N}(x0 − y); with t = 1 − e^{−s/N}, "
       "x = (1 − t)x0 + ty, C = (1 − t)²C0, and x → y as t → 1.",
       r"x(t) = (1-t)x_0 + t y,\ C = (1-t)^2 C_0", "identity", _full_rank, derivation=_derivation_full_rank),
    _c("B.duhamel_symbolic", "d/dt[(x − y)/(1 − t)] = P⊥(x − y)/(1 − t)² along the adapted flow, and "
       "(1 − t)∫_0^t dt'/(1 − t')² = t (the Duhamel formula and its bound).",
       r"\Delta(t) = (1-t)\int_0^t \frac{P^\perp(x-y)}{(1-t')^2}dt'", "identity", _duhamel_symbolic,
       derivation=_derivation_duhamel),
    _c("B.cross_entropy_symbolic", "Softmax cross-entropy: the gradient has zero row sum, and "
       "x* = P_1⊥ log y + P_1 x(0) is a critical point with the conserved row sum.",
       r"\langle 1, \nabla c\rangle = 0,\ \nabla c(x^*) = 0", "identity", _cross_entropy_symbolic,
       derivation=_derivation_ce),
    _c("B.adapted_linear_interpolation", "Over-parametrized tanh net (K ≥ QN): the adapted flow's outputs "
       "at time s are (1 − t)x0 + ty with t = 1 − e^{−s/N} (30 digits).",
       r"x(\theta(s)) = (1-t)x_0 + ty,\ t = 1-e^{-s/N}", "ode",
       lambda dps: _interpolation_check(QUICK_NET, dps, QUICK_TIMES), derivation=_derivation_full_rank),
    _c("B.cost_decay", "Along the adapted flow at full rank C = (1 − t)² C0.", r"C(t) = (1-t)^2 C_0", "ode",
       lambda dps: _cost_check(QUICK_NET, dps, QUICK_TIMES)),
    _c("B.adapted_sweep", "For several seeded over-parametrized tanh/softplus nets the adapted flow's outputs "
       "stay on the segment x0 → y up to t = 0.999 (largest distance over all steps).",
       r"\max_t \operatorname{dist}(x(t), [x_0, y]) = 0", "ode", _sweep, tier="full"),
    _c("B.homotopy_zeros", "V_α has the same zeros for α = 0, ½, 1 (Newton's method on a constant-rank "
       "graph model, where the critical point is not a global minimum).",
       r"V_\alpha(\theta^*) = 0\ \forall\alpha", "property", _homotopy_zeros, derivation=_derivation_zeros),
    _c("B.output_kernel", "The homotopy field moves the outputs with the kernel Θ_α = (1−α)DDᵀ + αP "
       "(α = 0, ½, 1; a tanh net and a rank-deficient graph model).",
       r"\dot x = -\Theta_\alpha \nabla_x C", "property", _output_kernel),
    _c("B.duhamel", "Constant-rank graph model: the deviation Δ(t) from the line equals the Duhamel "
       "integral (1 − t)∫_0^t P⊥(x − y)/(1 − t')² dt'.",
       r"\Delta(t) = (1-t)\int_0^t \frac{P^\perp(x-y)(t')}{(1-t')^2}dt'", "ode", _duhamel,
       tier="full", derivation=_derivation_duhamel),
    _c("B.duhamel_bound", "Constant-rank graph model: |Δ(t)| ≤ t sup_{t'≤t}|P⊥(x − y)(t')|.",
       r"|\Delta(t)| \le t\sup|P^\perp(x-y)|", "property", _duhamel_bound, derivation=_derivation_duhamel),
    _c("B.linear_equality", "Under-parametrized linear model: Δ(t) = t P⊥(x0 − y) at every t (equality "
       "in the bound).", r"\Delta(t) = t P^\perp(x_0 - y)", "ode", _linear_equality,
       derivation=_derivation_duhamel),
    _c("B.underparam_limit", "Under-parametrized linear model: C(t) = ((1−t)²|P(x0−y)|² + |P⊥(x0−y)|²)/(2N), "
       "so the flow stalls at the positive cost |P⊥(x0 − y)|²/(2N).",
       r"C(t) \to |P^\perp(x_0-y)|^2/(2N)", "ode", _underparam_limit),
    _c("B.cross_entropy_conservation", "Cross-entropy, positive labels, full rank: the adapted flow "
       "conserves every row sum <1, x_j>.", r"\frac{d}{ds}\langle 1, x_j\rangle = 0", "ode",
       _ce_conservation, derivation=_derivation_ce),
    _c("B.cross_entropy_limit", "Cross-entropy, positive labels, full rank: the adapted flow converges to "
       "x_j* = P_1⊥ log y_j + P_1 x_j(0).", r"x_j^* = P_1^\perp \log y_j + P_1 x_j(0)", "ode",
       _ce_limit, tier="full", derivation=_derivation_ce),
    _c("B.standard_flow_curves", "NEGATIVE CONTROL: 'the standard flow (α = 0) also moves the outputs "
       "along the segment x0 → y' — false: its path curves.",
       r"\max_t\operatorname{dist}(x(t),[x_0,y]) = 0\ (\alpha = 0)", "negative-control", _standard_curves),
    _c("B.underparam_stalls", "NEGATIVE CONTROL: 'an under-parametrized linear model also reaches C = 0' "
       "— false: it stalls at |P⊥(x0 − y)|²/(2N) > 0.", r"C(t) \to 0", "negative-control",
       _underparam_stalls),
    _c("B.one_hot_no_limit", "NEGATIVE CONTROL: 'with one-hot labels the adapted cross-entropy flow "
       "converges' — false: no finite minimizer, the margins grow like log u.",
       r"\lim_{u\to\infty} x(u)\ \text{exists}", "negative-control", _one_hot, tier="full", derivation=_derivation_ce),
]
