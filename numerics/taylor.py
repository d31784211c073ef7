"""Pure-Python adaptive Taylor integrator for autonomous rational ODE systems ``y' = f(y)``.

Taylor-mode automatic differentiation of a straight-line program compiled from the sympy
right-hand side, on block-floating-point Python integers: within one step every node of the
program holds its normalised Taylor coefficients ``c_k = y^(k)(t_n) h_s^k / k!`` (time scale
``h_s = 2^q``) as integers ``C_k`` meaning ``C_k 2^e``, with one exponent ``e`` per node chosen
from the node's magnitude so that it carries ``P`` bits (like a floating-point number whose
exponent is frozen for the step). Order ``p = ceil(-ln(eps)/2) + 1`` and step
``h = rho e^-2 e^(-0.7/(p-1))`` follow Jorba & Zou (2005) with relative error control
(``rho`` from the decay of the last two coefficients).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from operator import mul
from typing import Callable, Sequence

import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics.precision import exact_fraction

#: default cap on the number of steps (an s = 3 plateau at d = 10^8 takes about 220)
MAX_STEPS = 10_000
#: bits of the dyadic step multiplier sigma = S / 2^SIGMA_BITS
SIGMA_BITS = 40


# --------------------------------------------------------------------------------------------
# Straight-line program
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Program:
    """The right-hand side as a list of elementary operations on earlier nodes.

    ops: ("var", i) | ("const", c) | ("lin", c0, ((c1, n1), ...)) meaning c0 + sum c_i node_i |
    ("mul", a, b) | ("sq", a) | ("div", a, b); constants are exact sympy numbers.
    """

    ops: tuple
    outputs: tuple[int, ...]
    n_state: int


def compile_program(rhs: Sequence[sympy.Expr], state: Sequence[sympy.Symbol]) -> Program:
    """Compile rational expressions in ``state`` into a :class:`Program` (shared subtrees once)."""
    ops: list[tuple] = [("var", i) for i in range(len(state))]
    memo: dict[sympy.Expr, int] = {s: i for i, s in enumerate(state)}

    def add(op: tuple) -> int:
        ops.append(op)
        return len(ops) - 1

    def power(base: sympy.Expr, n: int) -> int:
        key = sympy.Pow(base, n, evaluate=False) if n != 1 else base
        if key in memo:
            return memo[key]
        if n == 1:
            node = build(base)
        elif n % 2 == 0:
            node = add(("sq", power(base, n // 2)))
        else:
            node = add(("mul", power(base, n - 1), build(base)))
        memo[key] = node
        return node

    def product(factors: list[sympy.Expr]) -> int | None:
        node = None
        for f in factors:
            nf = build(f)
            node = nf if node is None else add(("mul", node, nf))
        return node

    def build(e: sympy.Expr) -> int:
        if e in memo:
            return memo[e]
        if not e.free_symbols:
            if not (e.is_real or e.is_number and sympy.im(e) == 0):
                raise InputError(f"constant {e} in the right-hand side is not real")
            node = add(("const", e))
        elif e.is_Add:
            c0, terms = e.as_coeff_add()
            parts = []
            for t in terms:
                c, rest = t.as_coeff_Mul()
                parts.append((c, build(rest)))
            node = add(("lin", c0, tuple(parts)))
        elif e.is_Mul:
            c, rest = e.as_coeff_Mul()
            if c != 1:
                node = add(("lin", sympy.Integer(0), ((c, build(rest)),)))
            else:
                num, den = [], []
                for f in e.args:
                    b, x = f.as_base_exp()
                    if x.is_Integer and x < 0:
                        den.append(b ** (-x))
                    elif not f.free_symbols:
                        num.insert(0, f)
                    else:
                        num.append(f)
                top = product(num) if num else add(("const", sympy.Integer(1)))
                node = top if not den else add(("div", top, product(den)))
        elif e.is_Pow and e.exp.is_Integer:
            n = int(e.exp)
            if n > 0:
                node = power(e.base, n)
            else:
                node = add(("div", build(sympy.Integer(1)), power(e.base, -n)))
        else:
            raise InputError(f"right-hand side term {e} is not rational in the state "
                             "(supported: + - * / integer powers)")
        memo[e] = node
        return node

    outputs = tuple(build(sympy.sympify(f)) for f in rhs)
    return Program(ops=tuple(ops), outputs=outputs, n_state=len(state))


# --------------------------------------------------------------------------------------------
# Fixed-point helpers
# --------------------------------------------------------------------------------------------


def _shift(x: int, s: int) -> int:
    """round(x / 2^s) for s > 0, x * 2^-s otherwise."""
    if s > 0:
        return (x + (1 << (s - 1))) >> s
    return x << -s


def _exponent(x: int, e: int) -> int:
    """floor(log2 |x 2^e|) (x != 0)."""
    return x.bit_length() - 1 + e if x > 0 else (-x).bit_length() - 1 + e


def to_fixed(value: mpmath.mpf, bits: int) -> tuple[int, int]:
    """(X, e) with X 2^e = value to ``bits`` significant bits; (0, 0) for zero."""
    if value == 0:
        return 0, 0
    m, e = mpmath.frexp(value)  # value = m 2^e, 0.5 <= |m| < 1
    e = int(e) - bits
    return int(mpmath.nint(mpmath.ldexp(m, bits))), e


def _div_round(num: int, den: int) -> int:
    """round(num / den), halves up: (2 num + den) // (2 den) = floor(num/den + 1/2) for either sign
    of den (floor division of the exact quotient)."""
    return (2 * num + den) // (2 * den)


# --------------------------------------------------------------------------------------------
# One Taylor expansion of the whole program
# --------------------------------------------------------------------------------------------


def _expand(program: Program, consts: dict, state: list[tuple[int, int]], q: int, order: int,
            bits: int) -> tuple[list[tuple[list[int], int]], list[tuple[int, int]]]:
    """Normalised Taylor coefficients ``C_0..C_order`` (time scale ``2^q``) of every state
    component at ``state``, as (coefficient integers, exponent) per component, and f(state)."""
    ops, n, outs = program.ops, program.n_state, program.outputs
    exps: list[int] = [0] * len(ops)
    mags: list[int] = [0] * len(ops)
    coefs: list[list[int]] = [[] for _ in ops]
    floor_mag = max((_exponent(x, e) for x, e in state if x), default=0) - bits // 2
    for i, (x, e) in enumerate(state):
        mags[i] = max(_exponent(x, e), floor_mag) if x else floor_mag
        exps[i] = mags[i] - bits
        coefs[i].append(_shift(x, exps[i] - e))
    fns: list[Callable[[int], None]] = []
    for idx in range(n, len(ops)):  # order 0: exponents from the values, then the recurrences
        op, z = ops[idx], coefs[idx]
        kind = op[0]
        if kind == "const":
            cx, ce = consts[idx]
            mags[idx] = _exponent(cx, ce) if cx else floor_mag
            exps[idx] = mags[idx] - bits
            z.append(_shift(cx, exps[idx] - ce))
            fns.append(_zero_fn(z))
            continue
        if kind == "lin":
            (c0x, c0e), terms = consts[idx]
            nodes = [a for _, a in op[2]]
            g = max([mags[a] + _exponent(cx, ce) for (cx, ce), a in zip(terms, nodes) if cx]
                    + ([_exponent(c0x, c0e)] if c0x else []) + [floor_mag])
            mags[idx], exps[idx] = g, g - bits
            parts = [(cx, coefs[a], exps[idx] - ce - exps[a]) for (cx, ce), a in zip(terms, nodes) if cx]
            f = _lin_fn(z, parts, _shift(c0x, exps[idx] - c0e) if c0x else 0)
        elif kind == "mul":
            a, b = op[1], op[2]
            mags[idx] = mags[a] + mags[b]
            exps[idx] = mags[idx] - bits
            f = _mul_fn(z, coefs[a], coefs[b], exps[idx] - exps[a] - exps[b])
        elif kind == "sq":
            a = op[1]
            mags[idx] = 2 * mags[a]
            exps[idx] = mags[idx] - bits
            f = _sq_fn(z, coefs[a], exps[idx] - 2 * exps[a])
        else:  # div
            a, b = op[1], op[2]
            b0 = coefs[b][0]
            if b0 == 0:
                raise InputError("the right-hand side has a zero denominator on the trajectory")
            mags[idx] = mags[a] - _exponent(b0, exps[b])
            exps[idx] = mags[idx] - bits
            f = _div_fn(z, coefs[a], coefs[b], exps[a] - exps[b] - exps[idx])
        f(0)
        fns.append(f)
    ys = [coefs[i] for i in range(n)]
    shifts = [exps[i] - exps[outs[i]] - q for i in range(n)]
    for k in range(order):
        if k:
            for f in fns:
                f(k)
        for i in range(n):
            ys[i].append(_div_round(_shift(coefs[outs[i]][k], shifts[i]), k + 1))
    return [(ys[i], exps[i]) for i in range(n)], [(coefs[o][0], exps[o]) for o in outs]


def _zero_fn(z):
    def f(k):
        z.append(0)
    return f


def _lin_fn(z, parts, c0):
    def f(k):
        s = c0 if k == 0 else 0
        for cx, a, sh in parts:
            s += _shift(cx * a[k], sh)
        z.append(s)
    return f


def _mul_fn(z, a, b, sh):
    # sh = e_z - e_a - e_b = bits > 0: every node carries e = mag - bits and mag_z = mag_a + mag_b
    half = 1 << (sh - 1)

    def f(k):
        z.append((sum(map(mul, a[: k + 1], b[k::-1])) + half) >> sh)
    return f


def _sq_fn(z, a, sh):
    def f(k):
        h = (k + 1) // 2
        s = 2 * sum(map(mul, a[:h], a[k:k - h:-1])) if h else 0
        if k % 2 == 0:
            s += a[k // 2] ** 2
        z.append(_shift(s, sh))
    return f


def _div_fn(z, a, b, sh):
    # z_k = (a_k - sum_{j=1}^k b_j z_{k-j}) / b_0 ; exponents: a at ea, products at eb+ez,
    # sh = ea - eb - ez = bit_length(|b0|) - 1 >= 0 (ez = ga - floor(log2|b0 2^eb|) - P, ea = ga - P)
    b0 = b[0]

    def f(k):
        num = a[k] << sh
        if k:
            num -= sum(map(mul, b[1: k + 1], z[k - 1::-1]))
        z.append(_div_round(num, b0))
    return f


# --------------------------------------------------------------------------------------------
# The adaptive integrator
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One step's local Taylor polynomials: y_i(t) = sum_k C_ik 2^e_i ((t - t0) / 2^q)^k
    for t0 <= t <= t0 + span."""

    t0: Fraction
    q: int
    span: Fraction
    coefficients: tuple[tuple[tuple[int, ...], int], ...]

    @property
    def start(self) -> mpmath.mpf:
        return _mpf(self.t0)

    def __call__(self, t: mpmath.mpf) -> list[mpmath.mpf]:
        s = mpmath.ldexp(t - _mpf(self.t0), -self.q)
        return [mpmath.ldexp(mpmath.polyval([mpmath.mpf(c) for c in cs[::-1]], s), e)
                for cs, e in self.coefficients]


@dataclass
class RawRun:
    """The result of one integration at one working precision."""

    t: mpmath.mpf
    state: list[mpmath.mpf]
    reached: bool  # the event was located (or t_end reached when no event is asked)
    pieces: list[Piece] = field(default_factory=list)


#: order = ceil(ORDER_FACTOR * dps) + 1; Jorba-Zou's optimum for cost ~ order^2 is ln(10)/2
ORDER_FACTOR = math.log(10) / 2


def bits_for(dps: int) -> int:
    """The working precision in bits for ``dps`` digits (16 guard bits)."""
    return math.ceil(dps * math.log2(10)) + 16


def order_for(dps: int) -> int:
    """Taylor order for a relative tolerance 10^-dps (Jorba-Zou: ceil(-ln(eps)/2) + 1)."""
    return math.ceil(dps * ORDER_FACTOR) + 1


def _horner(cs: list[int], s_num: int, s_bits: int) -> int:
    """sum_k C_k (s_num / 2^s_bits)^k in integers."""
    acc = 0
    for c in reversed(cs):
        acc = c + ((acc * s_num) >> s_bits)
    return acc


def _log2_abs(x: int, e: int) -> float:
    return math.log2(abs(x)) + e if x else -math.inf


def integrate(program: Program, y0: Sequence[mpmath.mpf], dps: int, t_end: mpmath.mpf | None = None,
              event: tuple[int, mpmath.mpf] | None = None, max_steps: int = MAX_STEPS,
              record: bool = False) -> RawRun:
    """Integrate y' = f(y), y(0) = y0 at ``dps`` digits (tolerance 10^-dps) up to ``t_end`` or
    to the first time state[event[0]] equals event[1], whichever comes first."""
    bits = bits_for(dps)
    order = order_for(dps)
    safety = 10 ** (-dps / (order - 1)) * math.exp(-0.7 / (order - 1))  # e^-2 e^(-0.7/(p-1)) at the JZ order
    with mpmath.workprec(bits + 16):
        consts = _constants(program, bits)
        state = [to_fixed(mpmath.mpf(v), bits) for v in y0]
        t = Fraction(0)
        t_end_f = None if t_end is None else exact_fraction(t_end)
        if event is not None:
            ev_i, ev_v = event[0], mpmath.mpf(event[1])
            if mpmath.ldexp(state[ev_i][0], state[ev_i][1]) == ev_v:
                return RawRun(t=mpmath.mpf(0), state=[mpmath.ldexp(x, e) for x, e in state], reached=True)
        q = None
        pieces: list[Piece] = []
        for step in range(max_steps):
            if t_end_f is not None and t >= t_end_f:
                return RawRun(t=_mpf(t), state=[mpmath.ldexp(x, e) for x, e in state], reached=event is None,
                              pieces=pieces)
            if q is None:
                q = _initial_scale(program, consts, state, bits)
                if q is None:  # an equilibrium to working precision
                    return _stationary(t, t_end_f, event, state, pieces, step)
            for _ in range(8):
                series, f = _expand(program, consts, state, q, order, bits)
                if not any(x for x, _ in f):  # an equilibrium to working precision
                    return _stationary(t, t_end_f, event, state, pieces, step)
                sigma = _radius(series, order, bits) * safety
                if 0.5 < sigma <= 2:
                    break
                q += math.ceil(math.log2(sigma))
            # sigma <= 1 keeps the rounding of C_k from growing with sigma^k
            grow, sigma = sigma > 1, min(sigma, 1.0)
            sig = Fraction(math.floor(sigma * 2**SIGMA_BITS), 2**SIGMA_BITS)
            if t_end_f is not None and t + sig * 2**q >= t_end_f:
                sig = (t_end_f - t) / Fraction(2) ** q
            new_state = [(_fraction_horner(cs, sig), e) for cs, e in series]
            piece = Piece(t0=t, q=q, span=sig * Fraction(2) ** q,
                          coefficients=tuple((tuple(cs), e) for cs, e in series))
            if record:
                pieces.append(piece)
            if event is not None:
                s_hit = _locate(series, ev_i, ev_v, sig, bits)
                if s_hit is not None:
                    t_hit = _mpf(t) + mpmath.ldexp(s_hit, q)
                    return RawRun(t=t_hit, state=piece(t_hit), reached=True, pieces=pieces)
            state = new_state
            t = t + sig * Fraction(2) ** q
            q += grow
        raise InputError(f"the integration did not finish within {max_steps} steps "
                         f"(t = {mpmath.nstr(_mpf(t), 6)}, "
                         f"state = {[mpmath.nstr(mpmath.ldexp(x, e), 6) for x, e in state]})")


def _mpf(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


def _fraction_horner(cs: list[int], s: Fraction) -> int:
    """sum_k C_k s^k for a dyadic s (steps and times are dyadic rationals)."""
    return _horner(cs, s.numerator, s.denominator.bit_length() - 1)


def _constants(program: Program, bits: int) -> dict:
    """Every constant of the program as (X, e) at ``bits`` bits."""
    def fixed(c: sympy.Expr) -> tuple[int, int]:
        return to_fixed(mpmath.mpf(sympy.N(c, math.ceil(bits / 3.3) + 10)), bits)

    out = {}
    for idx, op in enumerate(program.ops):
        if op[0] == "const":
            out[idx] = fixed(op[1])
        elif op[0] == "lin":
            out[idx] = (fixed(op[1]), [fixed(c) for c, _ in op[2]])
    return out


def _radius(series, order: int, bits: int) -> float:
    """Radius of convergence in units of the time scale, from the last two coefficients
    relative to the max-norm of the state (a coefficient below the resolution 2^-bits counts
    as that resolution, which under-estimates the radius)."""
    ly = max(_log2_abs(cs[0], e) for cs, e in series)
    if ly == -math.inf:
        ly = max(_log2_abs(c, e) for cs, e in series for c in cs)
    floor = ly - bits
    return min(2 ** ((ly - max(max(_log2_abs(cs[k], e) for cs, e in series), floor)) / k)
               for k in (order, order - 1))


def _initial_scale(program: Program, consts: dict, state, bits: int) -> int | None:
    """log2 of a first time scale: |y| / |f(y)|, or None at a stationary point."""
    series, f = _expand(program, consts, state, 0, 0, bits)
    ly = max(_log2_abs(cs[0], e) for cs, e in series)
    lf = max(_log2_abs(x, e) for x, e in f)
    if lf == -math.inf:
        return None
    if ly == -math.inf:
        ly = lf
    return math.floor(ly - lf) - 3


def _stationary(t: Fraction, t_end: Fraction | None, event, state, pieces: list, step: int) -> RawRun:
    """The run ending at an equilibrium: an error for an event, a constant last piece up to t_end."""
    values = [mpmath.ldexp(x, e) for x, e in state]
    if event is not None or t_end is None:
        raise InputError(f"the flow is stationary at state {[mpmath.nstr(v, 8) for v in values]}"
                         + ("" if event is None
                            else f": state[{event[0]}] never reaches {mpmath.nstr(event[1], 8)}"))
    pieces.append(Piece(t0=t, q=0, span=t_end - t, coefficients=tuple(((x,), e) for x, e in state)))
    return RawRun(t=_mpf(t_end), state=values, reached=True, pieces=pieces)


def _variations(p: list, lo: mpmath.mpf, hi: mpmath.mpf) -> int:
    """Sign variations of the coefficients of ``(1 + x)^n p((lo + hi x)/(1 + x))``: by Descartes'
    rule an upper bound on the number of roots of ``p`` (coefficients lowest first) in
    ``(lo, hi)``, of the same parity (Taylor shifts, O(n²))."""
    c, n = list(p), len(p) - 1
    for i in range(n):  # p(lo + x)
        for k in range(n - 1, i - 1, -1):
            c[k] += lo * c[k + 1]
    width, power = hi - lo, mpmath.mpf(1)
    for k in range(n + 1):  # p(lo + (hi − lo) y)
        c[k] *= power
        power *= width
    r = c[::-1]  # y^n q(1/y), then y → y + 1
    for i in range(n):
        for k in range(n - 1, i - 1, -1):
            r[k] += r[k + 1]
    signs = [x > 0 for x in r if x != 0]
    return sum(a != b for a, b in zip(signs, signs[1:]))


def _first_bracket(p: list, lo: mpmath.mpf, hi: mpmath.mpf, depth: int):
    """The leftmost ``(a, b)`` inside ``[lo, hi]`` where ``p`` changes sign, isolated by
    Descartes' rule and bisection (so a level touched and left inside a step is found), or
    ``None`` when ``p`` keeps its sign there (a tangency closer than ``2^{-depth}`` of the
    interval counts as no crossing)."""
    poly = p[::-1]
    v_lo, v_hi = mpmath.polyval(poly, lo), mpmath.polyval(poly, hi)
    if v_lo == 0:
        return lo, lo
    changes = _variations(p, lo, hi)
    if changes == 0:  # no root inside; one at the right end is the crossing
        return (hi, hi) if v_hi == 0 else None
    if changes == 1 or depth == 0:
        return (lo, hi) if v_lo * v_hi <= 0 else None
    mid = (lo + hi) / 2
    return _first_bracket(p, lo, mid, depth - 1) or _first_bracket(p, mid, hi, depth - 1)


def _locate(series, i: int, value: mpmath.mpf, sig: Fraction, bits: int) -> mpmath.mpf | None:
    """The first s in (0, sig] with sum_k c_ik s^k = value, or None when there is none: a cheap
    bound (``|p(0)| > Σ_{k≥1} |c_k| sig^k``) clears most steps, Descartes' rule with bisection
    brackets the first crossing (also one touched and left within the step), Newton with a
    bisection safeguard refines it on the local polynomial."""
    cs, e = series[i]
    p = [mpmath.ldexp(c, e) for c in cs]
    p[0] -= value
    s_end = _mpf(sig)
    if abs(p[0]) > mpmath.fsum(abs(c) * s_end ** k for k, c in enumerate(p) if k):
        return None
    bracket = _first_bracket(p, mpmath.mpf(0), s_end, bits)
    if bracket is None:
        return None
    lo, hi = bracket
    poly = p[::-1]
    v0, v1 = mpmath.polyval(poly, lo), mpmath.polyval(poly, hi)
    if v0 == 0 and lo > 0:
        return lo
    if v1 == 0:
        return hi
    s = lo + (hi - lo) * v0 / (v0 - v1) if v0 != v1 else (lo + hi) / 2
    for _ in range(4 * bits):
        val, der = mpmath.polyval(poly, s, derivative=True)
        if val == 0:
            return s
        if (val > 0) == (v0 > 0):
            lo = s
        else:
            hi = s
        step = val / der if der else hi - lo
        s_new = s - step
        if not lo < s_new < hi:
            s_new = (lo + hi) / 2
        if abs(s_new - s) <= abs(s) * mpmath.ldexp(1, -bits - 4):
            return s_new
        s = s_new
    return s
