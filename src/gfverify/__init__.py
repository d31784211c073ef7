"""gfverify: symbolic-numeric verification of gradient-flow theory.

Subpackages: ``gfverify.theory`` (exact, sympy), ``gfverify.numerics`` (high precision),
``gfverify.claims`` (the claim registry and the command line); ``gfverify.errors`` holds
``InputError``, the one error for bad input. The version is declared here only (pyproject.toml
reads it).
"""

__version__ = "0.1.0"
