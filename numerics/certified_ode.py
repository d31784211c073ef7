"""Certified escape times of the one-dimensional flow ``ṁ = R(m)`` and validated enclosures of
``m(T)`` (arb balls that provably contain the true value; the proofs are in docs/certified.md).

- :func:`escape_enclosure`: ``T = ∫_{m0}^{m1} dm / R`` with ``R = m^ν P(m)``, ``P(0) ≠ 0``: the
  principal part ``Σ_{j<0} c_j m^j`` of ``1/R`` integrated in closed form in arb, the rest
  ``S/P`` (a polynomial over ``P``) by arb's rigorous ``acb.integral``; ``P > 0`` on
  ``[m0, m1]`` is proven first by interval bisection. A truncated Hermite series (tanh) enters
  with a proven relative tail ``ε``: ``T ∈ [T_K/(1+ε), T_K]``.
- :func:`closed_form_enclosure`: the partial-fraction closed form of
  :mod:`gfverify.theory.timescales` evaluated in ball arithmetic at certified complex roots.
- :func:`taylor_enclosure`: ``m(t)`` for ``t`` in a ball, by an interval Taylor method (Taylor
  coefficients in arb from the ODE, an a priori enclosure by a Picard inclusion test, the
  Lagrange remainder over that enclosure); :func:`monotone_enclosure`: the same from escape
  times alone (a 1-D flow with ``R > 0`` is increasing in ``t``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import flint
import sympy
from flint import acb, arb, arb_poly, arb_series, fmpq_poly

from gfverify.numerics.certified import NotCertifiable, arb_function
from gfverify.theory import timescales as ts

#: Lowest Taylor order of the interval Taylor method (``max(TAYLOR_ORDER, dps)`` is used).
TAYLOR_ORDER = 40


def taylor_order(dps: int) -> int:
    """The order of the interval Taylor method at ``dps`` digits: each order narrows ``m(T)``
    by about 0.8 digits at the step size of :func:`taylor_enclosure`."""
    return max(TAYLOR_ORDER, dps)


def _bits(dps: int) -> int:
    return int(dps * 3.33) + 64


def _arb(x: object):
    """An arb ball, or an exact number (int, sympy: rationals, radicals) as an arb ball at the
    working precision."""
    if isinstance(x, arb):
        return x
    x = sympy.sympify(x)
    if x.is_Rational:
        return arb(int(x.p)) / int(x.q)
    if not x.is_number:
        raise NotCertifiable(f"{x} is not a number")
    return arb_function(x)(acb(0), False).real


def rational_coefficients(rhs: sympy.Expr, var: sympy.Symbol) -> list:
    """The coefficients ``r_0, r_1, …`` (lowest first) of a polynomial ``R`` with rational
    coefficients, exact (converted to balls at the working precision where they are used)."""
    poly = sympy.Poly(sympy.expand(rhs), var)
    coeffs = list(reversed(poly.all_coeffs()))
    if not all(c.is_rational for c in coeffs):
        raise NotCertifiable("the right-hand side has irrational coefficients (α_k² not rational)")
    return [sympy.Rational(c) for c in coeffs]


def _split(coeffs: Sequence) -> tuple[int, list]:
    """``R = m^ν P``: ``ν`` (the leading exact zeros) and ``P``'s coefficients, ``P(0) ≠ 0``."""
    nu = 0
    while nu < len(coeffs) and coeffs[nu].is_zero():
        nu += 1
    if nu == len(coeffs):
        raise NotCertifiable("the right-hand side is identically zero")
    if 0 in coeffs[nu]:
        raise NotCertifiable("the lowest coefficient of R is not proven non-zero")
    return nu, list(coeffs[nu:])


def prove_positive(poly, lo, hi, depth: int = 40) -> None:
    """Prove ``P > 0`` on ``[lo, hi]`` by evaluating ``P`` on sub-intervals (arb balls) and
    bisecting where the ball is not positive; :class:`NotCertifiable` if it cannot."""
    stack = [(lo, hi, 0)]
    while stack:
        a, b, level = stack.pop()
        box = (a + b) / 2 + arb(0, ((b - a) / 2).upper())
        if poly(box) > 0:
            continue
        if level >= depth:
            raise NotCertifiable(f"cannot prove R > 0 near m = {float(box.mid()):.6g}")
        c = ((a + b) / 2).mid()
        stack += [(a, c, level + 1), (c, b, level + 1)]


@dataclass(frozen=True)
class Tail:
    """A truncated Hermite series: ``R = R_K + E`` with ``0 ≤ E ≤ ε R_K`` on ``(0, upto]``."""

    eps: object
    upto: object
    reason: str


def hermite_tail(alpha_sq: Sequence, norm_sq, m1, planted: bool) -> Tail:
    """The relative tail ``ε`` of the single-index ``R`` when only ``α_1..α_K`` are kept
    (``alpha_sq[k] ∋ α_k²``, ``norm_sq ∋ ‖f‖² − α_0²``): Parseval gives
    ``τ = Σ_{k>K} α_k² ≤ ‖f‖² − α_0² − Σ_{k≤K} α_k²``; with ``e(k) = 2k−1`` (planted ``k−1``),
    ``E/R_K ≤ τ max_{k>K} k m^{e(k)−e(s)} / (s α_s²)`` (every term of ``R_K`` is ``≥ 0``), and
    ``k q^k`` decreases for ``k ≥ q/(1−q)``, ``q = m1²`` (planted ``m1``)."""
    K = len(alpha_sq) - 1
    kept = sum(alpha_sq[1:], arb(0))
    tau = arb(0, (norm_sq - kept).upper())
    s = next(k for k in range(1, K + 1) if alpha_sq[k] > 0)
    q = m1 if planted else m1 * m1
    if not (q < 1 and arb(K + 1) >= q / (1 - q)):
        raise NotCertifiable(f"the tail bound needs more Hermite terms than K = {K} at m1 = {m1}")
    eps = tau * (K + 1) * q ** (K + 1 - s) / (s * alpha_sq[s])
    return Tail(eps=arb(0, eps.upper()), upto=m1,
                reason=f"Parseval tail of the Hermite series beyond K = {K}: "
                       f"Σ_(k>K) α_k² ≤ {tau.upper().str(3, radius=False)}")


def escape_enclosure(coeffs: Sequence, m0, m1, dps: int, tail: Tail | None = None):
    """An arb ball containing ``T = ∫_{m0}^{m1} dm / R(m)``, ``R = Σ coeffs[i] m^i`` (balls, the
    exact zeros exact), ``0 < m0 < m1`` (balls or exact rationals); with ``tail``, the ball
    contains the escape time of every ``R_K + E``, ``0 ≤ E ≤ ε R_K``."""
    saved = flint.ctx.prec
    flint.ctx.prec = _bits(dps)
    try:
        m0, m1 = _arb(m0), _arb(m1)
        if not (m0 > 0 and m1 > m0):
            raise NotCertifiable("the certified escape time needs 0 < m0 < m1")
        nu, p = _split([_arb(c) for c in coeffs])
        P = arb_poly(p)
        if not p[0] > 0:
            raise NotCertifiable("R < 0 near m = 0: the flow moves away from m1")
        prove_positive(P, m0.lower(), m1.upper())
        # 1/P = Σ b_n m^n; principal part of 1/R: c_j = b_{j+ν}, j = −ν..−1
        b = [1 / p[0]] if nu else []
        for n in range(1, nu):
            b.append(-sum((p[k] * b[n - k] for k in range(1, min(n, len(p) - 1) + 1)), arb(0)) / p[0])
        total, tol = arb(0), arb(2) ** -int(dps * 3.33 + 10)
        for n, bn in enumerate(b):
            j = n - nu
            total += bn * (m1.log() - m0.log()) if j == -1 else bn * (m1 ** (j + 1) - m0 ** (j + 1)) / (j + 1)
        # the regular part S/P, S = (1 − P Q)/m^ν with Q = Σ_{n<ν} b_n m^n (the low terms are 0)
        S = arb_poly([-c for c in (P * arb_poly(b)).coeffs()[nu:]]) if nu else arb_poly([1])
        if S.degree() >= 0:
            a = m0.mid()
            reg = acb.integral(lambda x, _: acb_poly_eval(S, x) / acb_poly_eval(P, x), a, m1,
                               rel_tol=tol).real
            hull = a.union(m0)
            total += reg + (a - m0) * (S(hull) / P(hull))  # ∫_{m0}^{a}: (a − m0) f(ξ), ξ in the hull
        if tail is not None:
            if not m1 <= tail.upto:
                raise NotCertifiable("the Hermite tail bound does not cover [m0, m1]")
            total = total.union(total / (1 + tail.eps.upper()))
        return +total
    finally:
        flint.ctx.prec = saved


def acb_poly_eval(poly, x):
    """``poly(x)`` by Horner for a complex ball ``x`` (``poly`` an arb_poly)."""
    out = acb(0)
    for c in reversed(poly.coeffs()):
        out = out * x + c
    return out


def closed_form_enclosure(rhs: sympy.Expr, var: sympy.Symbol, m0, m1, dps: int):
    """The closed form ``F(m1) − F(m0)`` of :func:`gfverify.theory.timescales.escape_integral`
    in ball arithmetic: the rational part as two rational polynomials, the log part
    ``Σ p(r)/q'(r) log(m − r)`` at the roots of ``q`` isolated by flint (certified)."""
    integral = ts.escape_integral(rhs, var)
    saved = flint.ctx.prec
    flint.ctx.prec = _bits(dps)
    try:
        m0, m1 = _arb(m0), _arb(m1)
        total = arb(0)
        if integral.rational != 0:
            num, den = sympy.fraction(sympy.cancel(integral.rational))
            fn, fd = (arb_poly(_fmpq_poly(sympy.Poly(e, var))) for e in (num, den))
            total += fn(m1) / fd(m1) - fn(m0) / fd(m0)
        if not integral.log_num.is_zero:
            num, den = _fmpq_poly(integral.log_num), _fmpq_poly(integral.log_den)
            num, dden = arb_poly(num), arb_poly(den.derivative())
            for r, mult in den.complex_roots():
                if mult != 1:
                    raise NotCertifiable("the log-part denominator is not square-free")
                c = acb_poly_eval(num, r) / acb_poly_eval(dden, r)
                if r.imag.is_zero():  # a real root: the path stays on one side of it
                    total += c.real * (abs(m1 - r.real).log() - abs(m0 - r.real).log())
                else:  # m − r keeps the sign of Im r along the path: no branch cut crossed
                    total += (c * ((acb(m1) - r).log() - (acb(m0) - r).log())).real
        return +total
    finally:
        flint.ctx.prec = saved


def _fmpq_poly(poly: sympy.Poly):
    return fmpq_poly([flint.fmpq(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
                      for c in reversed(poly.all_coeffs())])


# ---------------------------------------------------------------- m(T)
def taylor_coefficients(R, x, order: int) -> list:
    """Balls ``a_0..a_order`` of the Taylor series in ``t`` of every solution of ``ṁ = R(m)``
    with ``m(0) ∈ x``: ``a_{n+1} = [R(Σ_{i≤n} a_i t^i)]_n / (n + 1)``."""
    cs, a = R.coeffs(), [x]
    cap = flint.ctx.cap
    flint.ctx.cap = max(cap, order + 1)  # the longest arb_series
    try:
        for n in range(order):
            m = arb_series(a, prec=n + 1)
            value = arb_series([cs[-1]], prec=n + 1)
            for c in reversed(cs[:-1]):
                value = value * m + c
            series = value.coeffs()
            a.append((series[n] if n < len(series) else arb(0)) / (n + 1))
    finally:
        flint.ctx.cap = cap
    return a


def _horner(a: Sequence, h):
    out = arb(0)
    for c in reversed(a):
        out = out * h + c
    return out


def _step(R, x, h, order: int):
    """One validated step: ``B ⊇ m([0, h])`` by the Picard test ``x + [0, h] R(B) ⊂ B``, then
    ``m(τ) ∈ Σ_{n<N} a_n(x) τ^n + a_N(B) τ^N`` for every ``τ`` in the ball ``h`` (``h ≥ 0``).
    ``None`` when the test fails."""
    hmax = arb(h.upper())
    drift = hmax * R(x)
    for widen in (arb("1.25"), arb(2)):
        B = x.union(x + drift * widen)
        B = B + arb(0, (abs(drift) / 16 + B.rad() + arb(2) ** (-flint.ctx.prec // 2)).upper())
        image = x + arb(0.5, 0.5) * hmax * R(B)  # x + [0, h] R(B)
        if image.lower() > B.lower() and image.upper() < B.upper():
            break
    else:
        return None
    a = taylor_coefficients(R, x, order - 1)
    rem = taylor_coefficients(R, B, order)[order]
    return _horner(a, h) + rem * h ** order


def taylor_enclosure(coeffs: Sequence, m0, T, dps: int, order: int | None = None) -> tuple:
    """``(ball ∋ m(t) for every t in the ball T, steps)``: the interval Taylor method from
    ``m(0) ∈ m0``; the step is the series' apparent radius of convergence times 1/8 (halved
    until the Picard test passes)."""
    order = taylor_order(dps) if order is None else order
    saved = flint.ctx.prec
    flint.ctx.prec = _bits(dps)
    try:
        R, T, x, t = arb_poly([_arb(c) for c in coeffs]), _arb(T), _arb(m0), arb(0)
        steps = 0
        while True:
            a = taylor_coefficients(R, x, order)
            growth = max(abs(a[n].mid()) ** (arb(1) / n) / abs(a[0].mid()) ** (arb(1) / n)
                         for n in range(order // 2, order + 1) if not a[n].is_zero())
            h = (arb(1) / (8 * growth)).mid()
            last = not (t + h < T.lower())
            if last:
                h = T - t
            while True:
                nxt = _step(R, x, h, order)
                if nxt is not None:
                    break
                if last:
                    last, h = False, arb(h.mid()) / 2
                else:
                    h = (h / 2).mid()
                if h < arb(2) ** -200:
                    raise NotCertifiable("the Picard inclusion test fails at every step size")
            steps += 1
            if last:
                return +nxt, steps
            x, t = nxt, t + h
    finally:
        flint.ctx.prec = saved


def monotone_enclosure(coeffs: Sequence, m0, T, m_lo, m_hi, dps: int, tail: Tail | None = None) -> bool:
    """Whether ``m(t) ∈ [m_lo, m_hi]`` for every ``t`` in the ball ``T`` is proven by escape
    times: ``R > 0`` on ``[m0, m_hi]`` makes ``m`` increasing, so it holds iff
    ``T(m0 → m_lo) ≤ min T`` and ``max T ≤ T(m0 → m_hi)``."""
    lo = escape_enclosure(coeffs, m0, m_lo, dps, tail)
    hi = escape_enclosure(coeffs, m0, m_hi, dps, tail)
    saved = flint.ctx.prec
    flint.ctx.prec = _bits(dps)
    try:
        return bool(lo.upper() <= _arb(T).lower() and _arb(T).upper() <= hi.lower())
    finally:
        flint.ctx.prec = saved


# ---------------------------------------------------------------- single-index links
def single_index_coefficients(alpha_sq: Sequence, planted: bool) -> list:
    """The coefficients (lowest first) of ``R = (1 − m²) Σ_k k α_k² m^{e(k)}``, ``e(k) = 2k − 1``
    (planted ``k − 1``), from balls ``alpha_sq[k] ∋ α_k²`` (exact zeros stay exact)."""
    K = len(alpha_sq) - 1
    out = [arb(0)] * ((K if planted else 2 * K) + 2)
    for k in range(1, K + 1):
        if alpha_sq[k].is_zero():
            continue
        e = k - 1 if planted else 2 * k - 1
        out[e] += k * alpha_sq[k]
        out[e + 2] -= k * alpha_sq[k]
    return out


def link_escape_enclosure(f: sympy.Expr, z: sympy.Symbol, m0, m1, dps: int, planted: bool,
                          kmax: int = 20, upto: object = None) -> tuple:
    """``(ball ∋ T(m0 → m1), coefficients of R_K, Tail)`` for the single-index flow of a
    non-polynomial link: certified ``α_k`` (:func:`gfverify.numerics.certified.hermite_enclosures`)
    and ``‖f‖²`` (:func:`gfverify.numerics.certified.gaussian_moments`), ``K`` doubled from
    ``kmax`` until the Parseval tail ``ε < 10^{-dps-5}`` on ``(0, upto]`` (default ``m1``);
    :class:`NotCertifiable` otherwise."""
    from gfverify.numerics.certified import gaussian_moments, hermite_enclosures

    saved = flint.ctx.prec
    flint.ctx.prec = _bits(dps)
    try:
        norm_sq = gaussian_moments(sympy.sympify(f) ** 2, 0, dps + 10, z)[0][0]
        K = kmax
        while True:
            balls = hermite_enclosures(f, K, dps + 10, z).balls
            alpha_sq = [b * b for b in balls]
            top = _arb(m1 if upto is None else upto)
            tail = hermite_tail(alpha_sq, norm_sq - alpha_sq[0], top, planted)
            if tail.eps < arb(10) ** (-dps - 5):
                break
            if K > 400:
                raise NotCertifiable(f"the Hermite tail stays above 1e-{dps + 5} up to K = {K}")
            K *= 2
        coeffs = single_index_coefficients(alpha_sq, planted)
    finally:
        flint.ctx.prec = saved
    return escape_enclosure(coeffs, m0, m1, dps, tail), coeffs, tail


def _json_ball(b, digits: int) -> dict:
    from gfverify.numerics.certified import ball_mid, ball_rad

    return {"mid": ball_mid(b, digits), "rad": ball_rad(b)}


def escape_certificate(coeffs: Sequence | None, m0, m1, dps: int, link: sympy.Expr | None = None,
                       z: sympy.Symbol | None = None, planted: bool = False,
                       taylor: bool = True) -> dict:
    """``{"T_enclosure", "m_T_enclosure", "m_T_method"}`` (balls as decimal strings) for the flow
    with polynomial coefficients ``coeffs`` or, when ``link`` is given, its Hermite series with
    the Parseval tail; ``m(T)`` by the interval Taylor method when ``taylor`` and ``R`` is a
    polynomial, else by the monotonicity lemma around ``m1``. :class:`NotCertifiable` says why not."""
    tail, widest = None, sympy.Rational(1, 1000)
    if link is not None:
        T, coeffs, tail = link_escape_enclosure(link, z, m0, m1, dps, planted, upto=m1 + widest)
    else:
        T = escape_enclosure(coeffs, m0, m1, dps)
    out = {"T_enclosure": _json_ball(T, dps)}
    if taylor and tail is None:
        ball, steps = taylor_enclosure(coeffs, m0, T, dps)
        out.update(m_T_enclosure=_json_ball(ball, dps),
                   m_T_method=f"interval Taylor method, order {taylor_order(dps)}, {steps} steps")
        return out
    saved = flint.ctx.prec
    flint.ctx.prec = _bits(dps)
    try:
        delta = arb(10) ** -dps
        while delta <= _arb(widest):
            if monotone_enclosure(coeffs, m0, T, _arb(m1) - delta, _arb(m1) + delta, dps, tail):
                out.update(m_T_enclosure=_json_ball(_arb(m1) + arb(0, delta), dps),
                           m_T_method="monotonicity lemma: T(m0 → m1 − δ) ≤ T ≤ T(m0 → m1 + δ)")
                return out
            delta *= 10
    finally:
        flint.ctx.prec = saved
    raise NotCertifiable("the escape-time enclosures do not bracket T")
