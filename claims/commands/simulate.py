"""``gfverify simulate``: online SGD on the [A] problem from Haar-random starts, the number of
steps each seed takes to escape to the overlap ``m1`` (docs/online_sgd.md): the exact overlap
sampler (cost free of d) or the d-dimensional numpy one."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import sympy

from gfverify.claims.options import parse_alphas
from gfverify.errors import InputError
from gfverify.numerics.online_sgd import MAX_FIT, MAX_Q, MODELS, REFITS, SAMPLERS, SgdSetup, run_sgd
from gfverify.theory.expressions import parse_expression, parse_number
from gfverify.theory.hermite import polynomial_from_coefficients
from gfverify.theory.links import link_variables

NAME = "simulate"
HELP = "online SGD from random starts: steps to escape to m1 (exact overlap sampler or d-dimensional)"
ORDER = 25
#: Largest --alphas degree and polynomial --link degree (the Hermite tables of the compiled kernels).
MAX_K = 12
MAX_SEEDS = 10_000
MAX_BATCH = 4096
#: Largest --max-steps of one run.
MAX_STEPS = 10**10
#: Largest d: exact sampler (χ²_{d−2q} stays exact in float64 far beyond) and full sampler.
MAX_D_EXACT = 10**15
MAX_D_FULL = 10**7
#: Largest work: exact, seeds · max-steps · (batch + refit samples per step) sample-steps, about
#: 0.2–1 µs each (benchmarks/results/bench_sgd.md); full, the same times d.
MAX_WORK_EXACT = 2 * 10**9
MAX_WORK_FULL = 2 * 10**10
#: Largest seeds · d · q of the full sampler (its W matrices, 8 bytes each).
MAX_STATE_FULL = 2 * 10**7
#: Work above which a progress bar is shown (when stderr is a terminal).
PROGRESS_WORK = 10**7


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, choices=MODELS,
                   help="planted (link fixed to f*) or two-timescale")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--alphas", metavar="K:A,...", help='Hermite coefficients of f* (q = 1), e.g. "2:1"')
    src.add_argument("--link", metavar="EXPR", help='link f* in z (q = 1) or z1..zq, e.g. "tanh(z1)*z2"')
    p.add_argument("--q", default="1", metavar="Q", help=f"number of directions (default 1, at most {MAX_Q})")
    p.add_argument("--d", required=True, metavar="D", help="dimension d, e.g. 1e4")
    p.add_argument("--lr", required=True, metavar="ETA", help="step size η (ODE time = η · steps)")
    p.add_argument("--batch", default="1", metavar="B", help=f"batch size (default 1, at most {MAX_BATCH})")
    p.add_argument("--seeds", default="8", metavar="N", help="number of runs, seeds 0..N-1 (default 8)")
    p.add_argument("--to", default="0.5", dest="m1", metavar="M1",
                   help="escape overlap m1 in (0, 1] (default 0.5)")
    p.add_argument("--max-steps", default="1e7", metavar="K", help="steps per run at most (default 1e7)")
    p.add_argument("--sampler", default="exact", choices=SAMPLERS,
                   help="exact: the overlap process in law, cost free of d (default); full: d-dimensional")
    p.add_argument("--refit", default="oracle", choices=REFITS,
                   help="two-timescale link: oracle A_{M^T} f* (default) or hermite least squares")
    p.add_argument("--degree", default=None, metavar="K", help="hermite refit degree (default: that of f*)")
    p.add_argument("--n-fit", default="1000", metavar="N", help="hermite refit sample size (default 1000)")
    p.add_argument("--refit-every", default="1", metavar="K", help="hermite refit every K steps (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address to spread the seeds over, 'local' for in process, 'cluster' "
                        "for an embedded local cluster (default: in process unless the run is large)")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


# ----------------------------------------------------------------------------- parsing

def _integer(text: str, what: str, lo: int, hi: int, why: str = "") -> int:
    value = parse_number(text, what)
    if not value.is_integer:
        raise InputError(f"{what} must be an integer, got {text}")
    if not lo <= value <= hi:
        raise InputError(f"{what} must lie in [{lo}, {hi:.6g}]{why}, got {text}")
    return int(value)


def _link(args: argparse.Namespace, q: int) -> sympy.Expr:
    if args.alphas is None:
        return parse_expression(args.link, link_variables(q), "--link", max_degree=MAX_K)
    if q != 1:
        raise InputError(f"--alphas gives a single-index link (q = 1); for q = {q} use --link in z1..z{q}")
    alphas = parse_alphas(args.alphas, MAX_K)
    return polynomial_from_coefficients([alphas.get(k, 0) for k in range(max(alphas) + 1)])


def parse(args: argparse.Namespace) -> tuple[SgdSetup, dict]:
    """The setup and the run options of the command line, every limit checked up front."""
    q = _integer(args.q, "--q", 1, MAX_Q)
    link = _link(args, q)
    full = args.sampler == "full"
    d = _integer(args.d, "--d", 3 * q, MAX_D_FULL if full else MAX_D_EXACT,
                 f" (d >= 3q; the {args.sampler} sampler's limit)")
    lr = parse_number(args.lr, "--lr")
    if not (lr.is_positive and lr < 1):
        raise InputError(f"--lr must lie in (0, 1), got {args.lr}")
    batch = _integer(args.batch, "--batch", 1, MAX_BATCH)
    seeds = _integer(args.seeds, "--seeds", 1, MAX_SEEDS)
    m1 = parse_number(args.m1, "--to")
    if not (m1.is_positive and m1 <= 1):
        raise InputError(f"--to must lie in (0, 1], got {args.m1}")
    steps = _integer(args.max_steps, "--max-steps", 0, MAX_STEPS)
    n_fit = _integer(args.n_fit, "--n-fit", 1, MAX_FIT)
    every = _integer(args.refit_every, "--refit-every", 1, MAX_STEPS)
    degree = None if args.degree is None else _integer(args.degree, "--degree", 1, MAX_K)
    fits = args.model == "two-timescale" and args.refit == "hermite"
    per_step = batch + (n_fit / every if fits else 0)
    work = seeds * steps * per_step * (d if full else 1)
    limit = MAX_WORK_FULL if full else MAX_WORK_EXACT
    if work > limit:
        size = "seeds x max-steps x (batch + n-fit/refit-every)" + (" x d" if full else "")
        raise InputError(f"the run is too large: {size} = {work:.3g} exceeds the limit {limit:.0e} "
                         f"of the {args.sampler} sampler")
    if full and seeds * d * q > MAX_STATE_FULL:
        raise InputError(f"the full sampler holds seeds x d x q = {seeds * d * q:.3g} numbers, "
                         f"above the limit {MAX_STATE_FULL:.0e}")
    setup = SgdSetup(model=args.model, link=link, q=q, d=d, lr=float(lr), batch=batch, refit=args.refit,
                     degree=degree, n_fit=n_fit, refit_every=every)
    return setup, {"seeds": seeds, "to": float(m1), "max_steps": steps, "work": work}


# ----------------------------------------------------------------------------- running

def _task(job: tuple) -> tuple:
    """One block of seeds (a Dask task): ``(m0, escape_step)``."""
    setup, seeds, to, max_steps, sampler = job
    runs = run_sgd(setup, seeds, to=to, max_steps=max_steps, sampler=sampler)
    return runs.m0, runs.escape_step


def _scheduler(args: argparse.Namespace) -> str | None:
    """``"local"`` (in process: the default, since runs stop at their escape the work is not known
    in advance, and an embedded cluster costs seconds to start), ``None`` (``--scheduler cluster``:
    an embedded local Dask cluster) or a scheduler address."""
    if args.scheduler is None:
        return "local"
    return None if args.scheduler == "cluster" else args.scheduler


def simulate(setup: SgdSetup, seeds: int, to: float, max_steps: int, sampler: str,
             scheduler: str | None = "local", show_progress: bool = False) -> dict:
    """The ``simulate --json`` record of seeds ``0..seeds-1``."""
    start = time.perf_counter()
    ids = list(range(seeds))
    if scheduler == "local":
        m0, steps = _run_here(setup, ids, to, max_steps, sampler, show_progress)
    else:
        from gfverify.numerics.sweeps import map_tasks

        n_blocks = min(seeds, 4 * (os.cpu_count() or 1))  # a few tasks per core balance the load
        blocks = [ids[i::n_blocks] for i in range(n_blocks)]
        parts = map_tasks(_task, [(setup, b, to, max_steps, sampler) for b in blocks], scheduler=scheduler)
        order = np.argsort(np.concatenate(blocks))
        m0 = np.concatenate([p[0] for p in parts])[order]
        steps = np.concatenate([p[1] for p in parts])[order]
    times = [float(f"{setup.lr * int(k):.12g}") if k >= 0 else math.inf for k in steps]
    median = float(np.median(times))
    runs = [{"seed": s, "m0": float(m[0, 0]) if setup.q == 1 else m.tolist(),
             "escape_step": int(k) if k >= 0 else None,
             "escape_time": t if math.isfinite(t) else None} for s, m, k, t in zip(ids, m0, steps, times)]
    return {"model": setup.model, "d": setup.d, "q": setup.q, "lr": setup.lr, "batch": setup.batch,
            "sampler": sampler, "runs": runs, "median_escape_time": median if math.isfinite(median) else None,
            "seconds": round(time.perf_counter() - start, 3)}


def _run_here(setup: SgdSetup, ids: list[int], to: float, max_steps: int, sampler: str,
              show_progress: bool) -> tuple:
    if not show_progress:
        runs = run_sgd(setup, ids, to=to, max_steps=max_steps, sampler=sampler)
        return runs.m0, runs.escape_step
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("simulate"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("steps", total=len(ids) * max_steps)
        runs = run_sgd(setup, ids, to=to, max_steps=max_steps, sampler=sampler,
                       progress=lambda k: bar.advance(task, k))
    return runs.m0, runs.escape_step


def run(args: argparse.Namespace) -> int:
    setup, opts = parse(args)
    record = simulate(setup, opts["seeds"], opts["to"], opts["max_steps"], args.sampler,
                      _scheduler(args),
                      show_progress=opts["work"] > PROGRESS_WORK and sys.stderr.isatty())
    if args.json:
        sys.stdout.write(json.dumps(record) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"online SGD, {setup.model}, d = {setup.d}, q = {setup.q}, lr = {setup.lr:g}, "
                        f"batch {setup.batch}, {args.sampler} sampler: escape to m1 = {opts['to']:g}")
    for column in ("seed", "m0", "escape_step", "escape_time"):
        table.add_column(column, justify="right")
    for r in record["runs"]:
        m0 = f"{r['m0']:+.5f}" if setup.q == 1 else str(np.round(r["m0"], 4).tolist())
        table.add_row(str(r["seed"]), m0, str(r["escape_step"] if r["escape_step"] is not None else "-"),
                      f"{r['escape_time']:.6g}" if r["escape_time"] is not None else "not escaped")
    Console().print(table)
    Console().print(f"median escape time {record['median_escape_time']}, {record['seconds']} s")
    return 0
