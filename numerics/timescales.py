"""Numeric evaluation of the exact escape times of :mod:`gfverify.theory.timescales`.

``T(m0 → m1) = rational(m1) − rational(m0) + Σ_{q(r)=0} (p(r)/q'(r)) (log(m1 − r) − log(m0 − r))``
at the current mpmath precision: the roots of the square-free ``q`` by python-flint's certified
complex root isolation when installed (fast at high degree), else ``mpmath.polyroots``. Also the
terms of the expansion as ``m0 → 0``, the plateau of a frozen stage, the escape time confirmed
at two precisions, and the Hermite coefficients of a link truncated for a given accuracy of ``T``."""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import sympy

from gfverify.errors import InputError
from gfverify.numerics import engines
from gfverify.numerics.precision import TwoRuns, two_precisions
from gfverify.theory import timescales as ts
from gfverify.theory.reduced_ode import check_alphas


def _mp(x: object) -> mpmath.mpf:
    if isinstance(x, sympy.Basic):
        return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 10))
    return mpmath.mpf(x)


def _mp_rational(c: sympy.Expr) -> mpmath.mpf:
    c = sympy.Rational(c)
    return mpmath.mpf(int(c.p)) / int(c.q)


def _roots(den: sympy.Poly, prec: int) -> list[mpmath.mpc]:
    """The (simple) roots of the square-free rational polynomial ``den`` to ``prec`` bits."""
    if den.degree() <= 0:
        return []
    flint = engines.module("flint")
    if flint is None:
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


def log_terms(integral: ts.EscapeIntegral) -> list[tuple[mpmath.mpc, mpmath.mpc]]:
    """``(r, p(r)/q'(r))`` for every root ``r`` of the log-part denominator, at the current
    mpmath precision."""
    return _log_terms(integral.log_num, integral.log_den, mpmath.mp.prec)


def integral_time(integral: ts.EscapeIntegral, m0: object, m1: object) -> mpmath.mpf:
    """``T(m0 → m1) = F(m1) − F(m0)`` from the exact antiderivative, at the current precision
    (``m0``, ``m1`` exact or mpmath; no check that the flow gets there)."""
    a, b = _mp(m0), _mp(m1)
    if integral.rational != 0:
        rat = sympy.lambdify(integral.var, integral.rational, "mpmath")
        total = mpmath.mpf(rat(b)) - mpmath.mpf(rat(a))
    else:
        total = mpmath.mpf(0)
    for r, c in log_terms(integral):
        total += mpmath.re(c * (mpmath.log(b - r) - mpmath.log(a - r)))
    return total


def escape_time(rhs: sympy.Expr, var: sympy.Symbol, m0: object, m1: object) -> mpmath.mpf:
    """``T(m0 → m1) = ∫ dm / R(m)`` in closed form at the current precision, after the exact
    check that ``R > 0`` on ``[m0, m1]`` (:func:`gfverify.theory.timescales.check_escape_interval`)."""
    ts.check_escape_interval(rhs, var, m0, m1)
    return integral_time(ts.escape_integral(rhs, var), m0, m1)


def confirmed_escape_time(rhs: sympy.Expr, var: sympy.Symbol, m0: object, m1: object,
                          dps: int) -> TwoRuns:
    """:func:`escape_time` at ``dps`` and at the second precision, with their agreed digits."""
    ts.check_escape_interval(rhs, var, m0, m1)
    integral = ts.escape_integral(rhs, var)
    return two_precisions(lambda p: integral_time(integral, m0, m1), dps)


def stage_plateau(stage_rhs: sympy.Expr, g: sympy.Symbol, g0: object, g1: object) -> mpmath.mpf:
    """The length ``∫_{g0}^{g1} dg / R(g)`` of a frozen stage, in closed form."""
    return escape_time(stage_rhs, g, g0, g1)


def asymptotic_constant(asym: ts.Asymptotics) -> mpmath.mpf:
    """``K = lim_{m0→0} (T − Σ singular)`` at the current precision: the exact rational limit
    (theory) plus the log-sum, whose root at 0 (if any) contributes ``c log m1`` only."""
    b = _mp(asym.m1)
    rational = asym.integral.rational
    var = asym.integral.var
    total = mpmath.mpf(sympy.lambdify(var, rational, "mpmath")(b)) if rational != 0 else mpmath.mpf(0)
    total -= _mp(asym.rational_limit())
    for r, c in log_terms(asym.integral):
        if abs(r) < mpmath.mpf(2) ** (-mpmath.mp.prec // 2):
            total += mpmath.re(c * mpmath.log(b))
        else:
            total += mpmath.re(c * (mpmath.log(b - r) - mpmath.log(-r)))
    return total


def asymptotic_terms(asym: ts.Asymptotics, m0: object) -> list[mpmath.mpf]:
    """Every term of the expansion evaluated at ``m0``: singular (largest first), ``K``, regular."""
    x = _mp(m0)
    sing = [mpmath.mpf(sympy.lambdify(ts.M0, t, "mpmath")(x)) for t in asym.singular]
    reg = [mpmath.mpf(sympy.lambdify(ts.M0, t, "mpmath")(x)) for t in asym.regular]
    return sing + [asymptotic_constant(asym)] + reg


def link_alphas(f: sympy.Expr, z: sympy.Symbol, digits: int, m1: sympy.Expr,
                planted: bool) -> dict[int, sympy.Expr]:
    """Hermite coefficients ``{k: α_k}`` of the link ``f(z)``: exact for polynomials; otherwise
    from :mod:`gfverify.numerics.hermite`, truncated where the neglected tail moves ``T(· → m1)``
    by less than ``10^-(digits+3)`` relative, with ``α_k²`` rounded to exact rationals at
    ``digits + 10`` digits."""
    if f.is_polynomial(z):
        from gfverify.theory.hermite import hermite_coefficients

        deg = sympy.Poly(f, z).degree()
        return check_alphas(dict(enumerate(hermite_coefficients(f, deg))))
    from gfverify.numerics.hermite import hermite_coefficients, mp_function

    work = digits + 10
    g = float(m1) ** (1 if planted else 2)
    # the tail bound: sum_{k>K} k a_k^2 x^{k-1} <= tail (K+1) x^K for x <= K/(K+1)
    kmax = 8
    while True:
        coeffs = hermite_coefficients(f, kmax, work)
        with mpmath.workdps(work + 10):
            fun = mp_function(f)
            norm2 = mpmath.quad(lambda x, fun=fun: fun(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
            kept = sum(a**2 for a in coeffs.alphas[1:])
            tail = max(norm2 - coeffs.alphas[0] ** 2 - kept, 0) + mpmath.mpf(10) ** (-work)
            alphas = {k: a for k, a in enumerate(coeffs.alphas) if k >= 1 and a != 0}
            if not alphas:
                raise InputError("the link has no non-zero Hermite coefficient of degree >= 1")
            s = min(alphas)
            lead = s * alphas[s] ** 2 * mpmath.mpf(g) ** (s - 1)
            bound = tail * (kmax + 1) * mpmath.mpf(g) ** kmax / lead
            if g <= kmax / (kmax + 1) and bound < mpmath.mpf(10) ** (-(digits + 3)):
                return {k: sympy.sqrt(sympy.Rational(mpmath.nstr(a**2, work + 5, min_fixed=-math.inf,
                                                                 max_fixed=math.inf)))
                        for k, a in alphas.items()}
        if kmax > 400:
            raise InputError(f"m1 = {m1} is too close to 1 for a truncated Hermite series at "
                             f"{digits} digits; choose a smaller target")
        kmax *= 2
