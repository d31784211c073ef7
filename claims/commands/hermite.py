"""``gfverify hermite EXPR --kmax K``: Hermite coefficients of a link."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from contextlib import contextmanager
from typing import Iterator

import mpmath
import sympy
from rich.console import Console
from rich.table import Table

from gfverify.claims.options import bounded_int, dps_up_to
from gfverify.errors import InputError
from gfverify.numerics import certified
from gfverify.numerics import hermite as numeric
from gfverify.theory import hermite as exact
from gfverify.theory.expressions import parse_expression

NAME = "hermite"
HELP = "normalized Hermite coefficients α_k = <f, h_k> of a link, k = 0..K"
ORDER = 10
CONVENTION = "probabilists' He_k, h_k = He_k/sqrt(k!), alpha_k = E[f(z) h_k(z)], z ~ N(0,1)"
#: Largest K: the numeric route needs ~1 s and the exact one ~5 s (Max(z, 0)) at K = 200.
MAX_KMAX = 200
#: Largest polynomial degree of the link (bound from the text): the closed form of
#: (1+z)**50 * Max(z, 0) already takes 23 s at K = 100, the quadrature fails beyond ~60.
MAX_DEGREE = 60
#: Largest --dps: the quadrature's nodes and their cost grow with the digits (tanh(z) at K = 200:
#: 10 s at 200 digits, 21 s at 250; K = 5 at 2000 digits did not finish in 100 s).
MAX_DPS = 200
#: Seconds the exact closed form may take before the numeric layer is used instead.
EXACT_SECONDS = 10.0
#: Seconds both together may take: beyond, the request is refused (e.g. (1+z)**58 Max(z, 0)
#: exp(z/2) at K = 200 and 200 digits, whose quadrature gives up only after 190 s).
TOTAL_SECONDS = 60.0
#: Seconds --certify may take before the usual route answers (tanh(z) at K = 100 and 50 digits
#: takes 0.5 s; softplus at K = 200 and 200 digits is the slow end).
CERTIFY_SECONDS = 20.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", metavar="EXPR", help='a sympy expression in z, e.g. "tanh(z)"')
    p.add_argument("--kmax", type=bounded_int(0, MAX_KMAX), required=True,
                   help=f"largest k, at most {MAX_KMAX}")
    p.add_argument("--dps", type=dps_up_to(MAX_DPS), default=30,
                   help=f"significant digits wanted (default 30, at most {MAX_DPS})")
    p.add_argument("--certify", action="store_true",
                   help="also print arb balls proven to contain each alpha_k (radius < 10^-dps)")
    p.add_argument("--json", action="store_true", help="print JSON only")


def coefficients(f: sympy.Expr, kmax: int, digits: int) -> tuple[list[str], str, float | None]:
    """Decimal strings of ``α_0..α_kmax`` to ``digits`` significant digits (exact zeros "0"),
    the method, and the digits confirmed by two runs (``None`` when exact)."""
    numeric.check_l2(f)
    start = time.monotonic()
    try:
        with _time_limit(EXACT_SECONDS):
            values = exact.hermite_coefficients(f, kmax)
            text = ["0" if v == 0 else _decimal(v, digits) for v in values]
        return text, "exact: sympy closed form (Gaussian moments of the link)", None
    except (exact.NotClosedForm, _TooSlow):
        pass
    try:
        with _time_limit(TOTAL_SECONDS - (time.monotonic() - start)):
            result = numeric.hermite_coefficients(f, kmax, digits)
    except _TooSlow:
        raise InputError(f"no answer within {TOTAL_SECONDS:.0f} s, the limit: lower --kmax, "
                         "--dps or the degree of the link") from None
    with mpmath.workdps(digits + 5):
        text = ["0" if z0 or a == 0 else mpmath.nstr(a, digits, min_fixed=-5, max_fixed=5)
                for a, z0 in zip(result.alphas, result.exact_zero)]
    return text, f"numeric: {result.method}, {result.nodes} nodes, dps {result.dps}", result.digits


class _TooSlow(BaseException):
    """Raised by the timer (a BaseException, so no ``except Exception`` in sympy swallows it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_TooSlow` in the block after ``seconds`` (a no-op outside the main thread,
    where signals cannot be set)."""
    def expire(signum, frame):
        raise _TooSlow

    try:
        previous = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _decimal(value: sympy.Expr, digits: int) -> str:
    with mpmath.workdps(digits + 10):
        return mpmath.nstr(mpmath.mpmathify(sympy.N(value, digits + 10)), digits,
                           min_fixed=-5, max_fixed=5)


def certify(f: sympy.Expr, kmax: int, digits: int) -> tuple[list[str], str, list[dict]]:
    """Decimal strings of ``α_0..α_kmax`` read off certified balls of radius below
    ``10^{-digits}``, the method, and the balls as ``{"mid", "rad"}`` decimal strings;
    :class:`certified.NotCertifiable` when no certificate is possible. (No sympy L² test: the
    certificate's proven growth bound ``|f| ≤ A (1+|z|)^p e^{c|z|}`` already puts f in L²(γ).)"""
    try:
        with _time_limit(CERTIFY_SECONDS):
            enc = certified.hermite_enclosures(f, kmax, digits)
    except _TooSlow:
        raise certified.NotCertifiable(f"no certificate within {CERTIFY_SECONDS:.0f} s") from None
    with mpmath.workdps(digits + 10):
        text = ["0" if z0 else mpmath.nstr(mpmath.mpf(b.mid().str(digits + 5, radius=False)),
                                           digits, min_fixed=-5, max_fixed=5)
                for b, z0 in zip(enc.balls, enc.exact_zero)]
    return text, f"certified: {enc.method}", enc.as_json(digits)


def run(args: argparse.Namespace) -> int:
    f = parse_expression(args.expr, [exact.Z], "link", max_degree=MAX_DEGREE)
    enclosures, reason = None, None
    if args.certify:
        try:
            alphas, method, enclosures = certify(f, args.kmax, args.dps)
            agreed = None
        except certified.NotCertifiable as exc:
            reason = str(exc)
    if enclosures is None:
        alphas, method, agreed = coefficients(f, args.kmax, args.dps)
    if args.json:
        payload = {"expr": str(f), "convention": CONVENTION, "dps": args.dps, "alpha": alphas,
                   "method": method,
                   "digits_agreed": None if agreed is None else round(agreed, 1)}
        if args.certify:
            payload["enclosures"] = enclosures
            if reason is not None:
                payload["not_certified"] = reason
        sys.stdout.write(json.dumps(payload) + "\n")
        return 0
    table = Table(title=f"Hermite coefficients of {f}")
    table.add_column("k", justify="right")
    table.add_column("alpha_k", justify="left")
    for k, a in enumerate(alphas):
        table.add_row(str(k), a)
    console = Console()
    console.print(table)
    console.print(f"{CONVENTION}\nmethod: {method}"
                  + ("" if agreed is None else f"; two runs agree to {agreed:.1f} digits"),
                  markup=False)
    if enclosures is not None:
        widest = max((mpmath.mpf(e["rad"]) for e in enclosures), default=0)
        console.print(f"certified: every alpha_k lies in its arb ball; largest radius "
                      f"{mpmath.nstr(widest, 3)}", markup=False)
    elif reason is not None:
        console.print(f"not certified: {reason}", markup=False)
    return 0
