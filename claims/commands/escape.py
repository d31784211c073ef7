"""``gfverify escape``: the single-index escape time ``T(m0 → m1)`` of the reduced ODE of [A],
in closed form (partial fractions) and by high-precision ODE integration, side by side."""

from __future__ import annotations

import argparse
import json
import math
import sys

import mpmath
import sympy

from gfverify.claims.options import dps_up_to, parse_alphas
from gfverify.errors import InputError
from gfverify.numerics.precision import GUARD_DIGITS, agreed_digits
from gfverify.numerics.timescales import confirmed_escape_time
from gfverify.numerics.timescales import link_alphas as numeric_link_alphas
from gfverify.theory.expressions import parse_expression, parse_number
from gfverify.theory.hermite import Z
from gfverify.theory.reduced_ode import M, single_index_rhs

NAME = "escape"
HELP = "escape time of the single-index reduced ODE: closed form and ODE event time"
ORDER = 20
Q = 1  # the single-index problem
#: Largest Hermite degree k in --alphas and largest degree of a polynomial --link: the closed
#: form and the ODE take ~9 s at k = 50 (16 s at k = 100, minutes at 10^3).
MAX_K = 50
#: Largest --dps: --alphas 3:1 at d = 10^6 takes 1.6 s at 40 digits, 13 s at 100, 25 s at 150,
#: 37 s at 200, and did not finish in 100 s at 500.
MAX_DPS = 100
#: Most digits for a non-polynomial --link, whose Hermite series is computed numerically:
#: tanh(z) takes 12 s at 30 digits (--dps 40) and 61 s at 50 (--dps 60).
MAX_LINK_DIGITS = 40


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--link", metavar="EXPR", help='link f* as an expression in z, e.g. "z**3 - 3*z"')
    src.add_argument("--alphas", metavar="K:A,...", help='Hermite coefficients, e.g. "3:1" or "2:1,3:1/2"')
    p.add_argument("--d", required=True, metavar="D", help="dimension d (m0 = g d^-1/2), e.g. 1e6")
    p.add_argument("--to", required=True, dest="m1", metavar="M1", help="target overlap m1 in (m0, 1)")
    p.add_argument("--g", default="1", metavar="G", help="start m0 = g d^-1/2 (default 1; |m0| < 1)")
    p.add_argument("--planted", action="store_true", help="planted problem (link known and fixed)")
    p.add_argument("--dps", type=dps_up_to(MAX_DPS), default=40,
                   help=f"working precision in digits (default 40, at most {MAX_DPS})")
    p.add_argument("--digits", type=int, default=None,
                   help=f"digits the ODE must confirm (default dps - {2 * GUARD_DIGITS})")
    p.add_argument("--certify", action="store_true",
                   help="add arb enclosures that provably contain T and m(T) (T_enclosure, m_T_enclosure)")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


# ----------------------------------------------------------------------------- parsing

def parse_dimension(text: str) -> int:
    """``d`` as an integer (``1e6`` accepted); ``d ≥ q = 1``."""
    value = parse_number(text, "--d")
    if not value.is_integer:
        raise InputError(f"--d must be an integer dimension, got {text}")
    if value < Q:
        raise InputError(f"the dimension must satisfy d >= q = {Q}, got d = {value}")
    return int(value)


def link_alphas(text: str, digits: int, m1: sympy.Expr, planted: bool) -> dict[int, sympy.Expr]:
    """Hermite coefficients of the link given as text (:func:`gfverify.numerics.timescales.link_alphas`)."""
    f = parse_expression(text, [Z], "--link", max_degree=MAX_K)
    if digits > MAX_LINK_DIGITS and not f.is_polynomial(Z):
        raise InputError(f"a non-polynomial --link is expanded numerically to at most "
                         f"{MAX_LINK_DIGITS} digits; got {digits} (lower --dps or --digits)")
    return numeric_link_alphas(f, Z, digits, m1, planted)


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
    closed = confirmed_escape_time(rhs, M, m0, m1, dps)
    t_cf_hi, cf_digits = closed.high, closed.digits
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


def certify(alphas: dict[int, sympy.Expr], link: str | None, d: int, m1: sympy.Expr, g: sympy.Expr,
            planted: bool, dps: int) -> dict:
    """``T_enclosure`` and ``m_T_enclosure`` (:func:`gfverify.numerics.certified_ode.escape_certificate`):
    a polynomial flow (exact ``α_k²``) directly, a non-polynomial ``--link`` through its certified
    Hermite series and Parseval tail; when no certificate exists, ``null`` enclosures and the
    reason in ``not_certified``."""
    from gfverify.numerics.certified import NotCertifiable
    from gfverify.numerics.certified_ode import escape_certificate, rational_coefficients

    m0 = g / sympy.sqrt(d)
    try:
        f = parse_expression(link, [Z], "--link", max_degree=MAX_K) if link is not None else None
        if f is not None and not f.is_polynomial(Z):
            out = escape_certificate(None, m0, m1, dps, link=f, z=Z, planted=planted)
        else:
            coeffs = rational_coefficients(single_index_rhs(alphas, M, planted=planted), M)
            out = escape_certificate(coeffs, m0, m1, dps)
        return {**out, "not_certified": None}
    except NotCertifiable as exc:
        return {"T_enclosure": None, "m_T_enclosure": None, "m_T_method": None, "not_certified": str(exc)}


def _inside(text: str, digits: float, ball: dict | None) -> bool | None:
    """Whether the decimal ``text``, trusted to ``digits`` significant digits, meets the ball
    ``{"mid", "rad"}``; ``None`` without a ball."""
    if ball is None:
        return None
    with mpmath.workdps(len(ball["mid"]) + 10):
        x, mid, rad = mpmath.mpf(text), mpmath.mpf(ball["mid"]), mpmath.mpf(ball["rad"])
        return bool(abs(x - mid) <= rad + abs(x) * mpmath.mpf(10) ** -mpmath.mpf(digits))


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
    m1 = parse_number(args.m1, "--to")
    g = parse_number(args.g, "--g")
    if args.alphas is not None:
        alphas = parse_alphas(args.alphas, MAX_K)
    else:
        alphas = link_alphas(args.link, digits, m1, args.planted)
    record = escape(alphas, d, m1, args.planted, args.dps, digits, g)
    if args.certify:
        record.update(certify(alphas, args.link, d, m1, g, args.planted, args.dps))
        record["T_closed_form_inside"] = _inside(record["T_closed_form"], record["digits_agreed"],
                                                record["T_enclosure"])
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
