"""The variables of a user link: ``z`` for q = 1, ``z1..zq`` otherwise (text is parsed by
:mod:`gfverify.theory.expressions`, never by ``sympify``)."""

from __future__ import annotations

import sympy

from gfverify.errors import InputError
from gfverify.theory.hermite import Z


def link_variables(q: int) -> list[sympy.Symbol]:
    """The variables of a link on R^q: ``z`` for q = 1, else ``z1..zq`` (real)."""
    if q < 1:
        raise InputError(f"q must be at least 1, got {q}")
    return [Z] if q == 1 else list(sympy.symbols(f"z1:{q + 1}", real=True))
