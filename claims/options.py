"""Argument types shared by the subcommands (their errors become one usage line, exit 2)."""

from __future__ import annotations

import argparse

MIN_DPS, MAX_DPS = 15, 2000


def dps(text: str) -> int:
    """A working precision in decimal digits, within [15, 2000]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dps must be an integer, got {text!r}") from None
    if not MIN_DPS <= value <= MAX_DPS:
        raise argparse.ArgumentTypeError(f"--dps must lie in [{MIN_DPS}, {MAX_DPS}], got {value}")
    return value


def positive_int(text: str) -> int:
    """A positive integer (accepts ``1e6`` when it is an integer)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(value)


def nonnegative_int(text: str) -> int:
    """A non-negative integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value
