"""``gfverify show CLAIM_ID``: statement, derivation and evidence of one claim."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from gfverify.claims import registry
from gfverify.claims.options import dps
from gfverify.errors import InputError

NAME = "show"
HELP = "show one claim: statement, LaTeX, derivation and the evidence of a fresh check"
ORDER = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("claim_id", metavar="CLAIM_ID")
    p.add_argument("--dps", type=dps, default=30)


def run(args: argparse.Namespace) -> int:
    try:
        claim = registry.get(args.claim_id)
    except KeyError:
        raise InputError(f"no claim with id {args.claim_id!r} (see `gfverify list`)") from None
    console = Console()
    console.rule(f"[bold]{claim.id}[/]  ({claim.kind}, tier {claim.tier})")
    console.print(f"[bold]Statement[/]: {claim.statement}")
    console.print("[bold]LaTeX[/]: ", end="")
    console.print(claim.latex, markup=False, highlight=False)
    console.print(f"[bold]Source[/]: {claim.source}")
    if claim.derivation is not None:
        console.rule("derivation")
        console.print(claim.derivation(), markup=False, highlight=False)
    console.rule("evidence")
    result = claim.run(args.dps)
    record = result.as_json()
    if result.evidence is not None and result.evidence.details:
        record["details"] = {k: str(v) for k, v in result.evidence.details.items()}
    console.print_json(json.dumps(record))
    return 0 if result.ok else 1
