"""Claims of [A] on the planted problem's landscape (theory document A17, A18): a negative start
never escapes for h3, and for ``f* = Σ_i h3(z_i)`` the Stiefel flow has spurious limits (partial
permutation fixed points of positive loss), with the sampling trap of an unfixed QR; the
statistical claims state their false-alarm rate (10⁻³) and their power."""

from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy

from gfverify.claims.judge import PrecisionError, require_digits
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.claims.statements.escape_times import integral_of, rhs_of
from gfverify.errors import InputError
from gfverify.numerics import ode
from gfverify.numerics import planted_attractors as pa
from gfverify.numerics import timescales as nts
from gfverify.numerics.precision import second_precision, tolerance
from gfverify.numerics.statistics import (
    binomial_power,
    binomial_rejects,
    clopper_pearson,
    two_proportion_p_value,
)
from gfverify.theory.reduced_ode import M


def theory_creep(t: object) -> object:
    """Planted h3 from a negative start: ``m(t) ≈ −1/(3t)`` as t → ∞."""
    return -1 / (3 * t)


@claim("A.planted_negative_start", kind="ode", source="A17",
       statement="planted h3 from m(0) = −d^{−1/2} never escapes: m creeps up to 0⁻ like −1/(3t)",
       latex=r"m(t)\approx-\frac{1}{3t}")
def negative_start(dps: int, d: int = 10**4) -> Evidence:
    """Route 1: the closed form ``3t = 1/|m| − 1/|m0| + atanh m − atanh m0``, which gives
    ``0 < 1 + 3 t m(t) ≤ 1/(3 t |m0|)``. Route 2: ODE samples to t = 10¹² (they must satisfy the
    bound and sit on the closed-form curve t(m)); the event m = 0 is not reached by t = 10¹⁵."""
    system = ode.OdeSystem.from_sympy([rhs_of("h3", True)], [M])
    m0 = -1 / sympy.sqrt(d)
    ts_eval = [10**k for k in range(13)]
    traj = ode.solve(system, [m0], ts_eval[-1], dps, t_eval=ts_eval)
    require_digits(traj.digits, dps, "ODE samples of the planted h3 flow")
    tol = tolerance(dps)
    holds, worst, rows = True, mpmath.mpf(0), []
    with mpmath.workdps(dps + 10):
        am0 = mpmath.mpf(sympy.N(-m0, dps + 10))
        for t, (m,) in zip(traj.ts, traj.ys):
            gap = 1 - m / theory_creep(t)   # = 1 + 3 t m
            bound = 1 / (3 * t * am0)
            t_back = nts.integral_time(integral_of("h3", True), m0,
                                       sympy.Rational(mpmath.nstr(m, dps + 10)))
            rel = abs(t_back - t) / t
            worst = max(worst, rel)
            holds = holds and m < 0 and gap > 0 and gap <= bound * (1 + tol) and rel <= tol
            rows.append(f"t=1e{int(mpmath.log10(t))}: m={mpmath.nstr(m, 8)}, "
                        f"1+3tm={mpmath.nstr(gap, 4)} <= {mpmath.nstr(bound, 4)}")
    try:
        ode.event_time(system, [m0], 0, 0, dps, t_max=10**15)
        reached = True
    except InputError:
        reached = False
    return Evidence(holds=holds and not reached, residual=worst, tolerance=tol, digits=traj.digits,
                    method="ODE samples to t = 1e12 vs the closed-form bound 0 < 1 + 3 t m <= "
                    "1/(3 t |m0|) and the closed-form time t(m); event m = 0 not reached by t = 1e15",
                    details={"d": d, "samples": "; ".join(rows[::3])})


# ----------------------------------------------------------------------------- simulation

SIM_D = 400
#: the false-alarm rate of every statistical test here
LEVEL = 1e-3
#: undecided runs (not converged to a fixed point by the horizon) above this share FAIL
MAX_UNDECIDED = 0.01
#: the theory document's rough Monte Carlo values for q = 2, 3, 4 (reported, not judged)
ROUGH = {2: 0.34, 3: 0.28, 4: 0.27}


@lru_cache(maxsize=None)
def _census(q: int, starts: int, seed: int, sign_fix: bool = True) -> pa.Census:
    return pa.census(SIM_D, q, starts, seed, sign_fix=sign_fix)


def _canonical(k: int) -> tuple:
    """The partial permutation with unit entries (0, 0), …, (k−1, k−1)."""
    return tuple((i, i) for i in range(k))


def _unstable(k: int, q: int, dps: int) -> tuple[int, int]:
    """(eigenvalues with real part > tolerance, eigenvalues within it) of DF at a fixed point
    with k learned directions, the same at dps and at the second precision (else the claim
    FAILS on the precision guard)."""
    counts = []
    for p in (dps, second_precision(dps)):
        with mpmath.workdps(p):
            ev = pa.spectrum(_canonical(k), q)
            tol = tolerance(dps)
            counts.append((sum(1 for e in ev if mpmath.re(e) > tol),
                           sum(1 for e in ev if abs(mpmath.re(e)) <= tol)))
    if counts[0] != counts[1]:
        raise PrecisionError(f"spectrum of DF at k = {k}, q = {q}: {counts[0]} at {dps} digits, "
                             f"{counts[1]} at {second_precision(dps)}")
    return counts[0]


@claim("A.planted_spurious_attractors", kind="property", source="A18", tier="full",
       statement="planted f* = Σ_i h3(z_i), d = 400, Haar starts: for q = 1 the flow reaches G = I "
                 "with probability exactly ½ (exact two-sided binomial test, false-alarm rate 10⁻³); "
                 "for q = 2, 3, 4 the runs converge (≤ 1% undecided) to partial permutation fixed "
                 "points, the spurious ones (loss q − k > 0) with no unstable direction of the "
                 "linearized flow (one zero eigenvalue per unlearned entry, (q − k)²: not strict "
                 "attractors), and the success fraction's 99.9% interval excludes 1",
       latex=r"\Pr_{q=1}[G(\infty)=I]=\tfrac12,\quad \Pr_{q\ge2}[G(\infty)=I]<1")
def spurious_attractors(dps: int, qs: tuple[int, ...] = (1, 2, 3, 4), q1_value: float = 0.5,
                        starts: int = 2000) -> Evidence:
    """Route 1: the mathematics: success iff m(0) > 0 in q = 1, so P = ½ by symmetry; a fixed
    point P with k learned directions has F(P) = 0 exactly and loss q − k; DF(P) in closed form
    (equivariant under row and column permutations, so its spectrum depends on k only); F is
    quadratic in the unlearned entries, so DF has a zero eigenvalue for each of them: the
    spurious points attract only from the side M ≤ 0 there (as m = 0 in q = 1).
    Route 2: float64 Dormand–Prince runs of Haar starts (twice as many for q = 1), each decided
    by convergence to a fixed point (gfverify.numerics.planted_attractors), and the exact
    binomial test, Clopper–Pearson intervals and mpmath spectra at two precisions."""
    sim_ok, rows, spectra, undecided_share = True, {}, {}, 0.0
    for q in qs:
        n = 2 * starts if q == 1 else starts
        c = _census(q, n, 100 + q)
        ok = c.undecided <= MAX_UNDECIDED * n
        undecided_share = max(undecided_share, c.undecided / n)
        lo, hi = clopper_pearson(c.successes, n, LEVEL)
        row = (f"success {c.successes}/{n} = {c.successes / n:.4f}, 99.9% interval "
               f"[{lo:.4f}, {hi:.4f}]; limits by loss {c.by_loss()}, undecided {c.undecided}, last "
               f"decision at t = {c.last_decision:.0f}")
        if q == 1:
            rejected = binomial_rejects(c.successes, n, q1_value, LEVEL)
            iff = (c.successes == c.successes_with_positive_permutation
                   and c.spurious_with_positive_permutation == 0)
            ok = ok and not rejected and iff
            row += (f"; exact test of {q1_value}: {'rejected' if rejected else 'not rejected'} "
                    f"(power against {q1_value - 0.05:g}: "
                    f"{binomial_power(n, q1_value, q1_value - 0.05, LEVEL):.3f}); "
                    f"success iff m(0) > 0: {iff}")
        else:
            ok = ok and hi < 1
            row += (f"; rough value {ROUGH[q]}; P(success | a permutation of M(0) is positive) = "
                    f"{c.successes_with_positive_permutation}/{c.positive_permutation}")
        with mpmath.workdps(dps):
            fixed = all(pa.residual(P, q) == 0 for P in c.limits)
        for k in sorted({len(P) for P in c.limits if len(P) < q}):
            up, zero = _unstable(k, q, dps)
            spectra[f"q={q}, k={k}"] = f"{up} unstable, {zero} zero eigenvalues"
            ok = ok and up == 0 and zero == (q - k) ** 2
        sim_ok = sim_ok and ok and fixed
        rows[f"q={q}"] = row + ("" if fixed else "; a limit is not a fixed point")
    return Evidence(holds=sim_ok, residual=undecided_share, tolerance=MAX_UNDECIDED, digits=None,
                    method="float64 Dormand-Prince (rtol 1e-9) of Mdot = Gamma - M sym(M^T Gamma), "
                    "Gamma = 3 M.M, Haar starts (QR with sign fix) at d = 400, each run decided by "
                    "convergence to a partial permutation fixed point; exact binomial test and "
                    "Clopper-Pearson intervals at 1e-3; spectrum of DF(P) by mpmath at two precisions",
                    details={**rows, "linearization": "; ".join(f"{k}: {v}" for k, v in spectra.items())})


@claim("A.planted_unfixed_qr_control", kind="negative-control", source="A18", tier="full",
       statement="Stiefel starts from numpy's QR without the sign fix give the same q = 2 success "
                 "fraction as Haar starts (two-proportion test, false-alarm rate 10⁻³)",
       latex=r"\Pr_{\rm QR}[G(\infty)=I]=\Pr_{\rm Haar}[G(\infty)=I]")
def unfixed_qr_control(dps: int, starts: int = 1000, ref_starts: int = 2000,
                       sign_fix: bool = False) -> Evidence:
    """The statement's judge: a two-proportion test of the sampler's q = 2 success fraction
    against the Haar fraction (2000 starts, the census of A.planted_spurious_attractors).
    It is run on the unfixed sampler and on its positive twin, the sign-fixed sampler with
    fresh seeds, which must pass: if the twin is rejected the judge cannot discriminate and
    the statement counts as holding (the control FAILS). ``sign_fix=True`` makes the statement
    true (the sampler under test is then Haar): the control must then FAIL."""
    ref = _census(2, ref_starts, 102)
    unfixed = _census(2, starts, 202, sign_fix=sign_fix)
    twin = _census(2, starts, 302, sign_fix=True)
    p_unfixed = two_proportion_p_value(unfixed.successes, starts, ref.successes, ref.starts)
    p_twin = two_proportion_p_value(twin.successes, starts, ref.successes, ref.starts)
    undecided = max(unfixed.undecided, twin.undecided) > MAX_UNDECIDED * starts
    m11 = pa.stiefel_starts(SIM_D, 2, starts, np.random.default_rng(202), sign_fix=sign_fix)[:, 0, 0]
    holds = p_unfixed >= LEVEL or p_twin < LEVEL or undecided
    return Evidence(holds=holds, residual=p_unfixed, tolerance=LEVEL, digits=None,
                    method="pooled two-proportion z test (level 1e-3) of the q = 2 success fraction "
                    "against 2000 Haar starts; positive twin: the sign-fixed sampler",
                    details={"Haar": f"{ref.successes}/{ref.starts}",
                             "unfixed QR": f"{unfixed.successes}/{starts}, p = {p_unfixed:.2e}, "
                                           f"undecided {unfixed.undecided}",
                             "twin (sign fixed)": f"{twin.successes}/{starts}, p = {p_twin:.3f}, "
                                                  f"undecided {twin.undecided}",
                             "share of unfixed starts with M11(0) < 0": f"{(m11 < 0).mean():.4f}"})
