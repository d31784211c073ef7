"""Parsing user links: a sympy expression in the single real variable ``z``."""

from __future__ import annotations

import sympy
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application,
                                        parse_expr, standard_transformations)

from gfverify.theory.errors import InputError
from gfverify.theory.hermite import Z

_TRANSFORMS = standard_transformations + (convert_xor, implicit_multiplication_application)


def parse_link(text: str, z: sympy.Symbol = Z) -> sympy.Expr:
    """``text`` (e.g. ``"tanh(z)"``, ``"Max(z, 0)"``, ``"z**3 - 3*z"``) as a sympy expression
    in the real symbol ``z``; any other free symbol or a parse failure is an InputError."""
    try:
        expr = parse_expr(text, local_dict={"z": z}, transformations=_TRANSFORMS, evaluate=True)
    except Exception as exc:  # noqa: BLE001 - sympy raises many types on malformed input
        raise InputError(f"cannot parse link {text!r}: {type(exc).__name__}") from None
    if not isinstance(expr, sympy.Expr):
        raise InputError(f"link {text!r} is not an expression")
    extra = expr.free_symbols - {z}
    if extra:
        raise InputError(f"link {text!r} has symbols {sorted(map(str, extra))}; only z is allowed")
    return expr
