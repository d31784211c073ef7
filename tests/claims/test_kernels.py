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


def test_tanh_kernel_certified_and_fails_with_the_series_at_rho_squared(monkeypatch):
    """A.kernel_tanh through its own judge: CERTIFIED; with Mehler's series evaluated at ρ²
    (the ρ^{2k} slip) the series ball misses the nested integral's ball: FAIL."""
    from gfverify.claims import registry

    claim = next(c for c in registry.select("quick", "A.kernel_tanh") if c.id == "A.kernel_tanh")
    assert claim.run(30).status == "CERTIFIED"
    series = K.mehler_series
    monkeypatch.setattr(K, "mehler_series", lambda f, g, rho, dps, z: series(f, g, rho**2, dps, z=z))
    assert claim.run(30).status == "FAIL"
