"""``gfverify average EXPR --N MATRIX``: the averaging operator A_N applied to a polynomial link."""

from __future__ import annotations

import argparse
import json
import sys

import sympy
from rich.console import Console

from gfverify.claims.options import MAX_Q, check_average_size
from gfverify.errors import InputError
from gfverify.theory.averaging import average, validate_contraction
from gfverify.theory.expressions import parse_expression, parse_matrix
from gfverify.theory.links import link_variables

NAME = "average"
HELP = "(A_N f)(z) = E[f(N^T z + (I - N^T N)^{1/2} xi)] exactly, for a polynomial link and ||N||_op <= 1"
ORDER = 20


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", metavar="EXPR", help='a polynomial in z (q = 1) or z1..zq, e.g. "z1*z2"')
    p.add_argument("--N", dest="matrix", required=True, metavar="MATRIX",
                   help='a q x q contraction, e.g. "[[1/2, 1/3], [0, 1/2]]"')
    p.add_argument("--json", action="store_true", help="print JSON only")


def run(args: argparse.Namespace) -> int:
    N = parse_matrix(args.matrix, "--N")
    if N.cols > MAX_Q:
        raise InputError(f"--N is {N.rows}x{N.cols}; the exact averaging takes q <= {MAX_Q}")
    N = validate_contraction(N)
    zs = link_variables(N.cols)
    f = parse_expression(args.expr, zs, "link")
    if not f.is_polynomial(*zs):
        raise InputError(f"the exact A_N needs a polynomial link, got {f}")
    check_average_size(f, zs, N)
    result = sympy.expand(average(f, N, zs))
    if args.json:
        sys.stdout.write(json.dumps({"expr": str(f), "N": str(N.tolist()), "average": str(result)}) + "\n")
    else:
        Console().print(f"A_N[{f}] = {result}", markup=False, highlight=False)
    return 0
