"""Benchmark (issue 3): all 101 Hermite coefficients of four smooth links at 50 digits.

Side by side in one run:
  * gfverify's one-pass route (numerics.hermite: shared nodes, fixed-point recurrence, two
    refinement levels at two precisions), in process (cold = first call, warm = repeated) and
    as the CLI (`gfverify hermite EXPR --kmax 100 --dps 50 --json`, wall time incl. start-up);
  * the naive route: one mpmath.quad per coefficient at the same precision (58 working digits),
    alpha_k = quad(f(z) He_k(z) phi(z) / sqrt(k!), [-inf, 0, inf]).
The naive route is timed on every coefficient for tanh and on k = 0, 25, 50, 75, 100 for the
other links (its per-coefficient cost grows about linearly in k; the total is extrapolated by
the trapezoid rule over those k, and the table says so). Digits: the naive values are compared
with ours; 'confirmed' is the agreement of our two runs.

Run: python benchmarks/bench_hermite.py   (writes benchmarks/results/bench_hermite.md)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import mpmath
import sympy

from gfverify.numerics import hermite as numeric
from gfverify.theory.expressions import parse_expression
from gfverify.theory.hermite import Z

LINKS = ["tanh(z)", "log(1+exp(z))", "1/(1+exp(-z))", "z*(1+erf(z/sqrt(2)))/2"]
KMAX, DIGITS = 100, 50


def naive(f: sympy.Expr, ks: list[int]) -> dict[int, tuple[mpmath.mpf, float]]:
    fun = numeric.mp_function(f, Z)
    out = {}
    with mpmath.workdps(DIGITS + 8):
        for k in ks:
            norm = 1 / mpmath.sqrt(mpmath.factorial(k))
            start = time.perf_counter()
            val = mpmath.quad(lambda x: fun(x) * mpmath.hermite(k, x / mpmath.sqrt(2))
                              * 2 ** (-mpmath.mpf(k) / 2) * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf]) * norm
            out[k] = (val, time.perf_counter() - start)
    return out


def main() -> None:
    rows = []
    for text in LINKS:
        f = parse_expression(text, [Z], "link")
        start = time.perf_counter()
        res = numeric.hermite_coefficients(f, KMAX, DIGITS)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        numeric.hermite_coefficients(f, KMAX, DIGITS)
        warm = time.perf_counter() - start
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gfverify", "hermite", text, "--kmax", str(KMAX),
                               "--dps", str(DIGITS), "--json"], capture_output=True, text=True, check=True)
        cli = time.perf_counter() - start
        assert len(json.loads(proc.stdout)["alpha"]) == KMAX + 1
        full = text == "tanh(z)"
        ks = list(range(KMAX + 1)) if full else [0, 25, 50, 75, 100]
        ref = naive(f, ks)
        if full:
            naive_time = sum(t for _, t in ref.values())
        else:  # trapezoid over the sampled k of the per-coefficient time
            naive_time = sum((ref[a][1] + ref[b][1]) / 2 * (b - a) for a, b in zip(ks[:-1], ks[1:])) \
                + (ref[0][1] + ref[100][1]) / 2
        with mpmath.workdps(DIGITS + 8):
            agree = min((50.0 if ref[k][0] == res.alphas[k] else
                         float(-mpmath.log10(abs(ref[k][0] - res.alphas[k]) / max(abs(ref[k][0]), mpmath.mpf(10) ** -60))))
                        for k in ks if not res.exact_zero[k])
        rows.append((text, cold, warm, cli, res.digits, naive_time, "measured" if full else "extrapolated",
                     agree, naive_time / warm))
        print(rows[-1], flush=True)
    lines = ["# Hermite coefficients: k = 0..100 at 50 digits", "",
             f"Command: `python benchmarks/bench_hermite.py` ({time.strftime('%Y-%m-%d')}, 2 cores, "
             "shared machine).", "",
             "| link | ours cold (s) | ours warm (s) | CLI wall (s) | confirmed digits | naive mpmath.quad (s) | naive timing | naive vs ours (digits) | speed-up (naive / warm) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r[0]}` | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.1f} | {r[5]:.1f} | {r[6]} | {r[7]:.1f} | {r[8]:.0f}x |")
    out = Path(__file__).parent / "results" / "bench_hermite.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
