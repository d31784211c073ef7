"""Running a selection of claims: progress on stderr, results as records, optional report."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gfverify.claims import registry
from gfverify.claims.model import Claim, Result

STYLE = {"PASS": "green", "CERTIFIED": "bold green", "FAIL": "bold red",
         "ERROR": "bold magenta", "SKIP": "yellow"}


def run_claims(claims: list[Claim], dps: int, show_progress: bool = True) -> list[Result]:
    """Run each claim once at ``dps``; a rich progress bar on stderr while it works."""
    results: list[Result] = []
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("verifying", total=len(claims))
        for claim in claims:
            progress.update(task, description=claim.id)
            results.append(claim.run(dps))
            progress.advance(task)
    return results


def summary(results: list[Result]) -> dict:
    """Counts per status, total seconds and the overall verdict."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {"total": len(results), **counts,
            "seconds": round(sum(r.seconds for r in results), 3),
            "ok": all(r.ok for r in results)}


def results_json(results: list[Result]) -> dict:
    return {"claims": [r.as_json() for r in results], "summary": summary(results)}


def table(results: list[Result]) -> Table:
    """The claim table: id, kind, status, residual, tolerance, agreed digits, seconds."""
    t = Table(title="gfverify claims", show_lines=False)
    for col, just in (("claim", "left"), ("kind", "left"), ("status", "left"),
                      ("residual", "right"), ("tol", "right"), ("digits", "right"),
                      ("s", "right")):
        t.add_column(col, justify=just)
    for r in results:
        rec = r.as_json()
        t.add_row(rec["id"], rec["kind"], f"[{STYLE[r.status]}]{r.status}[/]",
                  rec["residual"] or "-", rec["tolerance"] or "-",
                  "-" if rec["digits"] is None else f"{rec['digits']:.0f}",
                  f"{r.seconds:.2f}")
    return t


def write_report(results: list[Result], directory: Path, dps: int) -> list[Path]:
    """Write ``results.json``, ``claims.md`` and every registered figure into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    path = directory / "results.json"
    path.write_text(json.dumps(results_json(results), indent=2))
    written.append(path)
    lines = ["| claim | kind | status | residual | tolerance | digits | method |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        rec = r.as_json()
        lines.append(f"| `{rec['id']}` | {rec['kind']} | {rec['status']} | {rec['residual']} | "
                     f"{rec['tolerance']} | {rec['digits']} | {rec['method']} |")
    path = directory / "claims.md"
    path.write_text("\n".join(lines) + "\n")
    written.append(path)
    for report in registry.all_reports():
        written.extend(report(directory, dps))
    return written
