"""``gfverify loss EXPR --wstar MATRIX --w MATRIX``: the reduced and planted losses of [A]."""

from __future__ import annotations

import argparse
import json
import sys

import mpmath
import sympy
from rich.console import Console

from gfverify.claims.options import MAX_Q, check_average_size
from gfverify.errors import InputError
from gfverify.theory.averaging import average, inner, psi, validate_stiefel
from gfverify.theory.expressions import parse_expression, parse_matrix
from gfverify.theory.links import link_variables

NAME = "loss"
HELP = ("reduced loss ||f||^2/2 - <A_G f, f>/2 (G = M M^T) and planted loss ||f||^2 - <A_M f, f> "
        "at M = W*^T W, exactly, for a polynomial link")
ORDER = 21


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", metavar="EXPR", help='a polynomial in z (q = 1) or z1..zq')
    p.add_argument("--wstar", required=True, metavar="MATRIX", help="d x q, orthonormal columns")
    p.add_argument("--w", required=True, metavar="MATRIX", help="d x q, orthonormal columns")
    p.add_argument("--json", action="store_true", help="print JSON only")


def _decimal(value: sympy.Expr, digits: int = 25) -> str:
    with mpmath.workdps(digits + 10):
        return mpmath.nstr(mpmath.mpf(sympy.N(value, digits + 10)), digits)


def run(args: argparse.Namespace) -> int:
    wstar, w = parse_matrix(args.wstar, "--wstar"), parse_matrix(args.w, "--w")
    if wstar.shape != w.shape:
        raise InputError(f"W* is {wstar.shape[0]}x{wstar.shape[1]} but W is {w.shape[0]}x{w.shape[1]}")
    if w.cols > MAX_Q:
        raise InputError(f"W is {w.rows}x{w.cols}; the exact losses take q <= {MAX_Q}")
    wstar, w = validate_stiefel(wstar, "W*"), validate_stiefel(w, "W")
    zs = link_variables(w.cols)
    f = parse_expression(args.expr, zs, "link")
    if not f.is_polynomial(*zs):
        raise InputError(f"the exact losses need a polynomial link, got {f}")
    M = (wstar.T * w).applyfunc(sympy.nsimplify)
    check_average_size(f, zs, M)
    norm = inner(f, f, zs)
    reduced = sympy.nsimplify(norm / 2 - psi(f, M * M.T, zs) / 2)
    planted = sympy.nsimplify(norm - inner(average(f, M, zs), f, zs))
    record = {"expr": str(f), "M": str(M.tolist()), "reduced_loss": str(reduced),
              "planted_loss": str(planted),
              "reduced_loss_decimal": _decimal(reduced), "planted_loss_decimal": _decimal(planted)}
    if args.json:
        sys.stdout.write(json.dumps(record) + "\n")
    else:
        console = Console()
        for key, value in record.items():
            console.print(f"{key}: {value}", markup=False, highlight=False)
    return 0
