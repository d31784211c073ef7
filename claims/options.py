"""Argument types shared by the subcommands (their errors become one usage line, exit 2)."""

from __future__ import annotations

import argparse
import math
import re
from typing import Callable, Sequence

import sympy

from gfverify.errors import InputError
from gfverify.theory.expressions import parse_number
from gfverify.theory.reduced_ode import check_alphas

#: ``verify``/``show`` digits: the quick tier at 50 digits took 12 min (all PASS or CERTIFIED, 2026-11-30,
#: 2 cores at load 7-8; the d-dimensional Stiefel claims grow fastest, 93-182 s each); beyond
#: that a run is hours, and at 2000 digits it would not finish.
MIN_DPS, MAX_DPS = 15, 50
#: An integer as a user may write it: ``12``, ``1e6``, ``1.5e3`` (digits, no sign, no inf/nan).
_INTEGER = re.compile(r"\s*\+?([0-9]+)(?:\.([0-9]*))?(?:[eE]\+?([0-9]{1,3}))?\s*")


def _integer(text: str) -> int | None:
    """The integer written in ``text`` (``1e6`` = 1000000, ``2.5e1`` = 25), or ``None`` if it is
    not a non-negative integer in decimal (``inf``, ``nan``, ``-3``, ``0.5``); exponents up to 999."""
    match = _INTEGER.fullmatch(text)
    if match is None:
        return None
    whole, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3) or 0)
    fraction = fraction.rstrip("0")
    if len(fraction) > exponent:
        return None
    return int(whole + fraction) * 10 ** (exponent - len(fraction))


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argument type: an integer in ``[low, high]`` (``1e3`` accepted), else a usage error
    that states the range."""
    def parse(text: str) -> int:
        value = _integer(text)
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in [{low}, {high}], got {text!r}")
        return value

    return parse


def dps(text: str) -> int:
    """A working precision in decimal digits, within [15, 50] (``verify``, ``show``)."""
    return bounded_int(MIN_DPS, MAX_DPS)(text)


def dps_up_to(high: int) -> Callable[[str], int]:
    """An argument type: a working precision in ``[MIN_DPS, high]``, for the commands whose
    cost grows steeply with the digits."""
    return bounded_int(MIN_DPS, high)


def positive_int(text: str) -> int:
    """A positive integer (accepts ``1e6`` when it is an integer)."""
    value = _integer(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """A non-negative integer."""
    value = _integer(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


#: Largest q for the exact averaging commands: checking ‖N‖_op ≤ 1 takes the 2^q principal
#: minors of I − NᵀN (q = 10 dense: 4.7 s; q = 22 did not finish).
MAX_Q = 8
#: Most monomials the link may expand to in ``average``/``loss`` (a bound computed before
#: expanding: sums add, products multiply, a power n of m terms gives C(m + n − 1, n)).
MAX_MONOMIALS = 20_000
#: Largest size of the exact Gaussian expectation in ``average``/``loss``: the sum over the
#: expanded link's monomials of (r + 1)^degree, r = the most non-zeros in a column of N
#: (a dense q = 6, degree-8 monomial, 5.8e6, takes 5.6 s).
MAX_AVERAGE_COST = 6 * 10**6


def _monomials(e: sympy.Expr) -> int:
    """An upper bound on the number of monomials of ``expand(e)``, capped at 10^9."""
    cap = 10**9
    if e.is_Add:
        return min(cap, sum(_monomials(a) for a in e.args))
    if e.is_Mul:
        return min(cap, math.prod(_monomials(a) for a in e.args))
    if e.is_Pow and e.exp.is_Integer and e.exp > 0:
        m, n = _monomials(e.base), int(e.exp)
        return 1 if m == 1 else min(cap, math.comb(min(m + n - 1, cap), n))
    return 1


def check_average_size(f: sympy.Expr, zs: Sequence[sympy.Symbol], N: sympy.Matrix) -> None:
    """Refuse (:class:`InputError`) an exact ``A_N f`` too large to finish in seconds: q above
    :data:`MAX_Q`, more than :data:`MAX_MONOMIALS` monomials or a size above
    :data:`MAX_AVERAGE_COST`."""
    if len(zs) > MAX_Q:
        raise InputError(f"q = {len(zs)} exceeds the limit {MAX_Q} of the exact averaging "
                         f"(2^q principal minors)")
    if _monomials(f) > MAX_MONOMIALS:
        raise InputError(f"the link expands to more than {MAX_MONOMIALS} monomials, the limit "
                         "of the exact averaging")
    r = max((sum(1 for x in N.col(j) if x != 0) for j in range(N.cols)), default=0)
    size = sum((r + 1) ** sum(m) for m in sympy.Poly(f, *zs).monoms())
    if size > MAX_AVERAGE_COST:
        raise InputError(f"the link is too large for the exact averaging (size "
                         f"{size:.2e} > {MAX_AVERAGE_COST:.0e}: fewer terms, lower degree "
                         f"or a sparser matrix)")


def parse_alphas(text: str, max_k: int) -> dict[int, sympy.Expr]:
    """``--alphas "k:a,k:a"`` → ``{k: a}`` with exact sympy numbers (``a`` may be ``1/2`` or
    ``sqrt(2)``), degrees ``k ≤ max_k``; at least one non-zero ``α_k`` with ``k ≥ 1``."""
    out: dict[int, sympy.Expr] = {}
    for item in text.split(","):
        parts = item.strip().split(":")
        if len(parts) != 2 or not parts[0].strip().isascii() or not parts[0].strip().isdigit():
            raise InputError(f"malformed --alphas entry {item.strip()!r}: expected k:a with k a "
                             "non-negative integer, e.g. \"3:1,4:1/2\"")
        if len(parts[0].strip()) > 6 or int(parts[0]) > max_k:
            raise InputError(f"--alphas: the degree k = {parts[0].strip()} exceeds the limit {max_k}")
        k = int(parts[0])
        a = parse_number(parts[1], f"--alphas coefficient alpha_{k}")
        if k in out:
            raise InputError(f"--alphas gives alpha_{k} twice")
        out[k] = a
    return check_alphas(out)
