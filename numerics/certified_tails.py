"""Proven bounds for the Gaussian tail of the certified integrals (docs/certified.md, step 4):
a growth envelope ``|f(z)| ≤ A (1+|z|)^p e^{c|z|}`` proven by rules on the expression tree, and
with Cramér's inequality ``|h_k(z)| φ(z)^{1/2} ≤ K (2π)^{-1/4}`` (``K = 1.086435``,
Abramowitz–Stegun 22.14.17) a bound on ``∫_{|z|>L} |f h_k| φ`` uniform in ``k``."""

from __future__ import annotations

import math

import mpmath
import sympy
from flint import arb

from gfverify.theory.hermite import Z


class NotCertifiable(ValueError):
    """No certificate for this link (the reason is the message): a function arb cannot
    evaluate, no proven growth bound, or an integrand not analytic near a piece."""


#: Cramér's constant, rounded up: |H_n(x)| e^{-x²/2} ≤ K √(2^n n!) (A&S 22.14.17).
CRAMER_K = "1.086436"
_BOUNDED = {sympy.tanh: 1, sympy.erf: 1, sympy.erfc: 2, sympy.sin: 1, sympy.cos: 1,
            sympy.sign: 1, sympy.Heaviside: 1, sympy.atan: 2}  # atan: π/2 < 2


#: Working digits of the envelope arithmetic, and the relative amount ``A`` and ``c`` are
#: rounded up by at the end: far above the roundings (≈ 10^-50 each), far below any use.
_DIGITS, _ROUND_UP = 50, 40


def envelope(expr: sympy.Expr, z: sympy.Symbol = Z) -> tuple:
    """``(A, p, c)`` with ``|f(z)| ≤ A (1+|z|)^p e^{c|z|}`` for every real ``z``, proven by
    rules on the expression tree (sums and products of envelopes; bounded functions; ``exp``,
    ``sinh``, ``cosh`` of an argument of linear growth; ``log`` and negative powers of sums of
    non-negative terms with a positive constant); :class:`NotCertifiable` when no rule applies.
    Evaluated at 50 digits, ``A`` and ``c`` then rounded up by a relative ``10^-40``."""
    with mpmath.workdps(_DIGITS):
        A, p, c = _envelope(sympy.sympify(expr), z)
        up = 1 + mpmath.mpf(10) ** -_ROUND_UP
        return (A * up, p, c * up)


def _envelope(e: sympy.Expr, z: sympy.Symbol) -> tuple:
    """:func:`envelope` at the working precision, without the final rounding up."""
    if e == z:
        return (mpmath.mpf(1), 1, mpmath.mpf(0))
    if e.is_number:
        return (mpmath.mpf(abs(sympy.N(e, _DIGITS + 5))), 0, mpmath.mpf(0))
    if isinstance(e, (sympy.Add, sympy.Max, sympy.Min)) or isinstance(e, sympy.Piecewise):
        parts = [_envelope(t, z) for t in (e.args if not isinstance(e, sympy.Piecewise)
                                           else [v for v, _ in e.args])]
        return (sum(p[0] for p in parts), max(p[1] for p in parts), max(p[2] for p in parts))
    if isinstance(e, sympy.Mul):
        parts = [_envelope(t, z) for t in e.args]
        return (mpmath.fprod(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts))
    if isinstance(e, sympy.Abs):
        return _envelope(e.args[0], z)
    if e.func in _BOUNDED:
        return (mpmath.mpf(_BOUNDED[e.func]), 0, mpmath.mpf(0))
    if isinstance(e, sympy.Pow) and e.exp.is_Rational and e.exp > 0:
        A, p, c = _envelope(e.base, z)
        r = mpmath.mpf(e.exp.p) / e.exp.q
        return (A ** r, int(math.ceil(p * r)), c * r)
    if isinstance(e, sympy.Pow) and e.exp.is_Rational and e.exp < 0:
        low = _lower_bound(e.base, z)
        return (low ** (mpmath.mpf(e.exp.p) / e.exp.q), 0, mpmath.mpf(0))
    if isinstance(e, (sympy.exp, sympy.sinh, sympy.cosh)):
        if e.args[0].is_nonpositive and isinstance(e, sympy.exp):
            return (mpmath.mpf(1), 0, mpmath.mpf(0))
        A, p, c = _envelope(e.args[0], z)
        if p > 1 or c > 0:
            raise NotCertifiable(f"{e} grows faster than exp(c|z|): no proven tail bound")
        return (mpmath.exp(A), 0, A)  # |u| ≤ A(1+|z|) ⇒ |e^{±u}| ≤ e^A e^{A|z|}
    if isinstance(e, sympy.log):
        low = _lower_bound(e.args[0], z)
        A, p, c = _envelope(e.args[0], z)
        # |log u| ≤ |log low| + log⁺A + p log(1+|z|) + c|z| ≤ (…)(1+|z|)
        return (abs(mpmath.log(low)) + max(mpmath.log(A), 0) + p + c, 1, mpmath.mpf(0))
    raise NotCertifiable(f"no proven growth bound for {e}")


def _lower_bound(e: sympy.Expr, z: sympy.Symbol) -> mpmath.mpf:
    """``m > 0`` with ``e(z) ≥ m`` on the line, when ``e`` is a positive constant plus terms
    sympy proves non-negative for real ``z``; :class:`NotCertifiable` otherwise."""
    terms = sympy.Add.make_args(sympy.sympify(e))
    const = sum((t for t in terms if t.is_number), sympy.Integer(0))
    rest = [t for t in terms if not t.is_number]
    if const.is_positive and all(t.is_nonnegative for t in rest):
        with mpmath.workdps(_DIGITS):  # the margin must exceed the rounding of the constant
            return mpmath.mpf(sympy.N(const, _DIGITS)) * (1 - mpmath.mpf(10) ** -25)
    raise NotCertifiable(f"no proven positive lower bound for {e} (a denominator or a log)")


def tail_bound(env: tuple, L) -> object:
    """An arb upper bound of ``∫_{|z|>L} |f(z)| |h_k(z)| φ(z) dz`` for every ``k``, from the
    envelope ``(A, p, c)`` and Cramér's inequality (module docstring)."""
    A, p, c = (arb(mpmath.nstr(env[0], 60)) * (1 + arb("1e-20")), env[1],
               arb(mpmath.nstr(env[2], 60)) * (1 + arb("1e-20")))
    L = arb(L)
    delta = L / 2 - c - arb(p) / (1 + L)
    if not delta > 0:
        raise NotCertifiable("the tail envelope does not decay beyond L")
    g = p * (1 + L).log() + c * L - L * L / 4
    return 2 * arb(CRAMER_K) * A / (2 * arb.pi()).sqrt() * g.exp() / delta


def tail_length(env: tuple, target) -> tuple:
    """The smallest ``L`` on a grid of step 1/2 whose :func:`tail_bound` is below ``target``."""
    L = 4
    while True:
        try:
            T = tail_bound(env, L)
        except NotCertifiable:  # not yet decaying at this L
            T = None
        if T is not None and T < target:
            return L, T
        L += 0.5
        if L > 2000:
            raise NotCertifiable("the tail bound needs L > 2000")
