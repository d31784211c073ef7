"""The proven Gaussian-tail bounds of numerics/certified_tails.py: each growth envelope is an upper
bound of its function on a wide grid (checked at 50 digits) and sharp where the function's growth
is known; the tail bound is the Laplace estimate e^{g(L)}/|g'(L)| of Cramér's integral, so it lies
above that integral (mpmath quad / erfc closed form) and within O(1/L²) of it; tail_length returns
the first grid point whose bound is below the target; links without a proven bound are refused."""

import flint
import mpmath
import pytest
import sympy

from gfverify.numerics.certified_tails import (
    CRAMER_K,
    NotCertifiable,
    envelope,
    tail_bound,
    tail_length,
)
from gfverify.theory.hermite import Z

z = Z
R = sympy.Rational
GRID = [mpmath.mpf(v) / 8 for v in range(-400, 401, 3)] + [mpmath.mpf(0)]


def _bound_holds(f, env) -> bool:
    """|f(x)| ≤ A (1+|x|)^p e^{c|x|} at every grid point, evaluated at 50 digits."""
    A, p, c = env
    fun = sympy.lambdify(z, f, ["mpmath", {"sign": mpmath.sign, "Heaviside": lambda x, h=0: (x > 0) * 1}])
    with mpmath.workdps(50):
        return all(abs(fun(x)) <= A * (1 + abs(x)) ** p * mpmath.exp(c * abs(x)) for x in GRID)


def _upper(ball) -> mpmath.mpf:
    return mpmath.mpf(ball.upper().str(30, radius=False))


def _rounded_up(value, exact) -> bool:
    """``exact ≤ value ≤ exact (1 + 10^-30)``: the envelope's constants are exact values rounded
    up (a bound must not be rounded down), by far less than any use can see."""
    with mpmath.workdps(50):
        return exact <= value <= exact * (1 + mpmath.mpf(10) ** -30)


BOUNDED = [(sympy.tanh(z), 1), (sympy.erf(z), 1), (sympy.erfc(z), 2), (sympy.sin(z), 1),
           (sympy.cos(z), 1), (sympy.sign(z), 1), (sympy.Heaviside(z), 1), (sympy.atan(z), mpmath.pi / 2),
           (sympy.exp(-z**2), 1)]


@pytest.mark.parametrize("f, sup", BOUNDED, ids=[str(f.func) for f, _ in BOUNDED])
def test_bounded_functions_get_their_supremum_rounded_up(f, sup):
    """A bounded function's envelope is (A, 0, 0) with sup|f| ≤ A < sup|f| + 1 (sup: 1 for tanh,
    erf, sin, cos, sign, Heaviside and e^{−z²}, an exp of a non-positive argument; 2 for erfc at
    −∞; π/2 for atan)."""
    A, p, c = envelope(f)
    assert (p, c) == (0, 0)
    assert sup <= A < sup + 1
    assert _bound_holds(f, (A, p, c))


@pytest.mark.parametrize("f, rate", [(z, 1), (z**3, 3), (z**3 - 5 * z + 2, 3), (sympy.Abs(z**2 - 3), 2),
                                     (3 * z**2 * sympy.tanh(z), 2)])
def test_polynomial_growth_is_sharp(f, rate):
    """For a polynomial of degree n the envelope is A(1+|z|)^n with no exponential factor, and it is
    an upper bound; for the monomials it is asymptotically exact (|z|^n / (1+|z|)^n → 1)."""
    A, p, c = envelope(f)
    assert (p, c) == (rate, 0)
    assert _bound_holds(f, (A, p, c))
    if f in (z, z**3):
        assert _rounded_up(A, 1)


@pytest.mark.parametrize("f", [-3 + 0 * z, sympy.Integer(-3)])
def test_a_negative_constant_is_bounded_by_its_modulus(f):
    A, p, c = envelope(f)
    assert (p, c) == (0, 0) and _rounded_up(A, 3)


@pytest.mark.parametrize("f", [
    z**2 + 1, sympy.Max(z**2, sympy.exp(z / 3)), sympy.Min(z, -z**3), sympy.exp(z) + 1,
    sympy.Piecewise((z**2, z > 1), (sympy.exp(-z / 2), True)), z**2 * sympy.exp(z / 2) * sympy.sin(z),
    sympy.sqrt(1 + z**2), (1 + z**2) ** R(1, 3), (4 + z**2) ** R(3, 2), 1 / (1 + z**2),
    (2 + z**2) ** R(-1, 2), 1 / (R(1, 4) + z**2 + sympy.exp(z)), sympy.exp(-z**2), sympy.exp(2 * z + 1),
    sympy.sinh(-z / 2) * z, sympy.cosh(3 * z / 2), sympy.log(1 + z**2), sympy.log(R(1, 100) + z**2),
    sympy.log(R(1, 100) + z**2 / 100), sympy.log(2 + sympy.exp(z)), sympy.exp(sympy.sin(z) * z),
    sympy.exp(sympy.sin(z)), sympy.cosh(sympy.erf(z) - 3), R(1, 3) + 0 * z, sympy.sqrt(3) * sympy.tanh(z),
])
def test_envelope_is_an_upper_bound(f):
    """Sums, products, maxima, piecewise, powers, exp/sinh/cosh and log: the proven envelope lies
    above |f| on a grid of [−50, 50] (at 50 digits, so that a bound low by 10⁻²⁵ is seen at 0; the
    constant 1/3 and √3·tanh z, which reaches √3 within 10⁻⁴³ at z = 50, failed while the constants
    were read at 53 bits, rounded to nearest)."""
    assert _bound_holds(f, envelope(f))


@pytest.mark.parametrize("q", [3, 7, 10, 11, 13, 17])
def test_the_lower_bound_of_a_positive_sum_is_below_its_constant(q):
    """1/q + z² ≥ 1/q on the line, and 1/q is its minimum: the proven lower bound is at most 1/q
    (1/10, 1/11 and 1/13 came out above it, by up to 6·10⁻¹⁸, while read at 53 bits), and within
    10⁻²⁴ of it relative (its margin is 10⁻²⁵)."""
    from gfverify.numerics.certified_tails import _lower_bound

    low = _lower_bound(R(1, q) + z**2, z)
    with mpmath.workdps(50):
        assert 1 - mpmath.mpf(10) ** -24 < low * q <= 1


@pytest.mark.parametrize("f, c", [(sympy.exp(z), 1), (sympy.exp(-3 * z), 3), (sympy.cosh(z / 2), R(1, 2)),
                                  (sympy.exp(z) * sympy.exp(z / 4), R(5, 4)),
                                  (sympy.exp(z) + sympy.exp(z / 2), 1), (z**2 * sympy.exp(z), 1),
                                  (sympy.exp(-z**2), 0), (sympy.log(1 + z**2), 0),
                                  (sympy.log(2 + sympy.exp(z)), 0)])
def test_exponential_rate_is_the_true_one(f, c):
    """e^{az} grows exactly like e^{|a||z|}: the envelope's rate c is |a| (sums take the largest,
    products add); e^{−z²} is bounded and a log grows slower than any exponential (rate 0), so
    the tail length is not inflated."""
    assert _rounded_up(envelope(f)[2], mpmath.mpf(c.p) / c.q if isinstance(c, sympy.Rational) else c)


@pytest.mark.parametrize("f, reason", [
    (sympy.gamma(z), "growth bound"),
    (sympy.exp(z**2 / 8), "grows faster"),
    (sympy.exp(sympy.exp(z)), "grows faster"),
    (sympy.cosh(-z**2), "grows faster"),
    (sympy.sinh(z * sympy.exp(z)), "grows faster"),
    (1 / (z**2 - 1), "lower bound"),
    (1 / (1 + z), "lower bound"),
    (sympy.log(z**2), "lower bound"),
    ((z**2 - 1) ** R(-1, 2), "lower bound"),
])
def test_refusals_say_why(f, reason):
    with pytest.raises(NotCertifiable, match=reason):
        envelope(f)


def test_the_envelope_of_exp_of_a_linear_argument():
    """|u| ≤ A(1+|z|) gives |e^u| ≤ e^A e^{A|z|}; for u = z that is e·e^{|z|}, which e^{z} reaches
    within the factor e at every z ≥ 0 (and at z → −∞ it is far above)."""
    A, p, c = envelope(sympy.exp(z))
    assert p == 0 and _rounded_up(c, 1)
    with mpmath.workdps(50):
        assert _rounded_up(A, mpmath.e)


def test_cramer_constant_is_above_the_sup_of_the_hermite_functions():
    """K ≥ max_x |H_n(x)| e^{−x²/2} / √(2ⁿ n!) (A&S 22.14.17), checked for n ≤ 12 on a fine grid;
    K is A&S's 1.086435 rounded up in its last digit."""
    K = mpmath.mpf(CRAMER_K)
    assert mpmath.mpf("1.086435") <= K < mpmath.mpf("1.087")
    for n in range(13):
        norm = mpmath.sqrt(2**n * mpmath.factorial(n))
        assert max(abs(mpmath.hermite(n, x) * mpmath.exp(-x * x / 2)) / norm
                   for x in [mpmath.mpf(v) / 20 for v in range(0, 200)]) <= K


@pytest.mark.parametrize("env, L", [((1, 0, 0), 40), ((3, 0, 2), 40), ((1, 2, 0), 60),
                                    ((mpmath.mpf(5) / 2, 3, mpmath.mpf(1) / 2), 60), ((1, 0, 0), 6),
                                    ((1, 400, 0), 40), ((1, 20, 1), 30),
                                    ((1, 0, mpmath.mpf(5) / 2), 6)])  # δ = 1/2: decays, slowly
def test_tail_bound_is_the_laplace_estimate_of_cramers_integral(env, L):
    """Cramér's inequality bounds ∫_{|z|>L} |f h_k| φ by I = 2K(2π)^{−1/2} ∫_L^∞ e^{g}, g(z) =
    log A + p log(1+z) + cz − z²/4; the proven bound is the prefactor times e^{g(L)}/|g'(L)|, above
    I (g is concave) and, by Laplace's method, within 2|g''(L)|/g'(L)² of it when that is small
    (g', g'' by mpmath.diff; I by mpmath quad, in closed form √π e^{c²} erfc(L/2 − c) when p = 0);
    the returned bound is at least that expression evaluated at 40 digits (rounded up)."""
    A, p, c = (mpmath.mpf(v) for v in env)
    with mpmath.workdps(40):
        pref = 2 * mpmath.mpf(CRAMER_K) * A / mpmath.sqrt(2 * mpmath.pi)
        integral = pref * mpmath.quad(lambda x: (1 + x) ** p * mpmath.exp(c * x - x * x / 4),
                                      [L + t for t in (0, .05, .1, .2, .5, 1, 2, 5)] + [mpmath.inf])
        if p == 0:
            closed = pref * mpmath.sqrt(mpmath.pi) * mpmath.exp(c * c) * mpmath.erfc(mpmath.mpf(L) / 2 - c)
            assert abs(closed / integral - 1) < mpmath.mpf("1e-8")  # the two routes to I agree
            integral = closed
        bound = _upper(tail_bound((A, int(p), c), L))
        assert integral <= bound
        def g(x):
            return p * mpmath.log(1 + x) + c * x - x * x / 4
        slack = 2 * abs(mpmath.diff(g, L, 2)) / mpmath.diff(g, L) ** 2
        assert bound <= integral * (1 + (slack if slack < mpmath.mpf("0.1") else 1))
        # and not below the stated bound itself (at 40 digits): arb must round it up, also when
        # it works at 200 bits (as the certified quadrature does), where its radius is no cover
        saved, flint.ctx.prec = flint.ctx.prec, 200
        try:
            fine = _upper(tail_bound((A, int(p), c), L))
        finally:
            flint.ctx.prec = saved
        assert pref * mpmath.exp(g(L)) / (mpmath.mpf(L) / 2 - c - p / (1 + mpmath.mpf(L))) <= fine


def test_tail_bound_exceeds_the_tails_of_the_hermite_functions():
    """The bound against the tail integrals themselves (mpmath quad), k ≤ 6, f = z² + e^{z/2}."""
    f = z**2 + sympy.exp(z / 2)
    L = 6
    bound = _upper(tail_bound(envelope(f), L))
    fun = sympy.lambdify(z, f, "mpmath")
    for k in range(7):
        hk = sympy.lambdify(z, sympy.hermite_prob(k, z) / sympy.sqrt(sympy.factorial(k)), "mpmath")
        tail = sum(mpmath.quad(lambda x: abs(fun(x) * hk(x)) * mpmath.npdf(x), ends)
                   for ends in ([L, mpmath.inf], [-mpmath.inf, -L]))
        assert tail <= bound


@pytest.mark.parametrize("L", [4, 6])
def test_tail_bound_refuses_a_non_decaying_envelope(L):
    """δ = L/2 − c − p/(1+L) ≤ 0: g' ≤ −δ gives nothing, refused (c = 2 at L = 4: δ = 0)."""
    with pytest.raises(NotCertifiable, match="does not decay"):
        tail_bound((1, 0, 3 if L == 6 else 2), L)


@pytest.mark.parametrize("env, target", [((1, 0, 0), "1e-30"), ((2, 3, mpmath.mpf(3)), "1e-20"),
                                         ((1, 0, 0), "0.6"), ((1, 0, 0), "0.05"), ((1, 1, 0), "0.01")])
def test_tail_length_is_the_first_grid_point_below_the_target(env, target):
    """The returned L has bound(L) < target and bound(L − 1/2) ≥ target (or no bound there); the
    grid is 4 + j/2 (with c = 3, δ > 0 only beyond L = 6: the undecaying points are skipped)."""
    L, T = tail_length(env, mpmath.mpf(target))
    assert (L - 4) * 2 == int((L - 4) * 2) and L >= 4
    assert T < mpmath.mpf(target) and _upper(tail_bound(env, L)) == _upper(T)
    if L > 4:
        try:
            before = tail_bound(env, L - 0.5)
        except NotCertifiable:
            return
        assert not before < mpmath.mpf(target)


def test_tail_length_of_a_huge_rate_is_refused():
    """c = 1000 needs L > 2000 before the envelope decays: refused with the limit in the message."""
    with pytest.raises(NotCertifiable, match="L > 2000"):
        tail_length((1, 0, 1000), mpmath.mpf("1e-10"))
