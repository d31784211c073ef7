"""gfverify: symbolic-numeric verification of gradient-flow theory.

Subpackages: ``gfverify.theory`` (exact, sympy), ``gfverify.numerics`` (high precision),
``gfverify.claims`` (the claim registry and the command line).
"""

__version__ = "0.1.0"
