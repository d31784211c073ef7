"""Running a selection of claims: progress on stderr, results as records, optional report."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gfverify.claims import registry, report_html
from gfverify.claims.model import Claim, Result

#: Most worker processes ``verify --jobs`` accepts (each holds its own copy of the claims).
MAX_JOBS = 64


def default_jobs() -> int:
    """Worker processes for ``verify``: one per available core, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


STYLE = {"PASS": "green", "CERTIFIED": "bold green", "FAIL": "bold red",
         "ERROR": "bold magenta", "SKIP": "yellow"}


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C reaches the whole process group, and only the parent acts on
    it (it cancels the queue and kills the workers), so a worker never starts another claim."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued claims and kill the running workers at once."""
    workers = list(pool._processes.values())  # the executor's own handles on its workers
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.kill()
    for process in workers:
        process.join(timeout=5)


def _run_by_id(claim_id: str, dps: int) -> tuple:
    """Worker: run one claim in a child process and return the picklable part of its Result."""
    r = registry.get(claim_id).run(dps)
    return r.status, r.evidence, r.seconds, r.note, r.trace


def run_claims(claims: list[Claim], dps: int, show_progress: bool = True,
               jobs: int = 1) -> list[Result]:
    """Run each claim once at ``dps`` (in ``jobs`` worker processes when ``jobs > 1``), with a
    rich progress bar on stderr; results come back in the order of ``claims``. An interrupt
    (KeyboardInterrupt) cancels the queue and kills the workers before it propagates."""
    console = Console(stderr=True)
    results: dict[str, Result] = {}
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("verifying", total=len(claims))
        if jobs <= 1 or len(claims) <= 1:
            for claim in claims:
                progress.update(task, description=claim.id)
                results[claim.id] = claim.run(dps)
                progress.advance(task)
        else:
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                       initializer=_ignore_sigint)
            try:
                futures = {pool.submit(_run_by_id, c.id, dps): c for c in claims}
                for future in as_completed(futures):
                    claim = futures[future]
                    try:
                        status, evidence, seconds, note, trace = future.result()
                    except Exception as exc:  # noqa: BLE001 - a crashed worker is an ERROR
                        status, evidence, seconds, note, trace = "ERROR", None, 0.0, repr(exc), ""
                    results[claim.id] = Result(claim, status, evidence, seconds, note, trace)
                    progress.update(task, description=claim.id)
                    progress.advance(task)
            except BaseException:
                _stop(pool)
                raise
            pool.shutdown()
    return [results[c.id] for c in claims]


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
        t.add_column(col, justify=just, no_wrap=(col == "claim"))
    for r in results:
        rec = r.as_json()
        t.add_row(rec["id"], rec["kind"], f"[{STYLE[r.status]}]{r.status}[/]",
                  rec["residual"] or "-", rec["tolerance"] or "-",
                  "-" if rec["digits"] is None else f"{rec['digits']:.0f}",
                  f"{r.seconds:.2f}")
    return t


def write_report(results: list[Result], directory: Path, dps: int) -> list[Path]:
    """Write ``results.json``, ``claims.md``, every registered figure and the page
    ``index.html`` (:mod:`gfverify.claims.report_html`) into ``directory``."""
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
    drawn = {report: report(directory, dps) for report in registry.all_reports()}
    written += [p for paths in drawn.values() for p in paths]
    written.append(report_html.write(directory, results, drawn, dps))
    return written
