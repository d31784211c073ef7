"""Benchmark (issue 13): certified enclosures of the 101 Hermite coefficients at 50 digits,
against the two-precision quadrature of numerics.hermite, one run each, in process.

For each link: seconds of ``certified.hermite_enclosures(f, 100, 50)`` (cold: first call, which
also builds the Gauss–Legendre nodes; warm: a second call), seconds of
``hermite.hermite_coefficients(f, 100, 50)`` (two refinement levels at two precisions), their
ratio, the widest ball, and whether every ball contains the quadrature value at 60 digits.
Then certified Gaussian kernels E[f(x) f(y)] at 30 digits (the sign kernel at the ρ where the
2-D quadrature gave up after 100-150 s).

Run: python benchmarks/bench_certified.py   (writes benchmarks/results/bench_certified.md)
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

import flint
import mpmath
import sympy

from gfverify.numerics import certified
from gfverify.numerics import hermite as numeric
from gfverify.numerics.certified_kernels import certified_kernel
from gfverify.theory.expressions import parse_expression
from gfverify.theory.hermite import Z

LINKS = ["tanh(z)", "erf(z)", "Max(z, 0)", "sign(z)", "log(1+exp(z))", "1/(1+exp(-z))",
         "z*(1+erf(z/sqrt(2)))/2"]
KERNELS = [("sign(z)", "1/10"), ("sign(z)", "-9/10"), ("sign(z)", "99/100"), ("Max(z, 0)", "1/2"),
           ("erf(z)", "1/2")]
KMAX, DIGITS = 100, 50


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _contains(ball, value) -> bool:
    with mpmath.workdps(80):
        mid = mpmath.mpf(ball.mid().str(70, radius=False))
        return abs(mid - value) <= mpmath.mpf(ball.rad().str(10, radius=False))


def main() -> None:
    rows = ["| link | certified cold (s) | certified warm (s) | two-precision quadrature (s) | "
            "quadrature / certified (warm) | widest ball | all contain |", "|" + "---|" * 7]
    for text in LINKS:
        f = parse_expression(text, [Z], "link")
        _, cold = _timed(lambda: certified.hermite_enclosures(f, KMAX, DIGITS))
        enc, warm = _timed(lambda: certified.hermite_enclosures(f, KMAX, DIGITS))
        ref, quad = _timed(lambda: numeric.hermite_coefficients(f, KMAX, DIGITS))
        check = numeric.hermite_coefficients(f, KMAX, DIGITS + 10)
        widest = max(mpmath.mpf(b.rad().str(5, radius=False)) for b in enc.balls)
        ok = all(_contains(b, a) for b, a in zip(enc.balls, check.alphas))
        rows.append(f"| `{text}` | {cold:.2f} | {warm:.2f} | {quad:.2f} | {quad / warm:.1f} | "
                    f"{mpmath.nstr(widest, 3)} | {ok} |")
        print(rows[-1], flush=True)
    krows = ["| link | ρ | seconds | ball |", "|---|---|---|---|"]
    for text, rho in KERNELS:
        f = parse_expression(text, [Z], "link")
        ball, sec = _timed(lambda: certified_kernel(f, sympy.Rational(rho), 30))
        krows.append(f"| `{text}` | {rho} | {sec:.2f} | {ball.str(35)} |")
        print(krows[-1], flush=True)
    out = Path(__file__).parent / "results" / "bench_certified.md"
    out.write_text("# bench_certified\n\n"
                   f"Machine: {platform.processor() or platform.machine()}, Python "
                   f"{platform.python_version()}, python-flint {flint.__version__}; one run each, "
                   "in process, on a shared machine (2 cores, several sessions).\n\n"
                   f"## Hermite coefficients, K = {KMAX}, {DIGITS} digits\n\n" + "\n".join(rows)
                   + "\n\n## Gaussian kernels E[f(x) f(y)], 30 digits\n\n" + "\n".join(krows) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
