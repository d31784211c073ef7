"""Certified enclosures (arb balls) of Gaussian integrals of a link: the Hermite coefficients
``α_k = E[f(z) He_k(z)]/√(k!)``, ``E[f(z) g(z)]`` and the Gaussian kernels ``E[f(x) f(y)]``.

Every ball provably contains the true value. Three ingredients, each rigorous (docs/certified.md):

- the integrand on each analytic piece between the link's kinks (:func:`theory.hermite.
  breakpoints`, kinked functions replaced by their branch on the piece) is translated from sympy
  to arb by a whitelist (:class:`NotCertifiable` otherwise);
- the integral over ``[-L, L]`` is a Gauss–Legendre sum in ball arithmetic on sub-intervals plus
  Trefethen's bound ``(64/15) M ρ^{-2n}/(ρ²-1)`` (SIAM Review 50, 2008, Thm 4.5) for ``n`` nodes
  and an integrand analytic in the Bernstein ellipse ``E_ρ`` with ``|·| ≤ M`` there: analyticity
  is checked in arb on a box covering the ellipse and ``M`` on boxes covering its boundary
  (maximum modulus principle), for every ``k`` at once through the recurrence of ``h_k``;
- the Gaussian tail beyond ``L``: ``|f(z)| ≤ A (1+|z|)^p e^{c|z|}`` (an envelope proven by
  structural rules on the expression, :func:`envelope`) and Cramér's inequality
  ``|h_k(z)| φ(z)^{1/2} ≤ K (2π)^{-1/4}``, ``K = 1.086435`` (Abramowitz–Stegun 22.14.17), give
  ``|∫_{|z|>L} f h_k φ| ≤ 2 K A (2π)^{-1/2} e^{g(L)}/δ`` with ``g(z) = p log(1+z) + cz - z²/4``
  and ``δ = L/2 - c - p/(1+L) > 0`` (``g' ≤ -δ`` on ``[L, ∞)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import flint
import mpmath
import sympy
from flint import acb, arb

from gfverify.numerics.certified_tails import (  # noqa: F401 (re-exported)
    CRAMER_K,
    NotCertifiable,
    envelope,
    tail_bound,
    tail_length,
)
from gfverify.numerics.precision import exact_fraction
from gfverify.theory.hermite import Z, breakpoints, symmetry_zeros

#: Bernstein-ellipse parameter, boxes covering its boundary, and the widest sub-interval.
RHO, BOUNDARY_BOXES, WIDTH = 4.0, 32, 4.0
_KINKED = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, sympy.Piecewise)


@dataclass(frozen=True)
class Enclosures:
    """``balls[k]`` an arb ball containing ``α_k`` (exact zeros by parity are ``arb(0)``);
    ``tail`` the proven bound on the truncation beyond ``±L``; ``method`` in words."""

    balls: list
    exact_zero: list[bool]
    tail: object
    L: float
    method: str

    def as_json(self, digits: int) -> list[dict]:
        """``[{"mid": ..., "rad": ...}]`` as decimal strings (``rad`` rounded up)."""
        return [{"mid": ball_mid(b, digits), "rad": ball_rad(b)} for b in self.balls]


def ball_mid(b, digits: int) -> str:
    """The midpoint of an arb ball as a decimal string of ``digits + 5`` digits."""
    return "0" if b.is_zero() else b.mid().str(digits + 5, radius=False)


def ball_rad(b) -> str:
    """The radius of an arb ball, rounded up to 3 digits (decimal string)."""
    r = b.rad()
    if r == 0:
        return "0"
    return mpmath.nstr(mpmath.mpf(r.str(5, radius=False)) * (1 + mpmath.mpf("1e-3")), 3)


# ---------------------------------------------------------------- sympy -> arb, per piece
def _branch(expr: sympy.Expr, z: sympy.Symbol, lo: sympy.Rational, hi: sympy.Rational) -> sympy.Expr:
    """``expr`` on the open piece ``(lo, hi)`` with every kinked function replaced by its branch
    there: the branch is read at the midpoint, and sympy's ``solveset`` must prove that the
    quantity deciding it (the argument of Abs/sign/Heaviside, the gap between the chosen and
    each other argument of Max/Min, the two sides of a Piecewise condition) has no zero inside;
    :class:`NotCertifiable` otherwise."""
    at, piece = (lo + hi) / 2, sympy.Interval.open(lo, hi)

    def constant_sign(u: sympy.Expr) -> int:
        if not u.is_number and sympy.solveset(u, z, piece) != sympy.S.EmptySet:
            raise NotCertifiable(f"cannot prove that {u} keeps its sign on ({lo}, {hi})")
        value = sympy.N(u.subs(z, at), 30)
        return 0 if value == 0 else (1 if value > 0 else -1)

    def walk(e: sympy.Expr) -> sympy.Expr:
        if not e.args or not e.has(*_KINKED):
            return e
        if isinstance(e, sympy.Piecewise):
            for value, cond in e.args:
                if isinstance(cond, sympy.core.relational.Relational):
                    constant_sign(cond.lhs - cond.rhs)
                elif cond not in (sympy.true, sympy.false):
                    raise NotCertifiable(f"cannot decide the condition {cond} on ({lo}, {hi})")
                if cond.subs(z, at) == sympy.true:
                    return walk(value)
            raise NotCertifiable(f"no branch of {e} at z = {at}")
        args = [walk(a) for a in e.args]
        if isinstance(e, sympy.Abs):
            return args[0] * constant_sign(args[0])
        if isinstance(e, sympy.sign):
            return sympy.Integer(constant_sign(args[0]))
        if isinstance(e, sympy.Heaviside):
            return sympy.Integer(1 if constant_sign(args[0]) > 0 else 0)
        if isinstance(e, (sympy.Max, sympy.Min)):
            values = [sympy.N(a.subs(z, at), 30) for a in args]
            chosen = args[values.index((max if isinstance(e, sympy.Max) else min)(values))]
            for other in args:
                if other is not chosen:
                    constant_sign(chosen - other)
            return chosen
        return e.func(*args)

    return walk(sympy.sympify(expr))


_UNARY: dict = {
    sympy.exp: lambda u, a: u.exp(), sympy.sin: lambda u, a: u.sin(),
    sympy.cos: lambda u, a: u.cos(), sympy.tan: lambda u, a: u.tan(),
    sympy.sinh: lambda u, a: u.sinh(), sympy.cosh: lambda u, a: u.cosh(),
    sympy.tanh: lambda u, a: u.tanh(), sympy.erf: lambda u, a: u.erf(),
    sympy.erfc: lambda u, a: u.erfc(), sympy.log: lambda u, a: u.log(analytic=a),
    sympy.atan: lambda u, a: ((1 + acb(0, 1) * u).log(analytic=a)
                              - (1 - acb(0, 1) * u).log(analytic=a)) / acb(0, 2),
}


def arb_function(expr: sympy.Expr, z: sympy.Symbol = Z) -> Callable:
    """A kink-free sympy expression as ``F(x, analytic) -> acb`` (the whitelist of
    :data:`_UNARY`, ``+ * **`` and the constants); :class:`NotCertifiable` otherwise. With
    ``analytic=True`` a box touching a branch cut gives a non-finite ball."""
    def build(e: sympy.Expr) -> Callable:
        if e == z:
            return lambda x, a: x
        if e.is_Rational or isinstance(e, sympy.Float):
            value = acb(_rational(e) if e.is_Rational else _binary(e))  # at the working precision
            return lambda x, a: value
        if e == sympy.pi:
            return lambda x, a: acb(arb.pi())
        if e == sympy.E:
            return lambda x, a: acb(arb(1).exp())
        if isinstance(e, sympy.Add):
            parts = [build(t) for t in e.args]
            return lambda x, a: sum((p(x, a) for p in parts[1:]), parts[0](x, a))
        if isinstance(e, sympy.Mul):
            parts = [build(t) for t in e.args]

            def product(x, a):
                out = parts[0](x, a)
                for p in parts[1:]:
                    out = out * p(x, a)
                return out
            return product
        if isinstance(e, sympy.Pow):
            base, ex = build(e.base), e.exp
            if ex.is_Integer:
                n = int(ex)
                return lambda x, a: base(x, a) ** n
            if ex.is_Rational:
                q = acb(arb(int(ex.p)) / int(ex.q))
                return lambda x, a: base(x, a).pow(q, analytic=a)
            raise NotCertifiable(f"the power {e} has a non-rational exponent")
        if e.func in _UNARY and len(e.args) == 1:
            inner, fun = build(e.args[0]), _UNARY[e.func]
            return lambda x, a: fun(inner(x, a), a)
        raise NotCertifiable(f"arb evaluation of {e.func.__name__} is not supported")

    return build(sympy.sympify(expr))


def _binary(e: sympy.Float):
    """A sympy Float as the exact binary number it stores, sign included."""
    f = exact_fraction(mpmath.mpf(e))
    return arb(f.numerator) / f.denominator  # the denominator is a power of 2: exact


def _rational(e: sympy.Expr):
    """An exact rational as an arb ball (exact when the denominator is a power of 2)."""
    e = e if isinstance(e, sympy.Rational) else sympy.nsimplify(e)
    if not e.is_Rational:
        raise NotCertifiable(f"the breakpoint {e} is not rational")
    return arb(int(e.p)) / int(e.q)


# ---------------------------------------------------------------- rigorous Gauss–Legendre
@lru_cache(maxsize=64)
def _legendre(n: int, prec: int) -> tuple:
    saved = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        return tuple(arb.legendre_p_root(n, i, weight=True) for i in range(n))
    finally:
        flint.ctx.prec = saved


def _he_values(x, kmax: int) -> list:
    """``He_0(x)..He_kmax(x)`` by ``He_{k+1} = x He_k - k He_{k-1}`` (ball arithmetic)."""
    out = [x * 0 + 1, x]
    for k in range(1, kmax):
        out.append(x * out[k] - k * out[k - 1])
    return out[:kmax + 1]


@lru_cache(maxsize=16)
def _log_cauchy(kmax: int) -> tuple:
    """``log(k!) + k/2 − (k/2) log k``: with it, Cauchy's estimate of the generating function
    ``Σ He_k(z) tᵏ/k! = e^{zt − t²/2}`` on ``|t| = √k`` reads
    ``|He_k(z)| ≤ exp(log_cauchy[k] + √k |z|)`` (64-bit balls)."""
    saved = flint.ctx.prec
    flint.ctx.prec = 64
    try:
        return (arb(0),) + tuple(arb(k + 1).lgamma() + arb(k) / 2 - arb(k) * arb(k).log() / 2
                                 for k in range(1, kmax + 1))
    finally:
        flint.ctx.prec = saved


def _sqrt_int(k: int):
    return arb(k).sqrt()


@lru_cache(maxsize=16)
def _inv_sqrt_factorials(kmax: int, prec: int) -> tuple:
    """``1/√(k!)`` for ``k ≤ kmax`` as arb balls."""
    return tuple(1 / arb.fac_ui(k).sqrt() for k in range(kmax + 1))


def _interval(F: Callable, a, b, kmax: int, ks: range, tol, rho: float = RHO,
              n_max: int = 90) -> list:
    """Balls containing ``∫_a^b F(x) h_k(x) dx`` for ``k`` in ``ks`` (``arb(0)`` for the other
    ``k ≤ kmax``; ``F`` analytic near ``[a, b]``): Gauss–Legendre plus Trefethen's ellipse
    bound, bisecting when needed."""
    a, b = arb(a), arb(b)
    c, h = (a + b) / 2, (b - a) / 2
    r = arb(rho)
    semi_re, semi_im = h * (r + 1 / r) / 2, h * (r - 1 / r) / 2
    tiny = float(h.mid()) < 1e-6
    box = acb(arb(c.mid(), (semi_re + h * 1e-3).upper()), arb(0, (semi_im * 1.001).upper()))
    if not tiny and _finite(F(box, True)):
        m, saved = BOUNDARY_BOXES, flint.ctx.prec
        M = [arb(0)] * (kmax + 1)
        flint.ctx.prec = 64  # upper bounds only: balls at low precision are still rigorous
        try:
            speed = semi_re * (2 * arb.pi() / m) / 2
            log_cauchy = _log_cauchy(kmax)
            for j in range(m):
                t = 2 * arb.pi() * (j + arb(1) / 2) / m
                pt = acb(c + semi_re * t.cos(), semi_im * t.sin())
                half = speed.upper() * 1.01
                zbox = acb(arb(pt.real.mid(), half), arb(pt.imag.mid(), half))
                fz = F(zbox, True)
                if not _finite(fz):
                    break
                he, size = _he_values(zbox, kmax), arb(zbox.abs_upper())
                for k in ks:
                    bound = (fz * he[k]).abs_upper()
                    if k:  # Cauchy on e^{zt - t²/2} at |t| = √k, for boxes where the recurrence overshoots
                        cauchy = (arb(fz.abs_upper()) * (log_cauchy[k] + _sqrt_int(k) * size).exp()).upper()
                        bound = cauchy if cauchy < bound else bound
                    M[k] = arb(0, bound) if not j else M[k].union(arb(0, bound))
        finally:
            flint.ctx.prec = saved
        if j == m - 1 and _finite(fz):
            scale = _inv_sqrt_factorials(kmax, flint.ctx.prec)
            Mmax = arb(0)
            for k in ks:
                bound = (M[k] * scale[k]).abs_upper()
                Mmax = bound if bound > Mmax else Mmax
            factor = h * 64 / (15 * (r * r - 1))
            n = 8
            while n <= n_max:
                err = factor * Mmax * r ** (-2 * n)
                if err < tol:
                    break
                n = int(n * 1.25) + 1
            if n <= n_max:
                total = [arb(0)] * (kmax + 1)
                for x, w in _legendre(n, flint.ctx.prec):
                    xx = c + h * x
                    wf = h * w * F(acb(xx), False).real
                    he = _he_values(xx, kmax)
                    for k in ks:
                        total[k] += wf * he[k]
                tail = factor * r ** (-2 * n)
                return [(total[k] + arb(0, (tail * M[k]).upper())) * scale[k] if k in ks else arb(0)
                        for k in range(kmax + 1)]
    if float(h.mid()) < 1e-3:
        raise NotCertifiable(f"the integrand is not analytic (or too large) near z = "
                             f"{float(c.mid()):.6g}")
    return [x + y for x, y in zip(_interval(F, a, c, kmax, ks, tol / 2, rho, n_max),
                                  _interval(F, c, b, kmax, ks, tol / 2, rho, n_max))]


def _finite(v) -> bool:
    return v.real.is_finite() and v.imag.is_finite()


def gaussian_moments(f: sympy.Expr, kmax: int, dps: int, z: sympy.Symbol = Z,
                     fold: int = 0) -> tuple[list, object, float]:
    """Balls containing ``E[f(z) h_k(z)]``, ``k ≤ kmax``, at ``dps`` digits (radius target
    ``10^{-dps}``): ``fold = ±1`` for an even/odd ``f`` (integrate on ``[0, L]``, double the
    coefficients of matching parity, the others exactly 0). Returns ``(balls, tail, L)``."""
    f = sympy.sympify(f)
    saved = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 64
    try:
        target = arb(10) ** (-dps - 2)
        L, tail = tail_length(envelope(f, z), target / 4)
        try:
            kinks = breakpoints(f, z)
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise NotCertifiable(f"sympy cannot locate the kinks of {f} ({type(exc).__name__})") from None
        cuts = sorted({sympy.nsimplify(c) for c in kinks} | {sympy.Integer(0)}, key=float)
        cuts = [c for c in cuts if -L < float(c) < L]
        ends = [sympy.Integer(0) if fold else sympy.Rational(-L), *cuts, sympy.Rational(L)]
        ends = sorted(set(ends), key=float)
        pieces = [(lo, hi) for lo, hi in zip(ends[:-1], ends[1:]) if not fold or float(lo) >= 0]
        weight = 1 / (2 * arb.pi()).sqrt()
        total = [arb(0)] * (kmax + 1)
        steps = sum(max(1, math.ceil(float(hi - lo) / WIDTH)) for lo, hi in pieces)
        ks = range(1 if fold == -1 else 0, kmax + 1, 2 if fold else 1)
        # nodes for ρ^{-2n} to reach the target with 20 digits to spare for M: bisecting
        # does not lower the n a fixed ρ needs
        n_max = max(90, int((dps + 20) * math.log(10) / (2 * math.log(RHO))) + 10)
        for lo, hi in pieces:
            piece = arb_function(_branch(f, z, lo, hi), z)

            def F(x, analytic, piece=piece):
                return piece(x, analytic) * (-(x * x) / 2).exp() * weight
            m = max(1, math.ceil(float(hi - lo) / WIDTH))
            for i in range(m):
                a = _rational(lo) + (_rational(hi) - _rational(lo)) * i / m
                b = _rational(lo) + (_rational(hi) - _rational(lo)) * (i + 1) / m
                part = _interval(F, a, b, kmax, ks, target / (4 * steps), n_max=n_max)
                total = [t + p for t, p in zip(total, part)]
        balls = []
        for k, t in enumerate(total):
            if fold and (k % 2 == 0) != (fold == 1):
                balls.append(arb(0))
            else:
                balls.append((2 * t if fold else t) + arb(0, tail.upper()))
        return balls, tail, L
    finally:
        flint.ctx.prec = saved


def hermite_enclosures(f: sympy.Expr, kmax: int, dps: int, z: sympy.Symbol = Z) -> Enclosures:
    """Certified balls of ``α_0..α_kmax`` of ``f`` (radius target ``10^{-dps}``); an even or
    odd link has the other parity's coefficients exactly 0 (sympy proves the parity)."""
    f = sympy.sympify(f)
    zero = symmetry_zeros(f, max(kmax, 1), z)  # e.g. softplus: odd part z/2, α_k = 0 for odd k > 1
    fold = 1 if zero[1] else (-1 if zero[0] else 0)  # odd part 0: even link; even part 0: odd
    balls, tail, L = gaussian_moments(f, kmax, dps, z, fold)
    zero = zero[:kmax + 1]
    balls = [arb(0) if z0 else b for b, z0 in zip(balls, zero)]
    return Enclosures(balls=balls, exact_zero=zero, tail=tail, L=L,
                      method=f"arb Gauss-Legendre with Trefethen's ellipse bound on [-{L}, {L}] "
                             f"split at the kinks, Cramér tail bound {tail.upper().str(3, radius=False)}")
