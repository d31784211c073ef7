"""The heyoka.py engine: the sympy right-hand side translated into heyoka expressions and
integrated by heyoka's adaptive Taylor method on MPFR reals (``fp_type=heyoka.real``) at
``ceil(dps log2 10) + 16`` bits with tolerance ``10^-dps``; events by a terminal ``t_event``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics import engines
from gfverify.numerics.taylor import MAX_STEPS, RawRun, bits_for

try:
    import heyoka as hy
except ImportError:  # optional dependency: the engine is then unavailable
    hy = None


def available() -> bool:
    """Whether heyoka.py can be imported and GFVERIFY_ENGINES allows it."""
    return hy is not None and engines.available("heyoka")


def _real(v: mpmath.mpf | sympy.Expr, prec: int):
    digits = math.ceil(prec * math.log10(2)) + 5
    if isinstance(v, sympy.Expr):
        text = str(sympy.N(v, digits))
    else:
        text = mpmath.nstr(v, digits, min_fixed=1, max_fixed=0)
    return hy.real(text, prec)


def to_heyoka(expr: sympy.Expr, variables: dict, prec: int):
    """The heyoka expression of a rational sympy expression (constants as MPFR reals)."""
    if expr in variables:
        return variables[expr]
    if not expr.free_symbols:
        return hy.expression(_real(expr, prec))
    if expr.is_Add:
        return hy.sum([to_heyoka(a, variables, prec) for a in expr.args])
    if expr.is_Mul:
        return hy.prod([to_heyoka(a, variables, prec) for a in expr.args])
    if expr.is_Pow and expr.exp.is_Integer:
        base, n = to_heyoka(expr.base, variables, prec), int(expr.exp)
        return base ** n if n > 0 else hy.expression(_real(sympy.Integer(1), prec)) / base ** (-n)
    raise InputError(f"right-hand side term {expr} is not rational in the state "
                     "(supported: + - * / integer powers)")


#: LLVM optimisation level: 0 halves the JIT time (about 0.1 s -> 0.03 s per integrator) for
#: about 25 % slower steps, the better trade for one-shot event times (benchmarks/bench_escape.py)
OPT_LEVEL = 0

#: compiled integrators kept (least recently built dropped first)
CACHE_SIZE = 32
_CACHE: dict = {}


def _integrator(system, prec: int, dps: int, event):
    """A compiled heyoka integrator for (system, precision, event), reused across calls."""
    key = (system, prec, dps, None if event is None else (event[0], str(event[1])))
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        xs = hy.make_vars(*[f"y{i}" for i in range(len(system.state))])
        xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
        variables = dict(zip(system.state, xs))
        rhs = [to_heyoka(f, variables, prec) for f in system.rhs]
        events = []
        if event is not None:
            events = [hy.t_event(xs[event[0]] - hy.expression(_real(event[1], prec)), fp_type=hy.real)]
        _CACHE[key] = hy.taylor_adaptive(list(zip(xs, rhs)), [hy.real(0, prec)] * len(xs), fp_type=hy.real,
                                         tol=_real(mpmath.mpf(10) ** -dps, prec), t_events=events,
                                         opt_level=OPT_LEVEL)
    return _CACHE[key]


def _mpf(x) -> mpmath.mpf:
    return mpmath.mpf(str(x))


@dataclass(frozen=True)
class Piece:
    """One heyoka step's Taylor polynomials y_i(t) = sum_k tc[i][k] (t - start)^k."""

    start: mpmath.mpf
    h: mpmath.mpf
    tc: object

    def __call__(self, t: mpmath.mpf) -> list[mpmath.mpf]:
        return [mpmath.polyval([_mpf(c) for c in row[::-1]], t - self.start) for row in self.tc]


def integrate(system, y0, dps: int, t_end=None, event=None, max_steps: int = MAX_STEPS,
              record: bool = False) -> RawRun:
    """As :func:`gfverify.numerics.taylor.integrate`, with heyoka."""
    prec = bits_for(dps)
    ta = _integrator(system, prec, dps, event)
    ta.time = hy.real(0, prec)
    ta.state[:] = [_real(mpmath.mpf(v), prec) for v in y0]
    limit = _real(mpmath.mpf(t_end), prec) if t_end is not None else hy.real("1e100000", prec)
    if event is not None and y0[event[0]] == event[1]:
        return RawRun(t=mpmath.mpf(0), state=list(y0), reached=True)
    pieces: list[Piece] = []
    if not record:
        outcome = ta.propagate_until(limit, max_steps=max_steps)
        steps = outcome[3]
        code = int(outcome[0].value)
    else:
        steps, code = 0, 0
        while ta.time < limit and steps < max_steps:
            start = _mpf(ta.time)
            res = ta.step(max_delta_t=limit - ta.time, write_tc=True)
            code = int(res[0].value)
            pieces.append(Piece(start=start, h=_mpf(res[1]), tc=ta.tc.copy()))
            steps += 1
            if -2**32 < code < 0:
                break
    hit = -2**32 < code < 0  # a terminal event stopped the integration
    if not hit and steps >= max_steps and ta.time < limit:
        raise InputError(f"the integration did not finish within {max_steps} steps "
                         f"(t = {mpmath.nstr(_mpf(ta.time), 6)}, "
                         f"state = {[mpmath.nstr(_mpf(v), 6) for v in ta.state]})")
    return RawRun(t=_mpf(ta.time), state=[_mpf(v) for v in ta.state], reached=hit if event else True,
                  pieces=pieces)
