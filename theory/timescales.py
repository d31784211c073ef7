"""Exact escape times of one-dimensional polynomial flows ``ṁ = R(m)`` and their asymptotics.

``T(m0 → m1) = ∫_{m0}^{m1} dm / R(m)``: Hermite reduction splits ``1/R`` into a rational
antiderivative and ``p/q`` with ``q`` square-free, whose integral is the log-sum
``Σ_{q(r)=0} p(r)/q'(r) · log(m − r)`` (the roots are algebraic numbers, computed to the
working precision). The asymptotics in ``m0 → 0`` come from the Laurent series of ``1/R`` at 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import mpmath
import sympy
from sympy.integrals.rationaltools import ratint_ratpart

from gfverify.errors import InputError

M0 = sympy.Symbol("m0", positive=True)
D = sympy.Symbol("d", positive=True)


@dataclass(frozen=True)
class EscapeIntegral:
    """``∫ dm / R(m) = rational(m) + Σ_{q(r)=0} (p(r)/q'(r)) log(m − r)`` with ``q`` square-free."""

    var: sympy.Symbol
    rhs: sympy.Expr
    rational: sympy.Expr
    log_num: sympy.Poly
    log_den: sympy.Poly

    def antiderivative(self) -> sympy.Expr:
        """The antiderivative as a sympy expression (the log part as a ``RootSum``)."""
        r = sympy.Dummy("r")
        p, q = self.log_num.as_expr(), self.log_den.as_expr()
        if self.log_num.is_zero:
            return self.rational
        weight = (p / sympy.diff(q, self.var)).subs(self.var, r)
        return self.rational + sympy.RootSum(self.log_den, sympy.Lambda(r, weight * sympy.log(self.var - r)))

    def log_terms(self) -> list[tuple[mpmath.mpc, mpmath.mpc]]:
        """``(r, p(r)/q'(r))`` for every root of ``q``, at the current mpmath precision."""
        return _log_terms(self.log_num, self.log_den, mpmath.mp.prec)

    def time(self, m0: object, m1: object) -> mpmath.mpf:
        """``T(m0 → m1)`` at the current mpmath precision (``m0``, ``m1`` exact or mpmath)."""
        a, b = _mp(m0), _mp(m1)
        if self.rational != 0:
            rat = sympy.lambdify(self.var, self.rational, "mpmath")
            total = mpmath.mpf(rat(b)) - mpmath.mpf(rat(a))
        else:
            total = mpmath.mpf(0)
        for r, c in self.log_terms():
            total += mpmath.re(c * (mpmath.log(b - r) - mpmath.log(a - r)))
        return total


def _mp(x: object) -> mpmath.mpf:
    if isinstance(x, sympy.Basic):
        return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10))
    return mpmath.mpf(x)


def _mp_rational(c: sympy.Expr) -> mpmath.mpf:
    c = sympy.Rational(c)
    return mpmath.mpf(int(c.p)) / int(c.q)


def _roots(den: sympy.Poly, prec: int) -> list[mpmath.mpc]:
    """The (simple) roots of the square-free rational polynomial ``den`` to ``prec`` bits:
    python-flint's certified complex root isolation when installed (fast at high degree),
    else ``mpmath.polyroots``."""
    if den.degree() <= 0:
        return []
    try:
        import flint
    except ImportError:
        coeffs = [_mp_rational(c) for c in den.all_coeffs()]
        return list(mpmath.polyroots(coeffs, maxsteps=400, extraprec=2 * prec + 64))
    poly = flint.fmpq_poly([flint.fmpq(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
                            for c in reversed(den.all_coeffs())])
    old = flint.ctx.prec
    try:
        flint.ctx.prec = prec + 64
        roots = poly.complex_roots()
    finally:
        flint.ctx.prec = old
    out = []
    for r, mult in roots:
        if mult != 1:
            raise ValueError("the log-part denominator is not square-free")
        re, im = (mpmath.mpf(tuple(int(x) for x in part.mid().man_exp())) for part in (r.real, r.imag))
        out.append(mpmath.mpc(re, im))
    return out


@lru_cache(maxsize=256)
def _log_terms(num: sympy.Poly, den: sympy.Poly, prec: int) -> list[tuple]:
    if num.is_zero:
        return []
    dden = den.diff()
    with mpmath.workprec(prec + 64):
        pn = [_mp_rational(c) for c in num.all_coeffs()]
        pd = [_mp_rational(c) for c in dden.all_coeffs()]
        return [(r, mpmath.polyval(pn, r) / mpmath.polyval(pd, r)) for r in _roots(den, prec)]


def escape_integral(rhs: sympy.Expr, var: sympy.Symbol) -> EscapeIntegral:
    """Hermite reduction of ``∫ dm / R(m)`` for a polynomial ``R`` with rational coefficients."""
    poly = _rational_poly(rhs, var)
    rational, log_part = ratint_ratpart(sympy.Poly(1, var, domain="QQ"), poly, var)
    num, den = sympy.fraction(sympy.cancel(sympy.together(log_part)))
    num_p, den_p = sympy.Poly(num, var, domain="QQ"), sympy.Poly(den, var, domain="QQ")
    return EscapeIntegral(var=var, rhs=sympy.expand(rhs), rational=sympy.cancel(rational),
                          log_num=num_p, log_den=den_p)


def _rational_poly(rhs: sympy.Expr, var: sympy.Symbol) -> sympy.Poly:
    try:
        poly = sympy.Poly(sympy.expand(rhs), var)
    except sympy.PolynomialError:
        raise InputError(f"the right-hand side is not a polynomial in {var}: {rhs}") from None
    if not all(c.is_rational for c in poly.all_coeffs()):
        raise InputError("the closed-form escape time needs a right-hand side with rational "
                         "coefficients (alpha_k^2 rational)")
    if poly.is_zero:
        raise InputError("the right-hand side is identically zero: nothing escapes")
    return sympy.Poly(poly, var, domain="QQ")


def escape_time(rhs: sympy.Expr, var: sympy.Symbol, m0: object, m1: object) -> mpmath.mpf:
    """``T(m0 → m1) = ∫ dm / R(m)`` in closed form, evaluated at the current mpmath precision.
    Requires ``R > 0`` on ``[m0, m1]`` (checked on the exact polynomial)."""
    poly = _rational_poly(rhs, var)
    a, b = sympy.nsimplify(m0) if isinstance(m0, float) else m0, m1
    lo, hi = (sympy.Rational(sympy.N(a, 30)), sympy.Rational(sympy.N(b, 30)))
    if not lo < hi:
        raise InputError(f"the target m1 = {m1} must exceed the start m0 = {m0}")
    if sympy.count_roots(poly, lo - sympy.Rational(1, 10**25), hi + sympy.Rational(1, 10**25)) > 0:
        raise InputError(f"the right-hand side vanishes between m0 = {m0} and m1 = {m1}: "
                         "the flow never reaches m1")
    if poly.eval(hi) <= 0:
        raise InputError(f"the flow moves away from m1 = {m1} (R(m) <= 0 on the interval)")
    return escape_integral(rhs, var).time(m0, m1)


# ----------------------------------------------------------------------------- asymptotics

def laurent_at_zero(rhs: sympy.Expr, var: sympy.Symbol, upto: int) -> dict[int, sympy.Expr]:
    """Coefficients ``c_j`` of ``1/R(m) = Σ c_j m^j`` around 0, for ``j ≤ upto``: with
    ``R = m^ν P(m)``, ``P(0) ≠ 0``, the series ``1/P = Σ b_n m^n`` has ``b_0 = 1/p_0`` and
    ``b_n = −(Σ_{k=1}^n p_k b_{n−k}) / p_0`` (coefficients may be symbols)."""
    poly = sympy.Poly(sympy.expand(rhs), var)
    if poly.is_zero:
        raise InputError("the right-hand side is identically zero")
    nu = min(k[0] for k in poly.monoms())
    p = [poly.coeff_monomial(var ** (nu + k)) for k in range(poly.degree() - nu + 1)]
    b: list[sympy.Expr] = []
    for n in range(upto + nu + 1):
        acc = sum((p[k] * b[n - k] for k in range(1, min(n, len(p) - 1) + 1)), sympy.Integer(0))
        b.append(sympy.cancel((1 if n == 0 else -acc) / p[0]))
    return {n - nu: c for n, c in enumerate(b) if c != 0}


def singular_terms(rhs: sympy.Expr, var: sympy.Symbol, m0: sympy.Expr = M0) -> list[sympy.Expr]:
    """The growing terms of ``T(m0 → m1)`` as ``m0 → 0``, largest first: from the principal part
    ``Σ_{j≥1} c_{-j} m^{-j}`` of ``1/R``: ``c_{-j} m0^{1−j}/(j−1)`` (j ≥ 2) and ``−c_{-1} ln m0``."""
    laurent = laurent_at_zero(rhs, var, -1)
    terms = []
    for j in sorted((-p for p in laurent), reverse=True):
        c = laurent[-j]
        terms.append(c * m0 ** (1 - j) / (j - 1) if j >= 2 else -c * sympy.log(m0))
    return terms


def regular_terms(rhs: sympy.Expr, var: sympy.Symbol, count: int,
                  m0: sympy.Expr = M0) -> list[sympy.Expr]:
    """The first ``count`` vanishing terms ``−a_e m0^{e+1}/(e+1)`` of ``T`` as ``m0 → 0``, from the
    Taylor part ``Σ_{e≥0} a_e m^e`` of ``1/R`` (``T = F(m1) − F(m0)``)."""
    upto = 0
    while True:
        laurent = laurent_at_zero(rhs, var, upto)
        reg = sorted(e for e in laurent if e >= 0)
        if len(reg) >= count or upto > 4 * count + 8:
            return [-laurent[e] * m0 ** (e + 1) / (e + 1) for e in reg[:count]]
        upto += 2


@dataclass(frozen=True)
class Asymptotics:
    """``T(m0 → m1) = Σ singular + K + Σ regular``: growing terms, the constant ``K`` and the
    vanishing terms, all as ``m0 → 0``."""

    singular: tuple[sympy.Expr, ...]
    regular: tuple[sympy.Expr, ...]
    integral: EscapeIntegral
    m1: sympy.Expr

    def constant(self) -> mpmath.mpf:
        """``K = lim_{m0→0} (T − Σ singular)``, at the current precision: with ``F`` the exact
        antiderivative, ``K = F(m1) − lim_{m→0} (F(m) + Σ singular(m))``."""
        var = self.integral.var
        sing = sympy.Add(*self.singular).subs(M0, var)
        rat_reg = sympy.limit(self.integral.rational + _power_part(sing, var), var, 0)
        rat = sympy.lambdify(var, self.integral.rational, "mpmath")
        b = _mp(self.m1)
        total = mpmath.mpf(rat(b)) if self.integral.rational != 0 else mpmath.mpf(0)
        total -= _mp(rat_reg)
        for r, c in self.integral.log_terms():
            if abs(r) < mpmath.mpf(2) ** (-mpmath.mp.prec // 2):
                total += mpmath.re(c * mpmath.log(b))
            else:
                total += mpmath.re(c * (mpmath.log(b - r) - mpmath.log(-r)))
        return total

    def terms(self, m0: object) -> list[mpmath.mpf]:
        """Every term evaluated at ``m0``: singular (largest first), ``K``, regular."""
        x = _mp(m0)
        sing = [mpmath.mpf(sympy.lambdify(M0, t, "mpmath")(x)) for t in self.singular]
        reg = [mpmath.mpf(sympy.lambdify(M0, t, "mpmath")(x)) for t in self.regular]
        return sing + [self.constant()] + reg


def _power_part(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """The non-logarithmic terms of ``expr`` (the singular powers of ``m``)."""
    return sympy.Add(*[t for t in sympy.Add.make_args(expr) if not t.has(sympy.log)])


def asymptotics(rhs: sympy.Expr, var: sympy.Symbol, m1: object, regular: int = 2) -> Asymptotics:
    """The expansion of ``T(m0 → m1)`` as ``m0 → 0`` for a polynomial ``R`` with rational
    coefficients."""
    return Asymptotics(singular=tuple(singular_terms(rhs, var)),
                       regular=tuple(regular_terms(rhs, var, regular)),
                       integral=escape_integral(rhs, var), m1=sympy.sympify(m1))


def in_d(term: sympy.Expr, g: sympy.Expr = 1) -> sympy.Expr:
    """A term in ``m0`` rewritten in ``d`` for the start ``m0 = g d^{-1/2}``."""
    return sympy.expand_log(sympy.powsimp(term.subs(M0, g / sympy.sqrt(D))), force=True)


# ----------------------------------------------------------------------------- stages

def frozen_stage_rhs(gdot: Sequence[sympy.Expr], gs: Sequence[sympy.Symbol],
                     order: Sequence[int], stage: int) -> sympy.Expr:
    """The right-hand side of stage ``stage`` of a diagonal saddle-to-saddle flow: the directions
    learned before it frozen at 1, those after it at 0 (``order`` = the order of learning)."""
    learned = {gs[i]: 1 for i in order[:stage]}
    later = {gs[i]: 0 for i in order[stage + 1:]}
    return sympy.expand(gdot[order[stage]].subs({**learned, **later}))


def relative_exponent(stage_rhs: sympy.Expr, g: sympy.Symbol) -> int:
    """The relative information exponent ``s̃`` of a stage: ``R(g) ∼ κ g^{s̃}`` as ``g → 0``."""
    return min(k[0] for k in sympy.Poly(stage_rhs, g).monoms())


def stage_plateau(stage_rhs: sympy.Expr, g: sympy.Symbol, g0: object, g1: object) -> mpmath.mpf:
    """The length ``∫_{g0}^{g1} dg / R(g)`` of a frozen stage, in closed form."""
    return escape_time(stage_rhs, g, g0, g1)
