"""Benchmark: ``gfverify verify`` on a process pool (the default) versus an embedded Dask local
cluster (``--scheduler cluster``), both with ``--jobs 2`` on the quick-tier subset
``--only 'hermite.*'`` (stable while other claim modules are being added); and the fixed cost of
an embedded cluster in ``gfverify.numerics.sweeps.map_tasks`` (start-up and shutdown, measured
with trivial tasks).

Each verify run is a fresh ``nice gfverify verify`` process, timed by wall clock and by the CPU
seconds of the process and all its descendants (``RUSAGE_CHILDREN``: Dask's nannies and workers
included). The machine is shared, so the 1-minute load average is recorded before and after each
run; ``--rounds 2`` repeats the pair (pool first, then Dask) when the load moved a lot.

Run by hand: ``python benchmarks/bench_sweeps.py [--rounds N]`` (prints a table, writes
``benchmarks/results/bench_sweeps.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONLY = "hermite.*"
JOBS = 2
METHODS = {"process pool (default)": [],
           "Dask, embedded local cluster": ["--scheduler", "cluster"]}
RESULTS = Path(__file__).resolve().parent / "results" / "bench_sweeps.md"


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def verify_run(extra: list[str]) -> dict:
    """One ``nice gfverify verify`` process: wall and descendant-CPU seconds, claim counts."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        argv = ["nice", sys.executable, "-m", "gfverify", "verify", "--tier", "quick", "--only", ONLY,
                "--jobs", str(JOBS), "--json", str(out), *extra]
        before_load, cpu0 = load(), resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        wall = time.perf_counter() - start
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
        summary = json.loads(out.read_text())["summary"]
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"wall": wall, "cpu": cpu, "claims": summary["total"], "claim_seconds": summary["seconds"],
            "load_before": before_load, "load_after": load(), "stderr": proc.stderr.strip()}


def _square(x: int) -> int:
    return x * x


def cluster_cost(workers: int = JOBS) -> dict:
    """Seconds of ``map_tasks`` on trivial tasks: in process, and on an embedded local cluster
    (start-up + shutdown of ``workers`` worker processes dominate)."""
    from gfverify.numerics import sweeps

    tasks = list(range(2 * workers))
    start = time.perf_counter()
    sweeps.map_tasks(_square, tasks, scheduler="local")
    local = time.perf_counter() - start
    start = time.perf_counter()
    sweeps.map_tasks(_square, tasks, workers=workers)
    embedded = time.perf_counter() - start
    return {"local": local, "embedded": embedded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="pairs of runs (pool, then Dask)")
    rounds = parser.parse_args().rounds
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    rows = []
    for r in range(rounds):
        for name, extra in METHODS.items():
            rec = verify_run(extra)
            rows.append((r + 1, name, rec))
            print(f"round {r + 1} {name}: {rec['wall']:.1f} s wall, {rec['cpu']:.1f} s CPU, "
                  f"load {rec['load_before']:.2f} -> {rec['load_after']:.2f}", flush=True)
    cost = [cluster_cost() for _ in range(3)]
    uptime_end = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    lines = ["# bench_sweeps: `gfverify verify` on a process pool vs an embedded Dask cluster", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other sessions); "
             f"Python {platform.python_version()}; `uptime` at start: `{uptime}`; at end: `{uptime_end}`.",
             "", f"Command: `nice gfverify verify --tier quick --only '{ONLY}' --jobs {JOBS} --json FILE` "
             "plus the method's options. CPU = user + system seconds of the command and all its "
             "descendants; claim s = the sum of the claims' own seconds (the `summary.seconds` of "
             "the JSON); load = 1-minute load average before -> after the run.", "",
             "| round | method | options | claims | wall [s] | CPU [s] | claim s | load |",
             "|---|---|---|---|---|---|---|---|"]
    for r, name, rec in rows:
        options = " ".join(METHODS[name]) or "-"
        lines.append(f"| {r} | {name} | `{options}` | {rec['claims']} | {rec['wall']:.1f} | "
                     f"{rec['cpu']:.1f} | {rec['claim_seconds']:.1f} | "
                     f"{rec['load_before']:.2f} -> {rec['load_after']:.2f} |")
    lines.append("")
    for r in range(1, rounds + 1):
        pool, dask = (rec for q, _, rec in rows if q == r)
        lines.append(f"Round {r}: Dask / pool wall-time ratio {dask['wall'] / pool['wall']:.2f}, "
                     f"CPU ratio {dask['cpu'] / pool['cpu']:.2f}.")
    lines += ["", f"Fixed cost of an embedded cluster ({JOBS} workers) in `map_tasks`, "
              f"{2 * JOBS} trivial tasks, three times: "
              + ", ".join(f"{c['embedded']:.2f} s" for c in cost)
              + " (in process: " + ", ".join(f"{c['local'] * 1e6:.0f} µs" for c in cost) + ")."]
    stderr = {rec["stderr"] for _, _, rec in rows} - {""}
    lines += ["", "stderr of the verify runs: " + ("empty." if not stderr else repr(sorted(stderr)))]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
