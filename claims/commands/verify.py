"""``gfverify verify``: run the claims and judge them."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import traceback

from rich.console import Console

from gfverify.claims import outputs, registry, runner
from gfverify.claims.model import Claim, Result
from gfverify.claims.options import bounded_int, dps
from gfverify.errors import InputError

NAME = "verify"
HELP = "run the claims of the selected tier and print the table (exit 1 if one fails)"
ORDER = 0
DEFAULT_DPS = 30
#: ``--scheduler`` value that starts a local Dask cluster of ``--jobs`` workers for the run.
EMBEDDED = "cluster"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tier", choices=("quick", "full"), default="quick")
    p.add_argument("--only", metavar="GLOB", help="only claims whose id matches this glob")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON ('-' for stdout)")
    p.add_argument("--report", metavar="DIR",
                   help="write DIR/index.html (the report page), results.json, claims.md and figures")
    p.add_argument("--dps", type=dps, default=DEFAULT_DPS, help="working precision (digits)")
    p.add_argument("--jobs", type=bounded_int(1, runner.MAX_JOBS), default=None,
                   help=f"worker processes, at most {runner.MAX_JOBS} (default: one per core, at most 4)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the claims as Dask tasks on the scheduler at ADDRESS (tcp://host:port), "
                        f"or '{EMBEDDED}' for a local Dask cluster of --jobs workers (default: a "
                        "process pool, faster on one machine)")


def run(args: argparse.Namespace) -> int:
    claims = registry.select(args.tier, args.only)
    if not claims:
        raise InputError(f"no claim selected (tier {args.tier}, --only {args.only!r})")
    jobs = args.jobs or runner.default_jobs()
    json_file = None if args.json in (None, "-") else args.json
    # both outputs are checked now, before any claim runs, and appear only when all is done
    with outputs.atomic_file(json_file, "--json") as json_path, \
            outputs.atomic_directory(args.report, "--report") as report_path:
        if args.scheduler is not None:
            results = _run_on_dask(claims, args.dps, args.scheduler, jobs)
        else:
            results = runner.run_claims(claims, args.dps, show_progress=sys.stderr.isatty(), jobs=jobs)
        payload = runner.results_json(results)
        if args.json == "-":
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        else:
            _print_table(results, payload["summary"])
        if json_path is not None:
            json_path.write_text(json.dumps(payload, indent=2) + "\n")
        if report_path is not None:
            written = runner.write_report(results, report_path, args.dps)
    if args.report:
        sys.stderr.write(f"report: {len(written)} files in {args.report}\n")
    return 0 if payload["summary"]["ok"] else 1


def _run_on_dask(claims: list[Claim], dps: int, scheduler: str, jobs: int) -> list[Result]:
    """One Dask task per claim on ``scheduler`` (``EMBEDDED``: a local cluster of ``jobs``
    workers started and closed here); results in the order of ``claims``."""
    from gfverify.numerics import sweeps

    outcomes = sweeps.map_tasks(functools.partial(_run_claim, dps=dps), [c.id for c in claims],
                                scheduler=None if scheduler == EMBEDDED else scheduler, workers=jobs)
    return [Result(c, *outcome) for c, outcome in zip(claims, outcomes)]


def _run_claim(claim_id: str, dps: int) -> tuple:
    """Dask task: one claim's picklable outcome; a claim that crashes is an ERROR, as in the pool."""
    try:
        return runner._run_by_id(claim_id, dps)
    except Exception as exc:  # noqa: BLE001 - a crashed claim is an ERROR, not the end of the run
        return "ERROR", None, 0.0, repr(exc), traceback.format_exc()


def _print_table(results: list, summary: dict) -> None:
    # a terminal gets its own width; a log or pipe gets room for the whole table
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(runner.table(results))
    console.print(f"{summary['total']} claims, " + ", ".join(
        f"{summary[k]} {k}" for k in ("PASS", "CERTIFIED", "FAIL", "ERROR", "SKIP") if k in summary)
        + f" in {summary['seconds']:.1f} s")
    for r in results:
        if r.note and r.status in ("ERROR", "SKIP"):
            console.print(f"[yellow]{r.claim.id}[/]: {r.note}")
