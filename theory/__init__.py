"""Exact, symbolic objects (sympy only; no floating point inside)."""

from gfverify.errors import InputError

__all__ = ["InputError"]
