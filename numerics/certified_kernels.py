"""Certified Gaussian kernels ``E[f(x) g(y)]`` for a standard Gaussian pair of correlation
``ρ ∈ (−1, 1)`` (q = 1), by conditioning on ``y``:

    x = ρ y + s w,  s = √(1 − ρ²),  w ~ N(0, 1) independent of y,
    E[f(x) g(y)] = E_y[g(y) (A_ρ f)(y)],  (A_ρ f)(y) = E_w[f(ρ y + s w)],

so the 2-D integral is one 1-D Gaussian integral (certified by
:func:`gfverify.numerics.certified.gaussian_moments`) once ``A_ρ f`` has a closed form. It does
for sums of constant multiples of ``z^n`` (binomial with the Gaussian moments of ``w``),
``sign``, ``Heaviside``, ``Max(z, 0)``, ``Abs`` and ``erf(a z)``; with ``m = ρy``, ``u = m/s``:

    A sign = erf(u/√2),  A Heaviside = Φ(u),  A Max(z,0) = m Φ(u) + s φ(u),
    A |z| = m (2Φ(u) − 1) + 2 s φ(u),  A erf(a z) = erf(a m / √(1 + 2a²s²)),

(the last from ``E[erf(α + β w)] = erf(α/√(1 + 2β²))``). Links without a closed-form
conditional mean but bounded on a horizontal strip (``c·tanh(a z)``) go through a nested
Gauss–Legendre rule with a proven error bound (:func:`strip_correlation`). Other links:
:class:`NotCertifiable`.
"""

from __future__ import annotations

import math

import flint
import sympy

from gfverify.numerics.certified import (
    NotCertifiable,
    _legendre,
    _rational,
    envelope,
    gaussian_moments,
    hermite_enclosures,
)
from gfverify.theory.hermite import Z, breakpoints

_W = sympy.Symbol("w", real=True)


def _phi(u: sympy.Expr) -> sympy.Expr:
    return sympy.exp(-u**2 / 2) / sympy.sqrt(2 * sympy.pi)


def _Phi(u: sympy.Expr) -> sympy.Expr:
    return (1 + sympy.erf(u / sympy.sqrt(2))) / 2


def _moment(j: int) -> sympy.Expr:
    """``E[w^j]``, ``w ~ N(0, 1)``."""
    return sympy.Integer(0) if j % 2 else sympy.factorial2(j - 1)


def _average_term(term: sympy.Expr, y: sympy.Expr, rho: sympy.Expr, z: sympy.Symbol) -> sympy.Expr:
    """``E_w[term(ρ y + s w)]`` for one base function of the module docstring."""
    s = sympy.sqrt(1 - rho**2)
    m, u = rho * y, rho * y / s
    if term.is_polynomial(z):
        poly = sympy.expand(term.subs(z, m + s * _W))
        return sum((c * _moment(j) * rest for (j,), c, rest in
                    ((mon, coeff, 1) for mon, coeff in sympy.Poly(poly, _W).terms())),
                   sympy.Integer(0))
    if term == sympy.sign(z):
        return sympy.erf(u / sympy.sqrt(2))
    if term == sympy.Heaviside(z):
        return _Phi(u)
    if term in (sympy.Max(z, 0), sympy.Max(0, z)):
        return m * _Phi(u) + s * _phi(u)
    if term == sympy.Abs(z):
        return m * (2 * _Phi(u) - 1) + 2 * s * _phi(u)
    if isinstance(term, sympy.erf):
        a = sympy.simplify(term.args[0] / z)
        if a.is_number and a.is_real:
            return sympy.erf(a * m / sympy.sqrt(1 + 2 * a**2 * s**2))
    raise NotCertifiable(f"no closed form for the conditional mean A_ρ({term})")


def conditional_mean(f: sympy.Expr, rho: sympy.Expr, y: sympy.Symbol = Z,
                     z: sympy.Symbol = Z) -> sympy.Expr:
    """``(A_ρ f)(y) = E[f(ρ y + √(1−ρ²) w)]`` in closed form (module docstring), as a sympy
    expression in ``y``; :class:`NotCertifiable` for a link outside the table."""
    rho = sympy.nsimplify(rho)
    if not (-1 < rho < 1):
        raise ValueError(f"correlation must satisfy |ρ| < 1, got {rho}")
    out = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(sympy.sympify(f))):
        coeff, base = term.as_independent(z, as_Add=False)
        out += coeff * _average_term(base, y, rho, z)
    return out


def certified_correlation(f: sympy.Expr, g: sympy.Expr, rho: sympy.Expr, dps: int,
                          z: sympy.Symbol = Z):
    """An arb ball (radius below ``10^{-dps}``) containing ``E[f(x) g(y)]``, ``(x, y)``
    standard Gaussian with correlation ``ρ``: ``E_y[g(y) (A_ρ f)(y)]`` certified in 1-D, or
    ``E_x[f(x) (A_ρ g)(x)]`` when only ``g`` has a closed-form conditional mean."""
    try:
        integrand = sympy.sympify(g) * conditional_mean(f, rho, z, z)
    except NotCertifiable as first:
        try:
            integrand = sympy.sympify(f) * conditional_mean(g, rho, z, z)
        except NotCertifiable:
            try:
                return strip_correlation(f, g, rho, dps, z)
            except NotCertifiable as third:
                raise NotCertifiable(f"{first}; {third}") from None
    balls, _, _ = gaussian_moments(integrand, 0, dps, z)
    return balls[0]


#: Bernstein ellipse parameter of :func:`strip_correlation`'s panels (semi-minor axis 3h/4).
_STRIP_R = 2


def _strip_link(f: sympy.Expr, z: sympy.Symbol) -> tuple:
    """``(F, s, B)`` for ``f = c·tanh(a z)`` (``a > 0``, ``c`` rational): ``F`` evaluates ``f`` on
    arb balls, and ``|f(u)| ≤ B = |c|`` on the strip ``|Im u| ≤ s = π/(4a)`` (there
    ``|tanh(x + iv)|² = (cosh 2x − cos 2v)/(cosh 2x + cos 2v) ≤ 1`` since ``cos 2v ≥ 0``)."""
    c, base = sympy.sympify(f).as_independent(z, as_Add=False)
    if isinstance(base, sympy.tanh) and c.is_Rational:
        a = sympy.nsimplify(base.args[0] / z)
        if a.is_Rational and a > 0:
            ca, aa = _rational(c), _rational(a)
            return (lambda x: ca * (aa * x).tanh()), flint.arb.pi() / (4 * aa), abs(ca)
    raise NotCertifiable(f"{f} is not c·tanh(a z), the links known to be bounded on a strip")


def strip_correlation(f: sympy.Expr, g: sympy.Expr, rho: sympy.Expr, dps: int, z: sympy.Symbol = Z):
    """An arb ball (radius below ``10^{-dps}``) containing ``E[f(x) g(y)]`` for links bounded on
    horizontal strips (:func:`_strip_link`), with no closed-form ``A_ρ f``: the nested integral
    ``∫ g(y) φ(y) ∫ f(ρy + s w) φ(w) dw dy`` on ``[−L, L]²`` by Gauss–Legendre panels of
    half-width ``h``, each with Trefethen's bound ``(64/15) h M r^{−2n}/(r² − 1)`` on the Bernstein
    ellipse ``r = 2`` (semi-minor axis ``3h/4``, inside both strips, so ``M ≤ B·max|φ|`` there:
    ``|A_ρ f| ≤ B_f`` whenever ``|ρ Im y| ≤ s_f``), the inner error carried through the outer
    weights, and the Gaussian tails ``B_f B_g erfc(L/√2)`` in each variable."""
    rho = sympy.nsimplify(rho)
    if not (-1 < rho < 1):
        raise ValueError(f"correlation must satisfy |ρ| < 1, got {rho}")
    saved = flint.ctx.prec
    flint.ctx.prec = int((dps + 10) * 3.33) + 32
    try:
        arb = flint.arb
        F, s_f, B_f = _strip_link(f, z)
        G, s_g, B_g = _strip_link(g, z)
        rr, sigma = _rational(rho), (1 - _rational(rho) ** 2).sqrt()
        r = arb(_STRIP_R)
        # the ellipse's semi-minor axis b = h(r − 1/r)/2 (3h/4 at r = 2) must fit in both strips
        minor, major = (r - 1 / r) / 2, (r + 1 / r) / 2
        room = min(s_f / sigma, s_g, s_f / abs(rr) if rho != 0 else s_g)
        h = arb(min(1.0, float((room / minor * arb("0.999")).lower())))  # exact: the panels' geometry
        b, a = h * minor, h * major
        L = arb(math.ceil(math.sqrt(2 * (dps + 4) * math.log(10)) + 1))
        panels = math.ceil(float((L / h).upper()) / 2)
        L = 2 * h * panels
        tail = (L / arb(2).sqrt()).erfc()
        target = arb(10) ** (-dps) / 8
        weight = 1 / (2 * arb.pi()).sqrt()
        factor = h * 64 / (15 * (r * r - 1))

        def rule(bound: arb) -> tuple[list, list, arb]:
            """Nodes, weights × φ, and the summed error bound for an integrand ``β(x)φ(x)`` with
            ``|β| ≤ bound`` on every panel's ellipse."""
            xs, ws, err = [], [], arb(0)
            for j in range(-panels, panels):
                c = h * (2 * j + 1)
                gap = max(abs(c) - a, arb(0))
                M = bound * weight * ((b * b - gap * gap) / 2).exp()
                n = 4
                while not factor * M * r ** (-2 * n) < target / (2 * panels):
                    n += 2
                err += factor * M * r ** (-2 * n)
                for x, w in _legendre(n, flint.ctx.prec):
                    node = c + h * x
                    xs.append(node)
                    ws.append(h * w * weight * (-(node * node) / 2).exp())
            return xs, ws, err

        w_nodes, w_weights, inner_err = rule(B_f)
        inner_err += B_f * tail
        y_nodes, y_weights, outer_err = rule(B_f * B_g)
        total, mass = arb(0), arb(0)
        for y, wy in zip(y_nodes, y_weights):
            shift = rr * y
            inner = sum((wk * F(shift + sigma * wn) for wn, wk in zip(w_nodes, w_weights)), arb(0))
            total += wy * G(y) * inner
            mass += abs(wy)
        err = outer_err + B_g * mass * inner_err + B_f * B_g * tail
        return total + arb(0, err.upper())
    finally:
        flint.ctx.prec = saved


def certified_kernel(f: sympy.Expr, rho: sympy.Expr, dps: int, z: sympy.Symbol = Z):
    """An arb ball containing the Gaussian kernel ``E[f(x) f(y)]`` at correlation ``ρ``."""
    return certified_correlation(f, f, rho, dps, z)


def mehler_series(f: sympy.Expr, g: sympy.Expr, rho: sympy.Expr, dps: int, z: sympy.Symbol = Z):
    """An arb ball containing ``Σ_k α_k(f) α_k(g) ρ^k`` (Mehler: ``= E[f(x) g(y)]``) from
    certified coefficients ``k ≤ K`` and the tail ``Σ_{k>K} |α_k β_k| |ρ|^k ≤ ‖f‖ ‖g‖
    |ρ|^{K+1}/(1 − |ρ|)`` (``|α_k| ≤ ‖f‖``), the norms certified as ``E[f²]``, ``E[g²]``."""
    rho = sympy.nsimplify(rho)
    r = abs(float(rho))
    if not r < 1:
        raise ValueError(f"correlation must satisfy |ρ| < 1, got {rho}")
    norms = [gaussian_moments(sympy.sympify(h) ** 2, 0, 15, z)[0][0] for h in (f, g)]
    bound = float((norms[0] * norms[1]).sqrt().upper())
    kmax = max(1, math.ceil((dps + 2 + math.log10(max(bound, 1e-300) / (1 - r))) / -math.log10(r)))
    a = hermite_enclosures(f, kmax, dps + 2, z).balls
    b = hermite_enclosures(g, kmax, dps + 2, z).balls
    saved = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 64
    try:
        x = _rational(rho)
        total = sum((ak * bk * x ** k for k, (ak, bk) in enumerate(zip(a, b))), flint.arb(0))
        tail = (norms[0] * norms[1]).sqrt() * flint.arb(r).upper() ** (kmax + 1) / (1 - flint.arb(r))
        return total + flint.arb(0, (abs(tail) * (1 + flint.arb("1e-10"))).upper())
    finally:
        flint.ctx.prec = saved


def parseval_enclosure(f: sympy.Expr, dps: int, z: sympy.Symbol = Z, n_max: int = 80):
    """An arb ball containing ``Σ_k α_k²`` for a smooth link: certified ``α_k``, ``k < n``,
    plus the tail ``0 ≤ Σ_{k≥n} α_k² ≤ ‖f^{(n)}‖²/n!`` (Stein: ``α_k = <f^{(n)}, h_{k−n}>
    √((k−n)!/k!)`` and ``(k−n)!/k! ≤ 1/n!``), ``‖f^{(n)}‖²`` certified, ``n`` the first of
    ``10, 15, 22, …`` whose bound is below ``10^{-dps-2}``. Links with kinks, derivatives
    without a growth bound, or a bound that stops decreasing or is still too large at
    ``n_max``: :class:`NotCertifiable`."""
    f = sympy.sympify(f)
    if breakpoints(f, z):
        raise NotCertifiable(f"{f} has kinks: no derivative bound for the tail of Σ α_k²")
    n, tail, previous = 10, None, None
    while n <= n_max:
        derivative = sympy.diff(f, z, n)
        envelope(derivative, z)  # growth bound: Stein's integrations by parts leave no boundary term
        norm = gaussian_moments(derivative**2, 0, 15, z)[0][0]
        bound = norm.upper() / flint.arb.fac_ui(n)
        if bound < flint.arb(10) ** (-dps - 2):
            tail = bound
            break
        if previous is not None and not bound < previous:
            raise NotCertifiable(f"the Stein bound ‖f^(n)‖²/n! on the tail of Σ α_k² does not "
                                 f"decrease (n = {n})")
        previous, n = bound, n * 3 // 2
    if tail is None:
        raise NotCertifiable(f"the Stein bound ‖f^(n)‖²/n! on the tail of Σ α_k² stays above "
                             f"10^-{dps + 2} up to n = {n_max}")
    alphas = hermite_enclosures(f, n - 1, dps + 2, z).balls
    saved = flint.ctx.prec
    flint.ctx.prec = int(dps * 3.33) + 64
    try:
        return sum((a * a for a in alphas), flint.arb(0)) + tail / 2 + flint.arb(0, (tail / 2).upper())
    finally:
        flint.ctx.prec = saved
