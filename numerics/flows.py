"""Parameter-space flows of docs/theory.md [B] integrated at high precision.

The homotopy field ``V_α(θ) = −((1−α) Dᵀ + α D⁺) ∇_x C`` (``α = 0`` the standard gradient
flow, ``α = 1`` the adapted flow) is integrated by Bulirsch–Stoer extrapolation in the variable
``u = s/N`` (``dθ/du = N V_α``), where the full-rank adapted flow has outputs ``x − y ∝ e^{−u}``.
Output times may be given in ``s``, ``u`` or ``t = 1 − e^{−u}``. (Integrating in ``t`` looks
natural, since there the outputs move at constant speed, but ``dθ/dt = N V_α/(1−t)`` is stiff:
its linearization contracts output errors at rate ``1/(1−t)``, which forces an explicit method
into steps ``∝ 1 − t``; in ``u`` the rate is 1.)
A rank monitor checks ``σ_min(D)/σ_max(D)`` after every step and raises :class:`InputError`
when ``D`` loses rank (``D⁺`` jumps there, so ``V_α`` is not defined)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

import mpmath

from gfverify.errors import InputError
from gfverify.numerics import flint_field
from gfverify.numerics.bulirsch_stoer import BulirschStoer, StepSizeUnderflow, default_kmax
from gfverify.numerics.pseudoinverse import Jacobian, SingularJacobian

#: Extra decimal digits carried inside the integrator beyond the precision asked for.
GUARD = 10
VARIABLES = ("s", "u", "t")
ENGINES = ("auto", "mpmath", "arb")


class SquareCost:
    """``C(x) = |x − y|² / (2N)``, ``∇C = (x − y)/N``."""

    def __init__(self, y: Sequence, n_points: int) -> None:
        self.y, self.n_points = [mpmath.mpf(v) for v in y], n_points

    def value(self, x: Sequence) -> mpmath.mpf:
        return mpmath.fsum((a - b) ** 2 for a, b in zip(x, self.y)) / (2 * self.n_points)

    def grad(self, x: Sequence) -> list:
        return [(a - b) / self.n_points for a, b in zip(x, self.y)]


def softmax(z: Sequence) -> list:
    """``e^{z_q} / Σ_r e^{z_r}`` (shifted by ``max z`` against overflow)."""
    top = max(z)
    e = [mpmath.exp(v - top) for v in z]
    total = mpmath.fsum(e)
    return [v / total for v in e]


class CrossEntropyCost:
    """``C(x) = −(1/N) Σ_j <y_j, log softmax(x_j)>`` for label rows ``y_j`` (probability
    vectors of length ``Q``); ``∇_{x_j} C = (softmax(x_j) − y_j)/N``."""

    def __init__(self, labels: Sequence[Sequence]) -> None:
        self.labels = [[mpmath.mpf(v) for v in row] for row in labels]
        self.n_points, self.Q = len(self.labels), len(self.labels[0])

    def _rows(self, x: Sequence) -> list[list]:
        return [list(x[j * self.Q:(j + 1) * self.Q]) for j in range(self.n_points)]

    def value(self, x: Sequence) -> mpmath.mpf:
        total = mpmath.mpf(0)
        for z, y in zip(self._rows(x), self.labels):
            top = max(z)
            lse = top + mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in z))
            total += mpmath.fsum(yq * (lse - zq) for yq, zq in zip(y, z))
        return total / self.n_points

    def grad(self, x: Sequence) -> list:
        out: list = []
        for z, y in zip(self._rows(x), self.labels):
            out.extend((p - q) / self.n_points for p, q in zip(softmax(z), y))
        return out


def homotopy_field(model, cost, alpha, theta: Sequence, scale=1) -> list:
    """``scale · V_α(θ)``, ``V_α = −((1−α) Dᵀ + α D⁺) ∇_x C`` (the velocity in the flow's own
    time ``s``; ``scale = N`` gives ``dθ/du``)."""
    alpha = mpmath.mpf(alpha)
    x, rows = model.outputs_and_jacobian(theta)
    jac = Jacobian(rows)
    g = cost.grad(x)
    v = [mpmath.mpf(0)] * model.n_params
    if alpha != 1:
        v = [a + (1 - alpha) * b for a, b in zip(v, jac.t(g))]
    if alpha != 0:
        v = [a + alpha * b for a, b in zip(v, jac.pinv(g))]
    return [-scale * a for a in v]


def field_engine(model, engine: str = "auto"):
    """The function evaluating ``V_α``: mpmath lists (``"mpmath"``) or python-flint ``arb``
    matrices (``"arb"``, MLPs only); ``"auto"`` takes arb when it applies."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    if engine == "arb" or (engine == "auto" and flint_field.available(model)):
        if not flint_field.available(model):
            raise ValueError("the arb engine needs python-flint and an MLP model")
        return flint_field.homotopy_field_arb
    return homotopy_field


def to_u(variable: str, tau, n_points: int):
    """``u = s/N`` at ``tau`` given in ``variable`` (``s``, ``u``, or ``t = 1 − e^{−u}``)."""
    if variable == "s":
        return mpmath.mpf(tau) / n_points
    if variable == "u":
        return mpmath.mpf(tau)
    return -mpmath.log1p(-mpmath.mpf(tau))


def from_u(variable: str, u, n_points: int):
    """The inverse of :func:`to_u`."""
    if variable == "s":
        return n_points * u
    if variable == "u":
        return u
    return -mpmath.expm1(-u)


@dataclass
class Trajectory:
    """The flow at the requested ``times`` (in ``variable``): parameters, outputs, costs;
    the outputs at every accepted step (``step_times``, ``step_outputs``, for sup-norms along
    the path); the smallest ``σ_min/σ_max`` of ``D`` met, the rank kept, and the work."""

    variable: str
    times: list
    thetas: list
    outputs: list
    costs: list
    step_times: list
    step_outputs: list
    min_sigma_ratio: mpmath.mpf
    rank: int
    steps: int
    evaluations: int
    details: dict = field(default_factory=dict)


def rank_threshold(dps: int) -> mpmath.mpf:
    """``σ_min(D(θ))/σ_max(D(θ0))`` below ``10^{−dps/3}`` counts as a rank drop: ``D⁺`` would
    lose more than a third of the digits asked for."""
    return mpmath.mpf(10) ** (-mpmath.mpf(dps) / 3)


def _rank_error(where: str, ratio, threshold, underflow: bool = False) -> InputError:
    ratio_text = f"sigma_min/sigma_max(start) = {mpmath.nstr(ratio, 3)}"
    why = (f"sigma_min/sigma_max(start) fell to {mpmath.nstr(ratio, 3)} and the step size underflows"
           if underflow else f"{ratio_text} < {mpmath.nstr(threshold, 3)}")
    return InputError(f"the Jacobian D loses rank {where} ({why}): D+ jumps there, so the flow "
                      f"V_alpha is not defined; use widths with K >= QN or a model of constant rank")


def flow(model, theta0: Sequence, cost, alpha, times: Sequence, variable: str = "t",
         engine: str = "auto") -> Trajectory:
    """Integrate ``θ' = V_α(θ)`` from ``θ0`` (time 0) to each of ``times`` in ``variable``,
    to the current precision ``mp.dps`` (``GUARD`` digits more inside, tolerance ``10^{−dps}``).
    The rank indicator is ``σ_min(D(θ)) / σ_max(D(θ0))`` (scale-free, and it also sees a square
    ``D`` shrinking to 0); the trajectory records its smallest value. ``engine`` selects how
    ``V_α`` is evaluated (:func:`field_engine`)."""
    if variable not in VARIABLES:
        raise ValueError(f"time variable must be one of {VARIABLES}")
    alpha = mpmath.mpf(alpha)
    if not 0 <= alpha <= 1:
        raise InputError(f"alpha must lie in [0, 1], got {mpmath.nstr(alpha, 6)}")
    if variable == "t" and not all(0 < mpmath.mpf(t) < 1 for t in times):
        raise InputError("times in the variable t must lie in (0, 1)")
    evaluate = field_engine(model, engine)
    dps = mpmath.mp.dps
    threshold = rank_threshold(dps)
    N = model.n_points
    monitor = {"min": mpmath.mpf(1), "last": mpmath.mpf(0), "scale": None}
    step_times: list = []
    step_outputs: list = []

    def check_rank(tau, theta, where: str | None = None) -> None:
        x, rows = model.outputs_and_jacobian(theta)
        step_times.append(tau)
        step_outputs.append(x)
        monitor["last"] = tau
        try:
            sigma = Jacobian(rows).singular_values()
        except SingularJacobian:
            sigma = [mpmath.mpf(0)]
        if monitor["scale"] is None:
            monitor["scale"] = sigma[0] if sigma[0] > 0 else mpmath.mpf(1)
        ratio = sigma[-1] / monitor["scale"]
        monitor["min"] = min(monitor["min"], ratio)
        if ratio < threshold:
            raise _rank_error(where or f"along the flow near {variable} = {mpmath.nstr(tau, 6)}",
                              ratio, threshold)

    with mpmath.workdps(dps + GUARD):
        theta = [mpmath.mpf(v) for v in theta0]
        check_rank(mpmath.mpf(0), theta, "at the start")
        if evaluate is flint_field.homotopy_field_arb:
            f, lift, to_mp = flint_field.arb_state_field(model, cost, alpha, N)
            solver = BulirschStoer(f, mpmath.mpf(10) ** -dps, default_kmax(dps), lift=lift, to_mp=to_mp)
            arithmetic = flint_field.arb_precision()
        else:
            solver = BulirschStoer(lambda u, th: evaluate(model, cost, alpha, th, N),
                                   mpmath.mpf(10) ** -dps, default_kmax(dps))
            arithmetic = nullcontext()
        try:
            with arithmetic:
                states = solver.integrate(0, theta, [to_u(variable, t, N) for t in times],
                                          on_step=lambda u, th: check_rank(from_u(variable, u, N), th))
        except (SingularJacobian, StepSizeUnderflow) as exc:
            where = from_u(variable, exc.t, N) if isinstance(exc, StepSizeUnderflow) else monitor["last"]
            raise _rank_error(f"along the flow near {variable} = {mpmath.nstr(where, 6)}",
                              monitor["min"], threshold, underflow=True) from None
        outputs = [model.outputs(s) for s in states]
        costs = [cost.value(x) for x in outputs]
    with mpmath.workdps(dps):
        rnd = lambda vs: [+v for v in vs]  # noqa: E731 - round to the precision asked for
        return Trajectory(variable, rnd(times), [rnd(s) for s in states], [rnd(x) for x in outputs],
                          rnd(costs), rnd(step_times), [rnd(x) for x in step_outputs], +monitor["min"],
                          min(model.n_outputs, model.n_params), solver.steps, solver.evaluations)


def segment_point(t, x0: Sequence, y: Sequence) -> list:
    """``(1 − t) x0 + t y``: linear interpolation in output space."""
    return [(1 - t) * a + t * b for a, b in zip(x0, y)]


def norm(v: Sequence) -> mpmath.mpf:
    return mpmath.sqrt(mpmath.fsum(a * a for a in v))


def distance_from_segment(x: Sequence, x0: Sequence, y: Sequence) -> mpmath.mpf:
    """Euclidean distance of ``x`` from the segment ``[x0, y]``."""
    d = [b - a for a, b in zip(x0, y)]
    r = [a - b for a, b in zip(x, x0)]
    dd = mpmath.fsum(v * v for v in d)
    tau = min(1, max(0, mpmath.fsum(a * b for a, b in zip(r, d)) / dd)) if dd else 0
    return norm([a - tau * b for a, b in zip(r, d)])


def geometric_times(t_end, count: int) -> list:
    """``t_k = 1 − (1 − t_end)^{k/count}``, ``k = 1..count``: equal steps in ``u = s/N``."""
    t_end = mpmath.mpf(t_end)
    return [1 - (1 - t_end) ** (mpmath.mpf(k) / count) for k in range(1, count + 1)]


def deviation_from_line(x: Sequence, t, x0: Sequence, y: Sequence) -> list:
    """``Δ = x − y − (1 − t)(x0 − y)``: how far ``x`` is from the point ``(1 − t)x0 + ty`` of
    linear interpolation at time ``t``."""
    return [a - c - (1 - t) * (b - c) for a, b, c in zip(x, x0, y)]


def start(problem) -> tuple[list, list]:
    """``(x0, y)``: the outputs at ``θ0`` and the targets of a :class:`Problem`, at the current
    precision."""
    return problem.model.outputs(problem.theta0_mp()), problem.y_mp()


@lru_cache(maxsize=64)
def square_flow(problem, alpha: str, times: tuple, variable: str, p: int) -> Trajectory:
    """The homotopy flow ``V_α`` of ``problem`` with the square cost at precision ``p``, to
    ``times`` (decimal strings) in ``variable``; cached, so checks on the same run share it."""
    model = problem.model
    with mpmath.workdps(p):
        cost = SquareCost(problem.y_mp(), model.n_points)
        return flow(model, problem.theta0_mp(), cost, mpmath.mpf(alpha),
                    [mpmath.mpf(t) for t in times], variable)


def adapted_on_schedule(problem, times: Sequence[str], p: int) -> tuple[list, Trajectory]:
    """The adapted flow (α = 1) integrated in its own time ``s`` to ``s_k = −N log(1 − t_k)``
    at precision ``p``: returns ``(t_k, trajectory)``."""
    N = problem.model.n_points
    ts = [mpmath.mpf(t) for t in times]
    s = tuple(str(-N * mpmath.log1p(-t)) for t in ts)
    return ts, square_flow(problem, "1", s, "s", p)


def segment_distances(problem, alpha: str, times: Sequence[str], p: int) -> list:
    """The distance of ``x(t_k)`` from the segment ``[x0, y]``, relative to ``|x0 − y|``, at
    the fixed times ``t_k`` (so each number can be confirmed at two precisions)."""
    tr = square_flow(problem, alpha, tuple(times), "t", p)
    x0, y = start(problem)
    scale = norm([a - b for a, b in zip(x0, y)])
    return [distance_from_segment(x, x0, y) / scale for x in tr.outputs]


def largest_step_distance(problem, alpha: str, t_end: str, p: int) -> mpmath.mpf:
    """The largest distance from ``[x0, y]`` (relative to ``|x0 − y|``) over every accepted
    step of the flow to ``t_end``."""
    tr = square_flow(problem, alpha, (t_end,), "t", p)
    x0, y = start(problem)
    scale = norm([a - b for a, b in zip(x0, y)])
    return max(distance_from_segment(x, x0, y) for x in tr.step_outputs) / scale


def output_plane(problem, alphas: Sequence[str], t_end: str, p: int) -> dict:
    """The flows ``V_α`` for ``alphas`` to ``t_end`` seen in the plane spanned by ``y − x0`` and
    the largest deviation of the first flow orthogonal to it: for each α the step points
    ``(along, across)`` and ``(t, C)`` as floats, with ``C0`` and ``|y − x0|`` (for figures)."""
    with mpmath.workdps(p):
        x0, y = start(problem)
        paths = {a: square_flow(problem, a, (t_end,), "t", p) for a in alphas}
        e1 = [b - a for a, b in zip(x0, y)]
        n1 = norm(e1)
        e1 = [v / n1 for v in e1]

        def dot(u, v):
            return mpmath.fsum(a * b for a, b in zip(u, v))

        orth = []
        for x in paths[alphas[0]].step_outputs:
            r = [a - b for a, b in zip(x, x0)]
            c = dot(r, e1)
            orth.append([a - c * b for a, b in zip(r, e1)])
        best = max(orth, key=norm)
        e2 = [v / norm(best) for v in best] if norm(best) > 0 else [mpmath.mpf(0)] * len(e1)
        cost = SquareCost(y, problem.model.n_points)
        points = {a: [(float(dot([u - v for u, v in zip(x, x0)], e1)),
                       float(dot([u - v for u, v in zip(x, x0)], e2))) for x in tr.step_outputs]
                  for a, tr in paths.items()}
        costs = {a: [(float(t), float(cost.value(x))) for t, x in zip(tr.step_times, tr.step_outputs)]
                 for a, tr in paths.items()}
        return {"points": points, "costs": costs, "c0": float(cost.value(x0)), "length": float(n1)}
