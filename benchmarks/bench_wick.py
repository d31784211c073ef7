"""Benchmark: exact Gaussian expectations of polynomials with gfverify.theory.wick against
sympy.stats (the anchor of issue 3). Run by hand: python benchmarks/bench_wick.py; prints a
table and writes benchmarks/results/bench_wick.md."""

from __future__ import annotations

import time
from pathlib import Path

import sympy
from sympy.stats import E, Normal

from gfverify.theory.wick import gaussian_expectation

X, Y, Z = sympy.symbols("x y z", real=True)
A, B, C = Normal("a", 0, 1), Normal("b", 0, 1), Normal("c", 0, 1)
#: (x, y, z) = L (a, b, c): covariance L Lᵀ, rational
L = sympy.Matrix([[1, 0, 0], [sympy.Rational(1, 2), 1, 0], [sympy.Rational(-1, 3), sympy.Rational(1, 4), 1]])
CASES = {
    "x²y² (degree 4, 2 variables)": X**2 * Y**2,
    "x³y²z − xy⁴ + z⁴ (degree 6, 3 variables)": X**3 * Y**2 * Z - X * Y**4 + Z**4,
    "(x + y − z)⁶ (degree 6, dense)": (X + Y - Z) ** 6,
}


def main() -> None:
    cov = L * L.T
    xs = list(L * sympy.Matrix([A, B, C]))
    rows = []
    for name, p in CASES.items():
        start = time.perf_counter()
        ours = gaussian_expectation(p, [X, Y, Z], cov)
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        theirs = sympy.simplify(E(sympy.expand(p.subs({X: xs[0], Y: xs[1], Z: xs[2]}, simultaneous=True))))
        t_theirs = time.perf_counter() - start
        assert sympy.simplify(ours - theirs) == 0, (name, ours, theirs)
        rows.append((name, str(ours), t_ours, t_theirs, t_theirs / t_ours))
    lines = ["# bench_wick: E[p(x)], x ~ N(0, Σ), rational Σ", "",
             "| polynomial | value | wick s | sympy.stats s | ratio |", "| --- | --- | ---: | ---: | ---: |"]
    lines += [f"| {a} | {b} | {c:.4f} | {d:.3f} | {e:.0f}× |" for a, b, c, d, e in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    (Path(__file__).parent / "results" / "bench_wick.md").write_text(text)


if __name__ == "__main__":
    main()
