"""Hermite polynomials in the probabilists' convention and exact Hermite coefficients.

``He_0 = 1, He_1 = z, He_{k+1} = z He_k - k He_{k-1}``; normalized ``h_k = He_k / sqrt(k!)``
(orthonormal in L²(γ)); multivariate ``h_β(z) = Π h_{β_i}(z_i)``. Coefficients
``α_k = <f, h_k> = E[f(z) h_k(z)]``, ``z ~ N(0, 1)``."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import sympy

Z = sympy.Symbol("z", real=True)


@lru_cache(maxsize=None)
def _he_coeffs(k: int) -> tuple[int, ...]:
    """Integer coefficients of He_k in the monomial basis (index = power)."""
    if k < 0:
        raise ValueError("Hermite degree must be non-negative")
    if k == 0:
        return (1,)
    if k == 1:
        return (0, 1)
    a, b = _he_coeffs(k - 1), _he_coeffs(k - 2)
    out = [0] * (k + 1)
    for i, c in enumerate(a):
        out[i + 1] += c
    for i, c in enumerate(b):
        out[i] -= (k - 1) * c
    return tuple(out)


def He(k: int, x: sympy.Expr = Z) -> sympy.Expr:
    """Probabilists' Hermite polynomial ``He_k(x)`` (monic)."""
    return sympy.Add(*[c * x**i for i, c in enumerate(_he_coeffs(k)) if c])


def h(k: int, x: sympy.Expr = Z) -> sympy.Expr:
    """Normalized Hermite polynomial ``h_k = He_k / sqrt(k!)``."""
    return He(k, x) / sympy.sqrt(sympy.factorial(k))


def h_multi(beta: Sequence[int], xs: Sequence[sympy.Expr]) -> sympy.Expr:
    """Multivariate ``h_β(x) = Π_i h_{β_i}(x_i)``."""
    if len(beta) != len(xs):
        raise ValueError("multi-index and variables differ in length")
    return sympy.Mul(*[h(b, x) for b, x in zip(beta, xs)])


def he_coefficients(k: int) -> tuple[int, ...]:
    """The integer monomial coefficients of ``He_k`` (entry ``i`` multiplies ``z**i``)."""
    return _he_coeffs(k)


# ---------------------------------------------------------------------------------------------
# Exact Gaussian moments of the closed-form links
# ---------------------------------------------------------------------------------------------

class NotClosedForm(ValueError):
    """The link is outside the family whose Hermite coefficients sympy derives exactly
    (polynomial x {1, exp, cos, sin, erf, indicator of intervals}); use the numeric layer."""


_SQRT2PI = sympy.sqrt(2 * sympy.pi)


def _pdf(c: sympy.Expr) -> sympy.Expr:
    """Standard normal density φ(c) (0 at ±∞)."""
    return sympy.Integer(0) if c in (sympy.oo, -sympy.oo) else sympy.exp(-c**2 / 2) / _SQRT2PI


def _cdf(c: sympy.Expr) -> sympy.Expr:
    """Standard normal distribution function Φ(c)."""
    if c == sympy.oo:
        return sympy.Integer(1)
    if c == -sympy.oo:
        return sympy.Integer(0)
    return (1 + sympy.erf(c / sympy.sqrt(2))) / 2


def truncated_moments(n: int, lo: sympy.Expr, hi: sympy.Expr) -> list[sympy.Expr]:
    """``T_j = E[z^j 1{lo < z < hi}]`` for ``j = 0..n`` by the recursion
    ``T_j = (j-1) T_{j-2} + lo^{j-1} φ(lo) - hi^{j-1} φ(hi)`` (Gaussian integration by parts)."""
    out = [_cdf(hi) - _cdf(lo), _pdf(lo) - _pdf(hi)]
    for j in range(2, n + 1):
        edge = sympy.Integer(0)
        for c, sgn in ((lo, 1), (hi, -1)):
            if c not in (sympy.oo, -sympy.oo):
                edge += sgn * c**(j - 1) * _pdf(c)
        out.append(sympy.expand((j - 1) * out[j - 2] + edge))
    return out[: n + 1]


def _full_moments(n: int) -> list[sympy.Expr]:
    """``E[z^j]`` for ``j = 0..n``: ``(j-1)!!`` for even ``j``, 0 for odd."""
    return [sympy.Integer(0) if j % 2 else sympy.factorial2(j - 1) for j in range(n + 1)]


def _shifted_moments(n: int, a: sympy.Expr, lo: sympy.Expr, hi: sympy.Expr) -> list[sympy.Expr]:
    """``E[z^j e^{a z} 1{lo<z<hi}] = e^{a²/2} E[(w+a)^j 1{lo-a<w<hi-a}]`` (completing the square)."""
    whole = lo == -sympy.oo and hi == sympy.oo
    if not whole and not a.is_real:
        raise NotClosedForm("a complex exponential on a half-line has no elementary moments")
    base = _full_moments(n) if whole else truncated_moments(n, lo - a, hi - a)
    pref = sympy.exp(a**2 / 2)
    return [sympy.expand(pref * sum(sympy.binomial(j, i) * a**(j - i) * base[i]
                                    for i in range(j + 1))) for j in range(n + 1)]


def _erf_moments(n: int, a: sympy.Expr) -> list[sympy.Expr]:
    """``E[z^j erf(a z)]``: zero for even ``j``; for odd ``j`` Stein's lemma gives
    ``M_j = (j-1) M_{j-2} + (2a/√π) (j-2)!! (1+2a²)^{-j/2}``."""
    out = [sympy.Integer(0)] * (n + 1)
    lead = 2 * a / sympy.sqrt(sympy.pi)
    for j in range(1, n + 1, 2):
        prev = out[j - 2] if j >= 3 else 0
        out[j] = (j - 1) * prev + lead * sympy.factorial2(j - 2) * (1 + 2 * a**2) ** sympy.Rational(-j, 2)
    return out


# ---------------------------------------------------------------------------------------------
# Decomposition of a link into pieces  poly(z) * {1, e^{az}, erf(az)}  on intervals
# ---------------------------------------------------------------------------------------------

def _linear_coefficient(arg: sympy.Expr, z: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """``arg = a z + b`` -> ``(a, b)``; NotClosedForm if ``arg`` is not linear in ``z``."""
    poly = sympy.Poly(arg, z) if arg.is_polynomial(z) else None
    if poly is None or poly.degree() > 1:
        raise NotClosedForm(f"argument {arg} is not linear in {z}")
    return poly.coeff_monomial(z), poly.coeff_monomial(1)


def _split_term(term: sympy.Expr, z: sympy.Symbol) -> tuple[sympy.Expr, str, sympy.Expr]:
    """One additive term -> ``(polynomial factor, kind, a)`` with kind ``exp`` or ``erf``."""
    poly, kind, a, shift = sympy.Integer(1), "exp", sympy.Integer(0), sympy.Integer(0)
    for factor in sympy.Mul.make_args(term):
        if not factor.has(z) or factor.is_polynomial(z):
            poly *= factor
            continue
        base, expo = factor.as_base_exp()
        if isinstance(factor, sympy.exp) or base == sympy.E:
            arg = factor.args[0] if isinstance(factor, sympy.exp) else expo
            fa, fb = _linear_coefficient(sympy.expand(arg), z)
            a, shift = a + fa, shift + fb
        elif isinstance(factor, sympy.erf) and kind == "exp" and a == 0:
            fa, fb = _linear_coefficient(sympy.expand(factor.args[0]), z)
            if fb != 0:
                raise NotClosedForm("erf(a z + b) with b != 0 is not in the closed-form family")
            kind, a = "erf", fa
        else:
            raise NotClosedForm(f"factor {factor} is not in the closed-form family")
    return sympy.expand(poly * sympy.exp(shift)), kind, a


_KINKED = (sympy.Max, sympy.Min, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Piecewise)


def _piecewise_pairs(f: sympy.Expr, z: sympy.Symbol) -> list[tuple[sympy.Expr, sympy.Set]]:
    """``f`` as ``(formula, set)`` pairs covering the real line (Max, Abs, sign, Heaviside and
    Piecewise rewritten and folded)."""
    f = sympy.sympify(f)
    if f.has(*_KINKED):
        f = sympy.piecewise_fold(f.rewrite(sympy.Piecewise))
    if isinstance(f, sympy.Piecewise):
        return list(f.as_expr_set_pairs(sympy.Interval(-sympy.oo, sympy.oo)))
    return [(f, sympy.Interval(-sympy.oo, sympy.oo))]


def _components(where: sympy.Set) -> tuple:
    return where.args if isinstance(where, sympy.Union) else (where,)


def breakpoints(f: sympy.Expr, z: sympy.Symbol = Z) -> list[sympy.Expr]:
    """Sorted finite points where a piecewise link (Max, Min, Abs, sign, Heaviside,
    Piecewise) changes formula: the kinks a quadrature must split at."""
    points: set = set()
    pairs = _piecewise_pairs(f, z)
    if len(pairs) == 1:
        return []
    for _, where in pairs:
        for part in _components(where):
            ends = (part.start, part.end) if isinstance(part, sympy.Interval) else tuple(part)
            points.update(p for p in ends if p.is_finite)
    return sorted(points, key=lambda p: float(p))


Piece = tuple[sympy.Expr, str, sympy.Expr, sympy.Expr, sympy.Expr]


def _pieces(f: sympy.Expr, z: sympy.Symbol) -> list[Piece]:
    """``f`` as a list of ``(poly, kind, a, lo, hi)`` meaning ``poly(z) g_a(z) 1{lo<z<hi}``."""
    out = []
    for expr, where in _piecewise_pairs(f, z):
        for iv in _components(where):
            if not isinstance(iv, sympy.Interval) or iv.measure == 0:
                continue  # points carry no Gaussian mass
            body = sympy.expand(sympy.expand_trig(expr).rewrite(sympy.exp), power_exp=True)
            if body.has(sympy.Piecewise, sympy.Max, sympy.Min, sympy.Abs, sympy.sign, sympy.Heaviside):
                raise NotClosedForm(f"could not split {expr} at its breakpoints")
            for term in sympy.Add.make_args(body):
                poly, kind, a = _split_term(term, z)
                if kind == "erf" and (iv.start != -sympy.oo or iv.end != sympy.oo):
                    raise NotClosedForm("erf on a half-line is not in the closed-form family")
                out.append((poly, kind, a, iv.start, iv.end))
    return out


def gaussian_moments(f: sympy.Expr, n: int, z: sympy.Symbol = Z) -> list[sympy.Expr]:
    """Exact ``E[f(z) z^j]``, ``j = 0..n``, ``z ~ N(0,1)``, for ``f`` a sum of
    ``polynomial x {1, e^{az}, cos(az), sin(az), erf(az)}`` on intervals (kinks allowed)."""
    total = [sympy.Integer(0)] * (n + 1)
    for poly, kind, a, lo, hi in _pieces(f, z):
        if poly == 0:
            continue
        p = sympy.Poly(poly, z)
        deg = p.degree()
        base = (_erf_moments(n + deg, a) if kind == "erf"
                else _full_moments(n + deg) if a == 0 and lo == -sympy.oo and hi == sympy.oo
                else _shifted_moments(n + deg, a, lo, hi))
        coeffs = p.all_coeffs()[::-1]
        for j in range(n + 1):
            total[j] += sum(c * base[i + j] for i, c in enumerate(coeffs) if c != 0)
    return [_tidy(t) for t in total]


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """Canonical exact form: expanded, complex exponentials back to real functions."""
    if expr.has(sympy.erfc):
        expr = expr.rewrite(sympy.erf)
    expr = sympy.expand(expr)
    if expr.has(sympy.I):
        expr = sympy.expand(sympy.simplify(expr.rewrite(sympy.cos)))
    return expr


def hermite_coefficients(f: sympy.Expr, kmax: int, z: sympy.Symbol = Z) -> list[sympy.Expr]:
    """Exact ``α_k = <f, h_k> = E[f He_k] / sqrt(k!)`` for ``k = 0..kmax`` (probabilists'
    Hermite, normalized), by expanding ``He_k`` in monomials against exact Gaussian moments."""
    if kmax < 0:
        raise ValueError("kmax must be non-negative")
    moments = gaussian_moments(f, kmax, z)
    out = []
    for k in range(kmax + 1):
        s = sum(c * moments[i] for i, c in enumerate(_he_coeffs(k)) if c)
        out.append(_tidy(sympy.expand(s) / sympy.sqrt(sympy.factorial(k))))
    return out


def polynomial_from_coefficients(alphas: Sequence[sympy.Expr], z: sympy.Symbol = Z) -> sympy.Expr:
    """``Σ_k α_k h_k(z)``: the inverse of :func:`hermite_coefficients` on polynomials."""
    return sympy.expand(sum(a * h(k, z) for k, a in enumerate(alphas)))


def information_exponent(alphas: Sequence[sympy.Expr]) -> int | None:
    """Smallest ``k >= 1`` with ``α_k != 0`` among the given coefficients (``None`` if none)."""
    for k, a in enumerate(alphas):
        if k >= 1 and sympy.simplify(a) != 0:
            return k
    return None


def norm_squared(f: sympy.Expr, z: sympy.Symbol = Z) -> sympy.Expr:
    """Exact ``‖f‖² = E[f(z)²]``; ``E[erf(az)²] = (2/π) arcsin(2a²/(1+2a²))`` is the one
    product outside the moment family (the arcsine kernel at ρ = 1)."""
    f = sympy.sympify(f)
    square = sympy.expand(f**2)
    special = sympy.Integer(0)
    rest = sympy.Integer(0)
    for term in sympy.Add.make_args(square):
        erfs = [g for g in sympy.Mul.make_args(term) if isinstance(g, sympy.Pow)
                and isinstance(g.base, sympy.erf) and g.exp == 2]
        if erfs and not (term / erfs[0]).has(z):
            a, b = _linear_coefficient(erfs[0].base.args[0], z)
            if b != 0:
                raise NotClosedForm("erf(a z + b)² is not in the closed-form family")
            special += (term / erfs[0]) * 2 / sympy.pi * sympy.asin(2 * a**2 / (1 + 2 * a**2))
        else:
            rest += term
    return _tidy(special + (gaussian_moments(rest, 0, z)[0] if rest != 0 else 0))


def parity_degrees(f: sympy.Expr, z: sympy.Symbol = Z) -> tuple[int | None, int | None]:
    """Degrees of the even and odd parts ``(f(z) ± f(-z))/2`` when sympy proves them polynomial
    (``-1`` for a zero part, ``None`` when not polynomial): e.g. softplus has odd part ``z/2``."""
    f = sympy.sympify(f)
    out = []
    for sgn in (1, -1):
        part = (f + sgn * f.subs(z, -z)) / 2
        if part.has(*_KINKED):
            part = sympy.piecewise_fold(part.rewrite(sympy.Piecewise))
        part = sympy.simplify(sympy.expand_log(sympy.expand(part), force=True))
        if part == 0:
            out.append(-1)
        elif part.is_polynomial(z):
            out.append(int(sympy.Poly(part, z).degree()))
        else:
            out.append(None)
    return out[0], out[1]


def symmetry_zeros(f: sympy.Expr, kmax: int, z: sympy.Symbol = Z) -> list[bool]:
    """``zeros[k]`` is True when ``α_k = 0`` exactly by symmetry: the part of ``f`` of the parity
    of ``k`` is a polynomial of degree below ``k`` (or zero)."""
    even, odd = parity_degrees(f, z)
    return [(d is not None and k > d) for k in range(kmax + 1)
            for d in [even if k % 2 == 0 else odd]]


def stein_coefficient(f: sympy.Expr, k: int, z: sympy.Symbol = Z) -> sympy.Expr:
    """``α_k = E[f^{(k)}(z)] / sqrt(k!)`` (Gaussian integration by parts), with distributional
    derivatives: a piece ``q 1{lo<z<hi}`` contributes ``∫_lo^hi q^{(k)} φ`` (sympy's integrator)
    plus ``E[q^{(k-j)} δ_c^{(j-1)}] = (-1)^{j-1} (q^{(k-j)} φ)^{(j-1)}(c)`` at each finite end."""
    phi = sympy.exp(-z**2 / 2) / _SQRT2PI
    total = sympy.Integer(0)
    for poly, kind, a, lo, hi in _pieces(f, z):
        q = poly * (sympy.erf(a * z) if kind == "erf" else sympy.exp(a * z))
        total += sympy.integrate(sympy.diff(q, z, k) * phi, (z, lo, hi))
        for j in range(1, k + 1):
            g = sympy.diff(q, z, k - j) * phi
            for c, sgn in ((lo, 1), (hi, -1)):
                if c not in (sympy.oo, -sympy.oo):
                    total += sgn * sympy.binomial(k, j) * (-1) ** (j - 1) * sympy.diff(g, z, j - 1).subs(z, c)
    return _tidy(total / sympy.sqrt(sympy.factorial(k)))
