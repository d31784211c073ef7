"""Benchmark: online-SGD steps per second, one seed, of the d-dimensional numpy sampler (``full``)
and the exact overlap sampler (``exact``, numba), at d = 10^4, 10^5, 10^6 (and the exact one also
at 10^7, 10^8), batch 1 and 64. Issue 11's targets: exact ≥ 1000× full at d = 10^5, batch 1; the
exact sampler's cost flat in d within 2× from 10^4 to 10^8; ≤ 1 µs per step and seed at batch 1.

Problem: planted, f* = h_3 (q = 1), from m(0) = 0.01, η = 10^-9 (no escape: every run does its
full number of steps, ``to=None``). Compilation is done before timing (a warm-up run). Times are
process CPU seconds (the machine is shared; wall seconds are shown too).

Run by hand: ``python benchmarks/bench_sgd.py`` (prints a table, writes
``benchmarks/results/bench_sgd.md``).
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numba
import numpy as np

from gfverify.numerics.online_sgd import SgdSetup, run_sgd
from gfverify.theory.hermite import Z, h

M0 = np.array([[0.01]])
FULL_DS = (10**4, 10**5, 10**6)
EXACT_DS = (10**4, 10**5, 10**6, 10**7, 10**8)
BATCHES = (1, 64)
#: Samples (steps x batch) per timed run: about a CPU second or more on this machine.
FULL_SAMPLES = 2 * 10**8
EXACT_SAMPLES = {1: 4 * 10**6, 64: 6.4 * 10**6}


def steps_per_second(sampler: str, d: int, batch: int, steps: int) -> tuple[float, float, int]:
    """(CPU steps/s, wall steps/s, steps) of one seed."""
    setup = SgdSetup(model="planted", link=h(3, Z), q=1, d=d, lr=1e-9, batch=batch)
    run_sgd(setup, [0], to=None, max_steps=2, sampler=sampler, m0=M0)  # compile / warm up
    w, c = time.perf_counter(), time.process_time()
    run_sgd(setup, [0], to=None, max_steps=steps, sampler=sampler, m0=M0)
    cpu, wall = time.process_time() - c, time.perf_counter() - w
    return steps / cpu, steps / wall, steps


def main() -> None:
    load = os.getloadavg()[0]
    rows, rate = [], {}
    for batch in BATCHES:
        for d in FULL_DS:
            steps = max(3, int(FULL_SAMPLES // (d * batch)))
            cpu, wall, n = steps_per_second("full", d, batch, steps)
            rate["full", d, batch] = cpu
            rows.append(("full", d, batch, n, cpu, wall))
            print(rows[-1], flush=True)
        for d in EXACT_DS:
            steps = int(EXACT_SAMPLES[batch] // batch)
            cpu, wall, n = steps_per_second("exact", d, batch, steps)
            rate["exact", d, batch] = cpu
            rows.append(("exact", d, batch, n, cpu, wall))
            print(rows[-1], flush=True)
    lines = [
        "# bench_sgd: online-SGD steps per second, full (d-dimensional numpy) and exact (overlap process, numba)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.2f} at start; "
        f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}",
        "",
        "Planted f* = h_3, q = 1, one seed, m(0) = 0.01, η = 1e-9 (no escape), compiled before timing. "
        "Rates are steps per CPU second of the process (the machine is shared: the CPU rate is the comparable "
        "measure; the wall rate is shown beside it). `µs/step` = 10^6 / CPU rate.",
        "",
        "| sampler | d | batch | steps timed | steps/s (CPU) | steps/s (wall) | µs/step (CPU) |",
        "|---|---|---|---|---|---|---|",
    ]
    for sampler, d, batch, n, cpu, wall in rows:
        lines.append(f"| {sampler} | 10^{round(np.log10(d))} | {batch} | {n} | {cpu:.4g} | {wall:.4g} | {1e6 / cpu:.4g} |")
    lines += ["", "Ratios (CPU rates):", ""]
    for batch in BATCHES:
        for d in FULL_DS:
            lines.append(f"- exact / full at d = 10^{round(np.log10(d))}, batch {batch}: "
                         f"{rate['exact', d, batch] / rate['full', d, batch]:.3g}x")
        exact = [rate["exact", d, batch] for d in EXACT_DS]
        lines.append(f"- exact, batch {batch}: slowest / fastest rate over d = 10^4..10^8: "
                     f"{max(exact) / min(exact):.3f} (target: within 2)")
    target = rate["exact", 10**5, 1] / rate["full", 10**5, 1]
    lines += ["", f"Target exact >= 1000x full at d = 10^5, batch 1: {target:.3g}x "
                  f"({'met' if target >= 1000 else 'NOT met'}). Target <= 1 µs per step at batch 1: "
                  f"{max(1e6 / rate['exact', d, 1] for d in EXACT_DS):.3g} µs at worst "
                  f"({'met' if all(rate['exact', d, 1] >= 1e6 for d in EXACT_DS) else 'NOT met on this loaded machine'})."]
    out = Path(__file__).parent / "results" / "bench_sgd.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
