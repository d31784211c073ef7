"""Claims of docs/theory.md B6: the adapted flow with softmax cross-entropy at full rank conserves
the row sums <1, x_j> and, with positive labels, converges to x_j* = P_1⊥ log y_j + P_1 x_j(0);
with one-hot labels there is no finite minimizer and the margins grow like log u."""

from __future__ import annotations

import mpmath

from gfverify.claims.derivation import Derivation, Display
from gfverify.claims.judge import at_most, exact_identity, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import cross_entropy as ce
from gfverify.numerics.flows import norm
from gfverify.theory import interpolation as theory

ONE_HOT_U = ("10", "100", "1000")


def derivation() -> Derivation:
    """Conservation and the limit, as ``gfverify show`` prints them."""
    sym = theory.cross_entropy()
    return Derivation.of(
        "At full rank P = I, so ẋ_j = −∇_{x_j}C = −(softmax(x_j) − y_j)/N and",
        ("d/ds <1, x_j> = −(1 − <1, y_j>)/N = 0 (sympy: <1, ∇c> = ", sym["row_sum_of_grad"], ")."),
        Display(sym["limit"], "∇C = 0 iff softmax(x_j) = y_j iff x_j = log y_j + c_j 1; with <1, x_j> "
                "conserved, x_j* = P_1⊥ log y_j + P_1 x_j(0):"),
        "C is strictly convex on each affine set <1, x_j> = const (Hessian diag(p) − ppᵀ is positive "
        "on 1⊥), so x* is the unique limit.",
        "One-hot y_j: softmax(x_j) = y_j has no finite solution (softmax > 0): no minimizer.",
        "In u = s/N the margin m = x_j1 − x_j2 of y_j = (1, 0) obeys dm/du = 2/(1 + e^m), so",
        "m + e^m = m(0) + e^{m(0)} + 2u, m = c − W(e^c) with c the right side: m ≈ log 2u,",
        "dm/d log u → 1; a convergent flow's margins have dm/d log u → 0.")


@claim("B.cross_entropy_symbolic", kind="identity", source="B6", derivation=derivation,
       statement="softmax cross-entropy: the gradient has zero row sum, and x* = P_1⊥ log y + "
                 "P_1 x(0) is a critical point with the conserved row sum",
       latex=r"\langle 1, \nabla c\rangle = 0,\ \nabla c(x^*) = 0")
def cross_entropy_symbolic(dps: int) -> Evidence:
    """sympy, Q = 3: the row sum of ∇c, ∇c at x* and the row sum of x* minus that of x(0)."""
    sym = theory.cross_entropy()
    diffs = [sym["row_sum_of_grad"], sym["limit_row_sum_minus_initial"], *sym["grad_at_limit"]]
    return exact_identity(diffs, "sympy, Q=3: <1, ∇c> = 0 when Σy = 1; ∇c(x*) = 0, <1, x*> = <1, x(0)>")


@claim("B.cross_entropy_conservation", kind="ode", source="B6", derivation=derivation,
       statement="cross-entropy, positive labels, full rank: the adapted flow conserves every "
                 "row sum <1, x_j>", latex=r"\frac{d}{ds}\langle 1, x_j\rangle = 0")
def cross_entropy_conservation(dps: int) -> Evidence:
    """Route 1: the row sums at the start. Route 2: the row sums of the adapted flow at u = 1, 3,
    at two precisions; and the largest change of a row sum over every accepted step, against 0."""
    times = ("1", "3")
    pb = ce.problem(0)

    def drift(p: int) -> mpmath.mpf:
        s0 = ce.row_sums(pb.model.outputs(pb.theta0_mp()))
        return max(abs(a - b) for x in ce.adapted_flow(0, times, False, p).step_outputs
                   for a, b in zip(ce.row_sums(x), s0))

    with mpmath.workdps(dps + 20):
        start = ce.row_sums(pb.model.outputs(pb.theta0_mp())) * len(times)
    ev = versus_numeric(start, lambda p: [v for x in ce.adapted_flow(0, times, False, p).outputs
                                          for v in ce.row_sums(x)], dps,
                        "row sums <1, x_j> of the adapted flow at u = 1, 3 vs at u = 0",
                        relative=False, details={"instance": pb.name})
    steps = versus_numeric(0, drift, dps, "largest row-sum change over the steps", relative=False)
    return ev.also(steps.holds, largest_change_over_steps=mpmath.nstr(steps.residual, 3))


@claim("B.cross_entropy_limit", kind="ode", source="B6", tier="full", derivation=derivation,
       statement="cross-entropy, positive labels, full rank: the adapted flow converges to "
                 "x_j* = P_1⊥ log y_j + P_1 x_j(0)", latex=r"x_j^* = P_1^\perp \log y_j + P_1 x_j(0)")
def cross_entropy_limit(dps: int, seed: int = 0) -> Evidence:
    """Route 1: x* = P_1⊥ log y + P_1 x(0). Route 2: the flow integrated to u with
    e^{−λu}|x0 − x*| < 10^{−dps−3} (λ the slowest linearized rate at x*, so the omitted tail is
    far below the tolerance), at two precisions."""
    pb = ce.problem(seed)
    with mpmath.workdps(dps + 20):
        x0 = pb.model.outputs(pb.theta0_mp())
        star, rate = ce.limit_point(x0, ce.labels(pb.y))
        distance = norm([a - b for a, b in zip(x0, star)])
        u_end = ((dps + 3) * mpmath.log(10) + mpmath.log(max(1, distance))) / rate
    u = mpmath.nstr(u_end, 20)
    return versus_numeric(star, lambda p: list(ce.adapted_flow(seed, (u,), False, p).outputs[-1]), dps,
                          "x(u) of the adapted flow at large u vs P_1⊥ log y + P_1 x(0)",
                          relative=False, details={"instance": pb.name, "u": mpmath.nstr(u_end, 6)})


#: Margins of a convergent flow settle (their log-slope → 0); a one-hot margin solves
#: m + e^m = m(0) + e^{m(0)} + 2u, so m ≈ log 2u and its slope dm/d log u → 1. The threshold ½
#: lies between.
SLOPE_BOUND = mpmath.mpf(1) / 2


def _slope(seed: int, one_hot: bool, p: int) -> mpmath.mpf:
    tr = ce.adapted_flow(seed, ONE_HOT_U, one_hot, p)
    return max(ce.log_slopes(ce.margins(tr.outputs[1]), ce.margins(tr.outputs[2]),
                             ONE_HOT_U[1], ONE_HOT_U[2]))


def _predicted_margins(seed: int, u) -> list:
    """The one-hot margins m_j(u) from m + e^m = m(0) + e^{m(0)} + 2u (label (0, 1): −m)."""
    pb = ce.problem(seed, True)
    m0 = ce.margins(pb.model.outputs(pb.theta0_mp()))
    return [ce.one_hot_margin(m, u) if first == 1 else -ce.one_hot_margin(-m, u)
            for m, first in zip(m0, pb.y)]


@claim("B.one_hot_no_limit", kind="negative-control", source="B6", tier="full", derivation=derivation,
       statement="with one-hot labels the adapted cross-entropy flow converges",
       latex=r"\lim_{u\to\infty} x(u)\ \text{exists}")
def one_hot_no_limit(dps: int, seed: int = 1, one_hot: bool = True) -> Evidence:
    """Statistic: the largest log-slope |m_j(1000) − m_j(100)|/log 10 of the margins
    m_j = x_j1 − x_j2 (integrated, two precisions). The statement holds iff it is ≤ ½: a
    convergent flow's slope tends to 0, a one-hot margin's to 1 (the predicted slope from
    m + e^m = m(0) + e^{m(0)} + 2u is reported). Its positive twin is the positive-label flow
    (``seed=0, one_hot=False``), which converges."""
    details = {"instance": ce.problem(seed, one_hot).name}
    if one_hot:
        with mpmath.workdps(dps):
            lo, hi = (_predicted_margins(seed, u) for u in ONE_HOT_U[1:])
            details["predicted log-slope (Lambert W)"] = mpmath.nstr(
                max(ce.log_slopes(lo, hi, *ONE_HOT_U[1:])), 8)
    return at_most(lambda p: _slope(seed, one_hot, p), SLOPE_BOUND, dps,
                   "largest |m_j(u=1000) − m_j(u=100)|/log 10 (a limit needs → 0)", details=details)


@claim("B.one_hot_margins", kind="ode", source="B6", tier="full", derivation=derivation,
       statement="with one-hot labels the margins solve m + e^m = m(0) + e^{m(0)} + 2u, so they "
                 "grow like log u", latex=r"m + e^m = m_0 + e^{m_0} + 2u")
def one_hot_margins(dps: int, seed: int = 1) -> Evidence:
    """Route 1: m_j(u) = c − W(e^c), c = m(0) + e^{m(0)} + 2u (Lambert W). Route 2: the margins
    of the integrated adapted flow at u = 10, 100, 1000, at two precisions."""
    with mpmath.workdps(dps + 20):
        want = [m for u in ONE_HOT_U for m in _predicted_margins(seed, u)]
    return versus_numeric(want, lambda p: [m for x in ce.adapted_flow(seed, ONE_HOT_U, True, p).outputs
                                           for m in ce.margins(x)], dps,
                          "integrated margins vs m + e^m = m(0) + e^{m(0)} + 2u (Lambert W)",
                          details={"instance": ce.problem(seed, True).name})
