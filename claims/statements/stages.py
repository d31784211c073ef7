"""Claims of [A] on saddle-to-saddle dynamics (theory document A15): the staircase
``z1 + z1 z2 + z1 z2 z3``, whose three stages each last about ½ ln d, and ``h1(z1) + h3(z2)``,
whose second plateau lasts about ``d²/(12c²)``; ODE event times of the diagonal flow against
the exact frozen-stage closed forms."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import mpmath
import sympy

from gfverify.claims import figures
from gfverify.claims.judge import require_digits
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim, report
from gfverify.claims.statements.escape_times import (
    FIT_D,
    HALF,
    QUICK_D,
    integral_of,
    theory_leading,
)
from gfverify.claims.statements.escape_times import rhs_of as single_index_rhs_of
from gfverify.claims.statements.reduced_ode import STAIRCASE, TWO_SCALE, Z1, Z2, Z3
from gfverify.numerics import ode
from gfverify.numerics import timescales as nts
from gfverify.numerics.fitting import fit_slope
from gfverify.numerics.precision import tolerance
from gfverify.theory import reduced_ode as ro
from gfverify.theory import timescales as ts

# ----------------------------------------------------------------------------- the theory, typed

def theory_stage_slope() -> sympy.Rational:
    """Every staircase stage has relative exponent s̃ = 1 and lasts ``≈ ½ ln d``: the slope in ln d."""
    return sympy.Rational(1, 2)


def theory_second_plateau(d: object, c: object) -> sympy.Expr:
    """h1(z1) + h3(z2): the second plateau lasts ``≈ d²/(12c²)``, ``c = d·G22``."""
    return sympy.sympify(d) ** 2 / (12 * sympy.sympify(c) ** 2)


# ----------------------------------------------------------------------------- ODE stage times

def event_time(system: ode.OdeSystem, y0: list, index: int, dps: int, what: str) -> mpmath.mpf:
    """The ODE event time ``y_index = ½``, asked to ``dps`` digits; :class:`PrecisionError` (the
    claim FAILS) unless its two precisions agree to ``dps - GUARD_DIGITS`` digits."""
    ev = ode.event_time(system, y0, index, HALF, dps)
    require_digits(ev.digits, dps, what)
    return ev.t


def stage_times(link: sympy.Expr, zs: list, ds: Sequence[int], dps: int) -> list[list[mpmath.mpf]]:
    """Confirmed event times ``g_i = ½`` of the diagonal flow from ``g_i(0) = 1/d``, for each d."""
    gdot, gs = ro.diagonal_flow(link, zs)
    system = ode.OdeSystem.from_sympy(gdot, gs)
    return [[event_time(system, [sympy.Rational(1, d)] * len(gs), i, dps, f"g{i + 1} = 1/2, d = {d}")
             for i in range(len(gs))] for d in ds]


@claim("A.staircase_stages", kind="scaling", source="A15",
       statement="staircase z1 + z1 z2 + z1 z2 z3: each of the three saddle-to-saddle stages lasts "
                 "about ½ ln d",
       latex=r"t_{i}-t_{i-1}\simeq\tfrac12\ln d",
       variants={"": dict(ds=QUICK_D),
                 "_sweep": dict(ds=FIT_D, tier="full",
                                statement="staircase stage lengths ~ ½ ln d over d = 10²..10⁸")})
def staircase_stages(dps: int, ds: Sequence[int]) -> Evidence:
    """Route 1: the relative exponent s̃ = 1 of each frozen stage, i.e. slope ½ in ln d, and the
    exact frozen-stage plateau (learned directions at 1, later ones at 0). Route 2: ODE event
    times g_i = ½ of the diagonal flow from g_i(0) = 1/d; the slope of each stage length in
    ln d, and its gap to the frozen-stage closed form shrinking with d."""
    times = stage_times(STAIRCASE, [Z1, Z2, Z3], ds, dps)
    gdot, gs = ro.diagonal_flow(STAIRCASE, [Z1, Z2, Z3])
    logs = [mpmath.log(d) for d in ds]
    want = float(theory_stage_slope())
    rows = []
    for i in range(3):
        lengths = [t[i] - (t[i - 1] if i else 0) for t in times]
        fit = fit_slope(logs, lengths)
        frozen = ts.frozen_stage_rhs(gdot, gs, [0, 1, 2], i)
        with mpmath.workdps(dps):
            pred = [nts.stage_plateau(frozen, gs[i], sympy.Rational(1, d), HALF) for d in ds]
        gaps = [abs(a - b) for a, b in zip(lengths, pred)]
        shrinking = all(b < a for a, b in pairwise(gaps))
        rows.append({"name": f"stage {i + 1}", "fitted": fit.slope, "uncertainty": fit.uncertainty,
                     "ratio": abs(fit.slope - want) / fit.uncertainty if shrinking else mpmath.inf,
                     "lengths": [mpmath.nstr(x, 6) for x in lengths],
                     "frozen": f"{sympy.sstr(frozen)} (s~ = {ts.relative_exponent(frozen, gs[i])}), "
                               f"ODE - frozen-stage closed form: "
                               f"{[mpmath.nstr(a - b, 3) for a, b in zip(lengths, pred)]}"})
    w = max(rows, key=lambda r: r["ratio"])
    return Evidence(holds=all(r["ratio"] <= 1 for r in rows), residual=abs(w["fitted"] - want),
                    tolerance=w["uncertainty"], exponent=(w["fitted"], w["uncertainty"]), digits=None,
                    method="ODE event times g_i = 1/2 of the diagonal staircase flow from g_i(0) = 1/d; "
                    "slope of each stage length in ln d vs 1/2, and the gap to the frozen-stage "
                    "closed form (learned directions at 1, later ones at 0) shrinking with d",
                    details={r["name"]: f"slope {r['fitted']:.5f} +- {r['uncertainty']:.5f}; "
                             f"lengths {r['lengths']}; frozen stage {r['frozen']}" for r in rows})


@claim("A.saddle_to_saddle", kind="scaling", source="A15",
       statement="h1(z1) + h3(z2): the first plateau lasts about ½ ln d, the second about "
                 "d²/(12c²), c = d·G22",
       latex=r"T_2\simeq\frac{d^2}{12c^2}",
       variants={"": dict(ds=QUICK_D),
                 "_sweep": dict(ds=FIT_D, tier="full",
                                statement="h1(z1) + h3(z2) stage lengths over d = 10²..10⁸")})
def saddle_to_saddle(dps: int, ds: Sequence[int]) -> Evidence:
    """h1(z1) + h3(z2) (ψ = g11 + g22³), c = d·g2(0) = 1. Route 1: the exact frozen second stage,
    its relative exponent 3 and its expansion (d²/12 + first correction). Route 2: ODE event
    times; ġ2 does not involve g1 (checked exactly), so stage 2 is integrated as the g2 equation
    (a Taylor method cannot cross a d² plateau while g1 sits at 1 with poles at distance π/2).
    Stage 1 slope ½ in ln d; stage 2 log-log exponent 2, ODE = closed form, and d²/(12c²)
    within twice the size of the first correction."""
    gdot, gs = ro.diagonal_flow(TWO_SCALE, [Z1, Z2])
    decoupled = sympy.diff(gdot[1], gs[0]) == 0
    full = ode.OdeSystem.from_sympy(gdot, gs)
    second = ode.OdeSystem.from_sympy([gdot[1]], [gs[1]])
    stage2 = ts.frozen_stage_rhs(gdot, gs, [0, 1], 1)
    s_rel = ts.relative_exponent(stage2, gs[1])
    asym = ts.asymptotics(stage2, gs[1], HALF, regular=1)
    t1s, t2s, worst_cf, worst_asym = [], [], mpmath.mpf(0), mpmath.mpf(0)
    for d in ds:
        g0 = sympy.Rational(1, d)
        t1s.append(event_time(full, [g0, g0], 0, dps, f"stage 1, d = {d}"))
        t2 = event_time(second, [g0], 0, dps, f"stage 2, d = {d}")
        t2s.append(t2)
        with mpmath.workdps(dps + 10):
            cf = nts.stage_plateau(stage2, gs[1], g0, HALF)
            worst_cf = max(worst_cf, abs(cf - t2) / cf)
            terms = nts.asymptotic_terms(asym, g0)
            lead = mpmath.mpf(sympy.N(theory_second_plateau(d, 1), dps + 10))
            worst_asym = max(worst_asym, abs(t2 - lead) / abs(terms[1]) / 2)
    c = sympy.Symbol("c", positive=True)
    typed_lead = sympy.simplify(asym.singular[0].subs(ts.M0, c / ts.D) - theory_second_plateau(ts.D, c))
    logs = [mpmath.log(d) for d in ds]
    f1 = fit_slope(logs, t1s)
    f2 = fit_slope(logs, [mpmath.log(t) for t in t2s])
    s1, u1, s2, u2 = f1.slope, f1.uncertainty, f2.slope, f2.uncertainty
    want1, want2 = float(theory_stage_slope()), s_rel - 1
    holds = (decoupled and typed_lead == 0 and abs(s1 - want1) <= u1 and abs(s2 - want2) <= u2
             and worst_cf <= tolerance(dps) and worst_asym <= 1)
    return Evidence(holds=holds, residual=max(abs(s1 - want1) / u1, abs(s2 - want2) / u2), tolerance=1,
                    exponent=(s2, u2), digits=None,
                    method="ODE event times of the diagonal flow of h1(z1)+h3(z2), confirmed to the "
                    "working precision; stage 2 vs its closed form and vs d^2/(12 c^2) (also "
                    "symbolically vs the leading term of the expansion); fitted slopes (stage 1 in "
                    "ln d, stage 2 log-log)",
                    details={"g2' independent of g1": str(decoupled),
                             "stage 1 slope in ln d": f"{s1:.5f} +- {u1:.5f} (predicted 0.5)",
                             "stage 2 exponent": f"{s2:.5f} +- {u2:.5f} (predicted 2 = relative "
                             f"exponent {s_rel} in g, minus 1)",
                             "stage 2 ODE vs closed form (relative)": mpmath.nstr(worst_cf, 3),
                             "leading term minus d^2/(12 c^2)": str(typed_lead),
                             "|T2 - d^2/12| / (2 x first correction)": mpmath.nstr(worst_asym, 4),
                             "stage lengths": "; ".join(f"d={d:.0e}: {mpmath.nstr(a, 6)}, "
                                                        f"{mpmath.nstr(b, 8)}"
                                                        for d, a, b in zip(ds, t1s, t2s))})


@report
def escape_curves_figure(directory: Path, dps: int) -> list[Path]:
    """m(t) for h3 (two-timescale and planted) and the staircase g_i(t), from the ODE layer;
    time in units of the leading escape time."""
    plt = figures.pyplot()
    if plt is None:
        return []
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    M = ro.M
    for ax, planted in zip(axes[:2], (False, True)):
        system = ode.OdeSystem.from_sympy([single_index_rhs_of("h3", planted)], [M])
        for d in (10**2, 10**4, 10**6):
            with mpmath.workdps(30):
                T_end = nts.integral_time(integral_of("h3", planted), 1 / sympy.sqrt(d),
                                          sympy.Rational(99, 100))
            traj = ode.solve(system, [1 / sympy.sqrt(d)], int(T_end) + 1, 8, n_dense=161)
            lead = float(theory_leading(3, 1, 1, d, planted))
            ax.plot([float(t) / lead for t in traj.ts], [float(y[0]) for y in traj.ys],
                    label=f"d = {d:.0e}")
        ax.set_xlabel("t / T_lead  (T_lead = d^(1/2)/3)" if planted else "t / T_lead  (T_lead = d^2/12)")
        ax.set_ylabel("m(t)")
        ax.set_title(("planted" if planted else "two-timescale") + " flow, f* = h3, m(0) = d^(-1/2)")
        ax.legend()
    gdot, gs = ro.diagonal_flow(STAIRCASE, [Z1, Z2, Z3])
    d = 10**6
    traj = ode.solve(ode.OdeSystem.from_sympy(gdot, gs), [sympy.Rational(1, d)] * 3, 25, 8, n_dense=201)
    for i in range(3):
        axes[2].plot([float(t) for t in traj.ts], [float(y[i]) for y in traj.ys],
                     label=f"g{i + 1} = G_{i + 1}{i + 1}")
    for k in (1, 2, 3):
        axes[2].axvline(k * 0.5 * float(mpmath.log(d)), color="grey", ls=":", lw=0.8)
    axes[2].set_xlabel("t  (dotted: multiples of (1/2) ln d)")
    axes[2].set_title("staircase z1 + z1 z2 + z1 z2 z3, diagonal flow, d = 1e6")
    axes[2].legend()
    return [figures.save(fig, directory, "dynamics_m_of_t.png")]
