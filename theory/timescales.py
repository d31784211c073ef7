"""Exact escape times of one-dimensional polynomial flows ``ṁ = R(m)`` and their asymptotics.

``T(m0 → m1) = ∫_{m0}^{m1} dm / R(m)``: Hermite reduction splits ``1/R`` into a rational
antiderivative and ``p/q`` with ``q`` square-free, whose integral is the log-sum
``Σ_{q(r)=0} p(r)/q'(r) · log(m − r)`` over the (algebraic) roots of ``q``. The asymptotics in
``m0 → 0`` come from the Laurent series of ``1/R`` at 0. Everything here is exact (sympy); the
numeric evaluation (roots to the working precision) is :mod:`gfverify.numerics.timescales`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def check_escape_interval(rhs: sympy.Expr, var: sympy.Symbol, m0: object, m1: object) -> sympy.Poly:
    """The polynomial ``R`` after checking that the flow ``ṁ = R(m)`` goes from ``m0`` to ``m1``:
    ``m0 < m1`` and ``R > 0`` on ``[m0, m1]`` (no root there, exact root counting on rational
    bounds that enclose the endpoints to 10^-25 relative). ``InputError`` otherwise."""
    poly = _rational_poly(rhs, var)
    a = sympy.nsimplify(m0) if isinstance(m0, float) else sympy.sympify(m0)
    b = sympy.nsimplify(m1) if isinstance(m1, float) else sympy.sympify(m1)
    lo, hi = sympy.Rational(sympy.N(a, 30)), sympy.Rational(sympy.N(b, 30))
    if not lo < hi:
        raise InputError(f"the target m1 = {m1} must exceed the start m0 = {m0}")
    margin = sympy.Rational(1, 10**25)
    if poly.count_roots(lo - abs(lo) * margin, hi + abs(hi) * margin) > 0:
        raise InputError(f"the right-hand side vanishes between m0 = {m0} and m1 = {m1}: "
                         "the flow never reaches m1")
    if poly.eval(hi) <= 0:
        raise InputError(f"the flow moves away from m1 = {m1} (R(m) <= 0 on the interval)")
    return poly


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

    def rational_limit(self) -> sympy.Expr:
        """``lim_{m→0} (rational(m) + the power terms of Σ singular(m))``: the exact part of the
        constant ``K = F(m1) − lim_{m→0} (F(m) + Σ singular(m))``, ``F`` the antiderivative (the
        log-sum part is evaluated by :func:`gfverify.numerics.timescales.asymptotic_terms`)."""
        var = self.integral.var
        sing = sympy.Add(*self.singular).subs(M0, var)
        return sympy.limit(self.integral.rational + _power_part(sing, var), var, 0)


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
