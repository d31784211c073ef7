"""High-precision integration of autonomous rational ODE systems ``y' = f(y)`` given as sympy
expressions, with confirmed digits: every result is computed at two working precisions (and
tolerances ``10^-dps``), raised until the two agree to the digits asked for.

Engines: ``"taylor"`` (pure-Python adaptive Taylor method, :mod:`gfverify.numerics.taylor`,
always available) and ``"heyoka"`` (heyoka.py on MPFR reals,
:mod:`gfverify.numerics.heyoka_engine`, when ``import heyoka`` works and ``GFVERIFY_ENGINES``
allows it, see :mod:`gfverify.numerics.engines`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable, Sequence

import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics import taylor
from gfverify.numerics.precision import agreed_digits, second_precision

#: extra digits of the first working precision over the digits asked for
GUARD = 5
#: the working precision is raised at most up to MAX_FACTOR * digits + 60
MAX_FACTOR = 4


@dataclass(frozen=True)
class OdeSystem:
    """The autonomous system ``d state_i / dt = rhs_i(state)`` (rational in the state)."""

    state: tuple[sympy.Symbol, ...]
    rhs: tuple[sympy.Expr, ...]

    @classmethod
    def from_sympy(cls, rhs: Sequence[sympy.Expr] | sympy.Expr,
                   state: Sequence[sympy.Symbol] | sympy.Symbol) -> "OdeSystem":
        """Validate and wrap: one right-hand side per state symbol, no other free symbols."""
        rhs_t = tuple(sympy.sympify(f) for f in (rhs if isinstance(rhs, (list, tuple)) else [rhs]))
        state_t = tuple(state if isinstance(state, (list, tuple)) else [state])
        if len(rhs_t) != len(state_t) or not state_t:
            raise InputError(f"{len(rhs_t)} right-hand sides for {len(state_t)} state variables")
        if not all(isinstance(s, sympy.Symbol) for s in state_t) or len(set(state_t)) != len(state_t):
            raise InputError("the state must be distinct sympy symbols")
        extra = set().union(*(f.free_symbols for f in rhs_t)) - set(state_t)
        if extra:
            raise InputError(f"the right-hand side depends on symbols outside the state: "
                             f"{', '.join(sorted(map(str, extra)))}")
        return cls(state=state_t, rhs=rhs_t)


_PROGRAMS: dict = {}


def _program(system: OdeSystem) -> taylor.Program:
    if system not in _PROGRAMS:
        _PROGRAMS[system] = taylor.compile_program(system.rhs, system.state)
    return _PROGRAMS[system]


@dataclass
class EventResult:
    """The first time ``t`` at which ``state[index]`` reaches the value, the state there,
    the digits of ``t`` confirmed by two precisions, the engine and the higher precision."""

    t: mpmath.mpf
    state: list[mpmath.mpf]
    digits: float
    engine: str
    dps: int


@dataclass
class Trajectory:
    """Dense output on ``[0, t_end]``: samples ``ys[j] = y(ts[j])`` whose digits are confirmed by
    two precisions, and ``traj(t)`` evaluating the local Taylor polynomials of the higher run."""

    ts: list
    ys: list
    digits: float
    engine: str
    dps: int = 0
    t_end: mpmath.mpf = mpmath.mpf(0)
    pieces: list = field(default_factory=list, repr=False)

    def __call__(self, t) -> list[mpmath.mpf]:
        """y(t) from the local Taylor polynomial of the step containing t (t read exactly)."""
        with mpmath.workdps(self.dps):
            t = exact_value(t, self.dps)
            if not self.pieces or t < 0 or t > self.t_end:
                raise InputError(f"t = {mpmath.nstr(t, 8)} is outside [0, {mpmath.nstr(self.t_end, 8)}]")
            j = max(0, bisect.bisect_right([p.start for p in self.pieces], t) - 1)
            return self.pieces[j](t)


def available_engines() -> list[str]:
    """The engines usable here, preferred first: ["heyoka", "taylor"] or ["taylor"]."""
    from gfverify.numerics import heyoka_engine

    return (["heyoka"] if heyoka_engine.available() else []) + ["taylor"]


def exact_value(v, dps: int) -> mpmath.mpf:
    """An exactly given number (sympy expression, int, Rational, decimal or sympy string, float,
    mpf) evaluated to ``dps`` digits; decimal strings are read exactly."""
    if isinstance(v, mpmath.mpf):
        return +v
    if isinstance(v, str):
        try:
            v = sympy.Rational(v.strip())
        except (TypeError, ValueError):
            try:
                v = sympy.sympify(v, rational=True)
            except (sympy.SympifyError, SyntaxError, TypeError) as exc:
                raise InputError(f"cannot read the number {v!r}") from exc
    elif isinstance(v, float):
        v = sympy.Rational(v)
    v = sympy.sympify(v)
    if v.free_symbols or not (v.is_real and v.is_finite):
        raise InputError(f"{v} is not a finite real number")
    with mpmath.workdps(dps):
        return mpmath.mpf(sympy.N(v, dps + 10))


def _engine(name: str):
    from gfverify.numerics import heyoka_engine

    engines = available_engines()
    if name == "auto":
        name = engines[0]
    if name not in ("heyoka", "taylor"):
        raise InputError(f"unknown ODE engine {name!r} (choose from auto, heyoka, taylor)")
    if name not in engines:
        raise InputError("the heyoka engine needs heyoka.py (pip install 'gfverify[fast]') "
                         "and GFVERIFY_ENGINES not excluding it")
    return name, (heyoka_engine.integrate if name == "heyoka" else _taylor_integrate)


def _taylor_integrate(system: OdeSystem, y0, dps, t_end=None, event=None,
                      max_steps=taylor.MAX_STEPS, record=False):
    return taylor.integrate(_program(system), y0, dps, t_end=t_end, event=event,
                            max_steps=max_steps, record=record)


def _confirmed(run: Callable[[int], object], agreement: Callable[[object, object, int], float],
               digits: int):
    """Run at dps = digits + GUARD and second_precision(dps), raising both until the two runs
    agree to ``digits``; returns (higher run, agreed digits, higher dps)."""
    if digits < 1:
        raise InputError(f"digits must be at least 1, got {digits}")
    dps = digits + GUARD
    low = run(dps)
    while True:
        dps_high = second_precision(dps)
        high = run(dps_high)
        agreed = agreement(low, high, dps)
        if agreed >= digits or dps_high > MAX_FACTOR * digits + 60:
            return high, agreed, dps_high
        low, dps = high, dps_high


def _check_start(system: OdeSystem, y0) -> None:
    if len(y0) != len(system.state):
        raise InputError(f"{len(y0)} initial values for {len(system.state)} state variables")


def event_time(system: OdeSystem, y0: Sequence, index: int, value, digits: int,
               engine: str = "auto", t_max=None, max_steps: int = taylor.MAX_STEPS) -> EventResult:
    """The first t > 0 with ``y_index(t) = value`` for ``y' = f(y), y(0) = y0`` (exact
    initial values), to ``digits`` digits confirmed by two precisions.

    Raises InputError when the event is not reached before ``t_max`` (or ``max_steps`` steps, or
    the flow stops at an equilibrium)."""
    _check_start(system, y0)
    if not 0 <= index < len(system.state):
        raise InputError(f"event index {index} outside the state of dimension {len(system.state)}")
    name, integrate = _engine(engine)

    def run(dps: int):
        with mpmath.workdps(dps):
            ys = [exact_value(v, dps) for v in y0]
            target = exact_value(value, dps)
            t_end = None if t_max is None else exact_value(t_max, dps)
            raw = integrate(system, ys, dps, t_end=t_end, event=(index, target), max_steps=max_steps)
        if not raw.reached:
            raise InputError(f"state[{index}] does not reach {value} before t = {mpmath.nstr(raw.t, 8)} "
                             f"(it is {mpmath.nstr(raw.state[index], 8)} there)")
        return raw

    raw, agreed, dps_high = _confirmed(run, lambda a, b, cap: agreed_digits(a.t, b.t, cap), digits)
    return EventResult(t=raw.t, state=raw.state, digits=agreed, engine=name, dps=dps_high)


def solve(system: OdeSystem, y0: Sequence, t_end, digits: int, engine: str = "auto",
          n_dense: int = 101, t_eval: Sequence | None = None,
          max_steps: int = taylor.MAX_STEPS) -> Trajectory:
    """The solution of ``y' = f(y), y(0) = y0`` on ``[0, t_end]`` sampled at ``t_eval`` (default
    ``n_dense`` equispaced points), every sample confirmed to ``digits`` digits by two
    precisions (all components, relative to the largest component at that time)."""
    _check_start(system, y0)
    name, integrate = _engine(engine)
    if n_dense < 2 and t_eval is None:
        raise InputError("n_dense must be at least 2")

    def run(dps: int):
        with mpmath.workdps(dps):
            ys = [exact_value(v, dps) for v in y0]
            t1 = exact_value(t_end, dps)
            if t1 <= 0:
                raise InputError(f"t_end must be positive, got {t_end}")
            raw = integrate(system, ys, dps, t_end=t1, max_steps=max_steps, record=True)
            ts = ([exact_value(t, dps) for t in t_eval] if t_eval is not None
                  else [t1 * j / (n_dense - 1) for j in range(n_dense)])
            traj = Trajectory(ts=ts, ys=[], digits=0.0, engine=name, dps=dps, t_end=t1, pieces=raw.pieces)
            traj.ys = [traj(t) for t in ts]
        return traj

    traj, agreed, _ = _confirmed(run, _sample_agreement, digits)
    traj.digits = agreed
    return traj


def _sample_agreement(a: Trajectory, b: Trajectory, cap: int) -> float:
    """Digits on which two runs' samples agree, each component relative to the largest
    component at that time."""
    worst = float(cap)
    for ya, yb in zip(a.ys, b.ys):
        scale = max(abs(c) for c in ya + yb)
        for ca, cb in zip(ya, yb):
            if ca != cb:
                worst = min(worst, float(max(0, -mpmath.log10(abs(ca - cb) / scale))))
    return worst
