"""Tests of the high-precision averaging operator against closed forms and the exact layer."""

import mpmath
import pytest
import sympy

import gfverify.numerics.averaging as num
from gfverify.errors import InputError
from gfverify.numerics import engines
from gfverify.numerics.averaging import average_here, inner_average, inner_average_here, inner_average_many
from gfverify.theory.averaging import average, inner
from gfverify.theory.hermite import h
from gfverify.theory.wick import gaussian_expectation

Z1, Z2 = sympy.symbols("z1 z2", real=True)
R = sympy.Rational
DPS = 20


def close(a, b, dps=DPS):
    with mpmath.workdps(dps + 20):
        return abs(a - b) <= mpmath.mpf(10) ** (-(dps - 3)) * max(1, abs(b))


def test_relu_arc_cosine_kernel():
    rho = R(-1, 3)
    want = (sympy.sqrt(1 - rho**2) + (sympy.pi - sympy.acos(rho)) * rho) / (2 * sympy.pi)
    with mpmath.workdps(DPS):
        got = inner_average_here(sympy.Max(Z1, 0), sympy.Max(Z1, 0), [[rho]], [Z1])
        assert close(got, mpmath.mpf(sympy.N(want, 40)))


def test_polynomial_q2_matches_exact_layer():
    N = sympy.Matrix([[R(1, 2), R(1, 3)], [R(-1, 4), R(2, 5)]])
    f, g = Z1**3 * Z2 - Z2**2 + Z1, Z1 * Z2**2 + Z2**3 - 1
    with mpmath.workdps(12):
        got = inner_average_here(f, g, N, [Z1, Z2])
        assert close(got, mpmath.mpf(sympy.N(inner(average(f, N, [Z1, Z2]), g, [Z1, Z2]), 40)), 12)
        point = [R(1, 2), R(-1, 3)]
        got = average_here(f, N, [Z1, Z2], point)
        want = average(f, N, [Z1, Z2]).subs(dict(zip([Z1, Z2], point)))
        assert close(got, mpmath.mpf(sympy.N(want, 40)), 12)


def test_boundary_singular_value_is_exact():
    """N orthogonal (‖N‖ = 1, all s_i = 1): <A_N f, g> = E[f(Nᵀz) g(z)]; with (u, v) = Nᵀz the
    polynomial part is integrated over v exactly and the rest by a 1-D mpmath.quad in u."""
    N = sympy.Matrix([[R(3, 5), R(-4, 5)], [R(4, 5), R(3, 5)]])
    f, g = sympy.tanh(Z1) * Z2, Z1 * Z2 + Z1
    with mpmath.workdps(DPS):
        got = inner_average_here(f, g, N, [Z1, Z2])
    u, v = sympy.symbols("u v", real=True)
    z = N * sympy.Matrix([u, v])
    lifted = g.subs({Z1: z[0], Z2: z[1]}, simultaneous=True)
    poly_u = gaussian_expectation(sympy.expand(v * lifted), [v], [[1]])
    P = sympy.lambdify(u, poly_u, "mpmath")
    with mpmath.workdps(DPS + 10):
        want = mpmath.quad(lambda x: mpmath.tanh(x) * P(x) * mpmath.npdf(x), [-mpmath.inf, 0, mpmath.inf])
        assert close(got, want)


def test_many_equals_one_by_one():
    with mpmath.workdps(DPS):
        many = inner_average_many(sympy.tanh(Z1), [h(k, Z1) for k in range(4)], [[R(1, 2)]], [Z1])
        one = [inner_average_here(sympy.tanh(Z1), h(k, Z1), [[R(1, 2)]], [Z1]) for k in range(4)]
    assert all(close(a, b) for a, b in zip(many, one))
    assert many[0] == 0 and many[2] == 0 or all(abs(many[k]) < 1e-17 for k in (0, 2))


def test_two_precisions_report_digits():
    runs = inner_average(sympy.sign(Z1), sympy.sign(Z1), [[R(3, 5)]], [Z1], dps=DPS)
    with mpmath.workdps(40):
        want = mpmath.mpf(sympy.N(2 / sympy.pi * sympy.asin(R(3, 5)), 40))
    assert runs.digits >= DPS - 3 and close(runs.high, want)


def test_pure_mpmath_route_agrees(monkeypatch):
    monkeypatch.setattr(num, "USE_FLINT", False)
    with mpmath.workdps(15):
        slow = inner_average_here(sympy.tanh(Z1), sympy.Max(Z1, 0), [[R(2, 3)]], [Z1])
    monkeypatch.setattr(num, "USE_FLINT", True)
    with mpmath.workdps(15):
        fast = inner_average_here(sympy.tanh(Z1), sympy.Max(Z1, 0), [[R(2, 3)]], [Z1])
    assert close(slow, fast, 15)


def test_the_flint_route_is_the_default_where_flint_is_available():
    """With python-flint installed (and not switched off by ``GFVERIFY_ENGINES=pure``) the
    kernel's double sum goes through arb, as docs/numerics.md states; the pure route above is the
    fallback."""
    flint = engines.module("flint")
    if flint is None:
        pytest.skip("python-flint is not available to this run")
    assert num._flint() is flint


def test_narrow_strip_gets_a_finer_grid():
    """tanh(3z) has poles at |Im z| = π/6: the grid must follow (closed-form-free check: the
    two precisions must agree)."""
    runs = inner_average(sympy.tanh(3 * Z1), sympy.tanh(3 * Z1), [[R(1, 2)]], [Z1], dps=10)
    assert runs.digits >= 8


def test_errors():
    with pytest.raises(InputError, match="contraction"):
        inner_average_here(sympy.tanh(Z1), Z1, [[R(11, 10)]], [Z1])
    with pytest.raises(InputError, match="coordinate axis"):
        inner_average_here(sympy.Max(Z1, 0), Z1, [[R(1, 2), R(1, 3)], [R(1, 5), R(1, 2)]], [Z1, Z2])
    with pytest.raises(InputError, match="numeric"):
        inner_average_here(Z1, Z1, [[sympy.Symbol("r")]], [Z1])


def test_average_at_many_points_and_nested_average():
    """A_b sign at every node of the outer rule, then A_a: equals A_{ab} sign (closed form erf)."""
    a, b, z0 = R(4, 5), R(-1, 2), R(9, 10)
    sign = sympy.sign(Z1)
    with mpmath.workdps(12):
        pts = [[R(-1, 2)], [R(1, 3)]]
        assert num.average_at(sign, [[b]], [Z1], pts) == [average_here(sign, [[b]], [Z1], p) for p in pts]
        nested = num.average_function_here(
            lambda xs: num.average_at(sign, [[b]], [Z1], [[x] for x in xs]), a, z0)
        want = mpmath.erf(mpmath.mpf(a * b * z0) / mpmath.sqrt(2 * (1 - mpmath.mpf(a * b) ** 2)))
        assert close(nested, want, 12)
    with pytest.raises(InputError):
        num.average_function_here(lambda xs: xs, R(3, 2), 0)


def test_smoothing_series_near_the_identity():
    """E[tanh(x0 + σξ)] by the heat expansion = (A_s tanh)(z) by quadrature, s = 1 − 10⁻⁶; and
    E[z⁴] at x0 by the (finite) expansion: x0⁴ + 6x0²σ² + 3σ⁴."""
    x = sympy.Symbol("x", real=True)
    s = 1 - R(1, 10**6)
    with mpmath.workdps(DPS):
        tol = mpmath.mpf(10) ** -(DPS + 5)
        got = num.smoothing_series(sympy.tanh(x), x, s * R(1, 3), 1 - s**2, tol)
        assert close(got, average_here(sympy.tanh(Z1), [[s]], [Z1], [R(1, 3)]))
        x0, v = mpmath.mpf(2) / 3, mpmath.mpf(1) / 5
        quartic = num.smoothing_series(x**4, x, R(2, 3), R(1, 5), tol)
        assert close(quartic, x0**4 + 6 * x0**2 * v + 3 * v**2)
    with mpmath.workdps(15), pytest.raises(ArithmeticError):
        num.smoothing_series(sympy.tanh(x), x, R(1, 2), 4, mpmath.mpf(10) ** -30)  # σ² = 4: diverges


def test_mehler_sum():
    """Σ α_k ρ^k h_k(z) with α = coefficients of z³ = √6 h_3 + 3 h_1 equals A_ρ z³."""
    alphas = [0, 3, 0, mpmath.sqrt(6)]
    rho, z = R(1, 3), R(-2, 5)
    with mpmath.workdps(DPS):
        want = average(Z1**3, [[rho]], [Z1]).subs(Z1, z)
        assert close(num.mehler_sum(alphas, rho, z), mpmath.mpf(sympy.N(want, 40)))


@pytest.mark.parametrize("s, sign", [(1, 1), (-1, -1)])
def test_average_of_a_function_at_s_pm_one_is_the_function(s, sign):
    """A_{±1} F (z) = E[F(±z + 0·ξ)] = F(±z): the rule degenerates to one node of weight 1."""
    with mpmath.workdps(DPS):
        z0 = R(7, 10)
        got = num.average_function_here(lambda xs: [x**3 + x for x in xs], s, z0)
        want = (sign * mpmath.mpf(z0)) ** 3 + sign * mpmath.mpf(z0)
        assert close(got, want)


def test_too_many_axis_nodes_is_refused():
    """The guard against a singular value too close to 1 fires above MAX_AXIS_NODES nodes."""
    num._check_size(10, num.MAX_AXIS_NODES)
    with pytest.raises(InputError, match="too close to 1"):
        num._check_size(10, num.MAX_AXIS_NODES + 1)


def test_heat_expansion_whose_terms_grow_before_they_end():
    """E[(x0 + σξ)⁴] = x0⁴ + 6x0²σ² + 3σ⁴ with x0 = 1/10, σ² = 1: the terms 10⁻⁴, 0.06, 3 grow
    before the expansion ends (the fourth derivative is constant), which is not divergence."""
    x = sympy.Symbol("x", real=True)
    with mpmath.workdps(DPS):
        got = num.smoothing_series(x**4, x, R(1, 10), 1, mpmath.mpf(10) ** -(DPS + 5))
        x0 = mpmath.mpf(1) / 10
        assert close(got, x0**4 + 6 * x0**2 + 3)


def test_matrix_size_must_match_the_links():
    """A_N f for f on R^q needs a q×q matrix N."""
    with pytest.raises(InputError, match="2x2 but the links have 1"):
        inner_average_here(Z1, Z1, [[R(1, 2), 0], [0, R(1, 3)]], [Z1])


def test_two_close_kinks():
    """<A_N f, 1> = E f for f = relu(z) + relu(z − 1/20): kinks 1/20 apart (one quadrature panel
    between them, each kink a panel end); E relu(z − c) = φ(c) − c(1 − Φ(c))."""
    c = R(1, 20)
    f = sympy.Max(Z1, 0) + sympy.Max(Z1 - c, 0)
    with mpmath.workdps(DPS):
        got = inner_average_here(f, sympy.Integer(1), [[R(1, 2)]], [Z1])
        cm = mpmath.mpf(c)
        want = mpmath.npdf(0) + mpmath.npdf(cm) - cm * (1 - mpmath.ncdf(cm))
        assert close(got, want)


def test_relu_kernel_near_the_diagonal():
    """ρ = 1 − 10⁻²: the pair density is a ridge of width √(1 − ρ), which the grid must resolve;
    the arc-cosine kernel (√(1 − ρ²) + (π − arccos ρ)ρ)/(2π) is the closed form."""
    rho = 1 - R(1, 100)
    want = (sympy.sqrt(1 - rho**2) + (sympy.pi - sympy.acos(rho)) * rho) / (2 * sympy.pi)
    with mpmath.workdps(DPS):
        got = inner_average_here(sympy.Max(Z1, 0), sympy.Max(Z1, 0), [[rho]], [Z1])
        assert close(got, mpmath.mpf(sympy.N(want, 40)))


def test_smoothing_series_does_not_stop_at_a_derivative_that_vanishes_at_the_point():
    """E[(σξ)⁴] = 3σ⁴ and E[(σξ)² + (σξ)⁴] = σ² + 3σ⁴ (Gaussian moments), although g'' or g''''
    vanish at 0 for some of the terms on the way."""
    x = sympy.Symbol("x", real=True)
    var = sympy.Rational(1, 5)
    tol = mpmath.mpf(10) ** -30
    with mpmath.workdps(30):
        got4 = num.smoothing_series(x**4, x, 0, var, tol)
        got24 = num.smoothing_series(x**2 + x**4, x, 0, var, tol)
        assert abs(got4 - mpmath.mpf(3) / 25) < tol
        assert abs(got24 - (mpmath.mpf(1) / 5 + mpmath.mpf(3) / 25)) < tol


def _conditional_mean_by_quad(g, rho, y):
    """(A_ρ g)(y) = E[g(ρy + √(1 − ρ²) w)], w ~ N(0, 1), by mpmath's quad (a second route)."""
    fun = sympy.lambdify(Z1, g, "mpmath")
    s = mpmath.sqrt(1 - rho * rho)
    return mpmath.quad(lambda w: fun(rho * y + s * w) * mpmath.npdf(w), [-mpmath.inf, 0, mpmath.inf])


@pytest.mark.parametrize("g", [1 / (1 + sympy.exp(-Z1)), sympy.log(1 + sympy.exp(2 * Z1)),
                               sympy.tanh(Z1 / 2) + sympy.sech(2 * Z1)],
                         ids=["logistic", "softplus2", "tanh_sech"])
def test_average_of_links_with_poles_off_the_line(g):
    """Links whose analytic strip is set by exp in a denominator or a log (logistic, softplus of
    2z: poles at |Im| = π/2 and π/4) or by tanh and sech, against quad at 25 digits."""
    with mpmath.workdps(25):
        rho, y = mpmath.mpf(3) / 5, mpmath.mpf("0.4")
        (got,) = num.average_at(g, sympy.Matrix([[R(3, 5)]]), [Z1], [[y]])
        want = _conditional_mean_by_quad(g, rho, y)
        assert abs(got - want) < mpmath.mpf(10) ** -20 * max(1, abs(want))


def test_average_of_a_piecewise_link_is_the_call_price():
    """g = (z − ½)⁺ written as a Piecewise: with X ~ N(μ, s²), μ = ρy, E(X − c)⁺ =
    s φ(d) − (c − μ)(1 − Φ(d)), d = (c − μ)/s (closed form), ρ = 3/5, y = 2/5."""
    g = sympy.Piecewise((Z1 - R(1, 2), Z1 > R(1, 2)), (0, True))
    with mpmath.workdps(25):
        mu, s, c = mpmath.mpf(6) / 25, mpmath.mpf(4) / 5, mpmath.mpf(1) / 2
        d = (c - mu) / s
        want = s * mpmath.npdf(d) - (c - mu) * (1 - mpmath.ncdf(d))
        (got,) = num.average_at(g, sympy.Matrix([[R(3, 5)]]), [Z1], [[R(2, 5)]])
        assert abs(got - want) < mpmath.mpf(10) ** -20


def test_a_unit_singular_value_leaves_that_direction_deterministic():
    """N = diag(1, 1/2): A_N g(z) = E[g(z1, z2/2 + (√3/2) w)], the first coordinate is not
    averaged; for g = tanh(z1) z2² that is tanh(z1)(z2²/4 + 3/4) exactly."""
    g = sympy.tanh(Z1) * Z2**2
    with mpmath.workdps(25):
        z1, z2 = mpmath.mpf("0.7"), mpmath.mpf("-1.3")
        (got,) = num.average_at(g, sympy.diag(1, R(1, 2)), [Z1, Z2], [[z1, z2]])
        assert abs(got - mpmath.tanh(z1) * (z2**2 / 4 + mpmath.mpf(3) / 4)) < mpmath.mpf(10) ** -20


@pytest.mark.parametrize("g, zs, N, point, reason", [
    (sympy.Abs(Z1**2 - 1), [Z1], [[R(1, 2)]], [0], "not along a hyperplane"),
    (sympy.Max(Z1 * Z2, 0), [Z1, Z2], [[R(1, 2), 0], [0, R(1, 2)]], [0, 0], "not along a hyperplane"),
    (sympy.Abs(sympy.sin(Z1)), [Z1], [[R(1, 2)]], [0], "not along a hyperplane"),
    (sympy.tanh(Z1**2), [Z1], [[R(1, 2)]], [0], "analytic strip"),
    (sympy.tanh(sympy.sin(Z1)), [Z1], [[R(1, 2)]], [0], "analytic strip"),
    (sympy.sqrt(Z1), [Z1], [[R(1, 2)]], [1], "not finite and real"),
    (Z1 * Z2, [Z1, Z2], [[R(1, 2), 0], [0, R(1, 2)]], [0], "needs 2 coordinates"),
])
def test_average_at_refuses_what_it_cannot_integrate(g, zs, N, point, reason):
    with mpmath.workdps(15):
        with pytest.raises(InputError, match=reason):
            num.average_at(g, sympy.Matrix(N), zs, [point])


def test_values_are_correct_to_the_working_precision():
    """At 40 digits, to 10^-40 relative: the arc-cosine kernel <A_ρ relu, relu> at ρ = −1/3 and
    (A_ρ exp)(y) = E exp(ρy + √(1 − ρ²) ξ) = exp(ρy + (1 − ρ²)/2) = e^{14/25} at ρ = 3/5, y = 2/5
    (closed forms at 60 digits)."""
    dps, rho = 40, R(-1, 3)
    with mpmath.workdps(dps):
        kernel = inner_average_here(sympy.Max(Z1, 0), sympy.Max(Z1, 0), [[rho]], [Z1])
        (smooth,) = num.average_at(sympy.exp(Z1), sympy.Matrix([[R(3, 5)]]), [Z1], [[R(2, 5)]])
    with mpmath.workdps(dps + 20):
        r = mpmath.mpf(-1) / 3
        arc_cosine = (mpmath.sqrt(1 - r * r) + (mpmath.pi - mpmath.acos(r)) * r) / (2 * mpmath.pi)
        for got, want in ((kernel, arc_cosine), (smooth, mpmath.exp(mpmath.mpf(14) / 25))):
            assert abs(got - want) <= mpmath.mpf(10) ** -dps * abs(want)


@pytest.mark.parametrize("c", [30, -30])
def test_kinks_far_in_the_gaussian_tail(c):
    """relu(z + c) with its kink at ∓30, far outside the truncation window: <A_ρ relu(· + c), relu>
    = E[(u + 30) relu(z)] = 30/√(2π) + ρ/2 for c = 30 and 0 for c = −30, up to P(|u| > 30) < 10^-190
    (ρ = 1/2; E relu(z) = φ(0), E[u relu(z)] = ρ E[z relu(z)] = ρ/2)."""
    with mpmath.workdps(DPS):
        got = inner_average_here(sympy.Max(Z1 + c, 0), sympy.Max(Z1, 0), [[R(1, 2)]], [Z1])
    with mpmath.workdps(DPS + 20):
        want = 30 / mpmath.sqrt(2 * mpmath.pi) + mpmath.mpf(1) / 4 if c > 0 else mpmath.mpf(0)
        assert abs(got - want) <= mpmath.mpf(10) ** -DPS * max(1, want)
