"""Argument types shared by the subcommands (their errors become one usage line, exit 2)."""

from __future__ import annotations

import argparse
import re
from typing import Callable

MIN_DPS, MAX_DPS = 15, 2000
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
    """A working precision in decimal digits, within [15, 2000]."""
    return bounded_int(MIN_DPS, MAX_DPS)(text)


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
