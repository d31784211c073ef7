"""Benchmark (run by hand): the adapted flow of a 2-8-2 tanh net on N = 3 points to t = 0.999 at
30 digits, gfverify's Bulirsch–Stoer integrator against ``mpmath.odefun`` (Taylor method) on the
same system ``dθ/du = N V_1(θ)``, ``u = −log(1 − t)``.

``python benchmarks/bench_interpolation.py [--odefun-horizon U]`` prints a table and writes
``benchmarks/results/bench_interpolation.md``. By default odefun runs the whole horizon (about
half a minute of CPU); with a shorter ``U`` its time is extrapolated linearly in ``u``, which
overestimates it (odefun's steps grow as θ(u) settles: measured 9.4 s to u = 0.5 but 27 s to
u = 6.9). Digits are against a 50-digit Bulirsch–Stoer reference at the same horizon. Times
are CPU seconds of this process."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import mpmath

from gfverify.numerics.flint_field import homotopy_field_arb
from gfverify.numerics.flows import SquareCost, distance_from_segment, flow
from gfverify.numerics.networks import random_mlp
from gfverify.numerics.precision import agreed_digits_seq

DPS, REF_DPS, T_END = 30, 50, "0.999"
PROBLEM = random_mlp((2, 8, 2), 3, 0)


def _ours(engine: str, u_end, dps: int):
    model = PROBLEM.model
    with mpmath.workdps(dps):
        cost = SquareCost(PROBLEM.y_mp(), model.n_points)
        start = time.process_time()
        tr = flow(model, PROBLEM.theta0_mp(), cost, 1, [mpmath.mpf(u_end)], "u", engine)
        seconds = time.process_time() - start
        x0 = model.outputs(PROBLEM.theta0_mp())
        dist = max(distance_from_segment(x, x0, PROBLEM.y_mp()) for x in tr.step_outputs)
    return tr, seconds, dist


def _odefun(u_end):
    model = PROBLEM.model
    calls = [0]
    with mpmath.workdps(DPS):
        cost = SquareCost(PROBLEM.y_mp(), model.n_points)

        def rhs(u, theta):
            calls[0] += 1
            return homotopy_field_arb(model, cost, 1, theta, model.n_points)

        start = time.process_time()
        solution = mpmath.odefun(rhs, 0, PROBLEM.theta0_mp())
        theta = solution(mpmath.mpf(u_end))
        seconds = time.process_time() - start
    return theta, seconds, calls[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odefun-horizon", default="full",
                        help="u up to which odefun is timed ('full' for the whole horizon)")
    args = parser.parse_args()
    with mpmath.workdps(REF_DPS):
        u_full = -mpmath.log1p(-mpmath.mpf(T_END))
        u_short = u_full if args.odefun_horizon == "full" else mpmath.mpf(args.odefun_horizon)
    ref_full, _, _ = _ours("arb", u_full, REF_DPS)
    ref_short, _, _ = _ours("arb", u_short, REF_DPS)
    rows = []
    for engine in ("arb", "mpmath"):
        tr, seconds, dist = _ours(engine, u_full, DPS)
        digits = agreed_digits_seq(tr.thetas[-1], ref_full.thetas[-1], REF_DPS)
        rows.append((f"Bulirsch–Stoer, {engine} field", f"t = {T_END} (u = {mpmath.nstr(u_full, 4)})",
                     seconds, tr.evaluations, digits, mpmath.nstr(dist, 3)))
    theta, seconds, calls = _odefun(u_short)
    digits = agreed_digits_seq(theta, ref_short.thetas[-1], REF_DPS)
    extrapolated = seconds * float(u_full / u_short)
    rows.append(("mpmath.odefun, arb field", f"u = {mpmath.nstr(u_short, 4)} (measured)", seconds, calls,
                 digits, "-"))
    if u_short < u_full:
        rows.append(("mpmath.odefun, arb field", f"t = {T_END} (extrapolated x{float(u_full / u_short):.1f})",
                     extrapolated, None, None, "-"))
    ratio = extrapolated / rows[0][2]
    ratio_arb_mp = rows[1][2] / rows[0][2]
    lines = [
        "# bench_interpolation",
        "",
        f"Adapted flow (α = 1) of a 2-8-2 tanh net (K = 42) on N = 3 points (QN = 6), seed 0, at "
        f"{DPS} digits; digits against a {REF_DPS}-digit Bulirsch–Stoer reference at the same horizon. "
        f"Times are CPU seconds of this (single-threaded) process, so other load on the machine "
        f"does not enter; "
        f"Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| method | horizon | CPU seconds | RHS evaluations | digits | max distance from segment |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, horizon, sec, evals, dig, dist in rows:
        lines.append(f"| {name} | {horizon} | {sec:.2f} | {evals if evals is not None else '-'} | "
                     f"{'-' if dig is None else f'{dig:.1f}'} | {dist} |")
    lines += [
        "",
        f"**Ratio** odefun (at or extrapolated to the full horizon) / Bulirsch–Stoer with the arb field: "
        f"**{ratio:.0f}x** (target ≥ 10x); odefun reaches about 1.5 digits more at the same working "
        f"precision. The arb engine (arb field, integrator state in arb) is {ratio_arb_mp:.1f}x "
        f"faster than the plain mpmath field in the same integrator.",
        "",
        "odefun evaluates the right-hand side at precision `prec·(degree + 1)` to build its Taylor "
        "series by finite differences, so each of its evaluations costs far more than a "
        "Bulirsch–Stoer one; both integrators call the same arb field (the mpmath-field row shows "
        "the integrator with the plain mpmath field).",
        "",
        "Command: `/work/venv/bin/python benchmarks/bench_interpolation.py`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / "bench_interpolation.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
