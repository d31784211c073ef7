"""``gfverify show CLAIM_ID``: statement, derivation and evidence of one claim; ``--latex`` for a
paper, ``--json`` for machines (the schema is in docs/cli.md)."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from gfverify.claims import registry
from gfverify.claims.derivation import coerce, latex_text
from gfverify.claims.model import Claim, Result
from gfverify.claims.options import dps
from gfverify.errors import InputError

NAME = "show"
HELP = "show one claim: statement, LaTeX, derivation and the evidence of a fresh check"
ORDER = 2
#: The ``schema`` value of ``show --json`` records; bumped when a key changes meaning.
JSON_SCHEMA = "gfverify.show/1"
#: Keys of a verify record that describe the claim rather than the check's outcome.
_CLAIM_KEYS = ("id", "kind", "statement", "source")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("claim_id", metavar="CLAIM_ID")
    p.add_argument("--dps", type=dps, default=30)
    form = p.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true",
                      help="print the statement and the derivation as LaTeX (runs no check)")
    form.add_argument("--json", action="store_true",
                      help="print one JSON record: the claim, its derivation and a fresh check's evidence")


def run(args: argparse.Namespace) -> int:
    try:
        claim = registry.get(args.claim_id)
    except KeyError:
        raise InputError(f"no claim with id {args.claim_id!r} (see `gfverify list`)") from None
    if args.latex:
        print(latex(claim))
        return 0
    if args.json:
        result = claim.run(args.dps)
        print(json.dumps(record(claim, result), indent=2, ensure_ascii=False))
        return 0 if result.ok else 1
    console = Console()
    console.rule(f"[bold]{claim.id}[/]  ({claim.kind}, tier {claim.tier})")
    console.print(f"[bold]Statement[/]: {claim.statement}")
    console.print("[bold]LaTeX[/]: ", end="")
    console.print(claim.latex, markup=False, highlight=False)
    console.print(f"[bold]Source[/]: {claim.source}")
    if claim.derivation is not None:
        console.rule("derivation")
        console.print(coerce(claim.derivation()).text(), markup=False, highlight=False)
    console.rule("evidence")
    result = claim.run(args.dps)
    console.print_json(json.dumps(_evidence(result, claim_keys=True)))
    return 0 if result.ok else 1


def latex(claim: Claim) -> str:
    """The claim as LaTeX to paste into a paper (amsmath; the Unicode of the prose needs XeLaTeX
    or LuaLaTeX): a comment with its kind, tier and source, the statement in words and as a
    displayed formula, then the derivation."""
    lines = [f"% gfverify claim {claim.id} ({claim.kind}, tier {claim.tier})",
             f"% source: {claim.source}",
             f"\\paragraph{{Claim \\texttt{{{latex_text(claim.id)}}}.}} {latex_text(claim.statement)}",
             f"\\[ {claim.latex} \\]"]
    if claim.derivation is not None:
        lines += ["", "\\paragraph{Derivation.}", coerce(claim.derivation()).latex()]
    return "\n".join(lines)


def record(claim: Claim, result: Result) -> dict:
    """The ``show --json`` record (schema :data:`JSON_SCHEMA`, documented in docs/cli.md)."""
    derivation = None if claim.derivation is None else coerce(claim.derivation())
    return {"schema": JSON_SCHEMA, "id": claim.id, "kind": claim.kind, "tier": claim.tier,
            "statement": claim.statement, "latex": claim.latex,
            "source": {**claim.source.as_json(), "citation": str(claim.source)},
            "derivation": None if derivation is None else {"text": derivation.text(),
                                                           "latex": derivation.latex()},
            "evidence": _evidence(result, claim_keys=False)}


def _evidence(result: Result, claim_keys: bool) -> dict:
    """The verify record of ``result`` with the check's details as strings; without the keys
    that describe the claim unless ``claim_keys``."""
    rec = result.as_json()
    if not claim_keys:
        rec = {k: v for k, v in rec.items() if k not in _CLAIM_KEYS}
    if result.evidence is not None and result.evidence.details:
        rec["details"] = {k: str(v) for k, v in result.evidence.details.items()}
    return rec
