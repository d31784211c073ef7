import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics.kernels import gaussian_kernel
from gfverify.theory.hermite import Z


def test_sign_kernel_is_arcsine():
    # E[sign(x) sign(y)] = (2/pi) arcsin(rho)  (Sheppard's formula)
    rho = sympy.Rational(-1, 3)
    value, digits = gaussian_kernel(sympy.sign(Z), rho, 20)
    assert digits >= 20
    with mpmath.workdps(30):
        assert abs(value - 2 / mpmath.pi * mpmath.asin(mpmath.mpf(-1) / 3)) < mpmath.mpf(10) ** -20


def test_correlation_outside_unit_interval():
    with pytest.raises(InputError):
        gaussian_kernel(sympy.sign(Z), sympy.Integer(1), 20)


def _relu_kernel(r):
    return (mpmath.sqrt(1 - r * r) + (mpmath.pi - mpmath.acos(r)) * r) / (2 * mpmath.pi)


@pytest.mark.parametrize("engine", ["auto", "pure"])
@pytest.mark.parametrize("f, rho, closed", [
    (sympy.Max(Z, 0), sympy.Rational(3, 5), _relu_kernel),
    (sympy.Max(Z, 0), sympy.Rational(-4, 5), _relu_kernel),
    (sympy.erf(Z), sympy.Rational(1, 2), lambda r: 2 / mpmath.pi * mpmath.asin(2 * r / 3)),
    (sympy.Max(Z - 1, 0), sympy.Rational(0), lambda r: (mpmath.npdf(1) - (1 - mpmath.ncdf(1))) ** 2),
    (Z**2, sympy.Rational(-1, 4), lambda r: 1 + 2 * r * r),
])
def test_kernels_against_closed_forms(monkeypatch, engine, f, rho, closed):
    """Arc-cosine kernel of ReLU (docs/theory.md A8), (2/π) arcsin(2ρ/3) for erf, independence at
    ρ = 0 (E relu(z − 1) = φ(1) − (1 − Φ(1))), and E[x² y²] = 1 + 2ρ² (Isserlis), to 20 digits,
    with python-flint's ball double sum and with the pure-mpmath one."""
    if engine == "pure":
        monkeypatch.setenv("GFVERIFY_ENGINES", "pure")
    value, digits = gaussian_kernel(f, rho, 20)
    assert digits >= 20
    with mpmath.workdps(40):
        want = closed(mpmath.mpf(rho.p) / rho.q)
        assert abs(value - want) <= mpmath.mpf(10) ** -19 * max(1, abs(want))


def test_negative_boundary_correlation_is_refused():
    with pytest.raises(InputError, match=r"\|rho\| < 1"):
        gaussian_kernel(sympy.sign(Z), sympy.Integer(-1), 20)

