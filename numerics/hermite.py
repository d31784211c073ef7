"""High-precision Hermite coefficients ``α_k = <f, h_k>`` (probabilists', normalized) of any
sympy-expressible link in L²(γ), for every ``k = 0..K`` in one pass over shared nodes.

Method. With the Hermite functions ``u_k(z) = h_k(z) φ(z)^{1/2}`` (bounded by 1.09 (2π)^{-1/4},
Cramér) and ``v(z) = f(z) φ(z)^{1/2}``, ``α_k = ∫ v u_k dz``. The nodes are a trapezoidal grid on
the line (geometric convergence for links analytic in a strip, folded by parity) or, for links
with kinks, Gauss–Legendre rules on the pieces between breakpoints. ``u_k`` at all nodes comes
from the three-term recurrence ``u_{k+1} = (z u_k - sqrt(k) u_{k-1}) / sqrt(k+1)`` in fixed-point
integer arithmetic (numpy object arrays of Python ints), which is several times faster than
mpmath numbers and carries an absolute error ≈ (nodes)·2^{-P}. The grid is refined (step × 2/3,
or nodes × 3/2) with the precision raised at every level until two consecutive levels agree to
the requested digits on every coefficient that is not zero by symmetry: the agreement of two
different grids at two different precisions confirms both the discretisation and the rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
import sympy

from gfverify.errors import InputError
from gfverify.numerics.quadrature import piecewise_legendre
from gfverify.theory.hermite import Z, breakpoints, parity_degrees

_MP_FUNCS = {
    "Heaviside": lambda x, *_: mpmath.mpf(1) if x > 0 else (mpmath.mpf(0) if x < 0 else mpmath.mpf(1) / 2),
    "sign": lambda x: mpmath.mpf(mpmath.sign(x)),
}

#: Largest number of quadrature nodes and working precision the refinement may reach.
MAX_NODES = 40_000
MAX_DPS = 4000


@dataclass(frozen=True)
class Coefficients:
    """``alphas[k] ≈ α_k`` from the finer run; ``exact_zero[k]`` when ``α_k = 0`` by parity;
    ``digits`` the smallest number of significant digits two runs agree on (over non-zeros);
    ``dps`` the two working precisions; ``nodes`` the node count of the finer run."""

    alphas: list
    exact_zero: list[bool]
    digits: float
    dps: tuple[int, int]
    nodes: int
    method: str


def mp_function(f: sympy.Expr, z: sympy.Symbol = Z) -> Callable:
    """``f`` as a function of one mpmath number (Heaviside(0) = 1/2; the value at a kink is a
    null set for every integral here)."""
    return sympy.lambdify(z, f, modules=[_MP_FUNCS, "mpmath"])


def check_l2(f: sympy.Expr, z: sympy.Symbol = Z) -> None:
    """Raise :class:`InputError` unless ``f(z)² z² e^{-z²/2} → 0`` at ``±∞`` (sympy limits),
    a necessary condition for ``f ∈ L²(γ)`` that rejects e.g. ``exp(z**2)`` or ``exp(z**2/4)``."""
    free = sympy.sympify(f).free_symbols - {z}
    if free:
        raise InputError(f"link has free symbols {sorted(map(str, free))}; only {z} is allowed")
    probe = f**2 * z**2 * sympy.exp(-z**2 / 2)
    for end in (sympy.oo, -sympy.oo):
        try:
            lim = sympy.limit(probe, z, end)
        except (NotImplementedError, ValueError, TypeError):
            continue  # undecided by sympy: the quadrature's own agreement test still guards
        if lim != 0:
            raise InputError(f"link {f} is not in L²(γ): f(z)² e^(-z²/2) does not decay as z → {end}")


def _to_fixed(x: mpmath.mpf, bits: int) -> int:
    return int(mpmath.nint(mpmath.ldexp(x, bits)))


def _recurrence_sums(zs: list, v_even: list, v_odd: list, kmax: int, bits: int) -> list:
    """``Σ_i u_k(z_i) v_i`` for ``k = 0..kmax`` (``v_even`` for even ``k``, ``v_odd`` for odd),
    in fixed point with ``bits`` fractional bits; returns mpmath numbers."""
    z = np.array([_to_fixed(x, bits) for x in zs], dtype=object)
    ve = np.array([_to_fixed(x, bits) for x in v_even], dtype=object)
    vo = np.array([_to_fixed(x, bits) for x in v_odd], dtype=object)
    c0 = mpmath.power(2 * mpmath.pi, mpmath.mpf(-1) / 4)
    u = np.array([_to_fixed(c0 * mpmath.exp(-x * x / 4), bits) for x in zs], dtype=object)
    u_prev = np.zeros(len(zs), dtype=object)
    sqrt_k = [_to_fixed(mpmath.sqrt(k), bits) for k in range(kmax + 2)]
    inv_sqrt = [0] + [_to_fixed(1 / mpmath.sqrt(k), bits) for k in range(1, kmax + 2)]
    out = []
    for k in range(kmax + 1):
        weights = ve if k % 2 == 0 else vo
        out.append(mpmath.ldexp(mpmath.mpf(int(np.dot(weights, u))), -2 * bits))
        if k == kmax:
            break
        nxt = (z * u - sqrt_k[k] * u_prev) >> bits
        u_prev, u = u, (nxt * inv_sqrt[k + 1]) >> bits
    return out


def _tail_length(fun: Callable, dps: int) -> mpmath.mpf:
    """Half-width ``L`` beyond which ``φ(z)^{1/2} |f(z)| < 10^{-dps}`` (so the truncated part
    of every ``α_k`` is below that, since ``|u_k| ≤ 1``)."""
    target = dps * mpmath.log(10)
    L = mpmath.sqrt(4 * target) + 2
    for _ in range(60):
        growth = max(mpmath.log(1 + abs(fun(L))), mpmath.log(1 + abs(fun(-L))))
        if L * L / 4 >= target + growth + 2:
            return L
        L *= mpmath.mpf("1.15")
    raise InputError("link grows too fast to be integrated against the Gaussian")


def _eval(fun: Callable, x) -> mpmath.mpf:
    try:
        value = mpmath.mpmathify(fun(x))
    except (ZeroDivisionError, ValueError, OverflowError):
        raise InputError(f"link is not finite and real at z = {mpmath.nstr(x, 8)}") from None
    if not mpmath.isfinite(value) or isinstance(value, mpmath.mpc):
        raise InputError(f"link is not finite and real at z = {mpmath.nstr(x, 8)}")
    return value


def _trapezoid_level(fun: Callable, kmax: int, h: mpmath.mpf, L: mpmath.mpf, bits: int,
                     sym: int) -> tuple[list, int]:
    """One trapezoidal pass with step ``h`` on ``[-L, L]``, folded about 0."""
    n = int(mpmath.ceil(L / h))
    zs = [h * i for i in range(n + 1)]
    sq = [mpmath.exp(-x * x / 4) for x in zs]  # the (2π)^{-1/4} is inside u_0
    fp = [_eval(fun, x) for x in zs]
    fm = fp if sym == 1 else ([-v for v in fp] if sym == -1 else [_eval(fun, -x) for x in zs])
    c = (2 * mpmath.pi) ** (mpmath.mpf(-1) / 4)
    ve = [h * c * s * (a + b) for s, a, b in zip(sq, fp, fm)]
    vo = [h * c * s * (a - b) for s, a, b in zip(sq, fp, fm)]
    ve[0] /= 2
    vo[0] = mpmath.mpf(0)
    return _recurrence_sums(zs, ve, vo, kmax, bits), 2 * n + 1


def _legendre_level(fun: Callable, kmax: int, cuts: list, n: int, bits: int) -> tuple[list, int]:
    """One pass of ``n``-point Gauss–Legendre on each piece between consecutive ``cuts``."""
    c = (2 * mpmath.pi) ** (mpmath.mpf(-1) / 4)
    nodes = piecewise_legendre(cuts, n)
    zs = [x for x, _ in nodes]
    vs = [w * c * mpmath.exp(-x * x / 4) * _eval(fun, x) for x, w in nodes]
    return _recurrence_sums(zs, vs, vs, kmax, bits), len(zs)


def _agreement(a: list, b: list, zero: list[bool], cap: int, floor: mpmath.mpf) -> float:
    """Smallest relative agreement (digits) of two coefficient lists over the entries not zero
    by symmetry; an entry is measured against ``max(|α_k|, floor)``, so that a coefficient that
    vanishes without a symmetry reason (e.g. ``He_2(1) = 0`` for ``Max(z-1, 0)``) is confirmed
    to be below ``floor`` instead of never agreeing relatively."""
    worst = float(cap)
    for x, y, z0 in zip(a, b, zero):
        if z0:
            continue
        diff, scale = abs(x - y), max(abs(x), abs(y), floor)
        if diff == 0:
            continue
        worst = min(worst, float(-mpmath.log10(diff / scale)))
    return max(0.0, worst)


def hermite_coefficients(f: sympy.Expr, kmax: int, digits: int, z: sympy.Symbol = Z) -> Coefficients:
    """``α_0..α_kmax`` of ``f`` with ``digits`` significant digits confirmed by two refinement
    levels at two precisions (see the module docstring); zeros by symmetry are exact, and a
    coefficient below ``10^{-(digits+8)} max_k |α_k|`` is confirmed to that absolute level."""
    if kmax < 0:
        raise InputError("kmax must be a non-negative integer")
    if digits < 1:
        raise InputError("digits must be positive")
    f = sympy.sympify(f)
    check_l2(f, z)
    even, odd = parity_degrees(f, z)
    zero = [(d is not None and k > d) for k in range(kmax + 1) for d in [even if k % 2 == 0 else odd]]
    sym = 1 if odd == -1 else (-1 if even == -1 else 0)
    cuts_exact = breakpoints(f, z)
    fun = mp_function(f, z)
    guard = 8
    extra = 0  # digits added for coefficients much smaller than the largest
    previous: list | None = None
    prev_dps = 0
    level = 0
    h = mpmath.pi / mpmath.sqrt(4 * kmax + 2) if kmax else mpmath.mpf(1)
    h = min(h, mpmath.mpf(1) / 2)
    n_gl = max(24, int(1.2 * math.sqrt(4 * kmax + 2) * 4))
    while True:
        dps = digits + guard + extra + 2 * level
        if dps > MAX_DPS:
            raise InputError(f"could not confirm {digits} digits below {MAX_DPS} working digits")
        with mpmath.workdps(dps):
            bits = mpmath.mp.prec + 24
            L = _tail_length(fun, dps + 4)
            if cuts_exact:
                inner = [mpmath.mpf(sympy.N(c, dps + 5)) for c in cuts_exact]
                inner = [c for c in inner if -L < c < L]
                alphas, nodes = _legendre_level(fun, kmax, [-L, *inner, L], n_gl, bits)
                n_gl = int(n_gl * 3 / 2) + 1
                method = f"Gauss-Legendre on {len(inner) + 1} pieces split at the kinks"
            else:
                alphas, nodes = _trapezoid_level(fun, kmax, mpmath.mpf(h), L, bits, sym)
                h = h * 2 / 3
                method = "trapezoidal rule on the line (parity-folded)"
            alphas = [mpmath.mpf(0) if z0 else a for a, z0 in zip(alphas, zero)]
        if nodes > MAX_NODES:
            raise InputError(f"could not confirm {digits} digits with {MAX_NODES} nodes "
                             f"(is the link smooth between its breakpoints?)")
        largest = max((abs(a) for a in alphas), default=mpmath.mpf(0))
        floor = largest * mpmath.mpf(10) ** (-(digits + guard))
        if previous is not None:
            agreed = _agreement(previous, alphas, zero, dps, floor)
            if agreed >= digits:
                return Coefficients(alphas=alphas, exact_zero=zero, digits=agreed,
                                    dps=(prev_dps, dps), nodes=nodes, method=method)
        free = [abs(a) for a, z0 in zip(alphas, zero) if not z0]
        above = [a for a in free if a > floor]
        if len(above) < len(free):  # a coefficient at the floor: confirm it absolutely
            extra = digits + guard
        elif above:
            extra = min(int(math.ceil(float(mpmath.log10(largest / min(above))))), digits + guard)
        previous, prev_dps = alphas, dps
        level += 1
