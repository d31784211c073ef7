"""``gfverify escape``: the single-index escape time ``T(m0 → m1)`` of the reduced ODE of [A],
in closed form (partial fractions) and by high-precision ODE integration, side by side."""

from __future__ import annotations

import argparse
import json
import math
import sys

import mpmath
import sympy

from gfverify.claims.options import dps as dps_type
from gfverify.numerics.precision import GUARD_DIGITS, agreed_digits
from gfverify.errors import InputError
from gfverify.theory.hermite import Z
from gfverify.theory.reduced_ode import M, check_alphas, single_index_rhs
from gfverify.theory.timescales import escape_time

NAME = "escape"
HELP = "escape time of the single-index reduced ODE: closed form and ODE event time"
ORDER = 20
Q = 1  # the single-index problem


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--link", metavar="EXPR", help='link f* as a sympy expression in z, e.g. "z**3 - 3*z"')
    src.add_argument("--alphas", metavar="K:A,...", help='Hermite coefficients, e.g. "3:1" or "2:1,3:1/2"')
    p.add_argument("--d", required=True, metavar="D", help="dimension d (m0 = g d^-1/2), e.g. 1e6")
    p.add_argument("--to", required=True, dest="m1", metavar="M1", help="target overlap m1 in (m0, 1)")
    p.add_argument("--g", default="1", metavar="G", help="start m0 = g d^-1/2 (default 1; |m0| < 1)")
    p.add_argument("--planted", action="store_true", help="planted problem (link known and fixed)")
    p.add_argument("--dps", type=dps_type, default=40, help="working precision in digits (default 40)")
    p.add_argument("--digits", type=int, default=None,
                   help=f"digits the ODE must confirm (default dps - {2 * GUARD_DIGITS})")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


# ----------------------------------------------------------------------------- parsing

def parse_alphas(text: str) -> dict[int, sympy.Expr]:
    """``"k:a,k:a"`` → ``{k: a}`` with exact sympy numbers (``a`` may be ``1/2`` or ``sqrt(2)``)."""
    out: dict[int, sympy.Expr] = {}
    for item in text.split(","):
        parts = item.strip().split(":")
        if len(parts) != 2 or not parts[0].strip().isdigit():
            raise InputError(f"malformed --alphas entry {item.strip()!r}: expected k:a with k a "
                             "non-negative integer, e.g. \"3:1,4:1/2\"")
        k = int(parts[0])
        try:
            a = sympy.sympify(parts[1].strip(), rational=True)
        except (sympy.SympifyError, SyntaxError, TypeError):
            raise InputError(f"malformed coefficient {parts[1].strip()!r} in --alphas") from None
        if not a.is_number or a.is_real is not True:
            raise InputError(f"coefficient alpha_{k} = {parts[1].strip()!r} is not a real number")
        if k in out:
            raise InputError(f"--alphas gives alpha_{k} twice")
        out[k] = a
    return check_alphas(out)


def _exact_number(text: str, what: str) -> sympy.Expr:
    try:
        value = sympy.sympify(text, rational=True)
    except (sympy.SympifyError, SyntaxError, TypeError):
        raise InputError(f"{what} must be a number, got {text!r}") from None
    if not value.is_number or value.is_real is not True:
        raise InputError(f"{what} must be a real number, got {text!r}")
    return value


def parse_dimension(text: str) -> int:
    """``d`` as an integer (``1e6`` accepted); ``d ≥ q = 1``."""
    value = _exact_number(text, "--d")
    if not value.is_integer:
        raise InputError(f"--d must be an integer dimension, got {text}")
    if value < Q:
        raise InputError(f"the dimension must satisfy d >= q = {Q}, got d = {value}")
    return int(value)


def link_alphas(text: str, digits: int, m1: sympy.Expr, planted: bool) -> dict[int, sympy.Expr]:
    """Hermite coefficients of a link: exact for polynomials; for other links the numeric layer
    (``gfverify.numerics.hermite``), truncated where the neglected tail moves ``T`` by less than
    ``10^-(digits+3)`` relative, with ``α_k²`` rounded to exact rationals at ``digits + 10``."""
    try:
        f = sympy.sympify(text, locals={"z": Z})
    except (sympy.SympifyError, SyntaxError, TypeError):
        raise InputError(f"cannot parse the link {text!r} as a sympy expression in z") from None
    if f.free_symbols - {Z}:
        raise InputError(f"the link may only use the variable z, got {sorted(map(str, f.free_symbols))}")
    if f.is_polynomial(Z):
        from gfverify.theory.hermite import hermite_coefficients

        deg = sympy.Poly(f, Z).degree()
        return check_alphas(dict(enumerate(hermite_coefficients(f, deg))))
    return _numeric_link_alphas(f, digits, m1, planted)


def _numeric_link_alphas(f: sympy.Expr, digits: int, m1: sympy.Expr, planted: bool) -> dict:
    try:
        from gfverify.numerics.hermite import hermite_coefficients, mp_function
    except ImportError:
        raise InputError("a non-polynomial link needs the numeric Hermite layer "
                         "(gfverify.numerics.hermite), which is not available") from None
    work = digits + 10
    g = float(m1) ** (1 if planted else 2)
    # the tail bound: sum_{k>K} k a_k^2 x^{k-1} <= tail (K+1) x^K for x <= K/(K+1)
    kmax = 8
    while True:
        coeffs = hermite_coefficients(f, kmax, work)
        with mpmath.workdps(work + 10):
            fun = mp_function(f)
            norm2 = mpmath.quad(lambda x: fun(x) ** 2 * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
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


# ----------------------------------------------------------------------------- computation

def escape(alphas: dict[int, sympy.Expr], d: int, m1: sympy.Expr, planted: bool, dps: int,
           digits: int, g: sympy.Expr = sympy.Integer(1)) -> dict:
    """The ``escape --json`` record: ``T`` in closed form (at ``dps``, checked at a second
    precision) and by the ODE engine (``digits`` confirmed), ``m0 = g d^-1/2``."""
    from gfverify.numerics.ode import OdeSystem, event_time

    if digits > dps - GUARD_DIGITS:
        raise InputError(f"--dps {dps} is too low for {digits} digits: need dps >= digits + {GUARD_DIGITS}")
    if d < Q:
        raise InputError(f"the dimension must satisfy d >= q = {Q}, got d = {d}")
    m0 = g / sympy.sqrt(d)
    if not abs(m0) < 1:
        raise InputError(f"the start m0 = g d^-1/2 = {sympy.N(m0, 12)} lies outside the open unit ball")
    if not (m0 < m1 < 1):
        raise InputError(f"the target m1 = {sympy.N(m1, 12)} must lie in (m0, 1) = ({sympy.N(m0, 12)}, 1)")
    rhs = single_index_rhs(alphas, M, planted=planted)
    with mpmath.workdps(dps):
        t_cf = escape_time(rhs, M, m0, m1)
    with mpmath.workdps(dps + max(10, dps // 2)):
        t_cf_hi = escape_time(rhs, M, m0, m1)
    cf_digits = agreed_digits(t_cf, t_cf_hi, dps)
    system = OdeSystem.from_sympy([rhs], [M])
    ev = event_time(system, [m0], 0, m1, digits)
    with mpmath.workdps(dps + 10):
        agreed = agreed_digits(mpmath.mpf(ev.t), t_cf_hi, dps)
    shown = max(digits, 1)
    return {
        "d": d,
        "m0": _decimal(m0, shown),
        "m1": _decimal(m1, shown),
        "planted": planted,
        "T_closed_form": _decimal(t_cf_hi, min(dps, int(cf_digits))),
        "T_ode": _decimal(ev.t, max(1, int(min(ev.digits, dps)))),
        "engine": ev.engine,
        "digits_agreed": round(float(min(agreed, ev.digits, cf_digits)), 1),
    }


def _decimal(x: object, digits: int) -> str:
    """``x`` (mpmath or exact sympy) as a decimal string with ``digits`` significant digits."""
    with mpmath.workdps(digits + 10):
        value = mpmath.mpf(sympy.N(x, digits + 10)) if isinstance(x, sympy.Basic) else mpmath.mpf(x)
        return mpmath.nstr(value, digits, min_fixed=-math.inf, max_fixed=math.inf)


def run(args: argparse.Namespace) -> int:
    digits = args.dps - 2 * GUARD_DIGITS if args.digits is None else args.digits
    if digits < 1:
        raise InputError(f"--digits must be positive, got {digits}")
    if digits > args.dps - GUARD_DIGITS:
        raise InputError(f"--dps {args.dps} is too low for {digits} digits: "
                         f"need dps >= digits + {GUARD_DIGITS}")
    d = parse_dimension(args.d)
    m1 = _exact_number(args.m1, "--to")
    g = _exact_number(args.g, "--g")
    if args.alphas is not None:
        alphas = parse_alphas(args.alphas)
    else:
        alphas = link_alphas(args.link, digits, m1, args.planted)
    record = escape(alphas, d, m1, args.planted, args.dps, digits, g)
    if args.json:
        sys.stdout.write(json.dumps(record) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"escape time, {'planted' if args.planted else 'two-timescale'} problem")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in record.items():
        table.add_row(key, str(value))
    Console().print(table)
    return 0
