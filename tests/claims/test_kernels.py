"""Claims on the Gaussian kernels (A8): wrong formulas (ρ² for ρ in the arcsine kernel, ρ^{2k} for
ρ^k in the Hermite series) FAIL through the same judge while the true ones PASS (CERTIFIED for the
arcsine law, whose judge is a certified enclosure)."""

import sympy

from gfverify.claims.judge import enclosure, exact_identity
from gfverify.claims.statements import kernels as K
from gfverify.numerics.certified_kernels import certified_kernel
from gfverify.numerics.precision import tolerance
from gfverify.theory.averaging import inner, psi
from gfverify.theory.hermite import h
from gfverify.theory.witnesses import LINKS, RHO, Z1

R = sympy.Rational


def test_sign_kernel_with_rho_squared_fails(verdict):
    rho = R(-3, 5)
    sign = sympy.sign(Z1)

    def kernel(value):
        return lambda dps: enclosure(2 / sympy.pi * sympy.asin(value),
                                     certified_kernel(sign, rho, dps, z=Z1), tolerance(dps),
                                     "arcsine kernel")
    assert verdict(kernel(rho), "A8", dps=15) == "CERTIFIED"
    assert verdict(kernel(rho**2), "A8", dps=15) == "FAIL"


def test_polynomial_kernel_with_rho_to_2k_fails(verdict):
    f = LINKS[1]
    alphas = [inner(f, h(k, Z1), [Z1]) for k in range(5)]
    wrong = psi(f, [[RHO]], [Z1]) - sum(a**2 * RHO ** (2 * k) for k, a in enumerate(alphas))
    assert verdict(lambda dps: exact_identity(K.mehler_kernel_differences([f], 4), "kernel"), "A8") == "PASS"
    assert verdict(lambda dps: exact_identity(wrong, "kernel, ρ^{2k}"), "A8") == "FAIL"
