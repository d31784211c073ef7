"""Certified Gaussian kernels for links with no closed-form conditional mean
(:func:`gfverify.numerics.certified_kernels.strip_correlation`): the nested Gauss–Legendre
rule with its proven error bound, checked against independent computations."""

from __future__ import annotations

import flint
import mpmath
import pytest
import sympy

from gfverify.numerics.averaging import inner_average_here
from gfverify.numerics.certified import NotCertifiable
from gfverify.numerics.certified_kernels import (
    _strip_link,
    certified_correlation,
    mehler_series,
    strip_correlation,
)
from gfverify.theory.hermite import Z

R = sympy.Rational
Y = sympy.Symbol("y", real=True)


def _mp(ball) -> mpmath.mpf:
    return mpmath.mpf(ball.mid().str(60, radius=False))


def test_tanh_kernel_contains_the_two_dimensional_quadrature():
    """E[tanh x tanh y] at ρ = 1/4: the ball (radius < 1e-30) contains the averaging layer's 2-D
    quadrature at 40 digits (tensor Gauss–Hermite in the rotated frame, another method)."""
    ball = strip_correlation(sympy.tanh(Z), sympy.tanh(Z), R(1, 4), 30)
    assert mpmath.mpf(ball.rad().str(5, radius=False)) < mpmath.mpf("1e-30")
    with mpmath.workdps(40):
        value = inner_average_here(sympy.tanh(Z), sympy.tanh(Z), [[R(1, 4)]], [Z])
        assert abs(_mp(ball) - value) <= mpmath.mpf(ball.rad().str(5, radius=False)) + mpmath.mpf("1e-38")


def test_scaled_tanh_cross_kernel_agrees_with_the_mehler_series():
    """E[3 tanh(x/2) tanh(2y)] at ρ = −3/5 (strips π/2 and π/8, negative ρ): the nested rule and
    Mehler's series with certified coefficients (a second certified route, to 25 digits too)
    overlap; at ρ = −1/2 the series lies outside the ball."""
    f, g = 3 * sympy.tanh(Z / 2), sympy.tanh(2 * Z)
    ball = strip_correlation(f, g, R(-3, 5), 25)
    series = mehler_series(f, g, R(-3, 5), 25)
    assert ball.overlaps(series) and series.rad() < flint.arb(10) ** -25
    assert not ball.overlaps(mehler_series(f, g, R(-1, 2), 25))


def test_certified_correlation_falls_back_to_the_strip_rule():
    """tanh with tanh has no closed-form A_ρ: certified_correlation uses the nested rule, the
    same ball as strip_correlation; tanh with a link of neither kind says both reasons."""
    a = certified_correlation(sympy.tanh(Z), sympy.tanh(Z), R(1, 3), 20)
    b = strip_correlation(sympy.tanh(Z), sympy.tanh(Z), R(1, 3), 20)
    assert a.overlaps(b) and a.rad() < flint.arb(10) ** -20
    with pytest.raises(NotCertifiable, match=r"A_ρ\(tanh.*not c·tanh"):
        certified_correlation(sympy.tanh(Z), sympy.log(1 + sympy.exp(Z)), R(1, 3), 20)


@pytest.mark.parametrize("f", [sympy.tanh(Z) + Z, sympy.tanh(Z**2), sympy.sqrt(2) * sympy.tanh(Z),
                               sympy.tanh(sympy.pi * Z)])
def test_only_rational_multiples_of_tanh_of_a_positive_rational_multiple(f):
    with pytest.raises(NotCertifiable, match="not c·tanh"):
        _strip_link(f, Z)


def test_the_strip_bound_holds_and_is_tight():
    """|c·tanh(a u)| ≤ |c| on |Im u| ≤ π/(4a) (checked just inside the boundary line, where it
    is largest: |tanh| = 1 on the line itself), and not beyond: at u = i(π/(4a) + 0.05),
    |tanh| = tan(π/4 + 0.05a) > 1."""
    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        F, s, B = _strip_link(R(-2, 3) * sympy.tanh(3 * Z), Z)
        assert B.overlaps(flint.arb(2) / 3) and B.rad() < 1e-50
        for x in (-2, -0.3, 0, 0.01, 0.7, 5):
            u = flint.acb(x, s * (1 - flint.arb("1e-6")))
            assert abs(F(u)) < B
        assert abs(F(flint.acb(0, s + flint.arb("0.05")))) > B
    finally:
        flint.ctx.prec = saved


def test_correlation_outside_the_open_interval_is_refused():
    with pytest.raises(ValueError, match="correlation"):
        strip_correlation(sympy.tanh(Z), sympy.tanh(Z), R(1), 20)


@pytest.mark.parametrize("rho", [R(1), R(-1), R(3, 2), R(-3, 2)])
def test_a_correlation_on_or_outside_the_boundary_is_refused_by_both_routes(rho):
    """|ρ| < 1 is required by the nested integral (s = √(1 − ρ²) > 0) and by Mehler's tail
    (a factor 1/(1 − |ρ|)): ρ = ±1 and |ρ| > 1 are refused with the reason."""
    with pytest.raises(ValueError, match="correlation must satisfy"):
        strip_correlation(sympy.tanh(Z), sympy.tanh(Z), rho, 20)
    with pytest.raises(ValueError, match="correlation must satisfy"):
        mehler_series(sympy.erf(Z), sympy.erf(Z), rho, 20)


def test_parseval_tail_stops_at_the_first_listed_order_within_n_max():
    """exp(z): ‖f^(n)‖² = E[e^{2z}] = e² for every n, so the Stein tail bound is e²/n!; at 18
    digits it must fall below 10⁻²⁰: n = 15 gives 5.7·10⁻¹², n = 22 gives 6.6·10⁻²¹. With
    n_max = 22 the orders 10, 15, 22 are tried and the ball contains Σ α_k² = E[e^{2z}] = e²
    (closed form); with n_max = 21 the next order is past the cap and the link is refused."""
    from gfverify.numerics.certified_kernels import parseval_enclosure

    ball = parseval_enclosure(sympy.exp(Z), 18, n_max=22)
    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        assert ball.contains(flint.arb(2).exp()) and ball.rad() < flint.arb(10) ** -18
    finally:
        flint.ctx.prec = saved
    with pytest.raises(NotCertifiable, match="stays above 10\\^-20 up to n = 21"):
        parseval_enclosure(sympy.exp(Z), 18, n_max=21)
