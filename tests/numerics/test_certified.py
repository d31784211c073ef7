"""Certified enclosures (numerics/certified*.py): every ball contains the value computed
independently at a higher precision (the two-precision quadrature of numerics/hermite, mpmath's
quad, the closed-form kernels of docs/theory.md A8), its radius is below the stated bound, the
growth envelopes and the tail bound are upper bounds, and links arb cannot handle are refused
with a reason."""

import mpmath
import pytest
import sympy

from gfverify.numerics import certified as C
from gfverify.numerics.certified_kernels import certified_kernel, conditional_mean
from gfverify.numerics.hermite import hermite_coefficients
from gfverify.theory.hermite import Z

z = Z
R = sympy.Rational


def _contains(ball, value) -> bool:
    with mpmath.workdps(80):
        mid = mpmath.mpf(ball.mid().str(70, radius=False))
        return abs(mid - value) <= mpmath.mpf(ball.rad().str(10, radius=False))


def _radius(ball) -> mpmath.mpf:
    return mpmath.mpf(ball.rad().str(10, radius=False))


def test_tanh_kmax_100_at_50_digits():
    """The issue's example: 101 balls of radius < 1e-50, each holding the quadrature value
    confirmed to 60 digits; the even coefficients of the odd link are exactly 0."""
    enc = C.hermite_enclosures(sympy.tanh(z), 100, 50)
    ref = hermite_coefficients(sympy.tanh(z), 100, 60)
    assert len(enc.balls) == 101
    assert all(_radius(b) < mpmath.mpf("1e-50") for b in enc.balls)
    assert all(_contains(b, a) for b, a in zip(enc.balls, ref.alphas))
    assert all(enc.balls[k].is_exact() and enc.balls[k].is_zero() for k in range(0, 101, 2))


@pytest.mark.parametrize("f", [
    sympy.Max(z, 0), sympy.Abs(z), sympy.sign(z), sympy.erf(z), sympy.log(1 + sympy.exp(z)),
    1 / (1 + sympy.exp(-z)), z**2 * sympy.erf(z), sympy.Piecewise((z - 1, z > 1), (0, True)),
    sympy.Heaviside(z - R(1, 3)), sympy.sign(z**2 - 1),
], ids=["relu", "abs", "sign", "erf", "softplus", "sigmoid", "z2erf", "shifted_relu", "step_third",
        "sign_z2m1"])
def test_links_are_enclosed(f):
    enc = C.hermite_enclosures(f, 12, 25)
    ref = hermite_coefficients(f, 12, 35)
    for k, (b, a) in enumerate(zip(enc.balls, ref.alphas)):
        assert _radius(b) < mpmath.mpf("1e-25"), k
        assert _contains(b, a), k


def test_a_shifted_ball_misses_the_value():
    """The balls are tight: moving the midpoint by ten radii loses the value."""
    enc = C.hermite_enclosures(sympy.erf(z), 5, 25)
    ref = hermite_coefficients(sympy.erf(z), 5, 35)
    ball = enc.balls[1]
    with mpmath.workdps(80):
        moved = mpmath.mpf(ball.mid().str(70, radius=False)) + 10 * _radius(ball)
        assert _contains(ball, ref.alphas[1]) and abs(moved - ref.alphas[1]) > _radius(ball)


@pytest.mark.parametrize("f, reason", [
    (sympy.gamma(z), "growth bound"),
    (sympy.exp(z**2 / 8), "grows faster"),
    (sympy.Heaviside(z - sympy.sqrt(2)), "not rational"),
    (sympy.sqrt(sympy.Abs(z)), "not analytic"),
    (sympy.Abs(sympy.sin(z)), "kinks"),
])
def test_refusals_say_why(f, reason):
    with pytest.raises(C.NotCertifiable, match=reason):
        C.hermite_enclosures(f, 3, 20)


@pytest.mark.parametrize("f", [sympy.log(1 + sympy.exp(z)), 1 / (1 + sympy.exp(-z)),
                               z**3 * sympy.exp(-z / 3) + sympy.cosh(z / 2), sympy.atan(z) * z])
def test_envelope_is_an_upper_bound(f):
    A, p, c = C.envelope(f)
    fun = sympy.lambdify(z, f, "mpmath")
    for x in [mpmath.mpf(v) / 4 for v in range(-200, 201, 7)]:
        assert abs(fun(x)) <= A * (1 + abs(x)) ** p * mpmath.exp(c * abs(x))


def test_tail_bound_exceeds_the_tail():
    """The Cramér tail bound against the tail integrals themselves (mpmath quad), k ≤ 6."""
    f = z**2 + sympy.exp(z / 2)
    L = 6
    bound = mpmath.mpf(C.tail_bound(C.envelope(f), L).upper().str(20, radius=False))
    fun = sympy.lambdify(z, f, "mpmath")
    for k in range(7):
        hk = sympy.lambdify(z, sympy.hermite_prob(k, z) / sympy.sqrt(sympy.factorial(k)), "mpmath")
        tail = sum(mpmath.quad(lambda x: abs(fun(x) * hk(x)) * mpmath.npdf(x), ends)
                   for ends in ([L, mpmath.inf], [-mpmath.inf, -L]))
        assert tail <= bound


def test_conditional_mean_matches_quadrature():
    """(A_ρ f)(y) = E[f(ρy + √(1−ρ²) w)] in closed form against mpmath's quad at one y."""
    rho, y0 = R(3, 5), R(7, 10)
    for f in (sympy.sign(z), sympy.Max(z, 0), sympy.Abs(z), sympy.erf(z / 2), z**3 - z):
        closed = sympy.N(conditional_mean(f, rho).subs(z, y0), 30)
        fun = sympy.lambdify(z, f, ["mpmath", {"sign": mpmath.sign}])
        with mpmath.workdps(30):
            num = mpmath.quad(lambda w: fun(rho * y0 + R(4, 5) * w) * mpmath.npdf(w),
                              [-mpmath.inf, -y0 * rho / R(4, 5), mpmath.inf])
            assert abs(num - mpmath.mpf(str(closed))) < mpmath.mpf("1e-20")


@pytest.mark.parametrize("rho", [R(1, 10), R(-9, 10), R(99, 100)])
def test_sign_kernel_arcsine_law(rho):
    """The issue's failing case: E[sign x sign y] at ρ = 0.1, −0.9, 0.99 enclosed to 30 digits,
    around (2/π) arcsin ρ; the wrong (2/π) arcsin ρ² lies outside."""
    ball = certified_kernel(sympy.sign(z), rho, 30)
    assert _radius(ball) < mpmath.mpf("1e-30")
    with mpmath.workdps(60):
        assert _contains(ball, 2 / mpmath.pi * mpmath.asin(mpmath.mpf(rho.p) / rho.q))
        assert not _contains(ball, 2 / mpmath.pi * mpmath.asin(mpmath.mpf(rho.p) ** 2 / rho.q ** 2))


def test_relu_and_erf_kernels():
    rho = R(-1, 2)
    r = mpmath.mpf(-1) / 2
    with mpmath.workdps(60):
        relu = (mpmath.sqrt(1 - r**2) + (mpmath.pi - mpmath.acos(r)) * r) / (2 * mpmath.pi)
        erf = 2 / mpmath.pi * mpmath.asin(2 * r / 3)
        assert _contains(certified_kernel(sympy.Max(z, 0), rho, 25), relu)
        assert _contains(certified_kernel(sympy.erf(z), rho, 25), erf)


@pytest.mark.parametrize("f", [sympy.exp(z / 2), sympy.cos(z), z * sympy.exp(-z / 3)],
                         ids=["exp", "cos", "poly_exp"])
def test_parseval_enclosure_holds_the_norm(f):
    """Σ α_k² with the Stein tail bound encloses ‖f‖² (exact, sympy), radius < 1e-30."""
    from gfverify.numerics.certified_kernels import parseval_enclosure
    from gfverify.theory.hermite import norm_squared

    ball = parseval_enclosure(f, 30)
    assert _radius(ball) < mpmath.mpf("1e-30")
    with mpmath.workdps(60):
        assert _contains(ball, mpmath.mpf(str(sympy.N(norm_squared(f), 60))))


def test_parseval_refusals_say_why():
    from gfverify.numerics.certified_kernels import parseval_enclosure

    with pytest.raises(C.NotCertifiable, match="kinks"):
        parseval_enclosure(sympy.Max(z, 0), 20)
    with pytest.raises(C.NotCertifiable, match="does not decrease"):
        parseval_enclosure(sympy.erf(z), 20)
