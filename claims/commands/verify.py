"""``gfverify verify``: run the claims and judge them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from gfverify.claims import registry, runner
from gfverify.claims.options import dps, positive_int

NAME = "verify"
HELP = "run the claims of the selected tier and print the table (exit 1 if one fails)"
ORDER = 0
DEFAULT_DPS = 30


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tier", choices=("quick", "full"), default="quick")
    p.add_argument("--only", metavar="GLOB", help="only claims whose id matches this glob")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON ('-' for stdout)")
    p.add_argument("--report", metavar="DIR", help="write results, a markdown table and figures")
    p.add_argument("--dps", type=dps, default=DEFAULT_DPS, help="working precision (digits)")
    p.add_argument("--jobs", type=positive_int, default=None,
                   help="worker processes (default: one per core, at most 4)")


def run(args: argparse.Namespace) -> int:
    claims = registry.select(args.tier, args.only)
    if not claims:
        sys.stderr.write(f"gfverify: error: no claim selected (tier {args.tier}, --only {args.only!r})\n")
        return 2
    jobs = args.jobs or runner.default_jobs()
    results = runner.run_claims(claims, args.dps, show_progress=sys.stderr.isatty(), jobs=jobs)
    payload = runner.results_json(results)
    if args.json == "-":
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        # a terminal gets its own width; a log or pipe gets room for the whole table
        console = Console(width=None if sys.stdout.isatty() else 160)
        console.print(runner.table(results))
        s = payload["summary"]
        console.print(f"{s['total']} claims, " + ", ".join(
            f"{s[k]} {k}" for k in ("PASS", "CERTIFIED", "FAIL", "ERROR", "SKIP") if k in s)
            + f" in {s['seconds']:.1f} s")
        for r in results:
            if r.note and r.status in ("ERROR", "SKIP"):
                console.print(f"[yellow]{r.claim.id}[/]: {r.note}")
        if args.json:
            Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    if args.report:
        written = runner.write_report(results, Path(args.report), args.dps)
        sys.stderr.write(f"report: {len(written)} files in {args.report}\n")
    return 0 if payload["summary"]["ok"] else 1
