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
