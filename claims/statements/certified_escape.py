"""Certified escape times of the single-index reduced ODE (theory document A13): arb enclosures
that provably contain ``T = ∫_{m0}^{m1} dm / R(m)`` and ``m(T)`` (:mod:`gfverify.numerics.
certified_ode`, proofs in docs/certified.md), judged by :func:`gfverify.claims.judge.enclosure`."""

from __future__ import annotations

import mpmath
import sympy

from gfverify.claims.judge import confirmed, enclosure
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import certified_ode as co
from gfverify.numerics import timescales as nts
from gfverify.numerics.hermite import hermite_coefficients
from gfverify.numerics.precision import tolerance
from gfverify.theory import reduced_ode as ro
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import Z

M = ro.M
HALF = sympy.Rational(1, 2)
H3 = {3: sympy.Integer(1)}
#: the relative offset of the negative control's closed form
OFFSET = sympy.Rational(1, 10**20)
T_LATEX = r"T=\int_{m_0}^{m_1}\frac{dm}{R(m)}\in[\text{certified ball}]"


def _mp(ball, dps: int) -> mpmath.mpf:
    """An arb ball's midpoint as an mpmath number (``dps + 20`` digits)."""
    with mpmath.workdps(dps + 30):
        return mpmath.mpf(ball.mid().str(dps + 25, radius=False))


def _routes(alphas: dict, d: int, planted: bool, dps: int) -> tuple:
    """``(quadrature ball, closed-form ball)`` of ``T(d^{-1/2} → ½)``."""
    rhs = ro.single_index_rhs(alphas, M, planted=planted)
    m0 = 1 / sympy.sqrt(d)
    quad = co.escape_enclosure(co.rational_coefficients(rhs, M), m0, HALF, dps)
    return quad, co.closed_form_enclosure(rhs, M, m0, HALF, dps)


def _judge(quad, closed, factor: sympy.Expr, dps: int, what: str) -> Evidence:
    with mpmath.workdps(dps + 30):
        value = _mp(closed, dps) * mpmath.mpf(sympy.N(factor, dps + 30))
    return enclosure(value, quad, tolerance(dps, abs(value)), what,
                     details={"T_quadrature": quad.str(dps), "T_closed_form": closed.str(dps)})


@claim("A.escape_time_certified", kind="identity", source="A13", latex=T_LATEX,
       statement="two-timescale escape time of h3 from m0 = 10⁻³ (d = 10⁶) to ½: the closed form "
                 "lies in the certified enclosure of ∫ dm / R",
       variants={"": dict(alphas=H3, d=10**6, planted=False),
                 "_planted": dict(alphas=H3, d=10**6, planted=True,
                                  statement="planted escape time of h3 from m0 = 10⁻³ (d = 10⁶) to "
                                            "½: the closed form lies in the certified enclosure"),
                 "_h1_h3": dict(alphas={1: sympy.Integer(1), 3: HALF}, d=10**6, planted=False,
                                statement="two-timescale escape time of h1 + h3/2 from m0 = 10⁻³ "
                                          "to ½: the closed form lies in the certified enclosure"),
                 "_planted_h1_h3": dict(alphas={1: sympy.Integer(1), 3: HALF}, d=10**6, planted=True,
                                        statement="planted escape time of h1 + h3/2 (R(0) ≠ 0) from "
                                                  "m0 = 10⁻³ to ½: the closed form lies in the "
                                                  "certified enclosure")})
def escape_time_certified(dps: int, alphas: dict, d: int, planted: bool) -> Evidence:
    """Route 1: the certified quadrature (principal Laurent part of 1/R in closed form in arb,
    the regular part by acb.integral, R > 0 proven on [m0, ½]). Route 2: the partial-fraction
    closed form of theory.timescales in ball arithmetic at flint's certified roots."""
    quad, closed = _routes(alphas, d, planted, dps)
    return _judge(quad, closed, sympy.Integer(1), dps,
                  "closed form (ball arithmetic, certified roots) inside the certified quadrature "
                  "enclosure").also(quad.overlaps(closed))


@claim("A.escape_time_certified_control", kind="negative-control", source="A13", latex=T_LATEX,
       statement="T(10⁻³ → ½) of h3 equals (1 + 10⁻²⁰) times its closed form")
def escape_time_certified_control(dps: int) -> Evidence:
    """Same routes and judge as A.escape_time_certified, the closed form moved by 10⁻²⁰
    relative: it must fall outside the enclosure."""
    quad, closed = _routes(H3, 10**6, False, dps)
    return _judge(quad, closed, 1 + OFFSET, dps, "(1 + 10⁻²⁰) × closed form inside the certified "
                                                 "quadrature enclosure")


@claim("A.escape_tanh_certified", kind="identity", source="A13", tier="full",
       latex=r"T_{\tanh}=\int_{m_0}^{1/2}\frac{dm}{R_{\tanh}(m)}",
       statement="escape time of the tanh link (every Hermite term) from m0 = 10⁻³ to ½: the "
                 "closed form of the series truncated where (K+1) 4^{-K} < 10^{-dps-8} lies in the "
                 "certified enclosure")
def escape_tanh_certified(dps: int) -> Evidence:
    """Route 1: certified α_k and ‖tanh‖² (arb quadrature), the escape time of R_K enclosed and
    widened by the proven Parseval tail (at dps − 5 digits: radius ≈ 10^{-(dps+2)} relative).
    Route 2: the partial-fraction closed form (mpmath, two precisions) of the series truncated at
    the K with (K+1) 4^{-K} / α_1² < 10^{-(dps+8)} (the dropped terms move T by less, as
    Σ_{k>K} α_k² ≤ ‖tanh‖² < 1), with α_k² from the two-precision quadrature of numerics.hermite
    rounded at dps + 25 digits."""
    m0 = 1 / sympy.sqrt(10**6)
    ball, _, tail = co.link_escape_enclosure(sympy.tanh(Z), Z, m0, HALF, dps - 5, planted=False)
    kmax = int((dps + 11) / mpmath.log10(4)) + 1  # log10((K+1)/α_1²) < 2.5 here
    coeffs = hermite_coefficients(sympy.tanh(Z), kmax, dps + 25, z=Z)
    with mpmath.workdps(dps + 30):
        alphas = {k: sympy.sqrt(sympy.Rational(mpmath.nstr(a**2, dps + 25, min_fixed=-mpmath.inf,
                                                           max_fixed=mpmath.inf)))
                  for k, a in enumerate(coeffs.alphas) if k and a != 0}
    integral = ts.escape_integral(ro.single_index_rhs(alphas, M), M)
    runs = confirmed(lambda p: nts.integral_time(integral, m0, HALF), dps + 10, "tanh closed form")
    return enclosure(runs.high, ball, tolerance(dps, abs(runs.high)),
                     "truncated closed form inside the certified enclosure (certified α_k, "
                     "Parseval tail)", details={"tail": tail.reason, "T": ball.str(dps)})


@claim("A.escape_m_of_T_certified", kind="ode", source="A13",
       latex=r"m(T)=\tfrac12,\ \dot m=R(m),\ m(0)=m_0",
       statement="the solution of the two-timescale h3 flow from m0 = 10⁻¹ (d = 10²) at the "
                 "certified escape time T is ½: a validated enclosure of m(T) of radius "
                 "≤ 10^{-dps/2} contains ½",
       variants={"": dict(d=10**2),
                 "_d1e6": dict(d=10**6, tier="full",
                               statement="the solution of the two-timescale h3 flow from m0 = "
                                         "10⁻³ (d = 10⁶) at the certified escape time T is ½: a "
                                         "validated enclosure of m(T) of radius ≤ 10^{-dps/2} "
                                         "contains ½")})
def escape_m_of_t_certified(dps: int, d: int) -> Evidence:
    """Route 1: the interval Taylor method (arb Taylor coefficients from the ODE, Picard
    inclusion, Lagrange remainder) from m0 over the whole certified ball of T. Route 2: the
    monotonicity lemma, m(T) ∈ [½ − δ, ½ + δ] iff T(m0 → ½ − δ) ≤ T ≤ T(m0 → ½ + δ), by
    certified quadrature (δ = 10^{-dps/2})."""
    rhs = ro.single_index_rhs(H3, M)
    coeffs, m0 = co.rational_coefficients(rhs, M), 1 / sympy.sqrt(d)
    T = co.escape_enclosure(coeffs, m0, HALF, dps)
    ball, steps = co.taylor_enclosure(coeffs, m0, T, dps)
    delta = sympy.Rational(1, 10 ** (dps // 2))
    lemma = co.monotone_enclosure(coeffs, m0, T, HALF - delta, HALF + delta, dps)
    method = f"interval Taylor enclosure of m(T) ({steps} steps, order {co.taylor_order(dps)}) contains ½"
    return enclosure(HALF, ball, mpmath.mpf(delta), method,
                     details={"m_T": ball.str(dps), "T": T.str(dps), "monotone_lemma": lemma}).also(lemma)
