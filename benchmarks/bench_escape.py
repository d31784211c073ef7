"""Benchmark: the s = 3 plateau m' = (1 - m^2) 3 m^5 (f* = h_3, alpha_3 = 1), m0 = d^-1/2,
integrated to m = 1/2 at d = 10^4, 10^6, 10^8 with 30 confirmed digits.

Methods, side by side: gfverify.numerics.ode with the heyoka engine (cold: JIT included; warm:
compiled integrators reused) and with the pure-Python Taylor engine; one plain heyoka run at
256 bits (digits unconfirmed); scipy DOP853 at its tightest tolerance; mpmath.odefun, timed on
a short horizon and extrapolated linearly to T (its steps do not grow on the plateau).
Reference: T = int dm / RHS by mpmath.quad at 80 digits (independent of every integrator).

Run by hand: ``python benchmarks/bench_escape.py`` (prints a table, writes
``benchmarks/results/bench_escape.md``).
"""

from __future__ import annotations

import os
import platform
import random
import time
from operator import mul
from pathlib import Path

import mpmath
import sympy

from gfverify.numerics import heyoka_engine, ode
from gfverify.numerics.precision import agreed_digits

DIGITS = 30
DS = (10**4, 10**6, 10**8)
TARGETS = {("heyoka", 10**6): 0.3, ("taylor", 10**6): 1.5, ("heyoka", 10**8): 0.6, ("taylor", 10**8): 4.0}
M = sympy.Symbol("m")
SYSTEM = ode.OdeSystem.from_sympy([(1 - M**2) * 3 * M**5], [M])
ODEFUN_HORIZON = 20
REF_DPS = 80


def rhs(u):
    return (1 - u * u) * 3 * u**5


def reference(d: int) -> mpmath.mpf:
    """T by mpmath.quad at REF_DPS digits on dyadic pieces [m0, 2 m0, 4 m0, ..., 1/2]."""
    with mpmath.workdps(REF_DPS):
        cuts = [1 / mpmath.sqrt(d)]
        while cuts[-1] * 2 < 0.5:
            cuts.append(cuts[-1] * 2)
        return mpmath.quad(lambda u: 1 / rhs(u), cuts + [mpmath.mpf(1) / 2])


def timed(fn, repeat: int = 1):
    """(result, best wall seconds, best CPU seconds) over ``repeat`` runs."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return out, best_wall, best_cpu


def confirmed(engine: str, d: int):
    return ode.event_time(SYSTEM, [1 / sympy.sqrt(d)], 0, sympy.Rational(1, 2), DIGITS, engine=engine)


def heyoka_plain(d: int) -> mpmath.mpf:
    """One heyoka run at 256 bits, default tolerance (machine epsilon), default optimisation."""
    hy = heyoka_engine.hy
    prec = 256
    x = hy.make_vars("x")
    ev = hy.t_event(x - hy.expression(hy.real("0.5", prec)), fp_type=hy.real)
    with mpmath.workdps(90):
        m0 = hy.real(mpmath.nstr(1 / mpmath.sqrt(d), 90, min_fixed=1, max_fixed=0), prec)
    ta = hy.taylor_adaptive([(x, (1 - x**2) * 3 * x**5)], [m0], fp_type=hy.real, t_events=[ev])
    ta.propagate_until(hy.real("1e30", prec))
    with mpmath.workdps(90):
        return mpmath.mpf(str(ta.time))


def dop853(d: int) -> tuple[mpmath.mpf | None, str]:
    """The event time found by DOP853 (None when it stops before the event) and its message."""
    from scipy.integrate import solve_ivp

    def hit(t, y):
        return y[0] - 0.5

    hit.terminal = True
    sol = solve_ivp(lambda t, y: rhs(y), (0.0, 1e30), [d**-0.5], method="DOP853", rtol=2.3e-14,
                    atol=1e-300, events=hit)
    return (mpmath.mpf(sol.t_events[0][0]) if len(sol.t_events[0]) else None), sol.message


def dop853_state_at(d: int, t_ref: mpmath.mpf) -> mpmath.mpf:
    """m(T) by DOP853 at the reference escape time (ill-conditioned: d m(T)/m = (m/m0)^4 d m0/m0)."""
    from scipy.integrate import solve_ivp

    sol = solve_ivp(lambda t, y: rhs(y), (0.0, float(t_ref)), [d**-0.5], method="DOP853", rtol=2.3e-14,
                    atol=1e-300)
    return mpmath.mpf(sol.y[0][-1])


def odefun_extrapolated(d: int, t_ref: mpmath.mpf) -> tuple[float, float]:
    """Seconds mpmath.odefun (30 digits) takes for t in [0, ODEFUN_HORIZON], and that time
    scaled linearly to T."""
    with mpmath.workdps(DIGITS + 5):
        f = mpmath.odefun(lambda t, u: rhs(u), 0, 1 / mpmath.sqrt(d))
        _, wall, _ = timed(lambda: f(ODEFUN_HORIZON))
    return wall, wall * float(t_ref) / ODEFUN_HORIZON


def convolution_kernels() -> list[tuple[str, float]]:
    """Seconds for the Cauchy products c_k = sum_j a_j b_(k-j), k = 0..46, at 133 bits (one
    product node of one Taylor step at 35 digits) with each number type."""
    n, bits = 47, 133
    rng = random.Random(1)
    ints_a = [rng.getrandbits(bits) for _ in range(n)]
    ints_b = [rng.getrandbits(bits) for _ in range(n)]
    rows = []

    def run_ints():
        for k in range(n):
            (sum(map(mul, ints_a[: k + 1], ints_b[k::-1])) + (1 << (bits - 1))) >> bits

    rows.append(("Python int, fixed point (the Taylor engine)", run_ints))
    with mpmath.workprec(bits):
        mp_a = [mpmath.ldexp(a, -bits) for a in ints_a]
        mp_b = [mpmath.ldexp(b, -bits) for b in ints_b]

    def run_fdot():
        with mpmath.workprec(bits):
            for k in range(n):
                mpmath.fdot(mp_a[: k + 1], mp_b[k::-1])

    def run_mp_loop():
        with mpmath.workprec(bits):
            for k in range(n):
                sum(map(mul, mp_a[: k + 1], mp_b[k::-1]))

    rows += [("mpmath mpf, fdot", run_fdot), ("mpmath mpf, sum of products", run_mp_loop)]
    try:
        import flint

        flint.ctx.prec = bits
        fa = [flint.arb(a) / 2**bits for a in ints_a]
        fb = [flint.arb(b) / 2**bits for b in ints_b]

        def run_arb():
            for k in range(n):
                sum(map(mul, fa[: k + 1], fb[k::-1]))

        rows.append(("python-flint arb, sum of products", run_arb))
    except ImportError:
        pass
    out = []
    for name, fn in rows:
        _, wall, _ = timed(fn, repeat=20)
        out.append((name, wall))
    return out


def main() -> None:
    engines = ode.available_engines()
    lines = ["# bench_escape: the s = 3 plateau to m = 1/2 with 30 confirmed digits", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"load average {os.getloadavg()[0]:.2f} at start; Python {platform.python_version()}, "
             f"mpmath {mpmath.__version__}" + (f", heyoka {heyoka_engine.hy.__version__}" if "heyoka" in engines else ""),
             "", "System m' = (1 - m^2) 3 m^5, m(0) = d^-1/2 (exact), event m = 1/2. `digits` = digits of T "
             "agreeing with the mpmath.quad reference (80 digits); `confirmed` = digits on which the "
             "integrator's two precisions agree (what the API reports). Times: wall and process-CPU "
             "seconds (best of 3 for warm runs); the machine is shared, so CPU seconds are the "
             "comparable measure: digits/s = confirmed digits / CPU s (achieved digits for unconfirmed "
             "methods), target/CPU = the issue's target over the CPU time.", "",
             "| d | method | time [s] | CPU [s] | confirmed | digits vs quad | digits/s | target [s] | target/CPU |",
             "|---|---|---|---|---|---|---|---|---|"]
    print(lines[-2])
    for d in DS:
        t_ref = reference(d)

        def row(method, wall, cpu, conf, got, target=None):
            rate = (conf if conf is not None else got) / cpu
            cells = [f"10^{len(str(d)) - 1}", method, f"{wall:.3f}", "-" if cpu is None else f"{cpu:.3f}",
                     "-" if conf is None else f"{conf:.1f}", f"{got:.1f}", f"{rate:.0f}",
                     "-" if target is None else f"{target}", "-" if target is None else f"{target / cpu:.1f}x"]
            lines.append("| " + " | ".join(cells) + " |")
            print(lines[-1])

        for engine in engines:
            if engine == "heyoka":
                heyoka_engine._CACHE.clear()
                r, wall, cpu = timed(lambda: confirmed("heyoka", d))
                row("ode heyoka, cold (JIT included)", wall, cpu, r.digits, agreed_digits(r.t, t_ref, REF_DPS))
            r, wall, cpu = timed(lambda: confirmed(engine, d), repeat=3)
            label = "ode heyoka, warm" if engine == "heyoka" else "ode taylor (pure Python)"
            row(label, wall, cpu, r.digits, agreed_digits(r.t, t_ref, REF_DPS), TARGETS.get((engine, d)))
        if "heyoka" in engines:
            t, wall, cpu = timed(lambda: heyoka_plain(d))
            row("heyoka plain 256 bits (JIT included, unconfirmed)", wall, cpu, None, agreed_digits(t, t_ref, REF_DPS))
        (t, message), wall, cpu = timed(lambda: dop853(d))
        row("scipy DOP853 rtol 2.3e-14 atol 1e-300" + (f" FAILED: {message}" if t is None else ""), wall, cpu,
            None, 0.0 if t is None else agreed_digits(t, t_ref, REF_DPS))
        m_t, wall, cpu = timed(lambda: dop853_state_at(d, t_ref))
        row("scipy DOP853: m(T) at the reference T (digits of m = 1/2)", wall, cpu, None,
            agreed_digits(m_t, mpmath.mpf(1) / 2, REF_DPS))
        short, extrapolated = odefun_extrapolated(d, t_ref)
        lines.append(f"| 10^{len(str(d)) - 1} | mpmath.odefun 35 digits: {short:.2f} s for t <= {ODEFUN_HORIZON},"
                     f" EXTRAPOLATED to T = {mpmath.nstr(t_ref, 3)} | {extrapolated:.3g} (~{extrapolated / 3.15e7:.3g}"
                     " years) | - | - | - | - | - | - |")
        print(lines[-1])
    lines += ["", "## Why fixed-point integers in the pure-Python engine", "",
              "One product node of one Taylor step at 35 digits: the Cauchy products of order 0..46 "
              "at 133 bits (best of 20).", "", "| number type | seconds | vs Python int |", "|---|---|---|"]
    kernels = convolution_kernels()
    for name, secs in kernels:
        lines.append(f"| {name} | {secs * 1e3:.3f} ms | {secs / kernels[0][1]:.1f}x |")
        print(lines[-1])
    out = Path(__file__).parent / "results" / "bench_escape.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
