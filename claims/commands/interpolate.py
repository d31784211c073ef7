"""``gfverify interpolate``: integrate the homotopy flow ``V_α`` of a seeded random network and
report how far its outputs stray from the segment ``x0 → y`` (docs/theory.md B3–B4)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import mpmath
import sympy
from rich.console import Console
from rich.table import Table

from gfverify.claims import outputs
from gfverify.claims.figures import interpolation_figure
from gfverify.claims.options import bounded_int, dps_up_to, nonnegative_int
from gfverify.errors import InputError
from gfverify.numerics.flows import SquareCost, distance_from_segment, flow
from gfverify.numerics.networks import ACTIVATIONS, parse_widths, random_mlp
from gfverify.numerics.precision import two_precisions
from gfverify.theory.expressions import parse_number

NAME = "interpolate"
HELP = ("integrate the homotopy flow V_alpha of a random net (layer widths, N random inputs and "
        "targets) and report the largest distance of its outputs from the segment x0 -> y")
ORDER = 30
DEFAULT_DPS = 40
#: Largest number of points N, of layers and of a layer's width.
MAX_N, MAX_LAYERS, MAX_WIDTH = 32, 8, 64
#: Largest K (QN)², K parameters and QN outputs: the flow's cost per step. The default 2,8,2
#: with N = 3 (1.5e3) takes ~20 s and 2,16,2 with N = 8 (2.1e4) ~3 min on a shared machine.
MAX_WORK = 8000
#: Largest --dps: the default 2,8,2 with N = 3 takes ~20 s at 40 digits and 84 s at 60.
MAX_DPS = 50


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--widths", required=True, metavar="W",
                   help="layer widths d,h1,...,Q, e.g. 2,8,2 (needs K >= QN parameters)")
    p.add_argument("--n", type=bounded_int(1, MAX_N), default=3,
                   help=f"number of random inputs N (default 3, at most {MAX_N})")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the random instance")
    p.add_argument("--alpha", default="1", help="homotopy parameter in [0, 1] (0 standard, 1 adapted); "
                   "a decimal or a fraction like 1/2")
    p.add_argument("--to", default="0.999", metavar="T", help="final t = 1 - exp(-s/N) in (0, 1)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="tanh")
    p.add_argument("--dps", type=dps_up_to(MAX_DPS), default=DEFAULT_DPS,
                   help=f"working precision (digits, default {DEFAULT_DPS}, at most {MAX_DPS})")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.add_argument("--report", metavar="DIR", help="draw trajectories for alpha = 0, 1/2, 1 and the cost")


def _fraction(text: str, what: str) -> Fraction:
    # parsed with bounded digits: Fraction("1e-999999999") never returns
    try:
        value = parse_number(text, what)
    except InputError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise InputError(f"{what} must be a decimal or a fraction, got {text!r} ({reason})") from None
    if not isinstance(value, sympy.Rational):
        raise InputError(f"{what} must be a decimal or a fraction, got {text!r}")
    return Fraction(int(value.p), int(value.q))


def _decimal(x, digits: int = 20) -> str:
    return "0" if x == 0 else mpmath.nstr(x, digits)


def run(args: argparse.Namespace) -> int:
    with outputs.atomic_directory(args.report, "--report") as report:
        return _run(args, report)


def _run(args: argparse.Namespace, report: Path | None) -> int:
    widths = parse_widths(args.widths)
    if len(widths) > MAX_LAYERS or max(widths) > MAX_WIDTH:
        raise InputError(f"--widths {args.widths}: at most {MAX_LAYERS} widths, each at most {MAX_WIDTH}")
    alpha = _fraction(args.alpha, "--alpha")
    if not 0 <= alpha <= 1:
        raise InputError(f"--alpha must lie in [0, 1], got {args.alpha}")
    t_end = _fraction(args.to, "--to")
    if not 0 < t_end < 1:
        raise InputError(f"--to must lie in (0, 1), got {args.to}")
    problem = random_mlp(widths, args.n, args.seed, args.activation)
    model = problem.model
    work = model.n_params * model.n_outputs**2
    if work > MAX_WORK:
        raise InputError(f"K (QN)^2 = {work} exceeds the limit {MAX_WORK} (K = {model.n_params} "
                         f"parameters, QN = {model.n_outputs} outputs): fewer points or narrower layers")

    console = Console(stderr=True)
    runs: dict = {}

    def compute(p: int) -> list:
        """The flow at ``p`` digits (kept in ``runs``); its final outputs and parameters."""
        busy = console.status(f"integrating V_alpha at {p} digits") if sys.stderr.isatty() else nullcontext()
        with busy:
            a = mpmath.mpf(alpha.numerator) / alpha.denominator
            t = mpmath.mpf(t_end.numerator) / t_end.denominator
            tr = flow(model, problem.theta0_mp(), SquareCost(problem.y_mp(), model.n_points), a, [t], "t")
            x0, y = model.outputs(problem.theta0_mp()), problem.y_mp()
            runs[p] = tr, max(distance_from_segment(x, x0, y) for x in tr.step_outputs)
        return tr.outputs[-1] + tr.thetas[-1]

    both = two_precisions(compute, args.dps)
    tr, dist = runs[both.dps_high]
    digits = both.digits
    record = {"widths": list(widths), "n": args.n, "seed": args.seed, "alpha": str(alpha),
              "max_distance_from_segment": _decimal(dist), "final_cost": _decimal(tr.costs[-1]),
              "digits_agreed": int(digits), "rank": tr.rank}
    if report is not None:
        t_decimal = str(Decimal(t_end.numerator) / Decimal(t_end.denominator))
        written = interpolation_figure(problem, report, args.dps, t_decimal)
        console.print(f"report: {', '.join(str(Path(args.report) / w.name) for w in written)}")
    if args.json:
        sys.stdout.write(json.dumps(record) + "\n")
        return 0
    table = Table(title=f"homotopy flow V_alpha, {problem.name}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, label in (("alpha", "alpha"), ("max_distance_from_segment", "max distance from segment x0 -> y"),
                       ("final_cost", f"cost at t = {args.to}"), ("digits_agreed", "digits agreed"),
                       ("rank", "rank of D (= QN)")):
        table.add_row(label, str(record[key]))
    table.add_row("parameters K / outputs QN", f"{model.n_params} / {model.n_outputs}")
    table.add_row("steps, RHS evaluations", f"{tr.steps}, {tr.evaluations}")
    table.add_row("min sigma_min(D)/sigma_max(D at start)", mpmath.nstr(tr.min_sigma_ratio, 4))
    Console().print(table)
    return 0

