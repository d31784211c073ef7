"""Test-wide settings: hypothesis without per-example deadlines (sympy's first calls are slow,
and the machine is shared), the same examples on every run (reproducible CI)."""

from hypothesis import settings

settings.register_profile("gfverify", deadline=None, derandomize=True)
settings.load_profile("gfverify")
