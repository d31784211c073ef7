"""Parsing user links: a sympy expression in the single real variable ``z``."""

from __future__ import annotations

from typing import Sequence

import sympy
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application,
                                        parse_expr, standard_transformations)

from gfverify.errors import InputError
from gfverify.theory.hermite import Z

_TRANSFORMS = standard_transformations + (convert_xor, implicit_multiplication_application)


def parse_link(text: str, z: sympy.Symbol | Sequence[sympy.Symbol] = Z) -> sympy.Expr:
    """``text`` (e.g. ``"tanh(z)"``, ``"Max(z, 0)"``, ``"z1 + z1*z2"``) as a sympy expression
    in the given real symbol(s); any other free symbol or a parse failure is an InputError."""
    allowed = [z] if isinstance(z, sympy.Symbol) else list(z)
    try:
        expr = parse_expr(text, local_dict={str(v): v for v in allowed},
                          transformations=_TRANSFORMS, evaluate=True)
    except Exception as exc:  # noqa: BLE001 - sympy raises many types on malformed input
        raise InputError(f"cannot parse link {text!r}: {type(exc).__name__}") from None
    if not isinstance(expr, sympy.Expr):
        raise InputError(f"link {text!r} is not an expression")
    extra = expr.free_symbols - set(allowed)
    if extra:
        names = ", ".join(map(str, allowed))
        raise InputError(f"link {text!r} has symbols {sorted(map(str, extra))}; only {names} allowed")
    return expr


def link_variables(q: int) -> list[sympy.Symbol]:
    """The variables of a link on R^q: ``z`` for q = 1, else ``z1..zq`` (real)."""
    if q < 1:
        raise InputError(f"q must be at least 1, got {q}")
    return [Z] if q == 1 else list(sympy.symbols(f"z1:{q + 1}", real=True))


def parse_matrix(text: str, name: str) -> sympy.Matrix:
    """A matrix written as nested lists of exact numbers, e.g. ``"[[1/2, 0], [0, 1/3]]"``."""
    try:
        value = sympy.sympify(text, rational=True)
        matrix = sympy.Matrix(value)
    except Exception:  # noqa: BLE001 - sympy raises many types on malformed input
        raise InputError(f"{name} is not a matrix of numbers: {text!r}") from None
    if matrix.free_symbols or any(not e.is_real for e in matrix):
        raise InputError(f"{name} must hold real numbers only: {text!r}")
    return matrix
